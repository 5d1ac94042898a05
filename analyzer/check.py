"""Agent-policy check: each control of a baseline is met, partial or missing, and why."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import cast

from analyzer.controls import Baseline, Control, Reasoned
from analyzer.model import (
    Analysis,
    Check,
    Clause,
    ControlResult,
    ControlStatus,
    Finding,
    SecondReading,
)
from analyzer.rules import fold
from analyzer.similarity import Space, Vector

_RANK = {"met": 2, "partial": 1, "missing": 0}
_FINDING_TYPE = {"AUTH": "authorization", "PRIV": "authorization", "HITL": "oversight",
                 "MON": "oversight", "IR": "oversight", "LOG": "oversight",
                 "ACCT": "authorization", "DISCLOSE": "oversight"}
_CATEGORY = {"AUTH": "agent_authorization", "PRIV": "access_control", "HITL": "human_oversight",
             "MON": "incident_response", "IR": "incident_response", "LOG": "human_oversight",
             "ACCT": "agent_authorization", "DISCLOSE": "agent_conduct"}


def check_analysis(analysis: Analysis, baseline: Baseline) -> Check:
    """Every control of the baseline (the rulebook's, or a user's it was given)."""
    controls = baseline.controls
    clauses = _with_answers(_with_columns(analysis.clauses))
    named = _NAMES.set(_names_pattern(agent_names(clauses)))
    try:
        near, topic = _nearest(controls, clauses)
        read = _read_by_model(baseline, clauses)
        # The outcome negations are the baseline's defaults: one reading of the minutes serves
        # every control that shares them.
        decided = {c.outcome_negations: _decided(c.outcome_negations, clauses)
                   for c in controls}
        headers = header_rows(clauses)
        return Check(analysis=analysis, controls=tuple(
            _with_second_reading(c, evaluate_control(c, clauses, near, topic, read,
                                                     decided[c.outcome_negations], headers),
                                 clauses, read, decided[c.outcome_negations])
            for c in controls))
    finally:
        _NAMES.reset(named)


def _with_second_reading(control: Control, result: ControlResult, clauses: tuple[Clause, ...],
                         read: dict[str, dict[str, _ReadAs]], decided: dict[str, Reasoned]
                         ) -> ControlResult:
    """The result with the trained reader's reading of the clause it is surest speaks to the
    control (not a question, a plan or a rule voted down, which the check sets aside too),
    when that differs from the check's status. On policies by writers the check was not tuned
    on, its status is right about four times in ten where they differ and seven in ten
    elsewhere (docs/CONTROLS.md): a status to review first."""
    about = [(read[c.id][control.id].margin, c.id) for c in clauses
             if control.id in read.get(c.id, {}) and not _asks(c)
             and not _negated(control, c, decided)]
    if not about:
        return result
    _, clause_id = max(about)
    reading = read[clause_id][control.id].reading
    if reading == result.status:
        return result
    return replace(result, second_reading=SecondReading(cast(ControlStatus, reading), clause_id))


# The names a policy gives its agents ("Sprocket, our reply bot", 'the reporting agent
# ("Nightjar")'), read while one policy is checked: "Pip should stick to the shared drives"
# is a rule for an agent, as "The assistant should ..." is.
_NAMES: ContextVar[re.Pattern[str] | None] = ContextVar("agent_names", default=None)
_KIND = (r"(?:ai\s+)?(?:agent|bot|assistant|copilot|automation|chatbot|helper|digital\s+worker"
         r"|workflow|model)s?")
_NAMED = (
    # "Sprocket, our reply bot"; "Pip is the press's assistant" (the kind is the head noun)
    re.compile(r"\b([A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)?)[\"\u201d*]?\s*(?:,|\bis)\s+"
               r"(?:our|the|a|an|its)\s+(?:(?!(?:of|for|to|by|with|from|on|in)\b)"
               r"[\w'\u2019-]+\s+){0,3}?" + _KIND
               + r"(?=\s*(?:[,.;:)]|$|\s+(?:that|which|who|and|built|made|run|developed|trained"
                 r"|deployed|used|provided|from|by|for|in|on|at|with)\b))"),
    # 'the reporting agent ("Nightjar")'; "a bot called Pip"
    re.compile(r"\b(?i:" + _KIND + r")\s*(?:\(\s*[\"\u201c*]*"
               r"([A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)?)[\"\u201d*]*\s*\)"
               r"|(?i:called|named|known\s+as)\s+[\"\u201c*]*"
               r"([A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)?))"),
)
# "teaching assistants (TAs)": a plural abbreviation names people, not an agent
_ACRONYM = re.compile(r"^[A-Z]+s$")
_NOT_NAMES = frozenset((
    "The", "This", "That", "Our", "Your", "Its", "It", "Each", "Every", "Any", "All", "An", "A",
    "AI", "We", "They", "No", "One", "Note", "See", "Staff", "Tools", "Please", "Security",
    "Users", "Employees", "Everyone", "Teams", "Managers", "Here", "There", "Today", "Now"))


def agent_names(clauses: tuple[Clause, ...]) -> frozenset[str]:
    """The names the policy gives its agents."""
    return frozenset(name for c in clauses for pattern in _NAMED
                     for m in pattern.finditer(c.text)
                     for name in m.groups() if name and not _ACRONYM.match(name)) - _NOT_NAMES


_EXCEPTION = re.compile(r"^\W*(?:the\s+(?:only\s+|one\s+)?exception\s+is|except\s+for)\b")


def _one_agent(clause: Clause) -> bool:
    """Whether a clause is about one agent the policy names, or says it is the exception."""
    names = _NAMES.get()
    return bool(_EXCEPTION.match(_folded(clause.text))
                or (names is not None and names.search(clause.text)))


def _names_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")


# How sure the trained control reader must be (its score above the control's threshold)
# before a clause it finds counts: as evidence beside the patterns, and, where no pattern
# found any, as the only evidence. Chosen on the development policy sets (docs/CONTROLS.md).
READER_EVIDENCE_MARGIN = 2.0
READER_FALLBACK_MARGIN = 1.0


@dataclass(frozen=True)
class _ReadAs:
    """What the trained reader makes of one clause for one control."""

    margin: float  # its score above the control's threshold
    reading: str  # met, partial or missing


def _read_by_model(baseline: Baseline, clauses: tuple[Clause, ...]
                   ) -> dict[str, dict[str, _ReadAs]]:
    """clause id -> {control: how it reads} for the controls the trained reader finds a
    clause naming an agent speaks to; empty for a user's own control file, or with
    TERMSHIFT_RULES_ONLY. A clause that names no agent ("never share your password") is a
    rule for people, which the reader cannot tell from an agent's."""
    reader = baseline.reader.reader if baseline.reader is not None else None
    if reader is None or not clauses:
        return {}
    named = [c for c in clauses if _AGENT_NOUN.search(_folded(_read(c)))]
    texts = [_read(c) for c in named]
    return {c.id: {control: _ReadAs(margin, how) for control, margin in about.items()}
            for c, about, how in zip(named, reader.about(texts), reader.reads(texts),
                                     strict=True) if about}


def _as_read(control: Control, clauses: list[Clause], read: dict[str, dict[str, _ReadAs]],
             result: Callable[[ControlStatus, list[Clause], str], ControlResult]
             ) -> ControlResult:
    """The status of a control no pattern found evidence for, from the clauses the trained
    reader finds about it: met if one reads as meeting it, partial if one reads as meeting
    it in part, else missing."""
    reading = {c.id: read[c.id][control.id].reading for c in clauses}
    met = [c for c in clauses if reading[c.id] == "met"]
    if met:
        return result("met", met, _said(met[0], "provides it in its own words (read by the "
                                                 "trained control reader)"))
    partial = [c for c in clauses if reading[c.id] == "partial"]
    if partial:
        # Say what is weak where a rule can tell: a hedge, or a required detail it lacks.
        text = _folded(_read(partial[0]))
        hedge = _weakened(control.weakeners, _read(partial[0]))
        lacks = next((r for r in control.requires if not r.pattern.search(text)), None)
        found = hedge or lacks
        why = found.reason if found is not None else "it reads as weak or incomplete"
        return result("partial", partial, _said(partial[0], f"addresses it, but {why} (read "
                                                            "by the trained control reader)"))
    return result("missing", clauses[:1], _said(clauses[0], "mentions it, but reads as not "
                                                           "providing it (trained control "
                                                           "reader)"))


_CELL = " | "
_CELL_TURN = re.compile(r"\s\|\s")  # where a row's cells meet, however they were spaced
# Words that state a requirement without a modal verb: a checked box, "requires",
# "mandatory", "always", "no exceptions", "in place".
_REQUIRED = re.compile(r"^\W*\[x\]|\brequire[sd]?\b|\bmandatory\b|\bcompulsory\b|\balways\b"
                       r"|\bno\s+exceptions?\b|\bin\s+place\b|\bwithout\s+exception\b")
# A column that lists what not to do ("Don't", "Never", "Not allowed", "Prohibited").
_NEGATIVE_HEADER = re.compile(r"^\W*(?:do\s*n[o']?t|do\s+not|never|not\s+(?:allowed|permitted|ok)"
                              r"|prohibited|forbidden|must\s+not|avoid|no)\W*$")


def _with_columns(clauses: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """Table rows as their columns say: in a do/don't table a cell under "Don't" is read
    as "Do not: ...", so "Let the bot email customers without approval" forbids it."""
    out = list(clauses)
    header: list[str] | None = None
    for at, clause in enumerate(clauses):
        if _CELL not in clause.text:
            header = None
            continue
        cells = clause.text.split(_CELL)
        if header is None or clauses[at - 1].section != clause.section:
            header = [_folded(c).strip() for c in cells]
            continue
        if len(cells) == len(header) and any(_NEGATIVE_HEADER.match(h) for h in header):
            out[at] = replace(clause, text=_CELL.join(
                f"Do not: {cell}" if _NEGATIVE_HEADER.match(head) else cell
                for head, cell in zip(header, cells, strict=True)))
    return tuple(out)


# A question, and the answer that follows it on its own ("Answer: Yes.", "No.", "N/A",
# "Partially"): in a questionnaire or an FAQ the question carries what the answer affirms.
_ASKED = re.compile(r"\?[\s*_]*$")
# ("A: Honestly, no." and "A: Not today." answer no; "Not always", partially.)
_ANSWER = re.compile(r"^\W*(?:(?:answer|response|reply|a)\s*[:.\-\u2013]\s*)?\W*"
                     r"(?:(?:honestly|frankly|sadly|unfortunately|well|currently|today)\s*,\s*)?"
                     r"(yes|no|n/?a|not\s+applicable|partial(?:ly)?|in\s+part|not\s+always"
                     r"|not\s+(?:today|yet|really|currently|at\s+the\s+moment|now))"
                     r"\s*(?:[.,;:!*_]|$)", re.IGNORECASE)
# Only a yes/no question takes a yes/no answer ("How quickly ...? No later than ..." does not).
# ("Q: Do you label ...?" is one too.)
# ("If an agent drafts an email, does a human approve it?" is one, after its condition.)
_YES_NO = re.compile(r"^\W*(?:(?:q|question)\s*\d*\s*[:.\-\u2013]\s*)?"
                     r"(?:(?:if|when|once|where|before)\b[^?]{0,120}?,\s*)?(?:[\w.]+\s+)?"
                     r"(?:is|are|was|were|do|does|did|can|could|will|would|"
                     r"should|has|have|had|may|must|shall)\b", re.IGNORECASE)
_ANSWER_WORD = {"yes": "Yes", "no": "No", "na": "No", "n/a": "No", "not applicable": "No",
                "partial": "Partially", "partially": "Partially", "in part": "Partially",
                "not always": "Partially"}


def _with_answers(clauses: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """Questions as their answers say: "Are agent actions logged?" followed by "Answer: Yes."
    reads "Are agent actions logged? Yes." (a statement of the policy), by "No." or "N/A"
    as "... ? No." (the safeguard denied), by "Partially" as "... ? Partially." (weakened).
    A question with no such answer states nothing; the clauses after it may."""
    out = list(clauses)
    for at, clause in enumerate(clauses[:-1]):
        after = clauses[at + 1]
        if (not _ASKED.search(clause.text) or after.section != clause.section
                or not _YES_NO.match(clause.text)):
            continue
        answer = _ANSWER.match(after.text)
        if answer is None:
            continue
        said = re.sub(r"\s+", " ", answer.group(1).lower())
        word = _ANSWER_WORD.get(said, "No")  # "not today", "not yet": no
        out[at] = replace(clause, text=f"{_ASKED.sub('?', clause.text)} {word}.")
    return tuple(out)


def _asks(clause: Clause) -> bool:
    """A question left unanswered, or answered "No": it does not say what the policy does."""
    return bool(_ASKED.search(clause.text)) or clause.text.endswith("? No.")


# Every control reads every clause several times: fold each text once.
_folded = lru_cache(maxsize=16_384)(fold)


def _hit(items: tuple[Reasoned, ...], text: str) -> Reasoned | None:
    folded = _folded(text)  # as the category rules read it: "we'll" is "we will"
    return next((i for i in items if i.pattern.search(folded)), None)


# "whether someone should be given access": a "should" inside a question the rule is about.
_QUESTION = re.compile(r"\b(?:whether|who|what|which|how)\b[^.;:\n]{0,60}$")


# "any output that recommends granting access": what an agent recommends is its work, not
# the policy hedging.
_AGENT_SAYS = re.compile(r"\b(?:that|which|agents?|assistants?|bots?|outputs?|tools?|automations?"
                         r"|copilots?|models?|it|they)\s+(?:\w+\s+)?$")


def _weakened(items: tuple[Reasoned, ...], text: str) -> Reasoned | None:
    folded = _folded(text)
    for item in items:
        for hit in item.pattern.finditer(folded):
            before = folded[max(0, hit.start() - 70):hit.start()]
            if hit.group().startswith(("should", "ought")) and _QUESTION.search(before):
                continue
            if hit.group().startswith("recommend") and _AGENT_SAYS.search(before):
                continue
            return item
    return None


def evaluate_control(control: Control, clauses: tuple[Clause, ...],
                     near: dict[str, str] | None = None,
                     topic: dict[str, str] | None = None,
                     read: dict[str, dict[str, _ReadAs]] | None = None,
                     decided: dict[str, Reasoned] | None = None,
                     headers: frozenset[str] | None = None) -> ControlResult:
    """The status of one control over a policy's clauses, with the reason in words. `near`
    maps a clause id to the control whose examples it is nearest to (nearest_controls);
    `topic` to the control it is most like, however little (for exceptions to a rule);
    `read` to how the trained reader reads it for each control it finds it speaks to;
    `decided` the motions decided against (_decided; read here when not given); `headers`
    the tables' header rows (header_rows; read here when not given)."""
    near = near or {}
    read = read or {}

    def read_as(clause: Clause, margin: float) -> bool:
        found = read.get(clause.id, {}).get(control.id)
        return found is not None and found.margin > margin and found.reading != "missing"

    def result(status: ControlStatus, evidence: list[Clause], why: str) -> ControlResult:
        return ControlResult(control.id, control.title, status,
                             tuple(c.id for c in evidence), why, control.references)

    if decided is None:
        decided = _decided(control.outcome_negations, clauses)

    def void(clause: Clause) -> Reasoned | None:
        return _negated(control, clause, decided)

    waiver: tuple[Clause, Reasoned] | None = None
    # "Approval is needed before external posts, but deletions need no sign-off": a rule and
    # an exception to it in one sentence.
    excepted = {c.id: why for c in clauses if (why := _excepted(control, c))}
    for clause in clauses:
        if _asks(clause) or clause.id in excepted or _not_in_force(control, clause, decided):
            continue  # "Can the bot post on its own? No." forbids what it asks about
        contradiction = _contradiction(control.contradictions, _read(clause))
        if contradiction and ((contradiction.waives and not _ALL_AGENTS.match(_read(clause)))
                              or _INTERNAL.search(_folded(_read(clause)))
                              or _one_agent(clause)):
            # "may post to internal channels without approval", "Nightjar keeps running on
            # its timer": a waiver for part of what the control covers (some channels, one
            # agent); it defeats the control only if nothing else provides it.
            waiver = waiver or (clause, contradiction)
        elif contradiction:
            return result("missing", [clause], _said(clause, contradiction.reason))
    # A question ("Is there a record of what Skye did?") provides nothing; its answer may.
    evidence = [c for c in clauses if not _asks(c) and (
        (any(p.search(_folded(_read(c))) for p in control.evidence)
         and not _about_people(control, c))
        or (control.requires_are_evidence and _AGENT_NOUN.search(_folded(_read(c)))
            and _SIGN_IN.search(_folded(_read(c)))
            and any(r.pattern.search(_folded(_read(c))) for r in control.requires))
        or (near.get(c.id) == control.id and not _LABEL_ONLY.match(c.text))
        or read_as(c, READER_EVIDENCE_MARGIN))
        and (waiver is None or c is not waiver[0] or waiver[1].waives)]
    if waiver and not evidence:
        return result("missing", [waiver[0]], _said(waiver[0], waiver[1].reason))
    if not evidence:
        by_reader = [c for c in clauses if control.id in read.get(c.id, {})
                     and read[c.id][control.id].margin > READER_FALLBACK_MARGIN
                     and not _asks(c) and not void(c)]
        if by_reader:
            return _as_read(control, by_reader, read, result)
        return result("missing", [],
                      f"No clause of the policy provides this: {control.title.lower()}.")
    negated = [(c, n) for c in evidence if c.id not in excepted and (n := void(c))]
    if negated and len(negated) == len(evidence):
        if waiver:  # a contradiction's reason says what the clause does ("lets agents ...")
            return result("missing", evidence, _said(waiver[0], waiver[1].reason))
        clause, why = negated[0]  # a negation's reason says what it is ("it describes a plan")
        return result("missing", evidence, _said(clause, f"mentions it, but {why.reason}"))
    if headers is None:
        headers = header_rows(clauses)
    # A header names columns: it may point to a control, it binds nothing.
    binding = [c for c in evidence if c.id not in headers and (_binding(c) or (
                   control.capability_binds and c.attributes.modality == "permission"))
               and not _weakened(control.weakeners, _read(c))
               and not void(c) and c.id not in excepted]
    inside = next((c for c in evidence if c.id in excepted), None)
    if inside is not None and not binding:
        turn = excepted[inside.id].reason
        return result("partial", evidence, _said(
            inside, f"binds, but makes an exception in the same sentence: {turn}"))
    if not binding:
        weak = next(((c, w) for c in evidence if (w := _weakened(control.weakeners, _read(c)))),
                    None)
        if weak:
            return result("partial", evidence,
                          _said(weak[0], f"is evidence, but {weak[1].reason}"))
        return result("partial", evidence, _said(evidence[0], "mentions it, but not as a binding "
                      "rule (no \u201cmust\u201d, \u201cshall\u201d or \u201cnever\u201d)"))
    exempt = waiver or _exemption(control, clauses, evidence, near, topic or near,
                                  decided) or (
        (inside, excepted[inside.id]) if inside is not None else None)
    if exempt:
        return result("partial", [*binding, exempt[0]],
                      f"Clause {binding[0].id} binds, but clause {exempt[0].id} makes an "
                      f"exception: {exempt[1].reason}: \u201c{exempt[0].text}\u201d")
    # A required detail (a stated time, an incident process) may sit in a neighbouring clause,
    # or in a heading ("C.8 Responsibility." over "Each agent must have a named owner").
    headings = dict.fromkeys(h for c in clauses for h in c.section)
    # ... but not in a clause that denies it ("least privilege is not required") or only
    # hedges it ("should have least privilege", "least privilege is still to be decided").
    text = fold(" ".join([*(f"{h}." for h in headings), *(
        _with_named_people(c.text) for c in clauses if not void(c)
        and not _weakened(control.weakeners, _read(c)))]))
    missing = [r for r in control.requires if not r.pattern.search(text)]
    if missing:
        return result("partial", evidence,
                      _said(binding[0], f"binds, but {missing[0].reason}"))
    # ... while some details must be in the rule itself: its words, lead-in and headings, or
    # the sentence right after it ("... approves each message. Refunds need the same
    # sign-off.").
    rule = fold(" ".join(f"{' '.join(f'{h}.' for h in c.section)} {_read(c)}"
                         for c in _with_next(binding, clauses)
                         if not void(c) and not _weakened(control.weakeners,
                                                                       _read(c))))
    # Only a detail the policy speaks of elsewhere: a rule that approves each message leaves
    # out the refunds and deletions the policy lets agents do; alone, it is the whole rule.
    unstated = next((r for r in control.requires_in_rule if not r.pattern.search(rule)
                     and (not r.only_if_mentioned or _mentioned(r, clauses, binding))),
                    None)
    if unstated:
        return result("partial", binding, _said(binding[0], f"binds, but {unstated.reason}"))
    return result("met", binding, _said(binding[0], "makes it binding"))


# A sentence that carries the rule before it on: "Refunds need the same sign-off", "Bans
# also wait for a human".
_SAME_RULE = re.compile(r"^(?!.*\b(?:after|afterwards|later|month|week|quarter)\b)"
                        r"(?=.*\b(?:the\s+same|also|too|likewise|as\s+well|equally)\b)"
                        r".*\b(?:approv\w*|sign[-\s]?off|okay\w*|consent|confirm\w*"
                        r"|authori[sz]\w*)\b", re.DOTALL)


# A sentence about what people do ("Staff may delete their own chat history").
_PEOPLE_SUBJECT = re.compile(r"^\W*(?:all\s+|our\s+|the\s+)?(?:staff|employees?|users?|colleagues?"
                             r"|people|members|managers?|you|we)\b")
# "every action", "any step": words that state a rule's reach, not an action agents take
_REACH = re.compile(r"\b(?:every|any|all|each)\s+(?:\w+\s+){0,2}?(?:actions?|steps?|operations?"
                    r"|changes?)\b")


def _mentioned(detail: Reasoned, clauses: tuple[Clause, ...], rules: list[Clause]) -> bool:
    """Whether the policy speaks of what the detail names in a clause other than the rule
    ("Agents can issue refunds"): not in one about what people do ("Staff may delete their
    own chat history"), nor as the reach of a rule ("every agent action is logged")."""
    ids = {c.id for c in rules}
    return any(detail.pattern.search(_REACH.sub(" ", _folded(_read(c))))
               and not _PEOPLE_SUBJECT.match(_folded(c.text))
               for c in clauses if c.id not in ids)


def _with_next(rules: list[Clause], clauses: tuple[Clause, ...]) -> list[Clause]:
    """The rules, each with the clause after it when that is in the same section and carries
    the rule on ("the same", "also")."""
    at = {c.id: i for i, c in enumerate(clauses)}
    out = list(rules)
    for rule in rules:
        i = at.get(rule.id)
        if (i is not None and i + 1 < len(clauses) and clauses[i + 1].section == rule.section
                and _SAME_RULE.search(_folded(clauses[i + 1].text))):
            out.append(clauses[i + 1])
    return out


# "without approval" inside a prohibition ("must never send anything without approval") is
# the rule itself, not a waiver of it.
_DENIALS = "not|never|no|nothing|nobody|none"
_DENIED = re.compile(rf"\b(?:{_DENIALS})\b")
# Before a contradiction ("an agent cannot start a task on its own") it forbids it too.
_DENIED_BEFORE = re.compile(rf"\b(?:{_DENIALS}|cannot|can't)\b")


# Where a sentence turns to an exception: "..., but ...", "...; ...", "whereas", "except".
_CONTRAST = re.compile(r"\s*(?:[,;]\s*)?\b(?:but|whereas|while|though|although"
                       r"|except\s+(?:that|for)|yet|however)\b|;\s+")


# A clause that opens a numbered item ("3.5 Proposal that ...", "(b) ..."): where the
# outcome of the item before it can no longer be.
_ITEM_OPENS = re.compile(r"\W*(?:\d+(?:\.\d+)*\.?|[a-z]\)|\([a-z0-9]+\))\s")

# How many clauses after a clause the outcome that closes its item may come ("3.2 That ...
# Cllr A argued ...; Cllr B disagreed. LOST 2-3.").
OUTCOME_REACH = 4


def _decided(outcomes: tuple[Reasoned, ...], clauses: tuple[Clause, ...]
             ) -> dict[str, Reasoned]:
    """The motions that a later clause of their own item decides against: a numbered item or
    a motion ("That ...") followed by "LOST 2-3." or "The Committee agreed to defer the
    matter.", in the same section, before the next numbered item or an outcome that carries
    it ("CARRIED 5-0.")."""
    if not outcomes:
        return {}
    decided: dict[str, Reasoned] = {}
    for at, clause in enumerate(clauses):
        if not (clause.marker or _ITEM_OPENS.match(clause.text) or _MOTION.match(clause.text)):
            continue
        for later in clauses[at + 1:at + 1 + OUTCOME_REACH]:
            if (later.section != clause.section or later.marker or _ITEM_OPENS.match(later.text)
                    or _MOTION.match(later.text)):
                break
            why = _hit(outcomes, later.text)
            if why is not None:  # the reason quotes the outcome: "... (clause c13: “LOST 2-3.”)"
                decided[clause.id] = replace(
                    why, reason=f"{why.reason} (clause {later.id}: \u201c{later.text}\u201d)")
            if why is not None or _CARRIED.search(_folded(later.text)):
                break
    return decided


# A rule for every agent ("All assistants sign in with their team lead's login"): what it
# allows is no waiver for some, it defeats the control.
_ALL_AGENTS = re.compile(r"\W*(?:all|every|each|our|the)\s+(?:[\w-]+\s+)?(?:agents|bots"
                         r"|assistants|copilots|automations|digital\s+workers)\b", re.IGNORECASE)


# A motion as minutes write it: "That every agent ...", "*That* ...".
_MOTION = re.compile(r"\W*(?:motion\s*[:\-\u2013]\s*)?that\s", re.IGNORECASE)
# An outcome that puts the item in force.
_CARRIED = re.compile(r"\b(?:carried|agreed|approved|adopted|passed|resolved|accepted)\b")


def _excepted(control: Control, clause: Clause) -> Reasoned | None:
    """Why a clause that states the rule goes on to waive it in part ("Approval is required
    before Hopper emails suppliers; its posts to the depot channel go out without review"):
    the negation or contradiction of its second half, if its first half evidences the control
    and denies nothing. A table row turns at each cell ("T3 | ... | The clinician approves
    each letter. | Reminder texts go out without review.")."""
    text = _read(clause)
    if _status_out_of_force(control, text):
        return None  # "| ... | Not implemented | - |": the whole row is out of force
    turns = [(t, False) for t in _CONTRAST.finditer(text)]
    turns += [(t, True) for t in _CELL_TURN.finditer(text)][:MAX_CELL_TURNS]
    for turn, cell in turns:
        head, tail = text[:turn.start()], text[turn.end():]
        if (not any(p.search(_folded(head)) for p in control.evidence)
                or _negation(control.negations, head)
                or _contradiction(control.contradictions, head)):
            continue
        why = _negation(control.negations, tail) or _contradiction(control.contradictions, tail)
        if why is not None and not (cell and why.voids):
            return why  # (a status cell "| Deferred to 2028 |" puts the whole row out of force)
    return None


_STATUS_CELL = re.compile(r"(?:yes|no|y|n|n/a|na|met|partial|done|none|true|false|on|off|"
                          r"enabled|disabled|in\s+place|not\s+\w+|open|closed|planned)",
                          re.IGNORECASE)


def header_rows(clauses: tuple[Clause, ...]) -> frozenset[str]:
    """The ids of the tables' header rows ("# | Action | Assigned to | Due"): a table's first
    row (the clause before it is no table row; a data row may have fewer cells, as empty
    cells are dropped) of three or more cells of at most three words each, none a number or
    an answer; it names columns and states nothing."""
    found = []
    before = 0
    for clause in clauses:
        cells = ([c.strip() for c in _CELL_TURN.split(clause.text)]
                 if _CELL in clause.text else [])
        if len(cells) >= 3 and not before and all(
                len(c.split()) <= 3 and not any(ch.isdigit() for ch in c)
                and not _STATUS_CELL.fullmatch(c) for c in cells):
            found.append(clause.id)
        before = len(cells)
    return frozenset(found)


def _status_out_of_force(control: Control, text: str) -> bool:
    """A table row whose status cell, its last short cell with words, puts it out of force
    ("| Not implemented | - |", "| Deferred to 2028 |")."""
    if _CELL not in text:
        return False
    cells = [c for c in _CELL_TURN.split(text)[1:] if any(ch.isalnum() for ch in c)][-1:]
    return any(len(cell.split()) <= STATUS_WORDS and n.voids
               and n.pattern.search(_folded(f"| {cell.strip()} |"))
               for cell in cells for n in control.negations)


STATUS_WORDS = 6  # a status cell is short: "Not implemented", "Deferred to Q3 2027"


# A table row is read at its first cells only: a rule and its waiver sit in a few columns, and
# each turn reads the row again.
MAX_CELL_TURNS = 12


def _not_in_force(control: Control, clause: Clause, decided: dict[str, Reasoned]) -> bool:
    """A clause that describes what is not in force: a plan, an earlier rule, a lapsed waiver
    ("W-05 | Intake agent may contact clients unprompted | Expired; not renewed"), an item
    voted down, anything under a heading of ideas or history."""
    return clause.id in decided or _lapsed_row(control, _read(clause)) or (
        _headed(control, clause) is not None)


def _lapsed_row(control: Control, text: str) -> bool:
    """A table row whose later cell puts what an earlier cell allows out of force ("W-05 |
    may contact clients unprompted | Expired 30 Sep 2026; not renewed")."""
    cells = _CELL_TURN.split(text)[:MAX_CELL_TURNS + 1]
    at = next((i for i, cell in enumerate(cells)
               if _contradiction(control.contradictions, cell)), None)
    return at is not None and any(n.voids and n.pattern.search(_folded(cell))
                                  for cell in cells[at + 1:] for n in control.negations)


def _negated(control: Control, clause: Clause,
             decided: dict[str, Reasoned] | None = None) -> Reasoned | None:
    """Why a clause does not provide what it mentions: a negation in its own words, a
    heading over it that lists ideas or plans ("Wishlist (not yet agreed)", "Roadmap"), or
    an outcome that closes its item ("LOST 2-3."; `decided`, from _decided)."""
    if decided and clause.id in decided:
        return decided[clause.id]
    own = _negation(control.negations, _read(clause))
    if own is not None and clause.text.endswith("? No.") and _contradiction(
            control.contradictions, clause.text):
        own = None  # "Can the bot post on its own? No." denies the opposite of the control
    return own or _headed(control, clause)


def _headed(control: Control, clause: Clause) -> Reasoned | None:
    """A heading over the clause that lists ideas, plans or history ("Roadmap")."""
    return next((h for heading in clause.section for h in control.section_negations
                 if h.pattern.search(_folded(heading))), None)


def _negation(items: tuple[Reasoned, ...], text: str) -> Reasoned | None:
    folded = _folded(text)
    for item in items:
        for hit in item.pattern.finditer(folded):
            if not (hit.group().startswith("without") and _DENIED.search(folded, 0, hit.start())
                    ) and not _barred_without(folded, hit):
                return item
    return None


# "An agent with no owner cannot be deployed", "Agents without a log entry may not run": what
# lacks the safeguard is barred, so the sentence demands the safeguard.
_LACKING = re.compile(r"\b(?:with\s+no|without)\b")
_THEN_BARRED = re.compile(r"\s*(?:(?!(?:and|or|but|so|yet|while|because|as)\b)[\w-]+\s+){0,3}?"
                          r"(?:cannot|can\s*not|can't|may\s+not|must\s+not|will\s+not|won't"
                          r"|(?:is|are)\s+(?:not\s+(?:allowed|permitted)|refused|blocked"
                          r"|rejected|stopped))\b")


def _barred_without(folded: str, hit: re.Match[str]) -> bool:
    lacking = _LACKING.search(folded, max(0, hit.start() - 5), hit.end())
    return bool(lacking and _THEN_BARRED.match(folded, hit.end()))


def _contradiction(items: tuple[Reasoned, ...], text: str) -> Reasoned | None:
    """A contradiction that the clause itself forbids ("never give an agent your password",
    "Don't build cron jobs ... that fire on their own") contradicts nothing."""
    folded = _folded(text)
    for item in items:
        for hit in item.pattern.finditer(folded):
            before = folded[:hit.start()]
            if _DENYING_HIT.match(hit.group()) or _barred_without(folded, hit):
                continue  # "Agents may not act unprompted", "a bot with no owner cannot run"
            if not _DENIED_BEFORE.search(folded, max(0, hit.start() - 25), hit.start()) and not (
                    _CONDITION.search(folded[max(0, hit.start() - 50):hit.start()])) and not (
                    _FORBIDDING.match(before) and not _CONTRAST.search(before)
                    and not _ASIDE.search(before)):
                return item
    return None


# A contradiction's own words that forbid it: "may not take any action unprompted".
_DENYING_HIT = re.compile(r"(?:may|can|could|must|shall|should|will|would)\s*(?:not|never)\b"
                          r"|cannot\b|can't\b")

# Where a sentence turns from what it forbids to what it says next: "Don't worry about
# starting it: it runs on its own", "... - it runs every night".
_ASIDE = re.compile(r":\s|\s[-\u2013\u2014]\s|\u2014|\s\|\s")


# A sentence that opens by forbidding what follows: "Don't build ...", "Never let ...",
# "You must not set up ...", "It is prohibited to ...".
_FORBIDDING = re.compile(r"(?:" + _ITEM_OPENS.pattern + r")?\W*(?:please\s+)?(?:do\s+not"
                         r"(?!\s+(?:worry|forget|hesitate|panic|bother))"
                         r"|(?:an?|the|each|every|all|any|our|your)\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:must|shall|may|should)\s+(?:not|never)"
                         r"|never(?!\s+mind)|you\s+(?:must|may|should|shall)\s+(?:not|never)"
                         r"|(?:no\s*one|nobody)\s+(?:may|must|shall|should)"
                         r"|(?:it\s+is\s+)?(?:forbidden|prohibited|not\s+allowed|not\s+permitted)\s+to)\b")


# "Deployment fails if an agent has no named owner": inside a condition, not a state of
# affairs ("Unless told otherwise, bots may reply unprompted" states one).
_CONDITION = re.compile(r"\b(?:if|unless|whenever)\s[^,;.:]*$")


# Only part of what a control covers: internal channels, the agent's own team, test systems.
_INTERNAL = re.compile(r"\b(?:internal(?:ly)?|in-house"
                       r"|within\s+the\s+(?:team|company|firm|organi[sz]ation)"
                       r"|(?:its|their|the)\s+own\s+(?:team|owner|channel)s?|staff[-\s]only"
                       r"|test(?:ing)?\s+(?:systems?|environments?)|sandbox(?:es)?|low[-\s]risk)\b")

# A sentence that marks itself as an exception to what was just said: "Other outputs ...",
# "Everything else ...", "... are exempt".
_OTHER = re.compile(r"\W*(?:[\d.]+\s+)?(?:all\s+)?(?:other|any\s+other|everything\s+else"
                    r"|anything\s+else|the\s+rest)\b|.*\bexempt(?:ed)?\b")

# How many clauses after a piece of evidence an exception to it may come ("Customer letters
# carry a label. Internal notes need no label.").
EXCEPTION_REACH = 2


def _exemption(control: Control, clauses: tuple[Clause, ...], evidence: list[Clause],
               near: dict[str, str], topic: dict[str, str],
               decided: dict[str, Reasoned] | None = None) -> tuple[Clause, Reasoned] | None:
    """A clause that waives the control for some agents or actions: a negated clause ("need
    no", "without approval", "left to the team"), more like this control than any other,
    that evidences it or follows its evidence in the same section. ("Outage alerts are sent
    without approval" matches the monitoring pattern, but waives approval, not monitoring.)"""
    ids = {c.id for c in evidence}
    for at, clause in enumerate(clauses):
        # "Other outputs are left to the team" and "Internal notes need not be marked" point
        # back at the rule before them, whatever else they are like (unless they evidence
        # another control).
        if topic.get(clause.id) != control.id and not (
                at and clauses[at - 1].id in ids and clause.id not in near
                and (_OTHER.match(_folded(clause.text))
                     or (_INTERNAL.match(_folded(clause.text))
                         and _shares_words(clause, clauses[at - 1], control)))):
            continue
        if decided and clause.id in decided:
            continue  # an exception voted down ("4.2 That notes need no label. REJECTED.")
        why = _negated(control, clause)
        if why is None or (why.voids and _contradiction(control.contradictions, _read(clause))):
            continue  # an exception that lapsed ("W-2 | may message leads unprompted | Expired")
        if clause.id in ids or any(
                c.id in ids and c.section == clause.section
                for c in clauses[max(0, at - EXCEPTION_REACH):at]):
            return clause, why
    return None


_STEM = 5  # letters that stand for a word's stem here: "labelled" and "label"
_COMMON = frozenset(("every", "agent", "assis", "autom", "inter", "exter", "their", "which",
                     "other", "shall", "would", "could", "shoul", "befor", "after", "where",
                     "there", "these", "those", "human", "peopl", "perso", "anyth", "every",
                     "outpu", "conte", "messa", "docum", "texts", "mater", "sampl", "thing"))


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in re.findall(r"[a-z]{4,}", _folded(text))} - _COMMON


def _shares_words(clause: Clause, rule: Clause, control: Control) -> bool:
    """Whether an "internal ..." clause speaks of what the rule before it or the control
    speaks of ("... are marked" / "Internal notes need not be marked"), not of something
    else ("Internal test systems are not monitored" after a labelling rule)."""
    return bool(_stems(clause.text) & (_stems(rule.text) | _stems(control.title)))


_ONLY = re.compile(r"\b(?:may|can|is\s+allowed\s+to|are\s+allowed\s+to)\s+(?:\w+\s+){0,3}?only\b"
                   r"|\bonly\s+(?:\w+\s+){0,2}(?:may|can)\b")


# "The bot may suggest role changes, but security reviews each one before it is applied": the
# allowance comes with the rule that bounds it.
_BUT_RULE = re.compile(r"\b(?:but|however)\b[^.;]{0,120}?"
                       r"\b(?:before|until|first|only\s+(?:after|once|then))\b")


_RECORDED = re.compile(
    r"\b(?:has|have|keeps?|maintains?|holds?|carries)\s+(?:an?\s+|its\s+own\s+|a\s+written\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:card|sheet|list|profile|schedule|statement|register|manifest|record"
    r"|catalogue|catalog|document|form|file|entry|page|charter|specification|spec)s?\b"
    r"|\b(?:are|is)\s+(?:set\s+out|written\s+down|listed|recorded"
    r"|documented|declared|stated|defined|specified)\b")


# "Management response: Agreed.": a label and a word or two, like many things and saying
# none of them.
_LABEL_ONLY = re.compile(r"^[^:.]{1,40}:\s*(?:\w+\s*){1,3}[.!]?$")

# A clause this long states something, whatever it ends with; a shorter one without a full
# stop may be a heading or a label.
STATEMENT_WORDS = 8


def _binding(clause: Clause) -> bool:
    """A rule, not an allowance: "must", "shall", "never", or a plain statement of how things
    are done ("Every action is written to the audit log"), which a policy states as its rule.
    "May" only allows, and a heading-like fragment states nothing."""
    if _ASKED.search(clause.text):
        return False  # a question asks; the answer, if any, states
    modality = clause.attributes.modality
    if modality in ("obligation", "prohibition"):
        return True
    if _CELL in clause.text and len(clause.text.split()) >= 5 and modality in (None,
                                                                                "permission"):
        # a row of a table of requirements states one, even where a cell says what an
        # agent "can" use ("Write down which apps it can use | ...")
        return True
    if modality is None and _REQUIRED.search(_folded(clause.text)):
        return True  # "Outbound messages require approval", "[x] Monitoring in place"
    if modality == "permission" and (_ONLY.search(_folded(clause.text))
                                     or _RECORDED.search(_folded(clause.text))
                                     or _BUT_RULE.search(_folded(clause.text))):
        # "may use only the tools on its card" limits; "has a card listing the systems it
        # may use" states a record: the "may" describes what is listed, it allows nothing.
        return True
    # A bulleted item is a statement whether or not it ends with a full stop, and so is
    # a long line ("The accountable owner is: SISTER MAREN OLUFEMI (bleep 2281)").
    words = len(clause.text.split())
    return modality is None and words >= 5 and (
        clause.text.rstrip().endswith((".", ";", ":")) or clause.marker is not None
        or words >= STATEMENT_WORDS)


def nearest_controls(controls: tuple[Control, ...], clauses: tuple[Clause, ...]
                     ) -> dict[str, str]:
    """clause id -> the control a clause says in its own words: the control whose
    paraphrases it is nearest to, when that is near enough (the control's threshold) and
    nearer than every near miss of that control. One control per clause: a sentence about
    logging that is a little like an ownership paraphrase evidences logging only."""
    return _nearest(controls, clauses)[0]


def _nearest(controls: tuple[Control, ...], clauses: tuple[Clause, ...]
             ) -> tuple[dict[str, str], dict[str, str]]:
    """(nearest_controls, and clause id -> the control it is most like at any nearness)."""
    near: dict[str, str] = {}
    topic: dict[str, str] = {}
    for clause in clauses:
        scored = [(c.examples.nearness(_vector(c.space, _read(clause))), c) for c in controls
                  if c.examples is not None and c.space is not None]
        if not scored:
            continue
        (best, miss), control = max(scored, key=lambda pair: pair[0][0])
        if best > 0:
            topic[clause.id] = control.id
        if best >= control.nearness and best > miss:
            near[clause.id] = control.id
    return near, topic


# What names an agent for the trained reader: a noun, not a pronoun ("their password").
_AGENT_NOUN = re.compile(r"\b(?:ai|agents?|bots?|robots?|assistants?|copilots?|automat\w*"
                         r"|chatbots?|digital\s+workers?|models?|workflows?|helpers?|llms?)\b")
_AGENT_WORD = re.compile(r"\b(?:ai|agents?|bots?|robots?|assistants?|copilots?|automat\w*|chatbots?"
                         r"|digital\s+workers?|models?|workflows?|helpers?|llms?|it|they|its|their)\b")


# What an agent signs in with: a clause about one states a credential's details.
# (a plain "account" is often the customer's: "the bookings in your account")
_SIGN_IN = re.compile(r"\b(?:credentials?|(?:service|bot|machine|agent)\s+accounts?"
                      r"|identit(?:y|ies)|logins?|tokens?|keys?|key\s+pairs?|certificates?"
                      r"|roles?|service\s+principals?|svc-\w+)")


# A rule whose subject is people ("7.1 Staff must keep their own passwords private").
_STAFF_RULE = re.compile(r"^\W*(?:[\d.]+\s+|[a-z]\)\s+)?(?:all\s+|our\s+|the\s+)?(?:staff"
                         r"|employees?|colleagues?|personnel|managers?|members\s+of\s+staff)\b")


def _about_people(control: Control, clause: Clause) -> bool:
    """A clause that names no agent and is more like one of the control's near misses than
    like its paraphrases ("staff sign-ins are logged") is about people, not agents; so is a
    rule whose subject is staff and that names no agent ("Staff must keep their own
    passwords private")."""
    folded = _folded(_read(clause))
    if _STAFF_RULE.match(_folded(clause.text)) and not _AGENT_NOUN.search(folded):
        names = _NAMES.get()
        if names is None or not names.search(clause.text):
            return True
    if control.examples is None or control.space is None or _AGENT_WORD.search(folded):
        return False
    best, miss = control.examples.nearness(_vector(control.space, _read(clause)))
    return miss > best


@lru_cache(maxsize=16_384)
def _vector(space: Space, text: str) -> Vector:
    return space.vector(text)


def _said(clause: Clause, what: str) -> str:
    return f"Clause {clause.id} {what}: \u201c{clause.text}\u201d"


# A person the policy names as owner, in the case the patterns cannot see once text is folded:
# "Owner: Priya Nand", "owned by Dr Lena Voss", "belongs to Owen Pryce", "owner:
# j.okafor@example.org", "Dana Whitlock is the accountable owner". The details a control
# requires read it as "a named person".
_TITLE = r"(?:(?:Dr|Mr|Mrs|Ms|Mx|Prof|Nurse|Sister|Sir|Dame)\.?\s+)?"
_NAME = (_TITLE + r"(?!(?:[A-Z][a-z]+\s+){0,2}(?:Team|Department|Desk|Office|Unit|Group|Squad"
                  r"|Board|Committee|Services?|Operations|Platform)\b)"
         r"[A-Z][a-z]+(?:[-'\u2019][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:[-'\u2019][A-Z]?[a-z]+)?){1,2}\b")
_HANDLE = r"[a-z]{1,12}[._][a-z]{2,20}(?:@[a-z0-9.-]+)?\b"
_PERSON = re.compile(
    r"(?:\b[Oo]wner(?:\s*:\s*|\s+is\s+(?:still\s+)?)|\b(?:owned\s+by|belongs\s+to|answers\s+to)\s+)"
    r"(?:the\s+[\w-]+(?:\s+[\w-]+){0,3},\s+)?(?:[a-z][\w-]*\s+){0,2}?"
    rf"(?:{_NAME}|{_HANDLE})"
    rf"|\b{_NAME}(?:,[^.;|]{{1,60}},)?\s+is\s+(?:the\s+|its\s+)?(?:accountable\s+)?owner\b")


@lru_cache(maxsize=4096)
def _with_named_people(text: str) -> str:
    """`text` with each owner it names by name read as "a named person" (once per clause,
    however many controls ask)."""
    return _PERSON.sub(" a named person ", text)


def _read(clause: Clause) -> str:
    """A clause as the patterns and models read it: an item with its lead-in, and an agent's
    name followed by what it is ("Pip the agent")."""
    text = f"{clause.lead_in} {clause.text}" if clause.lead_in and clause.marker else clause.text
    names = _NAMES.get()
    return names.sub(r"\g<0> the agent", text) if names is not None else text


def control_changes(old: Analysis, new: Analysis, baseline: Baseline
                    ) -> tuple[Finding, ...]:
    """Control status changes between two versions of an agent policy (none for other text).
    Whether the text is about agents is asked first: it costs a count, where checking both
    versions against every control costs most of a comparison of ordinary terms."""
    if not (_about_agents(old) or _about_agents(new)):
        return ()  # not an agent policy: consumer terms are left to the shift rules
    before = check_analysis(old, baseline).controls
    after = check_analysis(new, baseline).controls
    if max(_evidenced(before), _evidenced(after)) < 3:
        return ()
    findings = []
    for was, now in zip(before, after, strict=True):
        if _RANK[now.status] == _RANK[was.status]:
            continue
        findings.append(_control_finding(was, now, baseline.source, old, new))
    return tuple(findings)


# An agent policy talks about agents throughout: its clauses with agent scope are at least
# this share (the hand-written policies: 0.5 to 1.0; real terms of service 0.01 to 0.26).
AGENT_POLICY_SHARE = 0.3


def _about_agents(analysis: Analysis) -> bool:
    clauses = analysis.clauses
    scoped = sum(1 for c in clauses if c.attributes.agent_scope)
    return bool(clauses) and scoped >= AGENT_POLICY_SHARE * len(clauses)


def _evidenced(results: tuple[ControlResult, ...]) -> int:
    return sum(1 for r in results if r.evidence)


def _text(analysis: Analysis, clause_id: str | None) -> str | None:
    return next((c.text for c in analysis.clauses if c.id == clause_id), None)


def _control_finding(was: ControlResult, now: ControlResult, source: str,
                     old: Analysis, new: Analysis) -> Finding:
    family = was.id.split("-")[0]
    base = _FINDING_TYPE.get(family, "authorization")
    worse = _RANK[now.status] < _RANK[was.status]
    kind = (f"{base}_weakened" if base == "authorization" else "oversight_removed") if worse \
        else (f"{base}_strengthened" if base == "authorization" else "oversight_added")
    return Finding(
        id="", type=kind, category=_CATEGORY.get(family, "agent_authorization"),
        severity="high" if worse else "low", direction="against_user" if worse else "for_user",
        title=f"{was.id} went from {was.status} to {now.status}: {was.title}",
        explanation=now.explanation if worse else f"The control is now {now.status}. "
        + now.explanation,
        rule=f"{source}#{was.id}",
        old_clause=was.evidence[0] if was.evidence else None,
        new_clause=now.evidence[0] if now.evidence else None,
        evidence_old=_text(old, was.evidence[0] if was.evidence else None),
        evidence_new=_text(new, now.evidence[0] if now.evidence else None),
    )
