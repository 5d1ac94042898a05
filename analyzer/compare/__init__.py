"""Compare two analysed versions: align, redline, then evaluate the shift rules (passed in:
the rulebook's, see analyzer.rulebook)."""

from __future__ import annotations

from dataclasses import replace

from analyzer.compare.align import (
    align_clauses,
    is_label,
    joined_matches,
    moved_pairs,
    neighbours,
    normalise,
    rejoin_ratio,
)
from analyzer.compare.definitions import redefinition_findings
from analyzer.compare.general import RANKS, general_findings
from analyzer.compare.redline import formatting_changes, redline
from analyzer.compare.shifts import (
    ShiftRule,
    finding_context,
    in_document,
    rule_fires,
)
from analyzer.model import (
    CATEGORIES,
    EMPHASIS_ORDER,
    SEVERITIES,
    Analysis,
    Attributes,
    Change,
    Clause,
    Comparison,
    Finding,
)

_CATEGORY_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}


def compare_analyses(old: Analysis, new: Analysis, shifts: tuple[ShiftRule, ...]
                     ) -> Comparison:
    """Changes in the new version's reading order, and the findings the `shifts` rules and
    the general findings give them."""
    changes = build_changes(old.clauses, new.clauses)
    read = rejoined(changes)
    covered: dict[str, int] = {}
    findings = [*redefinition_findings(old.clauses, new.clauses),
                *evaluate(read, shifts, old.clauses, covered)]
    findings += general_findings(read, covered, old.clauses, new.clauses)
    loud = {c.id for c in new.clauses if {"all_caps", "bold"} & set(c.attributes.emphasis)}
    # Within a severity: set loud first, then by category in the contract's order, which
    # puts who answers (responsibility, liability, indemnity, agents) before the provider's
    # rights to change, end or remove, then the order the findings were found in.
    ordered = sorted(enumerate(findings), key=lambda p: (
        SEVERITIES.index(p[1].severity), p[1].new_clause not in loud,
        _CATEGORY_RANK.get(p[1].category or "", len(CATEGORIES)), p[0]))
    numbered = tuple(replace(f, id=f"f{i}") for i, (_, f) in enumerate(ordered, start=1))
    return Comparison(old=old, new=new, changes=tuple(changes), findings=numbered,
                      warning=unrelated_warning(changes, old, new))


# Under this share of clauses paired across the versions, two documents are not versions
# of one another (two real versions of terms kept 60-100% of their clauses in the OTA set;
# a ToS against an internal policy keeps none).
KEPT_SHARE = 0.2


def unrelated_warning(changes: list[Change], old: Analysis, new: Analysis) -> str | None:
    """A sentence for the top of the report when the documents share almost nothing."""
    larger = max(len(old.clauses), len(new.clauses))
    if larger < 5:
        return None
    kept = sum(1 for c in changes if c.kind in ("unchanged", "moved")
               or (c.kind == "modified" and c.similarity >= 0.6))
    if kept >= KEPT_SHARE * larger:
        return None
    return (f"These documents share almost nothing ({kept} of {larger} clauses are kept or "
            "lightly edited): they may be two different documents rather than two versions "
            "of one, and every clause then reads as added or removed.")


def build_changes(old: tuple[Clause, ...], new: tuple[Clause, ...]) -> list[Change]:
    pairs = align_clauses(old, new)
    moved = moved_pairs(pairs)
    by_new = {p.new: p for p in pairs}
    matched_old = {p.old: p.new for p in pairs}
    # A clause split in two (or two merged) with the same words is part of an unchanged pair.
    joined = joined_matches(old, new, pairs)
    joined_old = {p.old: p.new for p in joined}
    joined_new = {p.new: p.old for p in joined}
    partners = {p.new for p in joined} | {matched_old[p.old] for p in joined
                                         if p.old in matched_old}
    keyed: list[tuple[tuple[int, int, int], Change]] = []
    for j, clause in enumerate(new):
        pair = by_new.get(j)
        if pair is not None and j in partners:
            change = Change("unchanged", old[pair.old], clause, 1.0)
        elif pair is not None:
            change = _paired(old[pair.old], clause, pair.similarity, pair.old in moved)
        elif j in joined_new:
            change = Change("unchanged", old[joined_new[j]], clause, 1.0)
        else:
            change = Change("added", None, clause, 0.0)
        keyed.append(((j, 0, 0), change))
    last_new = -1
    for i, clause in enumerate(old):
        if i in matched_old:
            last_new = matched_old[i]
        elif i not in joined_old:
            keyed.append(((last_new, 1, i), Change("removed", clause, None, 0.0)))
    return [change for _, change in sorted(keyed, key=lambda kc: kc[0])]


def rejoined(changes: list[Change]) -> list[Change]:
    """The changes as the shift rules read them: a clause split in two with edits (or two
    merged), seen as a modified clause next to an added (removed) one whose text, joined
    to it, is much nearer the other side's clause, is read as one change of the joined
    text. Otherwise the half that went to the neighbour reads as removed from one clause
    and added in another ("we are not liable" dropped here, new there), two findings for a
    shift that did not happen. The report still shows both clauses as they are."""
    out = list(changes)
    used: set[int] = set()
    for index, change in enumerate(changes):
        if change.kind != "modified" or index in used or change.old is None or change.new is None:
            continue
        for step in (1, -1):
            other = index + step
            if other in used or not 0 <= other < len(changes):
                continue
            neighbour = changes[other]
            if neighbour.kind == "added" and neighbour.new is not None:
                parts = sorted((change.new, neighbour.new), key=lambda c: c.start)
                whole, side = change.old, "new"
            elif neighbour.kind == "removed" and neighbour.old is not None:
                parts = sorted((change.old, neighbour.old), key=lambda c: c.start)
                whole, side = change.new, "old"
            else:
                continue
            if not neighbours(*parts) or is_label(parts[0]) or is_label(parts[1]):
                continue  # next to each other in the list of changes, not in the document
            alone = change.new if side == "new" else change.old
            near = rejoin_ratio(f"{parts[0].text} {parts[1].text}", alone.text, whole.text)
            if near is None:
                continue
            merged = _joined(parts[0], parts[1], alone)
            if side == "new":
                out[index] = replace(change, new=merged, similarity=near / 100.0)
            else:
                out[index] = replace(change, old=merged, similarity=near / 100.0)
            used.update((index, other))
            break
    return [c for k, c in enumerate(out) if not (k in used and changes[k].kind != "modified")]


def _joined(first: Clause, second: Clause, alone: Clause) -> Clause:
    """One clause of two neighbours: both texts, both categories, and the attributes of the
    one that was paired (`alone`), completed by the other's. Each half was read as its own
    sentence, so no reading of one spills into the other. Only the shift rules read it: it
    is never stored, and its text (joined by a space) is not the document's slice."""
    own, other = alone.attributes, (second if alone is first else first).attributes
    emphasis = set(own.emphasis) | set(other.emphasis)
    return replace(
        alone, text=f"{first.text} {second.text}", start=first.start, end=second.end,
        categories=tuple(c for c in CATEGORIES if c in {*first.categories, *second.categories}),
        attributes=Attributes(
            bearer=own.bearer or other.bearer, exclusive=own.exclusive or other.exclusive,
            agent_scope=own.agent_scope or other.agent_scope,
            modality=own.modality or other.modality,
            emphasis=tuple(e for e in EMPHASIS_ORDER if e in emphasis),
            liability_cap=own.liability_cap or other.liability_cap, negated=own.negated,
            potentially_unfair=tuple(c for c in CATEGORIES if c in {
                *own.potentially_unfair, *other.potentially_unfair})))



def _paired(old: Clause, new: Clause, similarity: float, moved: bool) -> Change:
    formatting = formatting_changes(old, new)
    same_words = normalise(old.text) == normalise(new.text)
    if same_words and not formatting:
        return Change("moved" if moved else "unchanged", old, new, 1.0)
    if same_words and moved:
        return Change("moved", old, new, 1.0, formatting=formatting)
    return Change("modified", old, new, similarity, redline(old.text, new.text), formatting)


def evaluate(changes: list[Change], rules: tuple[ShiftRule, ...],
             old_clauses: tuple[Clause, ...] = (),
             covered: dict[str, int] | None = None) -> list[Finding]:
    """Every shift rule over every change; one finding per change and finding type, and one
    per list: the items of one enumeration ("not liable for losses caused by: (a) ...;
    (b) ...") that carry the same finding as their lead-in or an earlier item are named in
    that finding's explanation instead of repeating it. A rule marked `new_to_document`
    stays silent when some old clause already had what it looks for. `covered`, when
    given, receives the clauses ("old:c3", "new:c7") a finding speaks for, with the rank of
    its highest severity there (info 0 ... high 3)."""
    findings: list[Finding] = []
    # Rules grouped by the change kinds they read, each with its suppressors as a set, so a
    # change meets only the rules that can fire on it (most changes are "unchanged").
    by_kind: dict[str, list[tuple[ShiftRule, frozenset[str]]]] = {}
    for rule in rules:
        for kind in rule.spec.kinds:
            by_kind.setdefault(kind, []).append((rule, frozenset(rule.spec.suppressed_by)))
    emphasis_only = [(r, s) for r, s in by_kind.get("modified", [])
                     if r.spec.type.startswith("emphasis")]
    already: dict[str, bool] = {}  # rule id -> the old version had it (asked when needed)
    first: dict[tuple[str, str], int] = {}  # (finding type, list lead-in) -> finding index
    more: dict[int, list[str]] = {}  # finding index -> ids of the items it also speaks for
    old_lists: dict[str, set[str]] | None = None  # the old version's lists, when asked
    for change in changes:
        clause = change.new or change.old
        if clause is None:
            continue
        # The list a clause belongs to: its lead-in, or itself as a possible lead-in (a
        # clause's own text is the lead-in of the items that follow it).
        in_list = bool(clause.lead_in and clause.marker)
        group = clause.lead_in if in_list and clause.lead_in else clause.text
        if change.kind in ("added", "removed") and is_label(clause):
            continue  # a label allocates nothing (alignment never pairs one with a sentence)
        # A modified pair without a redline has the same words (see _paired): only its
        # print changed.
        candidates = (emphasis_only if change.kind == "modified" and not change.redline
                      else by_kind.get(change.kind, ()))
        seen: set[str] = set()
        for rule, suppressors in candidates:
            if rule.spec.type in seen or not suppressors.isdisjoint(seen):
                continue
            if rule_fires(rule, change):
                if rule.spec.new_to_document:
                    if rule.id not in already:
                        already[rule.id] = in_document(rule, old_clauses)
                    if already[rule.id]:
                        continue
                seen.add(rule.spec.type)
                key = (rule.spec.type, normalise(group))
                if covered is not None:
                    rank = RANKS[rule.spec.severity]
                    for key_ in _keys(change):
                        covered[key_] = max(covered.get(key_, 0), rank)
                if in_list and key in first:
                    more.setdefault(first[key], []).append(clause.id)
                    continue
                first.setdefault(key, len(findings))
                found = _finding(rule, change)
                if change.kind == "added" and in_list:
                    if old_lists is None:
                        old_lists = _lists_of(old_clauses)
                    if found.category in old_lists.get(normalise(group), ()):
                        found = _in_old_list(found, group)
                findings.append(found)
    for index, ids in more.items():
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        items = "item" if len(ids) == 1 else "items"
        findings[index] = replace(findings[index], explanation=(
            f"{findings[index].explanation} The same holds for {len(ids)} more {items} of "
            f"this list ({shown})."))
    return findings


def _keys(change: Change) -> set[str]:
    return ({f"old:{change.old.id}"} if change.old else set()) | (
        {f"new:{change.new.id}"} if change.new else set())


def _lists_of(clauses: tuple[Clause, ...]) -> dict[str, set[str]]:
    """One version's lists: each normalised lead-in with the categories of its items."""
    lists: dict[str, set[str]] = {}
    for c in clauses:
        if c.lead_in and c.marker:
            lists.setdefault(normalise(c.lead_in), set()).update(c.categories)
    return lists


def _in_old_list(found: Finding, lead_in: str) -> Finding:
    """An item added to a list the old version already had, whose items were of the same
    category: the right or duty was there before, and the report says that it grew."""
    topic = (found.category or "the clause").replace("_", " ")
    return replace(found, title=f"{topic[:1].upper()}{topic[1:]} widened: one more item in a "
                                f"list the old version had",
                   explanation=(f"An item was added to the list under “{lead_in}”, which the "
                                f"old version already had: what that list allows or requires "
                                f"now reaches this item too."))


def _finding(rule: ShiftRule, change: Change) -> Finding:
    context = finding_context(change, rule)
    spec = rule.spec
    return Finding(
        id="", type=spec.type, category=spec.category, severity=spec.severity,  # type: ignore[arg-type]
        direction=spec.direction,  # type: ignore[arg-type]
        title=" ".join(spec.title.format(**context).split()),
        explanation=" ".join(spec.explanation.format(**context).split()),
        rule=rule.source,
        old_clause=change.old.id if change.old else None,
        new_clause=change.new.id if change.new else None,
        evidence_old=change.old.text if change.old else None,
        evidence_new=change.new.text if change.new else None,
    )
