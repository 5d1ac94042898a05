"""Scores the agent-policy check against a labelled set of policies (used by the tests and
bench/policy_check.py): exact status accuracy and the met/partial/missing confusion."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from analyzer.api import check

STATUSES = ("met", "partial", "missing")


@dataclass(frozen=True)
class Miss:
    policy: str
    control: str
    expected: str
    got: str
    explanation: str


@dataclass(frozen=True)
class Score:
    total: int
    correct: int
    confusion: Counter[tuple[str, str]]  # (expected, got) -> count
    misses: tuple[Miss, ...]
    # (right, pairs) where the trained control reader reads the control otherwise
    differ: tuple[int, int] = (0, 0)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def split_of(folder: Path) -> dict[str, str]:
    """policy file -> "dev" | "held-out", from `splits.yaml` beside the policies (empty
    when the folder has none: every policy is then in the one set)."""
    path = folder / "splits.yaml"
    if not path.is_file():
        return {}
    return dict((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("split") or {})


def score_policies(folder: Path, expected_file: Path, only: str | None = None) -> Score:
    """Check every policy named in the expectations file and compare statuses; `only`
    ("dev", "held-out") keeps the policies of one half of the folder's splits.yaml."""
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    if only is not None:
        halves = split_of(folder)
        expected = {name: want for name, want in expected.items() if halves.get(name) == only}
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[Miss] = []
    differ = [0, 0]
    for name, wanted in expected.items():
        results = {c.id: c for c in check(folder / name).controls}
        for control, status in wanted.items():
            got = results[control]
            confusion[(status, got.status)] += 1
            if got.second_reading is not None:
                differ[0] += got.status == status
                differ[1] += 1
            if got.status != status:
                misses.append(Miss(name, control, status, got.status, got.explanation))
    total = sum(confusion.values())
    correct = sum(n for (want, got), n in confusion.items() if want == got)
    return Score(total, correct, confusion, tuple(misses), (differ[0], differ[1]))
