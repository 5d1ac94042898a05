"""The labelled policy sets in corpora/ are whole: every policy labelled on every baseline
control with a known status, no label without its file, every file in a split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from analyzer.check_eval import STATUSES, split_of
from analyzer.rulebook import default_rulebook

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
SETS = ["policies", "policies-fresh", "policies-fresh-2", "policies-fresh-3", "policies-dev-2",
        "policies-fresh-4", "policies-fresh-5", "policies-fresh-6", "policies-fresh-7"]


@pytest.mark.parametrize("name", SETS)
def test_every_policy_is_labelled_on_every_control(name: str) -> None:
    folder = CORPORA / name
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in folder.iterdir()
             if p.suffix in (".md", ".txt") and p.name[:2].isdigit()}
    assert files and set(expected) == files
    controls = [c.id for c in default_rulebook().controls.controls]
    for policy, labels in expected.items():
        assert list(labels) == controls, policy
        assert set(labels.values()) <= set(STATUSES), policy
    halves = split_of(folder)
    assert set(halves) == files and set(halves.values()) <= {"dev", "held-out"}


@pytest.mark.parametrize("name", ["policies-fresh-2", "policies-fresh-3", "policies-fresh-5",
                                  "policies-fresh-6"])
def test_the_fresh_sets_are_held_out_whole(name: str) -> None:
    # Scored as written (their READMEs): no part of them may be tuned on.
    assert set(split_of(CORPORA / name).values()) == {"held-out"}


@pytest.mark.parametrize("name", ["policies-fresh", "policies-dev-2", "policies-fresh-4",
                                  "policies-fresh-7"])
def test_the_development_sets_are_dev_whole(name: str) -> None:
    # Read and tuned on (their READMEs); their figures are not held-out ones.
    assert set(split_of(CORPORA / name).values()) == {"dev"}


def test_the_held_out_statements_are_well_formed() -> None:
    # bench/policy_statements.py --held-out reads them; the reader recipe must not.
    controls = {c.id for c in default_rulebook().controls.controls} | {"NONE"}
    files = sorted((CORPORA / "control-statements-held-out").glob("*.jsonl"))
    assert files
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["control"] in controls and row["reading"] in STATUSES, line
            assert row["text"].strip(), line
    assert not list((CORPORA / "control-statements").glob("writer-8*"))
