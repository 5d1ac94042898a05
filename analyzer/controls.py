"""Agent-policy control files (rules/controls/*.yaml): loaded, validated, compiled.

A bad file stops with its path, line and control id. Schema: docs/CONTROLS.md.
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
    expand_terms,
    global_terms,
    line_of,
    load_yaml_with_lines,
    parse_yaml_with_lines,
    strip_lines,
    validation_message,
)
from analyzer.similarity import ExampleSet, Space, space_of

# How near (cosine, 0..1) a clause must be to a control's nearest paraphrase to evidence it;
# chosen on the project's labelled policies (tests/check and the dev half of
# corpora/policies), see docs/CONTROLS.md.
DEFAULT_NEARNESS = 0.2


class _Reasoned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    pattern: str
    reason: str


class _Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weakeners: list[_Reasoned] = Field(default_factory=list)
    negations: list[_Reasoned] = Field(default_factory=list)
    nearness: float = Field(default=DEFAULT_NEARNESS, gt=0.0, le=1.0)
    concepts: dict[str, list[str]] = Field(default_factory=dict)


class _ControlSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    title: str
    description: str = ""
    references: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(min_length=1)
    weakeners: list[_Reasoned] = Field(default_factory=list)
    requires: list[_Reasoned] = Field(default_factory=list)
    contradictions: list[_Reasoned] = Field(default_factory=list)
    paraphrases: list[str] = Field(default_factory=list)
    near_misses: list[str] = Field(default_factory=list)
    # The control is a capability ("an agent can be stopped at once"): a "can" states it.
    capability_binds: bool = False


@dataclass(frozen=True)
class Reasoned:
    id: str
    pattern: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    description: str
    references: tuple[str, ...]
    evidence: tuple[re.Pattern[str], ...]
    weakeners: tuple[Reasoned, ...]
    negations: tuple[Reasoned, ...]
    requires: tuple[Reasoned, ...]
    contradictions: tuple[Reasoned, ...]
    capability_binds: bool = False
    examples: ExampleSet | None = None  # paraphrases and near misses, as vectors
    space: Space | None = None  # the file's weighting, to read a clause the same way
    nearness: float = DEFAULT_NEARNESS


def _compile(pattern: str, shown: str, line: int | None, rule_id: str) -> re.Pattern[str]:
    try:
        # The same {term} dialect as every other rule file (rules/terms.yaml).
        return re.compile(expand_terms(pattern, global_terms()), re.IGNORECASE)
    except ValueError as exc:  # an unknown {term}
        raise RuleError(str(exc), path=shown, line=line, rule_id=rule_id) from exc
    except re.error as exc:
        raise RuleError(f"bad regular expression {pattern!r}: {exc}", path=shown, line=line,
                        rule_id=rule_id) from exc


def _reasoned(items: list[_Reasoned], shown: str, line: int | None, cid: str
              ) -> tuple[Reasoned, ...]:
    return tuple(Reasoned(i.id, _compile(i.pattern, shown, line, cid), i.reason) for i in items)


def load_controls(path: Path) -> tuple[Control, ...]:
    """A control file, validated; errors name the file, the line and the control id."""
    shown = display_path(path) if "rules" in path.parts else str(path)
    return controls_of(load_yaml_with_lines(path), shown)


def parse_controls(text: str, shown: str = "controls") -> tuple[Control, ...]:
    """Controls from YAML text (a user's baseline sent to the API), validated the same way;
    `shown` names it in errors."""
    return controls_of(parse_yaml_with_lines(text, shown), shown)


def controls_of(raw: Any, shown: str) -> tuple[Control, ...]:
    """Validate and compile parsed control YAML."""
    if not isinstance(raw, dict) or not isinstance(raw.get("controls"), list):
        raise RuleError("a control file is a mapping with a `controls` list", path=shown,
                        line=line_of(raw))
    try:
        defaults = _Defaults.model_validate(strip_lines(raw.get("defaults") or {}))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown,
                        line=line_of(raw.get("defaults"))) from exc
    weak = _reasoned(defaults.weakeners, shown, line_of(raw.get("defaults")), "defaults")
    neg = _reasoned(defaults.negations, shown, line_of(raw.get("defaults")), "defaults")
    specs = [_spec(item, shown) for item in raw["controls"]]
    space = space_of([t for spec, _ in specs for t in (*spec.paraphrases, *spec.near_misses)],
                     defaults.concepts)
    controls = [_control(spec, line, shown, weak, neg, space, defaults.nearness)
                for spec, line in specs]
    ids = [c.id for c in controls]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise RuleError("duplicate control id", path=shown, rule_id=duplicate)
    return tuple(controls)


def _spec(item: Any, shown: str) -> tuple[_ControlSpec, int | None]:
    line = line_of(item)
    cid = item.get("id") if isinstance(item, dict) else None
    try:
        return _ControlSpec.model_validate(strip_lines(item)), line
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line, rule_id=cid) from exc


def _control(spec: _ControlSpec, line: int | None, shown: str, weak: tuple[Reasoned, ...],
             neg: tuple[Reasoned, ...], space: Space, nearness: float) -> Control:
    examples = space.examples(spec.paraphrases, spec.near_misses) if spec.paraphrases else None
    return Control(
        id=spec.id, title=spec.title, description=spec.description,
        references=tuple(spec.references),
        evidence=tuple(_compile(p, shown, line, spec.id) for p in spec.evidence),
        weakeners=weak + _reasoned(spec.weakeners, shown, line, spec.id),
        negations=neg,
        requires=_reasoned(spec.requires, shown, line, spec.id),
        contradictions=_reasoned(spec.contradictions, shown, line, spec.id),
        capability_binds=spec.capability_binds,
        examples=examples, space=space if examples else None, nearness=nearness,
    )


def default_controls_path() -> Path:
    return rules_dir() / "controls" / "agent-baseline.yaml"


@lru_cache(maxsize=8)
def cached_controls(path: Path) -> tuple[Control, ...]:
    return load_controls(path)
