"""Attribute rules (rules/attributes/*.yaml): ordered regex rules, first match decides.

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
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import RuleError
from analyzer.resources import display_path, rules_dir
from analyzer.rules import (
    PatternRule,
    PatternRuleSpec,
    compile_pattern,
    global_terms,
    line_of,
    load_yaml_with_lines,
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

    def decide(self, lowered: str) -> str | bool | None:
        """The value of the first rule that matches lower-cased text, or None."""
        for rule in self.rules:
            if rule.matches_lowered(lowered):
                return rule.value
        return None


def load_attribute_file(path: Path, terms: dict[str, str] | None = None) -> AttributeRules:
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
    all_terms = {**(terms if terms is not None else global_terms()), **spec.terms}
    return AttributeRules(spec.attribute, tuple(
        _compile_rule(r, spec.attribute, all_terms, shown) for r in raw["rules"]
    ))


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


@lru_cache(maxsize=1)
def default_attribute_rules() -> dict[str, AttributeRules]:
    """Every rules/attributes/*.yaml, keyed by attribute."""
    base = rules_dir()
    terms = global_terms(base)
    loaded = [load_attribute_file(p, terms) for p in sorted((base / "attributes").glob("*.yaml"))]
    return {rules.attribute: rules for rules in loaded}
