"""Word-level redline inside a modified pair, and formatting changes (caps, bold)."""

from __future__ import annotations

import difflib
import re

from analyzer.model import Clause

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
REWRITTEN_BELOW = 0.5  # share of tokens in common under which a clause reads as rewritten


def redline(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """(equal|insert|delete, text) runs turning `old` into `new`, word by word."""
    if old.lower() == new.lower():
        return (("equal", new),)  # a case-only change is formatting, shown as such
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, [t.lower() for t in a], [t.lower() for t in b],
                                      autojunk=False)
    if matcher.ratio() < REWRITTEN_BELOW:
        # Little survives: word-by-word marks would interleave two different sentences.
        return (("delete", old), ("insert", new))
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(runs, "equal", "".join(b[j1:j2]))
        else:
            _append(runs, "delete", "".join(a[i1:i2]))
            _append(runs, "insert", "".join(b[j1:j2]))
    return tuple(runs)


def _append(runs: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))


def formatting_changes(old: Clause, new: Clause) -> tuple[str, ...]:
    """'+all_caps', '-bold', ...: emphasis the clause gained or lost."""
    before, after = set(old.attributes.emphasis), set(new.attributes.emphasis)
    return tuple(sorted(f"+{e}" for e in after - before)) + tuple(
        sorted(f"-{e}" for e in before - after))
