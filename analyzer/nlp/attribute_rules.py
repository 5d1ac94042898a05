"""Attribute rules (rules/attributes/*.yaml): ordered regex rules, first match decides.
(liability_cap.yaml has a shape of its own: analyzer.nlp.money.)

    attribute: modality            # bearer | exclusive | agent_scope | modality
    description: ...
    rules:
      - id: prohibition
        value: prohibition         # the attribute's value when the rule matches
        any: ['\\bmust\\s+not\\b']  # at least one must match; `all` and `not` as in categories
        examples: {match: [...], no_match: [...]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import RuleError
from analyzer.nlp.gates import RuleIndex
from analyzer.nlp.money import CAP_FILE
from analyzer.resources import display_path
from analyzer.rules import (
    PatternRule,
    PatternRuleSpec,
    compile_pattern,
    line_of,
    load_yaml_with_lines,
    merge_terms,
    rule_gate,
    strip_lines,
    validation_message,
)

ATTRIBUTES = ("bearer", "exclusive", "agent_scope", "modality")
_VALUES: dict[str, set[Any]] = {
    "bearer": {"user", "provider", "third_party", "shared", "none"},
    "exclusive": {True},
    "agent_scope": {True},
    "modality": {"obligation", "permission", "prohibition", "exclusion"},
}


class _RuleSpec(PatternRuleSpec):
    value: str | bool


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attribute: str
    description: str = ""
    terms: dict[str, str] = Field(default_factory=dict)
    rules: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True)
class AttributeRule(PatternRule):
    id: str
    attribute: str
    value: str | bool
    any: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...]
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    source: str
    gate: re.Pattern[str] | None = None  # see analyzer.rules.rule_gate


@dataclass(frozen=True)
class AttributeRules:
    attribute: str
    rules: tuple[AttributeRule, ...]
    index: RuleIndex  # the same rules with gate strings (see gates.presence)

    def decide(self, lowered: str, present: frozenset[str] | None = None) -> str | bool | None:
        """The value of the first rule that matches lower-cased text, or None.

        `present`, when given, is the set of gate strings the text holds (gates.presence):
        rules are then gated by set lookups instead of one regex search each.
        """
        if present is None:
            return next((r.value for r in self.rules if r.matches_lowered(lowered)), None)
        gated = self.index.rules
        return next((self.rules[i].value for i in self.index.candidates(present)
                     if gated[i].matches(lowered, present)), None)

    def gate_strings(self) -> set[str]:
        """Every gate string of these rules."""
        return self.index.strings()


def load_attribute_file(path: Path, terms: dict[str, str]) -> AttributeRules:
    """Load, validate and compile one attribute file; errors name the file, line and rule."""
    shown = display_path(path)
    raw = load_yaml_with_lines(path)
    if not isinstance(raw, dict):
        raise RuleError("an attribute file must be a mapping", path=shown)
    try:
        spec = _FileSpec.model_validate(strip_lines(raw))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line_of(raw)) from exc
    if spec.attribute not in _VALUES:
        raise RuleError(f"unknown attribute {spec.attribute!r}; known: {', '.join(ATTRIBUTES)}",
                        path=shown, line=line_of(raw))
    all_terms = merge_terms(terms, spec.terms, shown, line_of(raw))
    rules = tuple(_compile_rule(r, spec.attribute, all_terms, shown) for r in raw["rules"])
    seen: set[str] = set()
    for rule, raw_rule in zip(rules, raw["rules"], strict=True):
        if rule.id in seen:
            raise RuleError("duplicate rule id; give each rule its own", path=shown,
                            line=line_of(raw_rule), rule_id=rule.id)
        seen.add(rule.id)
    return AttributeRules(spec.attribute, rules, RuleIndex.of(rules))


def _compile_rule(raw: Any, attribute: str, terms: dict[str, str], shown: str) -> AttributeRule:
    line = line_of(raw)
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        spec = _RuleSpec.model_validate(strip_lines(raw))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line, rule_id=rule_id) from exc
    if spec.value not in _VALUES[attribute]:
        raise RuleError(f"value {spec.value!r} is not allowed for {attribute}", path=shown,
                        line=line, rule_id=spec.id)
    try:
        groups = [tuple(compile_pattern(p, terms) for p in g)
                  for g in (spec.any, spec.all, spec.not_)]
    except ValueError as exc:
        raise RuleError(str(exc), path=shown, line=line, rule_id=spec.id) from exc
    return AttributeRule(spec.id, attribute, spec.value, groups[0], groups[1], groups[2],
                         tuple(spec.examples.match), tuple(spec.examples.no_match),
                         f"{shown}:{line}", rule_gate(groups[0]))


def load_attribute_rules(directory: Path, terms: dict[str, str]
                         ) -> dict[str, AttributeRules]:
    """Every attributes/*.yaml of a rules folder but the liability caps (analyzer.nlp.money),
    keyed by attribute; each of ATTRIBUTES must have its file."""
    paths = sorted(p for p in (directory / "attributes").glob("*.yaml") if p.name != CAP_FILE)
    loaded: dict[str, AttributeRules] = {}
    for path in paths:
        rules = load_attribute_file(path, terms)
        if rules.attribute in loaded:
            raise RuleError(f"a second file for attribute {rules.attribute!r}; keep one",
                            path=display_path(path))
        loaded[rules.attribute] = rules
    missing = [a for a in ATTRIBUTES if a not in loaded]
    if missing:
        raise RuleError(f"no rule file for attribute {', '.join(missing)}; add one",
                        path=display_path(directory / "attributes"))
    return loaded
