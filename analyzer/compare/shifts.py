"""Shift rules (rules/shifts/*.yaml): findings from the difference of paired clauses' attributes.

A rule fires on a change when its `kinds` include the change's kind, its `old` and `new`
conditions hold for the two clauses (a missing side is an empty clause: no categories, no
bearer, nothing set) and every predicate in `require` holds. See docs/COMPARE.md.
Patterns (`gained`, `lost`, `gained_negated_by`) are in the one dialect of every rule file
(analyzer.rules.compile_pattern: `{terms}`, matched on folded text). Each rule carries
examples, pairs of old and new clause text and whether it fires, which the tests run
through analyze and compare.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyzer.compare.align import normalise
from analyzer.errors import RuleError
from analyzer.model import CATEGORIES, Attributes, Change, Clause
from analyzer.resources import display_path
from analyzer.rules import (
    compile_pattern,
    fold,
    line_of,
    load_yaml_with_lines,
    merge_terms,
    strip_lines,
    validation_message,
)

FINDING_TYPES = frozenset({
    "responsibility_shifted", "responsibility_added", "responsibility_removed",
    "exclusivity_added", "exclusivity_removed", "agent_scope_added", "agent_scope_removed",
    "liability_limited", "liability_expanded", "indemnity_expanded", "indemnity_narrowed",
    "warranty_disclaimed", "authorization_weakened", "authorization_strengthened",
    "oversight_removed", "oversight_added", "emphasis_added", "emphasis_removed",
    "unilateral_change_added", "termination_broadened", "content_removal_broadened",
    "arbitration_added", "class_waiver_added", "governing_law_changed", "jurisdiction_changed",
    "data_use_expanded", "contract_by_using_added",
})
_PLACE = re.compile(
    r"\b(?:laws?|courts?|tribunals?)\s+(?:\w+\s+){0,3}?(?:of|in)\s+(?:the\s+)?"
    r"(?:(?:State|Commonwealth|Province|Republic|Kingdom|County)\s+of\s+)?"
    r"([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,3})")
NEGATION_REACH = 200  # characters before a `gained` hit searched for its negation
_PARTS = (".", ";", ":", " but ", " however")  # what ends the part a negation governs
_LEANS_BACK = re.compile(r"\W*(?:this|that|these|those|such|it|they|which)\b")
_STRENGTH = {"permission": 0, None: 0, "exclusion": 1, "obligation": 2, "prohibition": 2}
_NO_ATTRIBUTES = Attributes()  # what an absent clause (an addition's old side) has
CONTEXT_KEYS = ("old_bearer", "new_bearer", "old_cap", "new_cap", "old_place", "new_place",
                "agent_note", "emphasis_note", "loud", "category", "gained", "lost",
                "changed", "binds_note", "ended")


class _Side(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str | None = None
    category_not: str | None = None
    categories_any: list[str] = Field(default_factory=list)
    bearer: list[str | None] | str | None = "any"
    bearer_not: str | None = None
    exclusive: bool | None = None
    agent_scope: bool | None = None
    negated: bool | None = None
    modality: list[str | None] | None = None  # null: a clause with no modal verb
    emphasis_any: list[str] = Field(default_factory=list)

    @field_validator("category", "category_not")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value


class ShiftExample(BaseModel):
    """Two versions of a clause and whether the rule fires on the change between them; an
    empty side is a clause that is absent (added: no `old`; removed: no `new`). Markdown:
    `**bold**` and capitals set emphasis."""

    model_config = ConfigDict(extra="forbid")
    old: str = ""
    new: str = ""
    fires: bool


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    type: str
    category: str
    severity: str = Field(pattern=r"^(high|medium|low|info)$")
    direction: str = Field(pattern=r"^(against_user|for_user|neutral)$")
    kinds: list[str] = Field(min_length=1)
    old: _Side = Field(default_factory=_Side)
    new: _Side = Field(default_factory=_Side)
    require: list[str] = Field(default_factory=list)
    gained: str | None = None  # a regex that matches the new text and not the old
    # A regex that, matching the text just before a `gained` hit (same sentence part, no
    # ";" or ":" between, at most NEGATION_REACH characters back), makes that hit not
    # count: "will not use ... to train".
    gained_negated_by: str | None = None
    lost: str | None = None  # a regex that matches the old text and not the new: a dropped
    # condition or safeguard ("for good cause", "with your consent")
    suppressed_by: list[str] = Field(default_factory=list)  # types that already say it
    # Fire only when no clause of the old version already met `new` (and `gained`): a
    # rewritten arbitration clause is not arbitration appearing.
    new_to_document: bool = False
    title: str
    explanation: str
    examples: list[ShiftExample] = Field(default_factory=list)

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in FINDING_TYPES:
            raise ValueError(f"unknown finding type {value!r}")
        return value


@dataclass(frozen=True)
class ShiftRule:
    id: str
    spec: _RuleSpec
    gained: re.Pattern[str] | None
    source: str  # "rules/shifts/x.yaml#id"
    negated_by: re.Pattern[str] | None = None
    lost: re.Pattern[str] | None = None
    line: int | None = None  # where the rule starts in its file

    @property
    def examples(self) -> tuple[ShiftExample, ...]:
        """Old/new clause pairs and whether the rule fires on them (its own tests)."""
        return tuple(self.spec.examples)

    def loss(self, old: str, new: str) -> re.Match[str] | None:
        """The first `lost` hit in the old text whose words the new text no longer has. A
        new sentence that leans on the one before it ("This could include closing your
        account") may keep the condition there, so it loses nothing."""
        if self.lost is None or _LEANS_BACK.match(fold(new)):
            return None
        kept = {normalise(m.group(0)) for m in self.lost.finditer(fold(new))}
        for hit in self.lost.finditer(fold(old)):
            if normalise(hit.group(0)) not in kept:
                return hit
        return None

    def gain(self, text: str) -> re.Match[str] | None:
        """The first `gained` hit in `text` that no negation governs."""
        if self.gained is None:
            return None
        text = fold(text)  # as the category rules read it: "we'll" is "we will"
        for hit in self.gained.finditer(text):
            if self.negated_by is None:
                return hit
            # Only the sentence part before the hit can negate it ("but" and "however" open
            # a new part: "we do not sell your data, but we may share it"), and only its
            # last NEGATION_REACH characters: many hits in one long part stay linear.
            reach = max(hit.start() - NEGATION_REACH, 0)
            ends = ((text.rfind(mark, reach, hit.start()), len(mark)) for mark in _PARTS)
            start = max([reach, *(at + size for at, size in ends if at >= 0)])
            if self.negated_by.search(text, start, hit.start()) is None:
                return hit
        return None


def side_holds(side: _Side, clause: Clause | None) -> bool:
    """Whether one clause (or its absence) satisfies one side's conditions (checked in
    turn, the first that fails decides: this runs for every rule on every change)."""
    cats = clause.categories if clause else ()
    a = clause.attributes if clause else _NO_ATTRIBUTES
    if side.category is not None and side.category not in cats:
        return False
    if side.category_not is not None and side.category_not in cats:
        return False
    if side.categories_any and not any(c in cats for c in side.categories_any):
        return False
    if side.bearer != "any" and not (a.bearer in side.bearer if isinstance(side.bearer, list)
                                     else a.bearer == side.bearer):
        return False
    if side.bearer_not is not None and a.bearer == side.bearer_not:
        return False
    if side.exclusive is not None and a.exclusive != side.exclusive:
        return False
    if side.agent_scope is not None and a.agent_scope != side.agent_scope:
        return False
    if side.negated is not None and a.negated != side.negated:
        return False
    if side.modality is not None and a.modality not in side.modality:
        return False
    return not side.emphasis_any or any(e in a.emphasis for e in side.emphasis_any)


def _cap(c: Clause | None) -> float | None:
    cap = c.attributes.liability_cap if c else None
    return cap.amount if cap else None


def _place(c: Clause | None) -> str | None:
    match = _PLACE.search(c.text) if c else None
    return match.group(1) if match else None


def _words(c: Clause | None) -> int:
    return len(normalise(c.text).split()) if c else 0


def _strength(c: Clause | None) -> int:
    return _STRENGTH.get(c.attributes.modality if c else None, 0)


_WHOSE_DATA = re.compile(
    r"\b(?:we|us|our)\b|\b(?:your|users?(?:'|’)?s?|customers?(?:'|’)?s?|personal|member(?:'|’)?s?)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:data|content|information|inputs?|prompts?|outputs?|conversations?"
    r"|chats?|messages?|files?|interactions?|submissions?)\b|\b(?:Customer\s+|User\s+|Your\s+)?"
    r"Content\b", re.IGNORECASE)


def _about_whose_data(c: Clause | None) -> bool:
    """The clause says whose use or whose data it is: the provider acts ("we", "us"), or
    the data is the user's ("your content", "users' prompts", a defined "Content"). "Data
    used to train AI models may be biased" is neither: a keyword without its actor."""
    if c is None:
        return False
    text = f"{c.lead_in} {c.text}" if c.lead_in and c.marker else c.text
    return c.attributes.bearer in ("provider", "shared") or bool(_WHOSE_DATA.search(text))


Predicate = Callable[[Clause | None, Clause | None], bool]
PREDICATES: dict[str, Predicate] = {
    "bearer_changed": lambda o, n: bool(o and n and o.attributes.bearer and n.attributes.bearer
                                        and o.attributes.bearer != n.attributes.bearer),
    "cap_lowered": lambda o, n: (_cap(o) is not None and _cap(n) is not None
                                 and _cap(n) < _cap(o)),  # type: ignore[operator]
    "cap_raised": lambda o, n: (_cap(o) is not None and _cap(n) is not None
                                and _cap(n) > _cap(o)),  # type: ignore[operator]
    "modality_softened": lambda o, n: _strength(n) < _strength(o),
    "modality_hardened": lambda o, n: _strength(n) > _strength(o),
    "place_changed": lambda o, n: bool(_place(o) and _place(n) and _place(o) != _place(n)),
    "longer": lambda o, n: _words(n) > _words(o) * 1.1 + 2,
    "shorter": lambda o, n: _words(n) * 1.1 + 2 < _words(o),
    "emphasis_gained": lambda o, n: bool(
        n and {"all_caps", "bold"} & (set(n.attributes.emphasis)
                                      - set(o.attributes.emphasis if o else ()))),
    "emphasis_lost": lambda o, n: bool(
        o and n and {"all_caps", "bold"} & (set(o.attributes.emphasis)
                                            - set(n.attributes.emphasis))),
    "words_changed": lambda o, n: bool(o and n and normalise(o.text) != normalise(n.text)),
    "about_whose_data": lambda o, n: _about_whose_data(n),
}


def rule_fires(rule: ShiftRule, change: Change) -> bool:
    spec = rule.spec
    if change.kind not in spec.kinds:
        return False
    if not (side_holds(spec.old, change.old) and side_holds(spec.new, change.new)):
        return False
    if not all(PREDICATES[name](change.old, change.new) for name in spec.require):
        return False
    if rule.lost is not None and not (change.old and change.new
                                      and rule.loss(change.old.text, change.new.text)):
        return False
    if rule.gained is not None:
        new_hit = bool(change.new and rule.gain(change.new.text))
        old_hit = bool(change.old and rule.gain(change.old.text))
        return new_hit and not old_hit
    return True


def in_document(rule: ShiftRule, clauses: Sequence[Clause]) -> bool:
    """Whether some clause already has what the rule looks for on its new side."""
    return any(side_holds(rule.spec.new, c) and (rule.gained is None or rule.gain(c.text))
               for c in clauses)


def _whole_words(hit: re.Match[str]) -> str:
    """A hit as the words it reaches into: "third part" in "third parties" is "third parties"."""
    text, end = hit.string, hit.end()
    while end < len(text) and (text[end].isalnum() or text[end] in "-'"):
        end += 1
    return text[hit.start():end].strip()


def finding_context(change: Change, rule: ShiftRule) -> dict[str, str]:
    """The values a title or explanation template may use."""
    o, n = change.old, change.new
    gained_emph = set(n.attributes.emphasis if n else ()) - set(o.attributes.emphasis if o else ())
    loud = " and ".join(e.replace("all_caps", "capitals").replace("bold", "bold")
                        for e in ("bold", "all_caps") if e in gained_emph)
    gained = rule.gain(n.text) if n else None
    lost = rule.loss(o.text, n.text) if o and n else None
    return {
        "old_bearer": _party(o.attributes.bearer if o else None),
        "new_bearer": _party(n.attributes.bearer if n else None),
        "old_cap": _cap_text(o), "new_cap": _cap_text(n),
        "old_place": _place(o) or "an unnamed place", "new_place": _place(n) or "an unnamed place",
        "agent_note": " for their AI agents' actions" if n and n.attributes.agent_scope else "",
        "emphasis_note": f", in a clause newly set in {loud}" if loud else "",
        "loud": loud or "capitals or bold",
        "category": rule.spec.category.replace("_", " "),
        "gained": _whole_words(gained) if gained else "",
        "lost": lost.group(0) if lost else "",
        "changed": (changed := _changed(n)),
        "binds_note": ("; continued use may bind the user to versions they never saw"
                       if changed == "the terms" or _TERMS_WORD.search(changed) else ""),
        "ended": _ended(n),
    }


# What a right to change reaches: "may change, modify, discontinue or cancel the Rewards
# Programme or any part thereof" changes the programme; "these Terms", "this Agreement" and
# the like are the terms.
_CHANGE_VERB = (r"(?:change|modify|amend|update|revise|replace|discontinue|cancel|alter|end"
                r"|terminate)")
# What a right to end reaches: "may discontinue the Rewards Programme"; an account, access
# or the Services are "the service or an account". Removing or blocking content is another
# right (content removal), so its verbs are not these.
_END_VERB = (r"(?:suspend|terminate|end|close|disable|deactivate|discontinue|cancel|withdraw)")


def _object_after(verbs: str, determiners: str) -> re.Pattern[str]:
    """The object named after one of `verbs` ("... discontinue or cancel the Programme"),
    opening with one of `determiners`: the last verb of a list is the one next to its
    object, so no list need be read."""
    return re.compile(
        rf"\b{verbs}\s+((?:{determiners})\s+(?:[A-Za-z][\w'-]*\s+){{0,4}}?"
        r"[A-Za-z][\w'-]*)"
        r"(?=\s+(?:or|and|at|in|without|from|by|for|to|with|on|if|when|as|any)\b|\s*[,.;:)]"
        r"|\s*$)", re.IGNORECASE)


# "change your settings" is the user's own act, so "your" opens no object of a change
_CHANGED = _object_after(_CHANGE_VERB, "these|this|the|our|its|any|all|such")
_ENDED = _object_after(_END_VERB, "your|these|this|the|our|its|any|all|such")
_TERMS_WORD = re.compile(r"\b(?:terms?|agreements?|polic(?:y|ies)|conditions|contracts?|eula"
                         r"|rules|guidelines|provisions)\b", re.IGNORECASE)
_GENERAL_OBJECT = re.compile(
    r"^(?:your|the|our|its|any|all|such|this|these)\s+(?:(?:use\s+of|access\s+to)\s+"
    r"(?:the\s+|our\s+|any\s+)?)?(?:account|accounts|services?|access|use|it|them)$",
    re.IGNORECASE)


def _named(clause: Clause | None, pattern: re.Pattern[str], general: tuple[re.Pattern[str], ...],
           default: str) -> str:
    """What `pattern` finds the clause naming, as it names it (two at most, "the chat feature
    or your account"), or `default` when it names nothing but the `general` ones."""
    found = list(dict.fromkeys(m.group(1) for m in pattern.finditer(clause.text))) if clause \
        else []
    if not found or all(any(g.search(o) for g in general) for o in found):
        return default
    return " or ".join(found[:2])


def _changed(clause: Clause | None) -> str:
    """What the clause lets the provider change, as it names it, or "the terms"."""
    return _named(clause, _CHANGED, (_TERMS_WORD,), "the terms")


def _ended(clause: Clause | None) -> str:
    """What the clause lets the provider suspend or end, or "the service or an account"."""
    return _named(clause, _ENDED, (_GENERAL_OBJECT, _TERMS_WORD), "the service or an account")


def _party(bearer: str | None) -> str:
    return {"user": "the user", "provider": "the provider", "third_party": "a third party",
            "shared": "both parties"}.get(bearer or "", "no one")


def _cap_text(c: Clause | None) -> str:
    cap = c.attributes.liability_cap if c else None
    return cap.text if cap else "no stated cap"


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    terms: dict[str, str] = Field(default_factory=dict)
    rules: list[Any] = Field(min_length=1)


def load_shift_file(path: Path, terms: dict[str, str]) -> list[ShiftRule]:
    """One shift file, validated and compiled with the shared `terms` (and its own)."""
    shown = display_path(path)
    raw = load_yaml_with_lines(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise RuleError("a shift file is a mapping with a `rules` list", path=shown)
    try:
        spec = _FileSpec.model_validate({**strip_lines(raw), "rules": raw["rules"]})
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line_of(raw)) from exc
    all_terms = merge_terms(terms, spec.terms, shown, line_of(raw))
    return [_compile(item, shown, all_terms) for item in raw["rules"]]


def _compile(item: Any, shown: str, terms: dict[str, str]) -> ShiftRule:
    line, rule_id = line_of(item), item.get("id") if isinstance(item, dict) else None
    try:
        spec = _RuleSpec.model_validate(strip_lines(item))
    except ValidationError as exc:
        raise RuleError(validation_message(exc), path=shown, line=line, rule_id=rule_id) from exc
    unknown = [p for p in spec.require if p not in PREDICATES]
    if unknown:
        raise RuleError(f"unknown predicate {unknown[0]!r}; known: {', '.join(PREDICATES)}",
                        path=shown, line=line, rule_id=spec.id)
    for template in (spec.title, spec.explanation):
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if names - set(CONTEXT_KEYS):
            raise RuleError(f"unknown placeholder {sorted(names - set(CONTEXT_KEYS))[0]!r}",
                            path=shown, line=line, rule_id=spec.id)

    def compiled(pattern: str | None) -> re.Pattern[str] | None:
        return compile_pattern(pattern, terms) if pattern else None

    try:
        gained = compiled(spec.gained)
        lost = compiled(spec.lost)
        # A negation governs the rest of its sentence part, up to the `gained` hit.
        negated_by = compiled(spec.gained_negated_by and
                              f"(?:{spec.gained_negated_by})[^.;:]*$")
    except ValueError as exc:  # an unknown {term} or a broken regular expression
        raise RuleError(str(exc), path=shown, line=line, rule_id=spec.id) from exc
    return ShiftRule(spec.id, spec, gained, f"{shown.split(':')[0]}#{spec.id}", negated_by,
                     lost, line)


def load_shift_rules(directory: Path, terms: dict[str, str]) -> tuple[ShiftRule, ...]:
    """Every shifts/*.yaml of a rules folder, in file order; ids are unique across them."""
    rules = tuple(rule for path in sorted((directory / "shifts").glob("*.yaml"))
                  for rule in load_shift_file(path, terms))
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"duplicate shift rule id (also in {seen[rule.id]})",
                            path=rule.source.split("#")[0], line=rule.line, rule_id=rule.id)
        seen[rule.id] = rule.source
    return rules
