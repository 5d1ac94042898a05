"""Every example of every rule kind, as one parametrized test (the cases: tests/helpers/
rule_examples.py): category and attribute rules, liability caps, shift rules read through
analyze and compare, controls read through analyze and check. A rule without examples is a
failing case that names it."""

from __future__ import annotations

import pytest
from rule_examples import Case, cases

from analyzer.rulebook import default_rulebook

CASES = list(cases(default_rulebook()))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_example(case: Case) -> None:
    case.check()


def test_every_rule_kind_has_examples() -> None:
    kinds = {case.name.split(":")[0] for case in CASES}
    assert kinds == {"category", "attribute", "cap", "shift", "control"}
