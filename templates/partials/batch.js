// The batch summary: click a column heading to sort by it, again to reverse.
(function () {
  "use strict";
  var table = document.getElementById("batch-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  table.querySelectorAll("th[data-sort]").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var numeric = th.dataset.sort === "number";
      var ascending = th.dataset.order !== "asc";
      table.querySelectorAll("th[data-sort]").forEach(function (h) { delete h.dataset.order; });
      th.dataset.order = ascending ? "asc" : "desc";
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
    });
  });
})();
