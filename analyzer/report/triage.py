"""Triage as the reports show it: each finding's state and note, and the count of states.

The web app keeps the triage (analyzer.store.triage) and hands it to the renderers as the
JSON objects its API returns; the command line's stand-alone reports have none and show
nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A finding nobody has triaged.
OPEN: Mapping[str, Any] = {"key": None, "state": "open", "reason": None, "note": None,
                           "by": None, "at": None}


@dataclass(frozen=True)
class Triage:
    """One comparison's triage: finding id -> its triage object (key, state, reason, note,
    by, at), and how many findings are in each state."""

    by_finding: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    summary: Mapping[str, int] = field(default_factory=dict)

    def of(self, finding_id: str) -> Mapping[str, Any]:
        return self.by_finding.get(finding_id, OPEN)

    def summary_text(self) -> str:
        """ "3 of 12 reviewed, 1 dismissed, 2 flagged" """
        s = self.summary
        return (f"{s.get('reviewed', 0)} of {s.get('findings', 0)} reviewed, "
                f"{s.get('dismissed', 0)} dismissed, {s.get('flagged', 0)} flagged")


def when(at: str | None) -> str:
    """An API timestamp ("2026-12-08T10:31:05Z") as a person reads it."""
    if not at:
        return ""
    return at.replace("T", " ")[:16] + " UTC"


def line(triage: Mapping[str, Any]) -> str:
    """A finding's triage in one line of plain text, for the DOCX and PDF reports."""
    state = triage.get("state") or "open"
    text = "not triaged" if state == "open" else state
    if triage.get("by") and state != "open":
        text += f" by {triage['by']} on {when(triage.get('at'))}"
    if triage.get("reason"):
        text += f". Reason: {triage['reason']}"
    if triage.get("note"):
        text += f". Note: {triage['note']}"
    return "Triage: " + text
