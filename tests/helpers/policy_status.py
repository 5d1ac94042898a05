"""The status one control gets on a short policy written in a test, with its explanation."""

from __future__ import annotations

from analyzer.api import analyze
from analyzer.check import check_analysis
from analyzer.rulebook import default_rulebook


def status(text: str, control: str) -> tuple[str, str]:
    result = check_analysis(analyze(text.encode(), name="policy.md"),
                            default_rulebook().controls)
    found = next(c for c in result.controls if c.id == control)
    return found.status, found.explanation
