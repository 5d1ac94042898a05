"""The examples of every rule kind of a rulebook as test cases (run by
tests/rules/test_rule_examples.py): category and attribute rules (sentences they must and must
not match), liability caps (a clause and the cap it states), shift rules (an old and a new
clause, and whether the rule's finding appears when `compare` reads them) and agent-policy
controls (a short policy and the status `check` gives it).

Shift and control examples run through the real path: analyze the documents with the
rulebook, then compare or check them. A rule without the examples its kind needs is a
failing case that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from analyzer.api import analyze, compare_versions
from analyzer.check import check_analysis
from analyzer.compare.shifts import ShiftExample, ShiftRule
from analyzer.controls import Control, ControlExample
from analyzer.nlp.money import CapExample, CapRules
from analyzer.rulebook import Rulebook
from analyzer.rules import PatternRule

# A shift example is read as one clause of a short set of terms; its first sentence names
# the provider, so "Acme" in an example reads as "we" (the pipeline's provider names).
SHIFT_HEAD = '# Terms\n\nAcme Inc. ("Acme", "we", "us") runs the Service.\n\n## 3. Rules\n\n'
# A control example is a policy of its own.
POLICY_HEAD = "# Policy\n\n"


@dataclass(frozen=True)
class Case:
    """One example of one rule: `check` raises AssertionError naming both when it fails."""

    name: str
    check: Callable[[], None]


def _missing(what: str, needs: str) -> Callable[[], None]:
    def fail() -> None:
        pytest.fail(f"{what} has no {needs}: write them into its rule file (docs/RULES.md)")
    return fail


def _pattern_cases(kind: str, rule: PatternRule, source: str, rule_id: str,
                   match: tuple[str, ...], no_match: tuple[str, ...]) -> Iterator[Case]:
    if not match or not no_match:
        yield Case(f"{kind}:{rule_id}:examples",
                   _missing(f"{source} ({rule_id})", "`match` and `no_match` examples"))
    for number, text in enumerate(match):
        yield Case(f"{kind}:{rule_id}+{number}", _matches(rule, source, rule_id, text, True))
    for number, text in enumerate(no_match):
        yield Case(f"{kind}:{rule_id}-{number}", _matches(rule, source, rule_id, text, False))


def _matches(rule: PatternRule, source: str, rule_id: str, text: str,
             expected: bool) -> Callable[[], None]:
    def run() -> None:
        should = "should match" if expected else "should not match"
        assert rule.matches(text) is expected, f"{source} ({rule_id}) {should}: {text}"
    return run


def _cap(caps: CapRules, example: CapExample) -> Callable[[], None]:
    def run() -> None:
        cap = caps.find(example.text)
        where = f"{caps.source}: {example.text!r}"
        if example.none:
            assert cap is None, f"{where} should state no cap, got {cap}"
            return
        assert cap is not None, f"{where} should state a cap"
        found = (cap.amount, cap.currency, cap.formula, cap.period_months)
        wanted = (example.amount, example.currency, example.formula, example.period_months)
        assert found == wanted, f"{where}: got {found}, expected {wanted}"
        if example.cap is not None:
            assert cap.text == example.cap, f"{where}: cap wording {cap.text!r}"
    return run


def shift_findings(old: str, new: str, rulebook: Rulebook) -> set[str]:
    """The rules (file#id) whose findings `compare` gives for an old and a new clause."""
    before = analyze(f"{SHIFT_HEAD}{old}\n".encode(), name="old.md", rulebook=rulebook)
    after = analyze(f"{SHIFT_HEAD}{new}\n".encode(), name="new.md", rulebook=rulebook)
    return {f.rule for f in compare_versions(before, after, rulebook=rulebook).findings}


def _shift(rule: ShiftRule, example: ShiftExample, rulebook: Rulebook) -> Callable[[], None]:
    def run() -> None:
        fired = shift_findings(example.old, example.new, rulebook)
        verb = "should fire" if example.fires else "should not fire"
        assert (rule.source in fired) is example.fires, (
            f"{rule.source} (line {rule.line}) {verb} on {example.old!r} -> {example.new!r}; "
            f"the findings came from {sorted(fired)}")
    return run


def control_status(policy: str, control_id: str, rulebook: Rulebook) -> str:
    """The status `check` gives one control on a short policy."""
    analysis = analyze(f"{POLICY_HEAD}{policy}\n".encode(), name="policy.md",
                       rulebook=rulebook)
    results = check_analysis(analysis, rulebook.controls).controls
    return next(r.status for r in results if r.id == control_id)


def _control(control: Control, example: ControlExample, rulebook: Rulebook
             ) -> Callable[[], None]:
    def run() -> None:
        got = control_status(example.policy, control.id, rulebook)
        assert got == example.status, (
            f"{rulebook.controls.source}:{control.line} ({control.id}) should be "
            f"{example.status}, got {got}: {example.policy!r}")
    return run


def cases(rulebook: Rulebook) -> Iterator[Case]:
    """Every example of every rule kind of a rulebook, and a failing case for each rule
    that lacks the examples its kind needs."""
    for category_file in rulebook.reading.categories:
        for rule in category_file.rules:
            yield from _pattern_cases("category", rule, rule.source, rule.id,
                                      rule.examples_match, rule.examples_no_match)
    for attribute in rulebook.reading.attributes.values():
        for a_rule in attribute.rules:
            yield from _pattern_cases("attribute", a_rule, a_rule.source, a_rule.id,
                                      a_rule.examples_match, a_rule.examples_no_match)
    caps = rulebook.reading.caps
    if not any(e.none for e in caps.examples) or all(e.none for e in caps.examples):
        yield Case("cap:examples", _missing(caps.source, "examples with a cap and without"))
    for number, cap_example in enumerate(caps.examples):
        yield Case(f"cap:{number}", _cap(caps, cap_example))
    for shift in rulebook.shifts:
        fires = {e.fires for e in shift.examples}
        if fires != {True, False}:
            yield Case(f"shift:{shift.id}:examples",
                       _missing(f"{shift.source} (line {shift.line})",
                                "examples where it fires and where it does not"))
        for number, shift_example in enumerate(shift.examples):
            yield Case(f"shift:{shift.id}:{number}", _shift(shift, shift_example, rulebook))
    for control in rulebook.controls.controls:
        statuses = {e.status for e in control.policy_examples}
        if not {"met", "missing"} <= statuses:
            yield Case(f"control:{control.id}:examples",
                       _missing(f"{rulebook.controls.source} ({control.id})",
                                "example policies that meet it and that miss it"))
        for number, control_example in enumerate(control.policy_examples):
            yield Case(f"control:{control.id}:{number}",
                       _control(control, control_example, rulebook))
