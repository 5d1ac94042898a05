"""Agent-policy control files (rules/controls/*.yaml): loaded, validated, compiled.

A bad file stops with its path, line and control id. Schema: docs/CONTROLS.md. Patterns are
in the one dialect of every rule file (analyzer.rules.compile_pattern). A baseline comes from
YAML text (`parse_controls`: the shipped file as the rulebook reads it, or a user's own), never
from a file path handed down to the check. Each control carries examples, short policies and
the status they must get, which the tests run through analyze and check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.control_reader import LazyReader
from analyzer.errors import RuleError
from analyzer.rules import (
    compile_pattern,
    line_of,
    merge_terms,
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


class _Negation(_Reasoned):
    # The clause describes what is not in force (a plan, an earlier rule, a lapsed waiver):
    # what it says against the control is not in force either.
    voids: bool = False


class _Contradiction(_Reasoned):
    # What it allows is a waiver for part of what the control covers (an agent on a
    # person's login is, in practice, one agent or a stopgap): it makes the control partial
    # where other clauses provide it, and defeats it only where nothing does.
    waives: bool = False


class _InRule(_Reasoned):
    # Required only when the policy speaks of the detail elsewhere: "a human approves each
    # message" is the whole rule in a policy that never lets agents delete or pay anything.
    only_if_mentioned: bool = False


class ControlExample(BaseModel):
    """A short policy (Markdown) and the status the control must get on it."""

    model_config = ConfigDict(extra="forbid")
    policy: str = Field(min_length=1)
    status: str = Field(pattern=r"^(met|partial|missing)$")


class _Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weakeners: list[_Reasoned] = Field(default_factory=list)
    negations: list[_Negation] = Field(default_factory=list)
    # Read on the headings over a clause ("Wishlist", "Roadmap"): what sits under one is
    # not in force.
    section_negations: list[_Reasoned] = Field(default_factory=list)
    # Read on the clauses after a numbered item or a motion ("That ..."), up to the next item
    # or an outcome that carries it: "LOST 2-3.", "The Committee agreed to defer the
    # matter." put what they decide about out of force.
    outcome_negations: list[_Reasoned] = Field(default_factory=list)
    nearness: float = Field(default=DEFAULT_NEARNESS, gt=0.0, le=1.0)
    concepts: dict[str, list[str]] = Field(default_factory=dict)


class _ControlSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    title: str
    description: str = ""
    references: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(min_length=1)
    # The words that name the safeguard itself ("labels?|markings?" for a labelling control):
    # the `{safeguard}` of the defaults' negations ("no AI marker", "labelling: none").
    safeguard: str | None = None
    weakeners: list[_Reasoned] = Field(default_factory=list)
    requires: list[_Reasoned] = Field(default_factory=list)
    # Details the binding rule itself must state (in its own words, its list's lead-in or
    # its headings), not some other clause: "a human approves every message" says nothing
    # of irreversible actions, whatever else the policy says about deleting.
    requires_in_rule: list[_InRule] = Field(default_factory=list)
    contradictions: list[_Contradiction] = Field(default_factory=list)
    paraphrases: list[str] = Field(default_factory=list)
    near_misses: list[str] = Field(default_factory=list)
    # The control is a capability ("an agent can be stopped at once"): a "can" states it.
    capability_binds: bool = False
    # Each `requires` detail is part of what the control asks (least privilege; a separate
    # sign-in): a clause about an agent that states one of them addresses the control.
    requires_are_evidence: bool = False
    examples: list[ControlExample] = Field(default_factory=list)


@dataclass(frozen=True)
class Reasoned:
    id: str
    pattern: re.Pattern[str]
    reason: str
    only_if_mentioned: bool = False  # requires_in_rule only: see _InRule
    voids: bool = False  # negations only: see _Negation
    waives: bool = False  # contradictions only: see _Contradiction


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
    requires_are_evidence: bool = False  # see _ControlSpec
    section_negations: tuple[Reasoned, ...] = ()  # read on the headings over a clause
    outcome_negations: tuple[Reasoned, ...] = ()  # read on the clauses closing its item
    requires_in_rule: tuple[Reasoned, ...] = ()  # stated by the binding clauses themselves
    examples: ExampleSet | None = None  # paraphrases and near misses, as vectors
    space: Space | None = None  # the file's weighting, to read a clause the same way
    nearness: float = DEFAULT_NEARNESS
    policy_examples: tuple[ControlExample, ...] = ()  # policies and the status they get
    line: int | None = None  # where the control starts in its file


@dataclass(frozen=True)
class Baseline:
    """A set of controls to check a policy against, and where they come from (the shipped
    "rules/controls/agent-baseline.yaml", or the name a user's file was given under)."""

    controls: tuple[Control, ...]
    source: str
    # The trained reader of the shipped controls (analyzer.control_reader), read on first
    # use; None for a user's own control file, which its patterns alone read.
    reader: LazyReader | None = None


def _compile(pattern: str, terms: dict[str, str], shown: str, line: int | None,
             rule_id: str) -> re.Pattern[str]:
    try:
        return compile_pattern(pattern, terms)
    except ValueError as exc:  # an unknown {term} or a broken regular expression
        raise RuleError(str(exc), path=shown, line=line, rule_id=rule_id) from exc


def _reasoned(items: Sequence[_Reasoned], terms: dict[str, str], shown: str,
              line: int | None, cid: str) -> tuple[Reasoned, ...]:
    return tuple(Reasoned(i.id, _compile(i.pattern, terms, shown, line, cid), i.reason,
                          isinstance(i, _InRule) and i.only_if_mentioned,
                          isinstance(i, _Negation) and i.voids,
                          isinstance(i, _Contradiction) and i.waives)
                 for i in items)


def parse_controls(text: str, terms: dict[str, str], shown: str = "controls") -> Baseline:
    """A baseline from YAML text (the shipped file, or a user's sent to the CLI or the API),
    validated and compiled with the rulebook's `terms` (and the file's own); `shown` names it
    in errors and in the findings it gives."""
    return controls_of(parse_yaml_with_lines(text, shown), terms, shown)


def controls_of(raw: Any, terms: dict[str, str], shown: str) -> Baseline:
    """Validate and compile parsed control YAML."""
    if not isinstance(raw, dict) or not isinstance(raw.get("controls"), list):
        raise RuleError("a control file is a mapping with a `controls` list", path=shown,
                        line=line_of(raw))
    own = strip_lines(raw.get("terms")) or {}
    if not isinstance(own, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in own.items()):
        raise RuleError("`terms` must map names to pattern strings", path=shown,
                        line=line_of(raw))
    terms = merge_terms(terms, own, shown, line_of(raw))
    try:
        defaults = _Defaults.model_validate(strip_lines(raw.get("defaults") or {}))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown,
                        line=line_of(raw.get("defaults"))) from exc
    weak = _reasoned(defaults.weakeners, terms, shown, line_of(raw.get("defaults")), "defaults")
    # A default negation written with {safeguard} is read for each control that names its
    # safeguard, in its words; the others are compiled once for all.
    templated = [n for n in defaults.negations if SAFEGUARD in n.pattern]
    neg = _reasoned([n for n in defaults.negations if SAFEGUARD not in n.pattern], terms,
                    shown, line_of(raw.get("defaults")), "defaults")
    headed = _reasoned(defaults.section_negations, terms, shown, line_of(raw.get("defaults")),
                       "defaults")
    decided = _reasoned(defaults.outcome_negations, terms, shown, line_of(raw.get("defaults")),
                        "defaults")
    specs = [_spec(item, shown) for item in raw["controls"]]
    space = space_of([t for spec, _ in specs for t in (*spec.paraphrases, *spec.near_misses)],
                     defaults.concepts)
    controls = [replace(_control(spec, line, terms, shown, weak,
                                 neg + _safeguard_negations(spec, line, templated, terms, shown),
                                 space, defaults.nearness),
                        section_negations=headed, outcome_negations=decided)
                for spec, line in specs]
    ids = [c.id for c in controls]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise RuleError("duplicate control id", path=shown, rule_id=duplicate)
    return Baseline(tuple(controls), shown)


SAFEGUARD = "{safeguard}"


def _safeguard_negations(spec: _ControlSpec, line: int | None, templated: Sequence[_Reasoned],
                         terms: dict[str, str], shown: str) -> tuple[Reasoned, ...]:
    """The defaults' negations written with {safeguard}, in this control's words for it."""
    if spec.safeguard is None or not templated:
        return ()
    own = {**terms, "safeguard": f"(?:{spec.safeguard})"}
    return _reasoned(templated, own, shown, line, spec.id)


def _spec(item: Any, shown: str) -> tuple[_ControlSpec, int | None]:
    line = line_of(item)
    cid = item.get("id") if isinstance(item, dict) else None
    try:
        return _ControlSpec.model_validate(strip_lines(item)), line
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line, rule_id=cid) from exc


def _control(spec: _ControlSpec, line: int | None, terms: dict[str, str], shown: str,
             weak: tuple[Reasoned, ...], neg: tuple[Reasoned, ...], space: Space,
             nearness: float) -> Control:
    examples = space.examples(spec.paraphrases, spec.near_misses) if spec.paraphrases else None
    return Control(
        id=spec.id, title=spec.title, description=spec.description,
        references=tuple(spec.references),
        evidence=tuple(_compile(p, terms, shown, line, spec.id) for p in spec.evidence),
        weakeners=weak + _reasoned(spec.weakeners, terms, shown, line, spec.id),
        negations=neg,
        requires=_reasoned(spec.requires, terms, shown, line, spec.id),
        requires_in_rule=_reasoned(spec.requires_in_rule, terms, shown, line, spec.id),
        contradictions=_reasoned(spec.contradictions, terms, shown, line, spec.id),
        capability_binds=spec.capability_binds, requires_are_evidence=spec.requires_are_evidence,
        examples=examples, space=space if examples else None, nearness=nearness,
        policy_examples=tuple(spec.examples), line=line,
    )
