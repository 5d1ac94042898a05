// The batch summary: click a column heading to sort by it, again to reverse. On the web
// app's batch page (a table with data-live) the progress and the rows also follow the
// running batch, by asking the page for its JSON until the batch ends.
(function () {
  "use strict";
  var table = document.getElementById("batch-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headings = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));

  function sortBy(th, ascending) {
    var column = headings.indexOf(th);
    var numeric = th.dataset.sort === "number";
    headings.forEach(function (h) { delete h.dataset.order; h.removeAttribute("aria-sort"); });
    th.dataset.order = ascending ? "asc" : "desc";
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var cell = row.cells[column];
      var value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
      return numeric ? parseFloat(value) : value.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  headings.forEach(function (th) {
    th.addEventListener("click", function (event) {
      event.preventDefault();  // a heading's link sorts on the server when scripts are off
      var ascending = th.dataset.order !== "asc";
      sortBy(th, ascending);
      if (th.dataset.column && window.history.replaceState) {
        window.history.replaceState(null, "", "?sort=" + th.dataset.column +
                                    "&order=" + (ascending ? "asc" : "desc"));
      }
    });
  });

  var source = table.dataset.live;
  if (!source || !window.fetch) { return; }
  var severities = (table.dataset.severities || "").split(" ");
  var panel = document.getElementById("batch-status");
  var line = document.getElementById("batch-status-text");
  var bar = document.getElementById("batch-progress");
  var FASTEST = 1000, SLOWEST = 5000, GIVE_UP = 5, WINDOW = 100;
  var delay = FASTEST, failures = 0;
  var inOrder = [];  // the rows in the batch's order, whatever the table's sort
  Array.prototype.forEach.call(body.rows, function (row) {
    inOrder[Number(row.dataset.position)] = row;
  });

  // Pairs finish in the batch's order: ask only from the first one not finished.
  function settled() {
    var n = 0;
    while (n < inOrder.length && inOrder[n] && inOrder[n].dataset.status !== "queued") { n++; }
    return n;
  }

  function fill(row, r) {
    row.className = "st-" + r.status;
    row.dataset.status = r.status;
    if (r.status === "ok" && r.comparison) {
      var link = document.createElement("a");
      link.href = "/comparisons/" + encodeURIComponent(r.comparison);
      link.textContent = r.id;
      row.cells[0].replaceChildren(link);
    }
    row.cells[3].textContent = r.status;
    var highest = row.cells[4];
    highest.textContent = r.highest || "\u2014";
    highest.dataset.value = String(r.highest ? severities.indexOf(r.highest) : severities.length);
    highest.className = r.highest ? "sev-" + r.highest : "";
    severities.forEach(function (s, i) {
      var cell = row.cells[5 + i];
      var n = r.counts ? r.counts[s] : undefined;
      cell.textContent = n === undefined ? "" : String(n);
      cell.dataset.value = n === undefined ? "-1" : String(n);
    });
    var last = row.cells[5 + severities.length];
    if (r.status === "ok") {
      last.textContent = r.top_finding || "no findings";
    } else if (r.error) {
      var error = document.createElement("span");
      error.className = "error";
      error.textContent = r.error;
      last.replaceChildren(error);
    } else {
      last.textContent = "";
    }
  }

  // Puts the answer on the page; true when some pair changed.
  function apply(batch) {
    line.textContent = batch.status_text;
    bar.max = batch.total;
    bar.value = batch.done;
    bar.textContent = batch.done + " of " + batch.total;
    panel.dataset.state = batch.status;
    var rows = {};
    Array.prototype.forEach.call(body.rows, function (row) { rows[row.dataset.id] = row; });
    var changed = false;
    batch.results.forEach(function (r) {
      var row = rows[r.id];
      if (row && row.dataset.status !== r.status) { fill(row, r); changed = true; }
    });
    var sorted = headings.filter(function (h) { return h.dataset.order; })[0];
    if (changed && sorted) { sortBy(sorted, sorted.dataset.order === "asc"); }
    return changed;
  }

  function finished() {
    document.querySelectorAll("[data-while-running]").forEach(function (el) { el.hidden = true; });
  }

  // `whole`: every pair, once the batch has ended (a cancel changes the pairs not run).
  function poll(whole) {
    if (document.hidden) {  // a tab in the background asks nothing until it is shown
      document.addEventListener("visibilitychange", function () { poll(whole); }, {once: true});
      return;
    }
    var url = whole ? source : source + "?offset=" + settled() + "&limit=" + WINDOW;
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin",
                cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { throw new Error("the server answered " + response.status); }
        return response.json();
      })
      .then(function (batch) {
        failures = 0;
        var changed = apply(batch);
        if (batch.status !== "queued" && batch.status !== "running") {
          if (whole) { finished(); } else { poll(true); }
          return;
        }
        delay = changed ? FASTEST : Math.min(delay * 1.5, SLOWEST);
        window.setTimeout(function () { poll(false); }, delay);
      })
      .catch(function () {
        failures += 1;
        if (failures >= GIVE_UP) {
          line.textContent += " \u00b7 updates stopped: reload the page to see where it is";
          return;
        }
        window.setTimeout(function () { poll(whole); }, Math.min(SLOWEST * failures, 15000));
      });
  }
  window.setTimeout(function () { poll(false); }, FASTEST);
})();
