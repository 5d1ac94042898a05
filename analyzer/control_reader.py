"""The trained control reader: which control of the shipped baseline a clause speaks to, and
whether it reads as meeting it, meeting it in part, or not providing it.

Two linear models over the same hashed word and character features as the category layer
(analyzer.classifier), fitted by `termshift train --recipe controls` on the labelled
statements in corpora/control-statements (written for this project by writers who saw only
the control descriptions). The folder analyzer/_model/controls holds their weights and
thresholds, no statement text. The check uses the reader beside the patterns: a clause the
reader finds about a control is evidence of it, as a pattern match is (docs/CONTROLS.md).
A user's own control file is read by its patterns alone: the reader knows only the shipped
controls' meanings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.classifier import Classifier, load_classifier
from analyzer.errors import InputError

READER_DIR = Path(__file__).resolve().parent / "_model" / "controls"
RELEVANCE = "relevance"  # labels: control ids; no label above its threshold: about none
READING = "reading"  # labels: met, partial, missing (fitted on statements about a control)
READINGS = ("met", "partial", "missing")


@dataclass(frozen=True)
class ControlReader:
    relevance: Classifier
    reading: Classifier

    @property
    def controls(self) -> tuple[str, ...]:
        return self.relevance.labels

    def about(self, texts: list[str]) -> list[dict[str, float]]:
        """For each text, the controls it speaks to, each with how far its score is above
        the control's threshold (0 < margin)."""
        if not texts:
            return []
        margins = self.relevance.scores(texts, [()] * len(texts)) - self.relevance.thresholds
        return [{self.controls[j]: float(row[j]) for j in np.flatnonzero(row > 0)}
                for row in margins]

    def reads(self, texts: list[str]) -> list[str]:
        """For each text, the reading it is nearest: met, partial or missing."""
        if not texts:
            return []
        margins = self.reading.scores(texts, [()] * len(texts)) - self.reading.thresholds
        return [self.reading.labels[int(np.argmax(row))] for row in margins]


class LazyReader:
    """The reader of a folder, read from disk the first time the check asks for it, so
    that commands that check nothing (analyze, compare of terms) do not pay for it."""

    def __init__(self, folder: Path = READER_DIR) -> None:
        self.folder = folder

    @cached_property
    def reader(self) -> ControlReader:
        found = load_reader(self.folder)
        if found is None:  # a broken install: say so rather than check with less
            raise InputError(f"{self.folder}: the control reader is missing; reinstall "
                             "termshift, rebuild it with `termshift train --recipe controls`, "
                             "or check with --rules-only")
        return found


def load_reader(folder: Path = READER_DIR) -> ControlReader | None:
    """The reader in `folder` (default: the one shipped in the package), or None if there
    is none (a checkout before `termshift train --recipe controls` was run)."""
    if not (folder / RELEVANCE).is_dir():
        return None
    try:
        return ControlReader(load_classifier(folder / RELEVANCE),
                             load_classifier(folder / READING))
    except InputError as exc:
        raise InputError(f"{folder}: the control reader cannot be read ({exc}); rebuild it "
                         "with `termshift train --recipe controls`, or check with "
                         "--rules-only") from exc


def reader_summary(folder: Path = READER_DIR) -> dict[str, Any]:
    """The training summary stored with the shipped reader (data, counts, figures)."""
    import json

    meta = json.loads((folder / RELEVANCE / "model.json").read_text(encoding="utf-8"))
    return dict(meta.get("training") or {})
