"""The gates derived from the rules' patterns pass every example the rule must match (the
examples themselves run in tests/rules/test_rule_examples.py)."""

from __future__ import annotations

from analyzer.nlp.attribute_rules import AttributeRule
from analyzer.rulebook import default_rulebook
from analyzer.rules import CategoryRule, fold

READING = default_rulebook().reading
ATTRIBUTE_RULES = [r for rules in READING.attributes.values() for r in rules.rules]
CATEGORY_RULES = [r for f in READING.categories for r in f.rules]
ALL_RULES: list[AttributeRule | CategoryRule] = [*ATTRIBUTE_RULES, *CATEGORY_RULES]


def test_every_attribute_has_rules() -> None:
    assert set(READING.attributes) == {"bearer", "exclusive", "agent_scope", "modality"}


def test_literal_gates_are_necessary_for_every_example() -> None:
    """A gate may only skip clauses the rule could not match: every matching example passes it."""
    for rule in ALL_RULES:
        if rule.gate is None:
            continue
        for text in rule.examples_match:
            assert rule.gate.search(fold(text)), (rule.source, text)


def test_gates_derived_from_patterns() -> None:
    import re

    from analyzer.rules import necessary_literals

    assert necessary_literals(re.compile(r"\b(?:solely|entirely)\s+responsible")) == frozenset(
        {"responsible"})
    assert necessary_literals(re.compile(r"\b(?:liable|responsible)\b")) == frozenset(
        {"liable", "responsible"})
    assert necessary_literals(re.compile(r"\bas\s+is\b")) is None


def test_category_gates_pass_every_matching_example() -> None:
    for category_file in READING.categories:
        for rule in category_file.rules:
            for text in rule.examples_match:
                assert category_file.matches_lowered(fold(text)), (rule.source, text)


def test_leading_lookbehinds_move_after_the_boundary_without_changing_matches() -> None:
    import re

    from analyzer.rules import lookbehinds_after_boundary

    original = r"(?<!\bwho\s)(?<!\byou\s)\b(?:uses?|shares?)\s+your\s+data"
    moved = lookbehinds_after_boundary(original)
    assert moved == r"\b(?<!\bwho\s)(?<!\byou\s)(?:uses?|shares?)\s+your\s+data"
    for text in ("we use your data", "you use your data", "those who share your data",
                 "we reuse your data", "we share your data", "you, we share your data"):
        assert bool(re.search(original, text)) == bool(re.search(moved, text)), text
    # Not a leading lookbehind followed by \b, or one holding a group: left as written.
    for pattern in (r"\b(?<!x)a", r"(?<!a(b))\bq", r"(?<!x)a\b", r"a(?<!x)\b"):
        assert lookbehinds_after_boundary(pattern) == pattern
