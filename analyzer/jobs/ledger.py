"""OUT/index.jsonl, the batch's ledger: one line per finished pair, appended as it finishes.

A pair's report files are renamed into place before its line is appended, so a line always
means finished reports; a pair without a line is run again. A line cut off by a kill is
dropped when the ledger is opened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _sweep_parts(folder: Path) -> None:
    """Remove the temporary files a killed run left half-written (`write_atomic`'s, named by
    the writing process's id), leaving those of any writer still alive."""
    for part in folder.glob(".*.part"):
        pid = part.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, not ours to judge
    return True


class Ledger:
    """The finished pairs of a batch folder, by id, and the file they are appended to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, Record] = {}
        if path.exists():
            self._load()
            _sweep_parts(path.parent)
        self._file = path.open("a", encoding="utf-8")

    def _load(self) -> None:
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            # Killed in the middle of a line: that pair was not finished.
            with self.path.open("r+b") as f:
                f.truncate(len(complete))
        for line in complete.decode("utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                self.records[record["id"]] = record

    def __contains__(self, ident: str) -> bool:
        return ident in self.records

    def append(self, record: Record) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        self.records[record["id"]] = record

    def close(self) -> None:
        self._file.close()
