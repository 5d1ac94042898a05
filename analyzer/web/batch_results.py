"""What a stored batch gives people besides its JSON: the rows of its table with the
documents' names, its one-line status, the summary page, and the zip of its results.

The summary is the command line's (templates/batch.html), and the zip holds what the
command line's results folder holds: `index.jsonl`, `index.html` and one `<id>.json` per
pair (with `<id>.html` / `<id>.md` on request). Both hold the pairs finished so far.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

import anyio.from_thread

from analyzer.errors import NotFound, UsageError
from analyzer.model import SEVERITIES
from analyzer.report.render import render_page
from analyzer.store import WorkspaceRef
from analyzer.web.service import Service

STATUS_WORDS = {"queued": "Queued", "running": "Running", "done": "Finished",
                "failed": "Stopped by a server error", "cancelled": "Cancelled"}
FINISHED = ("ok", "failed")
REPORT_FORMATS = ("json", "html", "md")
Labels = dict[str, tuple[str, str]]  # document id -> (library name, version)


def seconds_text(seconds: float) -> str:
    """A duration as a person reads it: "8 s", "3 min", "1 h 5 min" (at least "1 s")."""
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def status_text(batch: dict[str, Any], figures: dict[str, Any]) -> str:
    """One line: "Running: 12 of 30 pairs done, 1 failed · 2.4 pairs/s · about 8 s left"."""
    total, done = batch["total"], batch["done"]
    text = (f"{STATUS_WORDS.get(batch['status'], batch['status'])}: {done} of {total} "
            f"pair{'s' if total != 1 else ''} done, {batch['failed']} failed")
    if batch["cancelled"]:
        text += f", {batch['cancelled']} not run"
    rate, eta, elapsed = (figures.get(k) for k in ("rate", "eta_seconds", "elapsed_seconds"))
    if batch["status"] in ("queued", "running"):
        if rate:
            text += f" · {rate:.2g} pairs/s" if rate < 10 else f" · {rate:.0f} pairs/s"
        if eta is not None:
            text += f" · about {seconds_text(eta)} left"
        elif done < total:
            text += " · measuring the rate"
    elif elapsed is not None and batch["status"] == "done":
        text += f" · in {seconds_text(elapsed)}"
    return text


def label(labels: Labels, doc_id: str) -> str:
    """"Acme terms · v2", or the id of a document this workspace no longer holds."""
    named = labels.get(doc_id)
    return f"{named[0]} · {named[1]}" if named else doc_id


def table_rows(batch: dict[str, Any], labels: Labels) -> list[dict[str, Any]]:
    """Every pair of the batch with its position, its documents' names and its report's
    page."""
    return [{**r, "position": n, "old_label": label(labels, r["old"]),
             "new_label": label(labels, r["new"]),
             "link": f"/comparisons/{r['comparison']}" if r["status"] == "ok"
             and r["comparison"] else None}
            for n, r in enumerate(batch["results"])]


# The table's columns (the command line's summary's), and how each sorts.
def _severity_rank(row: dict[str, Any]) -> int:
    return SEVERITIES.index(row["highest"]) if row["highest"] else len(SEVERITIES)


def _count(severity: str) -> Callable[[dict[str, Any]], int]:
    return lambda row: row["counts"][severity] if row["counts"] else -1


SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "id": lambda r: r["id"].lower(), "old": lambda r: r["old_label"].lower(),
    "new": lambda r: r["new_label"].lower(), "status": lambda r: r["status"],
    "highest": _severity_rank, **{s: _count(s) for s in SEVERITIES},
    "top": lambda r: (r["top_finding"] or r["error"] or "").lower(),
}


def sort_rows(rows: list[dict[str, Any]], key: str | None,
              order: str | None) -> tuple[list[dict[str, Any]], str | None, str]:
    """The rows sorted by a column (unknown columns leave the batch's order), with the
    column and order used."""
    if key not in SORT_KEYS:
        return rows, None, "asc"
    descending = order == "desc"
    return sorted(rows, key=SORT_KEYS[key], reverse=descending), key, (
        "desc" if descending else "asc")


def ledger_row(result: dict[str, Any], labels: Labels) -> dict[str, Any]:
    """A finished pair as a line of `index.jsonl`: the command line's fields (old and new
    are document ids here) with the documents' names and the comparison's id."""
    return {"id": result["id"], "old": result["old"], "new": result["new"],
            "old_label": label(labels, result["old"]),
            "new_label": label(labels, result["new"]), "status": result["status"],
            "error": result["error"], "counts": result["counts"], "highest": result["highest"],
            "top_finding": result["top_finding"], "comparison": result["comparison"],
            "reports": {}}


def _summary(rows: list[dict[str, Any]]) -> str:
    """The command line's summary page over ledger rows (documents shown by name)."""
    return render_page("batch.html", rows=[
        {**r, "old": r["old_label"], "new": r["new_label"]} for r in rows])


def summary_html(batch: dict[str, Any], labels: Labels, base_url: str) -> str:
    """The summary page on its own: each pair linked to its report page on this server."""
    rows = []
    for result in batch["results"]:
        if result["status"] in FINISHED:
            row = ledger_row(result, labels)
            if row["status"] == "ok" and row["comparison"]:
                row["reports"] = {"html": f"{base_url}/comparisons/{row['comparison']}"}
            rows.append(row)
    return _summary(rows)


def report_formats(text: str | None) -> tuple[str, ...]:
    """`?reports=json,html` as a tuple in a fixed order; JSON is always there."""
    asked = {part.strip().lower() for part in (text or "json").split(",") if part.strip()}
    unknown = asked - set(REPORT_FORMATS)
    if unknown:
        raise UsageError(f"reports come as {', '.join(REPORT_FORMATS)}, not "
                         f"{', '.join(sorted(unknown))!r}")
    return tuple(f for f in REPORT_FORMATS if f in asked | {"json"})


def write_zip(service: Service, ws: WorkspaceRef, batch: dict[str, Any], labels: Labels,
              formats: tuple[str, ...]) -> IO[bytes]:
    """The batch's finished results as a zip in a temporary file (in memory while small),
    rewound. Runs in a worker thread: each stored comparison is fetched through the
    service on the event loop, so one made with other rules is made again first."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)  # noqa: SIM115
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            ledger = []
            for result in batch["results"]:
                if result["status"] not in FINISHED:
                    continue
                row = ledger_row(result, labels)
                if row["status"] == "ok":
                    row["reports"] = _add_reports(archive, service, ws, row, formats)
                    if not row["reports"]:
                        row.update(status="failed", error="its comparison is no longer in "
                                   "the library (one of its documents was deleted)")
                ledger.append(row)
            archive.writestr("index.jsonl", "".join(
                json.dumps(r, ensure_ascii=False) + "\n" for r in ledger))
            archive.writestr("index.html", _summary(ledger))
        out.seek(0)
        return out
    except BaseException:
        out.close()
        raise


def _add_reports(archive: zipfile.ZipFile, service: Service, ws: WorkspaceRef,
                 row: dict[str, Any], formats: tuple[str, ...]) -> dict[str, str]:
    """Write one pair's reports into the zip; {} when its comparison is gone."""
    if not row["comparison"]:
        return {}
    try:
        record = anyio.from_thread.run(service.comparison, ws, row["comparison"])
    except NotFound:
        return {}
    files = {}
    for fmt in formats:
        text, _media = service.comparison_text(ws, record, fmt)
        archive.writestr(f"{row['id']}.{fmt}", text)
        files[fmt] = f"{row['id']}.{fmt}"
    return files


def chunks(file: IO[bytes], size: int = 256 * 1024) -> Iterator[bytes]:
    """A file's bytes in pieces for a streamed response; closes it at the end."""
    try:
        while piece := file.read(size):
            yield piece
    finally:
        file.close()
