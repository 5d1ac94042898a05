"""The pairs of a batch: from a manifest (CSV or JSON Lines) or an Open Terms Archive folder.

A row that cannot become a pair (no `old`, an unsafe or duplicate id) is a `RowError` and the
batch goes on; only a manifest that cannot be read at all raises an InputError.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

# An id names files in OUT, so it may not climb out of it or hide ("../x", ".x", "a/b").
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Names the batch itself uses in OUT (index.jsonl, index.html, batch.json).
RESERVED = {"index", "batch"}


@dataclass(frozen=True)
class Pair:
    """One comparison to run: `old`/`new` as the manifest wrote them, paths resolved."""

    id: str
    old: str
    new: str
    old_path: Path
    new_path: Path


@dataclass(frozen=True)
class RowError:
    """A manifest row that is not a pair; it is recorded as failed under `id`."""

    id: str
    old: str
    new: str
    error: str


def _rows(path: Path) -> list[dict[str, object]]:
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such manifest") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the manifest ({exc})") from exc
    if path.suffix.lower() in (".jsonl", ".ndjson") or text.lstrip().startswith("{"):
        return _json_lines(path, text)
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "old" not in fields or "new" not in fields:
        raise InputError(f"{path}: a CSV manifest needs a header row with 'old' and 'new' "
                         "columns (and optionally 'id')")
    return [{k.strip().lower(): v for k, v in row.items() if k is not None} for row in reader]


def _json_lines(path: Path, text: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not a JSON object ({exc.msg}); a JSON Lines "
                             "manifest holds one {\"old\": ..., \"new\": ...} per line") from exc
        # A non-object line is a bad row, not a bad manifest.
        rows.append(row if isinstance(row, dict) else {"_line": number})
    return rows


def read_manifest(path: Path) -> tuple[list[Pair], list[RowError]]:
    """The pairs of a CSV or JSON Lines manifest (paths relative to it), and its bad rows."""
    base = path.parent
    pairs: list[Pair] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, row in enumerate(_rows(path), start=1):
        old, new = str(row.get("old") or "").strip(), str(row.get("new") or "").strip()
        given = str(row.get("id") or "").strip()
        fallback = f"row-{number}"
        problem = None
        if not old or not new:
            problem = f"row {number}: needs both 'old' and 'new'"
        elif given and (not SAFE_ID.fullmatch(given) or given.lower() in RESERVED):
            problem = (f"row {number}: id {given!r} is not a safe file name (letters, digits, "
                       "'.', '_', '-'; at most 128; not 'index' or 'batch')")
        elif given in seen or (not given and fallback in seen):
            problem = f"row {number}: duplicate id {given or fallback!r}"
        ident = given if given and problem is None else fallback
        while ident in seen:
            ident += "_"
        seen.add(ident)
        if problem is not None:
            errors.append(RowError(ident, old, new, problem))
        else:
            pairs.append(Pair(ident, old, new, base / old, base / new))
    return pairs, errors


def ota_pairs(root: Path) -> list[Pair]:
    """Every consecutive pair of every document under an Open Terms Archive folder: folders
    of `<YYYY-MM-DD>.md` versions (`Service/Terms type/2024-01-31.md`, at any depth) and
    folders holding `old.md` and `new.md`."""
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of Open Terms Archive versions")
    pairs: list[Pair] = []
    for folder in sorted({p.parent for p in root.rglob("*.md")}):
        rel = folder.relative_to(root)
        stem = _safe("__".join(rel.parts) or root.name)
        dated = sorted(p for p in folder.glob("*.md") if ISO_DATE.fullmatch(p.stem))
        for older, newer in itertools.pairwise(dated):
            pairs.append(Pair(f"{stem}__{older.stem}__{newer.stem}",
                              str(rel / older.name), str(rel / newer.name), older, newer))
        if (folder / "old.md").is_file() and (folder / "new.md").is_file():
            pairs.append(Pair(stem, str(rel / "old.md"), str(rel / "new.md"),
                              folder / "old.md", folder / "new.md"))
    if not pairs:
        raise InputError(f"{root}: no versions found (expected folders of <YYYY-MM-DD>.md "
                         "files, or folders with old.md and new.md)")
    return pairs


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "doc"
    return cleaned[:100] + ("-pair" if cleaned.lower() in RESERVED else "")


REPORT_FORMATS = ("json", "html", "md")
SOURCE_FILE = "batch.json"


def parse_formats(text: str) -> tuple[str, ...]:
    """`json,html,md` -> the formats to write; JSON is always written (the ledger's reports
    and the API read it)."""
    from analyzer.errors import UsageError

    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in REPORT_FORMATS]
    if unknown:
        raise UsageError(f"--format takes a comma-separated list of json, html, md; "
                         f"not {', '.join(unknown)}")
    return tuple(f for f in REPORT_FORMATS if f == "json" or f in asked)


def load_pairs(manifest: Path | None, ota: Path | None) -> tuple[list[Pair], list[RowError]]:
    """The pairs of a manifest or of an Open Terms Archive folder (exactly one is given)."""
    if ota is not None:
        return ota_pairs(ota), []
    assert manifest is not None
    return read_manifest(manifest)


def remember_source(out: Path, manifest: Path | None, ota: Path | None) -> None:
    """Note in OUT what the batch reads, so `--resume OUT` alone can carry on."""
    which = {"manifest": str(manifest.resolve())} if manifest else {"ota": str(ota.resolve())
                                                                      if ota else None}
    out.mkdir(parents=True, exist_ok=True)
    (out / SOURCE_FILE).write_text(json.dumps(which) + "\n", encoding="utf-8")


def recall_source(out: Path) -> tuple[Path | None, Path | None]:
    """(manifest, ota) of the batch in OUT, for `--resume OUT` without a manifest."""
    try:
        which = json.loads((out / SOURCE_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{out}: not a batch folder to resume (no readable {SOURCE_FILE}); "
                         "give the manifest too") from exc
    manifest, ota = which.get("manifest"), which.get("ota")
    return (Path(manifest) if manifest else None), (Path(ota) if ota else None)
