"""Small terms of service written for the batch tests, in versions that differ."""

from __future__ import annotations

import csv
from pathlib import Path

BASE = [
    "You are responsible for all activity under your account.",
    "We may suspend your account if you break these terms.",
    "We are not liable for indirect or consequential damages.",
    "You must keep your password secret.",
    "We may use your content to operate the service.",
    "These terms are governed by the laws of Ireland.",
]


def terms(number: int, version: int, sections: int = 3) -> str:
    """Version `version` (0 or more) of document `number`: later versions shift more."""
    lines = [f"# Example Service {number} Terms\n"]
    for s in range(1, sections + 1):
        lines.append(f"## {s}. Part {s}\n")
        for k, text in enumerate(BASE, start=1):
            if version >= 1 and k == 1:
                text = text.replace("You are responsible", "You are solely responsible")
            if version >= 2 and k == 3:
                text += " Our total liability is limited to 10 dollars."
            lines.append(f"{s}.{k} {text} (Service {number}, part {s}.)\n")
        if version >= 3:
            lines.append(f"{s}.9 Any dispute will be settled by binding arbitration.\n")
    return "\n".join(lines)


def write_pairs(folder: Path, count: int, sections: int = 3) -> list[tuple[str, str, str]]:
    """`count` pairs (id, old, new) of distinct documents, paths relative to `folder`."""
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in range(count):
        (docs / f"d{n}-v0.md").write_text(terms(n, 0, sections), "utf-8")
        (docs / f"d{n}-v1.md").write_text(terms(n, 1 + n % 3, sections), "utf-8")
        rows.append((f"pair-{n:03d}", f"docs/d{n}-v0.md", f"docs/d{n}-v1.md"))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "old", "new"])
        writer.writerows(rows)
    return path
