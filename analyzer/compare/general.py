"""Change-first findings: every substantive change of a clause is a finding.

The shift rules (rules/shifts) know particular kinds of shift and say them precisely. A change
that none of them describes still belongs in the report: this module gives it a general
finding that says in words what changed (the words and numbers added and removed, whose
right or duty the clause states, its category), with a severity from the clause's category,
modality and bearer. Only wording that changes nothing stays at `info`: spelling variants
("licence"/"license"), contractions, typos, a date line, a term renamed throughout the
document ("Connectors" -> "Apps"), or only small function words.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from analyzer.compare.align import is_label
from analyzer.model import CATEGORIES, Change, Clause, Finding
from analyzer.rules import fold

RULE = "analyzer/compare/general.py"
RANKS = {"info": 0, "low": 1, "medium": 2, "high": 3}
# Finding types of this module (schema 1.1): one per change kind.
GENERAL_TYPES = ("clause_added", "clause_removed", "clause_modified")
# Several general findings in one section, folded into one (see _sections).
SECTION_TYPE = "section_changed"

_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|www\.\S+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")  # a number, not a word with a digit ("p0st")
_DIGIT = re.compile(r"\d")
_MONTHS = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
))
_DATE_LINE = re.compile(r"\b(?:updated|effective|revised|version|dated?|modified|last)\b")
# Words whose addition or removal alone changes nothing a reader relies on.
_FILLER = frozenset((
    "a", "an", "the", "and", "of", "to", "in", "on", "at", "by", "as", "is", "are", "be",
    "been", "this", "that", "these", "those", "which", "such", "its", "it", "their", "there",
    "here", "so", "also",
))
# Words that always matter, even when short: negation, exclusivity, modal force, scope.
_WEIGHTY = frozenset((
    "not", "no", "never", "nor", "only", "solely", "sole", "exclusively", "entirely", "any",
    "all", "each", "every", "may", "must", "shall", "will", "should", "can", "cannot",
    "without", "unless", "except", "including",
))
_HIGH_CATEGORIES = frozenset({
    "liability_limitation", "indemnification", "responsibility", "agent_authorization",
    "arbitration", "human_oversight"})
_LABEL = {
    "responsibility": "Responsibility", "liability_limitation": "Liability limit",
    "indemnification": "Indemnity", "warranty_disclaimer": "Warranty disclaimer",
    "agent_authorization": "Agent authorization", "agent_conduct": "Rule for agents and bots",
    "human_oversight": "Human oversight", "access_control": "Access rule",
    "incident_response": "Incident response", "data_use": "Use of data",
    "unilateral_change": "Right to change the terms",
    "unilateral_termination": "Suspension or termination", "content_removal": "Content removal",
    "contract_by_using": "Acceptance by use", "governing_law": "Governing law",
    "jurisdiction": "Choice of courts", "arbitration": "Arbitration",
}
_PARTY = {"user": "the user", "provider": "the provider", "third_party": "a third party",
          "shared": "both parties"}
_SNIPPET = 70


_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){1,4}[A-Za-z]\b\.?")


@lru_cache(maxsize=16_384)
def words(text: str) -> tuple[str, ...]:
    """The words of a clause as a reader compares them: case, contractions, links,
    punctuation, abbreviation dots ("U.S." / "US") and spelling variants folded away.
    Cached: finding renames, judging wording and describing a change read the same texts."""
    text = _LINK.sub(" ", _ZERO_WIDTH.sub("", text))
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    return tuple(canon(w) for w in _WORD.findall(fold(text).replace("’", "'")))


_SPELLING = (
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|able)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{3})ence$"), "ense"),
    (re.compile(r"(?<=[a-z]{2})tre(s?)$"), r"ter\1"),
    (re.compile(r"ogue$"), "og"),
    (re.compile(r"gement$"), "gment"),
    (re.compile(r"([a-z])\1"), r"\1"),  # cancelled/canceled, programme, wilful/willful
    (re.compile(r"(?<=[a-z]{4})me$"), "m"),  # programme -> program after the fold above
)


@lru_cache(maxsize=65536)
def canon(word: str) -> str:
    """One spelling for British and American variants and doubled letters."""
    word = word.lower().replace("'", "").replace("’", "")
    if _NUMBER.match(word):
        return word.replace(",", "").replace(".", "")  # 10,000 / 10.000 / 10000
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


@dataclass(frozen=True)
class Edit:
    """The words one side has and the other does not, as runs."""

    removed: tuple[tuple[str, ...], ...]
    added: tuple[tuple[str, ...], ...]
    replaced: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    @property
    def tokens(self) -> list[str]:
        return [w for run in (*self.removed, *self.added) for w in run]

    @property
    def pure(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """(words only added, words only removed): the runs that replace nothing."""
        swapped_in = [b for _, b in self.replaced]
        swapped_out = [a for a, _ in self.replaced]
        added = [r for r in self.added if r not in swapped_in]
        removed = [r for r in self.removed if r not in swapped_out]
        return added, removed


def edit_of(old: Sequence[str], new: Sequence[str]) -> Edit:
    removed: list[tuple[str, ...]] = []
    added: list[tuple[str, ...]] = []
    replaced: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a, b = tuple(old[i1:i2]), tuple(new[j1:j2])
        if a:
            removed.append(a)
        if b:
            added.append(b)
        if a and b:
            replaced.append((a, b))
    return Edit(tuple(removed), tuple(added), tuple(replaced))


@lru_cache(maxsize=4096)
def edit_between(old_text: str, new_text: str) -> Edit:
    """The word edit from one clause text to another, computed once per pair."""
    return edit_of(words(old_text), words(new_text))


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _near(a: str, b: str) -> bool:
    """A typo or an inflection: 'warrants'/'warrant', 'recieve'/'receive'."""
    if _NUMBER.match(a) or _NUMBER.match(b) or a in _WEIGHTY or b in _WEIGHTY:
        return False
    if _stem(a) == _stem(b):
        return True
    typed = bool(_DIGIT.search(a) or _DIGIT.search(b))  # "p0st" for "post"
    return min(len(a), len(b)) >= (4 if typed else 6) and _distance_one(a, b)


def _distance_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Renames:
    """Names replaced throughout one comparison ("Connector" -> "App", "Programme" ->
    "Rewards Programme"): the same capitalised words swapped in several clause pairs."""

    pairs: frozenset[tuple[tuple[str, ...], tuple[str, ...]]]
    inserted: frozenset[tuple[str, ...]]

    def used(self, edit: Edit) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """The renames this edit makes: (old, new) for a swap, ((), new) for words put
        before a name throughout, (old, ()) for words dropped throughout."""
        swaps = [(_stems(a), _stems(b)) for a, b in edit.replaced
                 if (_stems(a), _stems(b)) in self.pairs]
        added, removed = edit.pure
        put = [((), _stems(r)) for r in added if _stems(r) in self.inserted]
        dropped = [(_stems(r), ()) for r in removed if _stems(r) in self.inserted]
        return [*swaps, *put, *dropped]

    def covers(self, edit: Edit) -> bool:
        rest_removed = list(edit.removed)
        rest_added = list(edit.added)
        for a, b in edit.replaced:
            if (_stems(a), _stems(b)) in self.pairs or _inflection(a, b):
                rest_removed.remove(a)
                rest_added.remove(b)
        rest_removed = [r for r in rest_removed if _stems(r) not in self.inserted]
        rest_added = [r for r in rest_added if _stems(r) not in self.inserted]
        return not _substance([w for run in (*rest_removed, *rest_added) for w in run])


def _stems(run: Iterable[str]) -> tuple[str, ...]:
    return tuple(_stem(w) for w in run if w not in _FILLER)


def _inflection(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if len(a) == len(b) and all(x == y or _near(x, y) or _swapped(x, y)
                                for x, y in zip(a, b, strict=True)):
        return True  # "teh" -> "the": a typo of a small word
    a2, b2 = [w for w in a if w not in _FILLER], [w for w in b if w not in _FILLER]
    return len(a2) == len(b2) and all(_near(x, y) or x == y for x, y in zip(a2, b2, strict=True))


def _swapped(a: str, b: str) -> bool:
    """Two neighbouring letters swapped ("teh", "yuo"), the commonest typo of short words."""
    if len(a) != len(b) or len(a) < 3 or a in _WEIGHTY or b in _WEIGHTY:
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]])


def _substance(tokens: Sequence[str]) -> bool:
    return any(t not in _FILLER for t in tokens)


_NAME = re.compile(r"\b\w*[A-Z]\w*")  # "Connector", "xAI", "GitHub"


def find_renames(changes: Sequence[Change]) -> Renames:
    """Capitalised words swapped (or put before a name) in two or more clause pairs."""
    swaps: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter()
    inserts: Counter[tuple[str, ...]] = Counter()
    for change in changes:
        if change.kind != "modified" or change.old is None or change.new is None:
            continue
        names = {canon(m.group(0)) for m in _NAME.finditer(f"{change.old.text} {change.new.text}")}
        edit = edit_between(change.old.text, change.new.text)
        seen: set[tuple[tuple[str, ...], ...]] = set()
        for a, b in edit.replaced:
            a2, b2 = _stems(a), _stems(b)
            if a2 and b2 and len(a2) <= 3 and len(b2) <= 3 and all(
                    w in names for w in (*a, *b) if w not in _FILLER) and (a2, b2) not in seen:
                seen.add((a2, b2))
                swaps[(a2, b2)] += 1
        for run in (*edit.pure[0], *edit.pure[1]):
            r = _stems(run)
            if r and len(r) <= 2 and all(w in names for w in run if w not in _FILLER) \
                    and (r,) not in seen:
                seen.add((r,))
                inserts[r] += 1
    return Renames(frozenset(k for k, n in swaps.items() if n >= 2),
                   frozenset(k for k, n in inserts.items() if n >= 3))


_RENAMED = "a name is replaced throughout the document"
# Words whose place decides what they govern ("may use only X" against "may only use X"): a
# clause whose words only moved is wording unless one of these moved.
_ORDER_MATTERS = frozenset(("only", "not", "no", "never", "nor", "solely", "exclusively",
                            "except", "unless", "neither"))


def wording_only(change: Change, renames: Renames) -> str | None:
    """Why a modified pair's new words change nothing, or None when they may."""
    if change.old is None or change.new is None:
        return None
    old, new = words(change.old.text), words(change.new.text)
    if old == new:
        return "only spelling, contractions, punctuation or links changed"
    if "".join(old) == "".join(new):  # "non commercial" / "noncommercial", "e-mail" / "email"
        return "only the spacing or hyphens of words changed"
    edit = edit_between(change.old.text, change.new.text)
    if not _substance(edit.tokens):
        return "only small connecting words changed"
    if _one_phrase_moved(old, new):
        return "only the order of words changed"
    if all(_inflection(a, b) for a, b in edit.replaced) and len(edit.replaced) == len(
            edit.added) == len(edit.removed):
        return "only a typo or the form of a word changed"
    if _DATE_LINE.search(" ".join(new)) and all(_date_word(t) for t in edit.tokens):
        return "only a date changed"
    if _renumbered_references(old, new):
        return "only the number of a cross-reference changed"
    if _pronoun_for_name(old, new):
        return "only a pronoun put for a name the clause repeats, or the other way round"
    if renames.covers(edit):
        return _RENAMED
    return None


_REF_WORDS = frozenset((
    "section", "sections", "article", "articles", "clause", "clauses", "paragraph",
    "paragraphs", "exhibit", "schedule", "apendix", "annex", "part", "item", "subsection",
))
_REF_NUMBER = re.compile(r"^(?:\d+[a-z]?|[ivxl]{1,5}|[a-z])$")


def _one_phrase_moved(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether the new words are the old ones with one phrase moved as a block ("gain access
    without permission to data" -> "gain access to data without permission") and none of the
    words whose place decides what they govern in the stretch that moved. Two words that
    swap places ("Actions" means tasks -> "Tasks" means actions) are not one move."""
    if len(old) != len(new) or old == new or sorted(old) != sorted(new):
        return False
    start = next(i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
    backwards = zip(reversed(old), reversed(new), strict=True)
    end = len(old) - next(i for i, (a, b) in enumerate(backwards) if a != b)
    was, now = list(old[start:end]), list(new[start:end])
    if _ORDER_MATTERS & set(was):
        return False
    return any(now == was[k:] + was[:k] for k in range(1, len(was)))


_NAME_WORDS = 3  # the longest name ("your User Content") a pronoun stands for


def _pronoun_for_name(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether every edit puts "yours" for a name of yours that the clause names elsewhere
    ("Your Content remains Your Content" -> "Your Content remains yours"), or that name for
    "yours". Only "yours": it can stand for nothing but what is yours, where "it", "they" or
    "ours" may stand for something else, or change whose it is."""
    if "yours" not in old and "yours" not in new:
        return False
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    edits = [o for o in matcher.get_opcodes() if o[0] != "equal"]
    for op, i1, i2, j1, j2 in edits:
        if op != "replace":
            return False
        was, now = list(old[i1:i2]), list(new[j1:j2])
        name, pronoun, rest = ((was, now, [*old[:i1], *old[i2:]]) if now == ["yours"]
                               else (now, was, [*new[:j1], *new[j2:]]))
        if (pronoun != ["yours"] or not 2 <= len(name) <= _NAME_WORDS or name[0] != "your"
                or _WEIGHTY & set(name) or f" {' '.join(name)} " not in f" {' '.join(rest)} "):
            return False
    return bool(edits)


def _renumbered_references(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether the only edits are the numbers after "Section", "Article", ... (a document
    renumbered after an inserted clause): numbering, which changes nothing."""
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    changed = False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        after_reference = i1 > 0 and (old[i1 - 1] in _REF_WORDS or (
            i1 > 1 and _REF_NUMBER.match(old[i1 - 1]) and old[i1 - 2] in _REF_WORDS))
        if op != "replace" or not after_reference:
            return False
        if not all(_REF_NUMBER.match(t) for t in (*old[i1:i2], *new[j1:j2])):
            return False
        changed = True
    return changed


def _date_word(token: str) -> bool:
    if token in _MONTHS or token in _FILLER:
        return True
    if token.isdigit():
        return len(token) <= 2 or (len(token) == 4 and token[:2] in ("19", "20")) or len(
            token) == 8  # 20250601
    return False


def _subject(clause: Clause) -> str:
    """What the clause is, in a few words: its category, else what it does and for whom."""
    if clause.categories:
        return _LABEL.get(clause.categories[0], clause.categories[0].replace("_", " "))
    a = clause.attributes
    party = _PARTY.get(a.bearer or "")
    if a.modality == "obligation":
        return f"Duty of {party}" if party else "Duty"
    if a.modality == "prohibition":
        return f"Prohibition on {party}" if party else "Prohibition"
    if a.modality == "permission":
        return f"Right of {party}" if party else "Permission"
    if a.modality == "exclusion":
        return f"Exclusion for {party}" if party else "Exclusion"
    return f"Clause about {party}" if party else "Clause"


def _normative(clause: Clause) -> bool:
    """Whether a clause binds or entitles someone: a category, a modal verb, a bearer, a
    cap, or words naming a party (in the clause or, for a list item, its lead-in)."""
    a = clause.attributes
    return bool(clause.categories or a.modality or a.bearer or a.liability_cap
                or _PARTY_WORD.search(_with_lead_in(clause)))


def _with_lead_in(clause: Clause) -> str:
    return f"{clause.lead_in} {clause.text}" if clause.lead_in and clause.marker else clause.text


_MONEY = re.compile(
    r"\b(?:fees?|prices?|pricing|charged?|charges|refund(?:s|ed|able)?|payments?|billing|billed"
    r"|subscriptions?|credits?|paid|costs?|invoices?|renew(?:s|al|ed)?|free trials?)\b",
    re.IGNORECASE)


_PARTY_WORD = re.compile(r"\b(?:you|your|yours|we|us|our|users?|customers?)\b", re.IGNORECASE)


def _severity(clause: Clause) -> str:
    """Medium for a clause with a category, or one about money that binds someone, however
    small the edit ("unauthorized" added to a ban on bots narrows it); low for any other
    clause that binds or entitles someone; info for a description that names no party."""
    if clause.categories:
        return "medium"
    if _normative(clause) and _MONEY.search(clause.text):
        return "medium"
    return "low" if _normative(clause) else "info"


def _direction(clause: Clause, kind: str) -> str:
    """Whom a clause that appears disadvantages; a removal is the mirror."""
    a = clause.attributes
    against = ((a.bearer == "user" and a.modality in ("obligation", "prohibition"))
               or (a.bearer == "provider" and a.modality in ("permission", "exclusion"))
               or bool(a.liability_cap))
    favours = ((a.bearer == "user" and a.modality == "permission")
               or (a.bearer == "provider" and a.modality in ("obligation", "prohibition")))
    if kind == "modified" or against == favours:
        return "neutral"
    if kind == "added":
        return "against_user" if against else "for_user"
    return "for_user" if against else "against_user"


def _quote(text: str, limit: int = _SNIPPET) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def _raw_words(text: str) -> list[str]:
    text = _LINK.sub(" ", _ZERO_WIDTH.sub("", text))
    return _WORD.findall(_ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text))


_JOINERS = _FILLER | {"your", "our", "you", "we", "my", "their", "his", "her"}


def _raw_edit(old: str, new: str) -> tuple[list[str], list[str]]:
    """The phrases (as written) the new text adds and drops, compared word by word with
    case, spelling variants and punctuation folded away."""
    a, b = _raw_words(old), _raw_words(new)
    matcher = difflib.SequenceMatcher(None, [canon(w) for w in a], [canon(w) for w in b],
                                      autojunk=False)
    # edits one small word apart are one edit: "Your business is" -> "You or your
    # organization are", "If you are" + "business customer" -> "If you are a business customer"
    spans: list[list[int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if spans and i1 - spans[-1][1] == 1 and canon(a[i1 - 1]) in _JOINERS:
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    inserted = [" ".join(b[j1:j2]) for _, _, j1, j2 in spans if j2 > j1]
    deleted = [" ".join(a[i1:i2]) for i1, i2, _, _ in spans if i2 > i1]
    return inserted, deleted


def _as_written(stems: tuple[str, ...], texts: Iterable[str]) -> str:
    """A renamed name as the document prints it ("Connectors"), from its folded stems."""
    for text in texts:
        raw = _raw_words(text)
        folded = [_stem(canon(w)) for w in raw]
        for i in range(len(raw) - len(stems) + 1):
            if tuple(folded[i:i + len(stems)]) == stems:
                return " ".join(raw[i:i + len(stems)])
    return " ".join(stems)


def _numbers(text: str) -> list[str]:
    """The distinct numbers of a text, in order: "Microsoft 365" said once more is no new
    number."""
    return list(dict.fromkeys(m.group(0) for m in re.finditer(r"\d+(?:[.,]\d+)*",
                                                             _LINK.sub(" ", text))))


def describe(change: Change) -> tuple[str, str]:
    """A title and an explanation that say in words what changed."""
    clause = change.new or change.old
    assert clause is not None
    subject = _subject(_richer(change))
    party = _PARTY.get(clause.attributes.bearer or "")
    whose = f" It states {_modal_phrase(clause)}." if party and clause.attributes.modality else ""
    cats = ", ".join(c.replace("_", " ") for c in clause.categories)
    read_as = f" Read as: {cats}." if cats else ""
    if change.kind == "added":
        return (f"{subject} added: {_quote(clause.text, 60)}",
                f"The new version adds this clause.{whose}{read_as}")
    if change.kind == "removed":
        return (f"{subject} removed: {_quote(clause.text, 60)}",
                f"The new version no longer has this clause.{whose}{read_as}")
    inserted, deleted = _raw_edit(change.old.text if change.old else "", clause.text)
    inserted = [t for t in inserted if _substance(words(t))]
    deleted = [t for t in deleted if _substance(words(t))]
    if inserted and sorted(map(words, inserted)) == sorted(map(words, deleted)):
        gist = " and ".join(f"{_quote(t, 40)} moved" for t in inserted[:2]) + (
            f" and {len(inserted) - 2} more" if len(inserted) > 2 else "")
    elif len(inserted) == 1 and len(deleted) == 1:
        gist = f"{_quote(deleted[0], 40)} became {_quote(inserted[0], 40)}"
    elif inserted and not deleted:
        gist = " and ".join(f"adds {_quote(t, 40)}" for t in inserted[:2]) + (
            f" and {len(inserted) - 2} more" if len(inserted) > 2 else "")
    elif deleted and not inserted:
        gist = " and ".join(f"drops {_quote(t, 40)}" for t in deleted[:2]) + (
            f" and {len(deleted) - 2} more" if len(deleted) > 2 else "")
    elif inserted:
        more = len(inserted) + len(deleted) - 1
        gist = f"adds {_quote(inserted[0], 40)} and {more} more edit{'s' if more > 1 else ''}"
    else:
        gist = "reworded"
    parts = []
    if inserted:
        parts.append("Added words: " + "; ".join(_quote(t, 90) for t in inserted[:4])
                     + (f" and {len(inserted) - 4} more" if len(inserted) > 4 else "") + ".")
    if deleted:
        parts.append("Removed words: " + "; ".join(_quote(t, 90) for t in deleted[:4])
                     + (f" and {len(deleted) - 4} more" if len(deleted) > 4 else "") + ".")
    old_n, new_n = _numbers(change.old.text if change.old else ""), _numbers(clause.text)
    if old_n != new_n:
        parts.append(f"Numbers: {', '.join(old_n) or 'none'} became {', '.join(new_n) or 'none'}.")
    shape = _shape(change, inserted, deleted)
    body = " ".join(parts) or "The clause was reworded."
    # the title says which way it moved when the edit shows it ("Refund narrowed: adds ...")
    verb = next((v.lower() for v in ("Reversed", "Narrowed", "Widened") if shape.startswith(v)),
                "changed")
    return f"{subject} {verb}: {gist}", f"{shape}{body}{whose}{read_as}"


# as words() folds them: "cannot" and "can't" read "canot"
_NEGATION = frozenset(("not", "no", "never", "nor", "cannot", "canot", "neither"))
# Negative words that negate nothing of the clause: "including but not limited to", "not
# only ... but also", "no later than", "at no cost".
_NOT_A_NEGATION = re.compile(
    r"\b(?:including,?\s+)?but\s+not\s+limited\s+to\b|\bincluding,?\s+not\s+limited\s+to\b"
    r"|\bnot\s+only\b|\bno\s+(?:later|earlier|more|less|fewer|sooner)\s+than\b"
    r"|\bat\s+no\s+(?:additional\s+|extra\s+)?(?:cost|charge)\b", re.IGNORECASE)
_REVERSAL = 6  # at most this many words in the passage that adds or drops the negation
_ITEM = 8  # a list item is a name or a phrase, not ", and books not returned incur a fine"
# a phrase with its own subject and verb is a clause joined on, not a list item
_OWN_CLAUSE = re.compile(r"\b(?:we|you|they|it|he|she|i)\s+(?:will|may|must|shall|can|could"
                         r"|would|should|are|is|do|does|have|has|keep|reserve)\b", re.IGNORECASE)
_CONDITION = re.compile(
    r"\b(?:only|solely|unless|except|if|provided|subject\s+to|to\s+the\s+extent|where|when"
    r"|that\s+violat\w*|for\s+(?:good\s+)?cause|in\s+breach|breach\w*|violat\w*"
    r"|unauthori[sz]ed|without\s+(?:our|your)\s+(?:consent|permission|approval)|with\s+(?:our|your)"
    r"\s+(?:consent|permission|approval))\b", re.IGNORECASE)
# an added condition that opens with "or" is one more case, not one more hurdle
_ANOTHER_CASE = re.compile(r"^\W*or\b", re.IGNORECASE)
_LISTED = re.compile(r"^(?:,?\s*(?:and|or)\s+)?[\w-]+(?:\s*,\s*[\w-]+)*,?$|^[\w-]+\s*,$")


def _negates(passage: str) -> bool:
    return bool(_NEGATION & set(words(_NOT_A_NEGATION.sub(" ", passage))))


def _negated(passages: Sequence[str]) -> list[str]:
    """The passages that hold a real negation, each as short as a reversal allows."""
    return [t for t in passages if _negates(t) and len(words(t)) <= _REVERSAL]


def _shape(change: Change, inserted: Sequence[str], deleted: Sequence[str]) -> str:
    """How the clause moved, where the edit shows it: reversed, from one party to another,
    narrowed by a condition, or widened by more items in a list or a dropped condition."""
    old, new = change.old, change.new
    if old is None or new is None:
        return ""
    out = []
    # a negation on one side only, in a short passage: "may use" -> "may not use"; never
    # "not" -> "never", nor a "not" inside a rewritten passage
    negated_in, negated_out = _negated(inserted), _negated(deleted)
    if bool(negated_in) != bool(negated_out) and not any(
            map(_negates, deleted if negated_in else inserted)):
        out.append("Reversed: a negation was added or removed.")
    was, now = old.attributes.bearer, new.attributes.bearer
    if was and now and was != now:
        out.append(f"Moved from {_PARTY[was]} to {_PARTY[now]}.")
    added, dropped = _new_conditions(inserted, deleted), _new_conditions(deleted, inserted)
    if added and not dropped and _ANOTHER_CASE.match(added[0]):
        out.append(f"Widened: another case was added ({_quote(added[0], 60)}).")
    elif dropped and not added and _ANOTHER_CASE.match(dropped[0]):
        out.append(f"Narrowed: one case was dropped ({_quote(dropped[0], 60)}).")
    elif added and not dropped:
        out.append(f"Narrowed: a condition or qualifier was added ({_quote(added[0], 60)}).")
    elif dropped and not added:
        out.append(f"Widened: a condition or qualifier was removed ({_quote(dropped[0], 60)}).")
    elif (free := _freedoms(inserted, deleted)) is not None:
        out.append(free)
    elif inserted and not deleted and any(_in_list(new.text, t) for t in inserted if _item(t)):
        out.append("Widened: more items in a list.")
    elif deleted and not inserted and any(_in_list(old.text, t) for t in deleted if _item(t)):
        out.append("Narrowed: fewer items in a list.")
    return " ".join(out) + (" " if out else "")


# Words that free a right or a duty from limits ("at any time", "for any reason", "without
# notice", "in our sole discretion"): added, it reaches further; dropped, less far.
_FREEDOM = re.compile(r"\bat\s+any\s+time\b|\bfor\s+any\s+(?:or\s+no\s+)?reason\b"
                      r"|\bwithout\s+(?:prior\s+|any\s+|advance\s+)?notice\b"
                      r"|\bin\s+(?:our|its|their)\s+(?:sole|absolute)\s+discretion\b",
                      re.IGNORECASE)


def _freedoms(inserted: Sequence[str], deleted: Sequence[str]) -> str | None:
    """How the edit moves the clause by the words that free it from limits, when only one
    side has them."""
    gained = [m.group(0) for t in inserted for m in _FREEDOM.finditer(t)]
    lost = [m.group(0) for t in deleted for m in _FREEDOM.finditer(t)]
    if gained and not lost:
        return f"Widened: it now holds “{gained[0]}”."
    if lost and not gained:
        return f"Narrowed: it no longer holds “{lost[0]}”."
    return None


def _item(phrase: str) -> bool:
    return len(words(phrase)) <= _ITEM and not _OWN_CLAUSE.search(phrase)


# A condition is only reworded when a phrase of the other side holds at least this share of
# its words ("Except for our termination of your account for breach" -> "unless we
# terminated your account for breach"); else it was added or dropped.
_SAME_CONDITION = 0.5
# A condition is a phrase; a new passage that opens with "if" ("Furthermore, if you use an
# MCP server ..., you are responsible ...") is more than a condition on the old words.
_CONDITION_WORDS = 12


def _content(phrase: str) -> set[str]:
    """A phrase's stems less its small words and condition words ("if we" has none)."""
    kept = _SMALL_CONDITION_WORDS.sub(" ", phrase)
    return {_stem(w) for w in words(kept) if w not in _JOINERS}


# what opens a condition, and the small words around it, say nothing of which condition
_SMALL_CONDITION_WORDS = re.compile(
    r"\b(?:if|unless|except|only|solely|provided|where|when|for|with|from|upon)\b",
    re.IGNORECASE)


def _new_conditions(these: Sequence[str], others: Sequence[str]) -> list[str]:
    """The phrases of `these` that state a condition no phrase of `others` words again."""
    other_stems = [_content(t) for t in others]
    out = []
    for phrase in these:
        if len(words(phrase)) > _CONDITION_WORDS or not _CONDITION.search(
                _NOT_A_NEGATION.sub(" ", phrase)):
            continue
        mine = _content(phrase)
        if not any(len(mine & theirs) >= _SAME_CONDITION * len(mine)
                   for theirs in other_stems if mine and theirs) and words(phrase) not in {
                       words(t) for t in others}:
            out.append(phrase)
    return out


def _in_list(text: str, phrase: str) -> bool:
    """Whether `phrase` stands in `text` as an item of a comma or "and/or" list."""
    at = text.find(phrase)
    if at < 0:
        return False
    before, after = text[:at].rstrip(), text[at + len(phrase):].lstrip()
    return before.endswith(",") or after.startswith(",") or bool(
        re.match(r"(?:and|or)\b", after)) or bool(re.search(r"\b(?:and|or)$", before))


def _modal_phrase(clause: Clause) -> str:
    a = clause.attributes
    party = _PARTY.get(a.bearer or "", "a party")
    return {"obligation": f"a duty of {party}", "prohibition": f"something {party} may not do",
            "permission": f"a right of {party}", "exclusion": f"an exclusion that protects {party}",
            }.get(a.modality or "", f"something about {party}")


_LIST_MARK = re.compile(r"^(?:[a-z]|[ivx]{1,4})$")
_POINTER = re.compile(
    r"^(?:(?:to|you can|you may|please)\s+(?:learn|read|find out|see)\s+more\b"
    r"|for\s+(?:more|further)\s+(?:information|details)\b"
    r"|(?:an?\s+)?(?:more|further|additional)\s+(?:information|details|explanations?)\b.{0,200}?"
    r"\b(?:is|are|(?:can|may)\s+be)\s+(?:available|found)\b"
    r"|see\s+(?:also\s+)?(?:our|the|section)\b)", re.IGNORECASE)


def _flat(clause: Clause) -> str:
    """A clause's words with inline list markers ("a.", "(ii)") dropped, for containment."""
    return _flat_text(clause.text)


@lru_cache(maxsize=1 << 15)
def _flat_text(text: str) -> str:
    return " ".join(w for w in words(text) if not _LIST_MARK.match(w))


_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|\(?[a-z0-9]{1,4}\))\s+")


def _heading(clause: Clause) -> bool:
    """A label, a line in Title Case with no sentence end ("Do Not Compromise Computer or
    Network Systems") or a numbered one ("8.4 Reliance."): it names what follows and
    allocates nothing by itself."""
    if is_label(clause):
        return True
    text = clause.text.strip()
    numbered = _NUMBERED.match(text)
    if text.endswith((";", ":", "!", "?", ",")) or (text.endswith(".") and not numbered):
        return False
    tokens = [t for t in re.findall(r"[A-Za-z]+", text) if len(t) > 3]
    limit = 6 if numbered and text.endswith(".") else 14
    return 0 < len(tokens) <= limit and all(t[0].isupper() for t in tokens)


def general_findings(changes: Sequence[Change], covered: dict[str, int],
                     old: Sequence[Clause] = (), new: Sequence[Clause] = ()) -> list[Finding]:
    """A finding for every substantive change that no shift rule already spoke for.
    `covered` holds the clauses ("old:c3", "new:c7") the rules' findings sit on, with the
    rank of their highest severity: a change the rules read at least as severely as this
    reading gets no general finding; a rewritten clause they read lower (a liability clause
    rewritten into a broader exclusion, seen by the rules only as "no longer solely") gets
    both, since the rule saw one aspect of the rewrite; `old`
    and `new` are both versions' clauses, to see words that only moved into another clause
    (a list merged into one sentence, a sentence split in three)."""
    renames = find_renames(changes)
    texts = _Texts(old, new)
    out: list[Finding] = []
    renamed: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
    for change in changes:
        if change.kind not in ("added", "removed", "modified"):
            continue
        clause = change.new or change.old
        if clause is None or _heading(clause):
            continue
        keys = {f"old:{change.old.id}" if change.old else "", f"new:{change.new.id}"
                if change.new else ""} - {""}
        ranked = max((covered.get(k, -1) for k in keys), default=-1)
        if ranked >= RANKS["medium"] or (ranked >= 0 and not _rewritten(change)):
            continue  # a rule read the whole clause, or the whole edit
        if change.kind == "modified" and not change.redline:
            continue  # same words, new styling: the emphasis rules speak for it
        why = (wording_only(change, renames) if change.kind == "modified" else None) or _elsewhere(
            change, texts) or _pointer(clause)
        severity = "info" if why else _severity(_richer(change))
        if ranked >= RANKS[severity]:
            continue  # the shift rules already say it, as loudly
        title, explanation = describe(change)
        if why:
            explanation = f"Wording only: {why}. {explanation}"
        if why == _RENAMED and change.old and change.new:
            for key in renames.used(edit_between(change.old.text, change.new.text)):
                renamed.setdefault(key, []).append(len(out))
        out.append(Finding(
            id="", type=f"clause_{change.kind}", category=_category(change),
            severity=severity,  # type: ignore[arg-type]
            direction="neutral" if why else _direction(clause, change.kind),  # type: ignore[arg-type]
            title=title, explanation=explanation, rule=RULE,
            old_clause=change.old.id if change.old else None,
            new_clause=change.new.id if change.new else None,
            evidence_old=change.old.text if change.old else None,
            evidence_new=change.new.text if change.new else None))
    leads = _name_renames(out, renamed, changes)
    leads |= _blocks(out, changes)
    return _sections(out, leads, old, new)


# A run of this many clauses added (or removed) together is a block: a document appended
# to a page, a section dropped. One finding names the block; its clauses stay listed at info.
BLOCK = 40


def _blocks(out: list[Finding], changes: Sequence[Change]) -> set[int]:
    """Folds each block of BLOCK or more consecutive added (removed) clauses into one
    finding at the highest severity of its clauses, so 700 appended clauses are one entry on
    the first screen, not 700. Shift-rule findings in the block stay as they are. Returns
    the indexes of the findings that now speak for a block."""
    by_clause = {(f.type, f.new_clause or f.old_clause): i for i, f in enumerate(out)}
    run: list[Change] = []
    leads: set[int] = set()
    for change in [*changes, None]:
        if change is not None and run and change.kind == run[0].kind:
            run.append(change)
            continue
        if len(run) >= BLOCK and (lead := _fold(out, run, by_clause)) is not None:
            leads.add(lead)
        run = [change] if change is not None and change.kind in ("added", "removed") else []
    return leads


def _fold(out: list[Finding], run: list[Change], by_clause: dict[tuple[str, str | None], int]
          ) -> int | None:
    kind = run[0].kind
    side = [c.new if kind == "added" else c.old for c in run]
    members = [i for c in side if c is not None
               and (i := by_clause.get((f"clause_{kind}", c.id))) is not None]
    loud = [i for i in members if out[i].severity != "info"]
    if not loud:
        return None
    lead = min(loud, key=lambda i: RANKS_DOWN[out[i].severity])
    sections = list(dict.fromkeys(c.section[0] for c in side if c and c.section))
    cats = sorted({cat for c in side if c for cat in c.categories})
    where = (f" in {'; '.join(sections[:3])}" + (f" and {len(sections) - 3} more parts"
                                                 if len(sections) > 3 else "")) if sections else ""
    verb = "added" if kind == "added" else "removed"
    for i in loud:
        if i != lead:
            out[i] = replace(out[i], severity="info", explanation=(
                f"Part of a block of {len(run)} clauses {verb} together (see the finding "
                f"“{len(run)} clauses {verb}”). {out[i].explanation}"))
    first = out[lead]
    out[lead] = replace(
        first, title=f"{len(run)} clauses {verb}{where}",
        explanation=(f"The new version {'adds' if kind == 'added' else 'drops'} a block of "
                     f"{len(run)} clauses{where}"
                     + (f", read as {', '.join(c.replace('_', ' ') for c in cats)}" if cats
                        else "")
                     + f". The first of them that binds someone is quoted; the others are "
                     f"listed at info. {first.title}."))
    return lead


# A section in which SECTION_FOLD or more clauses changed with no shift rule to speak for
# them (rewritten, when that is at least SECTION_CHANGED of what it holds): one finding names
# the section and what changed in it, at the highest severity of those changes and leaning the
# way its loudest one-sided changes lean (neutral when they lean both ways), and quotes the
# changed clauses (every medium one by title in its explanation); each change stays listed
# at info, in place. A real rewrite (an acceptable-use policy reorganised, a rewards
# programme redone) otherwise fills the first screen with a dozen "clause added" entries in
# one place. High findings, the shift
# rules' findings and changes to clauses read as who answers (responsibility, liability,
# indemnity, agents' authority, oversight, arbitration: any category of either side) are
# never folded. The section is the clause's own (its full heading path); what is left of a
# part whose small sections changed one or two clauses each folds into the part when that is
# SECTION_CHANGED of it. Only a section that holds less than SECTION_SHARE of the two
# versions' clauses folds: the document's title, or a heading over most of it, is none.
SECTION_FOLD = 3
SECTION_SHARE = 0.5
SECTION_CHANGED = 0.4  # at least this share of the section's clauses changed
_FOLDABLE = frozenset({"low", "medium"})
_QUOTED = 4  # member titles quoted in the explanation
_CATEGORY_ORDER = {category: rank for rank, category in enumerate(CATEGORIES)}


def _sections(out: list[Finding], leads: set[int], old: Sequence[Clause],
              new: Sequence[Clause]) -> list[Finding]:
    clauses = {("old", c.id): c for c in old} | {("new", c.id): c for c in new}
    # clauses under each heading path, its subsections included (both versions)
    within: Counter[tuple[str, ...]] = Counter(
        key[:depth] for key in map(_section_key, clauses.values())
        for depth in range(1, len(key) + 1))
    limit = SECTION_SHARE * len(clauses)

    def clauses_of(finding: Finding) -> list[Clause]:
        return [c for c in (clauses.get(("old", finding.old_clause or "")),
                            clauses.get(("new", finding.new_clause or ""))) if c is not None]

    paths: dict[int, tuple[str, ...]] = {}
    for i, finding in enumerate(out):
        if (i in leads or finding.type not in GENERAL_TYPES
                or finding.severity not in _FOLDABLE or not (found := clauses_of(finding))):
            continue
        if any(_HIGH_CATEGORIES.intersection(c.categories) for c in found):
            continue  # who answers, on either side, stands alone
        paths[i] = _section_key(found[-1])  # the new clause's own section, else the old one's
    folds: dict[tuple[str, ...], list[int]] = {}
    # Each section's own changes first; then, deepest first, what is left in a part whose
    # subsections changed one or two clauses each, when the changes are a real share of it
    # (a programme redone across its small sections), never a part's scattered edits.
    for depth in range(max(map(len, paths.values()), default=0), 0, -1):
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, path in paths.items():
            if len(path) >= depth:
                groups.setdefault(path[:depth], []).append(i)
        for section, members in groups.items():
            own = sum(len(paths[i]) == depth for i in members)
            share = len(members) / (within[section] / 2)
            if within[section] >= limit or not (
                    own >= SECTION_FOLD or (len(members) >= SECTION_FOLD
                                            and share >= SECTION_CHANGED)):
                continue
            folds[section] = members
            for i in members:
                del paths[i]
    # A part that folds takes in its subsections that folded on their own: a programme
    # rewritten in its own clauses and in six of its sections is one finding, not seven.
    parts: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for section in folds:
        top = min((other for other in folds if section[:len(other)] == other), key=len)
        parts.setdefault(top, []).append(section)
    folded: list[Finding] = []
    for part, sections in parts.items():
        members = sorted(i for section in sections for i in folds[section])
        share = len(members) / (within[part] / 2)
        subsections = [section[-1] for section in sections if section != part]
        folded.append(_fold_section(out, part, members, share >= SECTION_CHANGED,
                                    subsections))
    return out + folded


def _section_key(clause: Clause) -> tuple[str, ...]:
    """A clause's own section, its headings compared without a closing colon or stop."""
    return tuple(heading.rstrip(" :.") for heading in clause.section)


def _fold_section(out: list[Finding], section: tuple[str, ...], members: list[int],
                  rewritten: bool, subsections: Sequence[str] = ()) -> Finding:
    """The finding for a rewritten section (with the `subsections` rewritten in it); its
    members are set to info in place."""
    found = [out[i] for i in members]
    name = section[-1]
    kinds = Counter(f.type.removeprefix("clause_") for f in found)
    counts = ", ".join(f"{n} {'changed' if kind == 'modified' else kind}"
                       for kind in ("added", "removed", "modified") if (n := kinds[kind]))
    loudest = sorted(found, key=lambda f: (RANKS_DOWN[f.severity], f.category is None,
                                           _CATEGORY_ORDER.get(f.category or "", 0)))
    # the category most of its loudest changes have (the contract's order breaks a tie): a
    # rewards programme with one rule about bots is not about agents
    top = [f.category for f in loudest if f.category and f.severity == loudest[0].severity]
    share = Counter(top)
    cats = sorted(dict.fromkeys(f.category for f in loudest if f.category),
                  key=lambda c: (-share[c], _CATEGORY_ORDER.get(c, 0)))
    severity = loudest[0].severity
    # every medium change is quoted, however many; low ones up to _QUOTED in all
    shown = [f for f in loudest if f.severity != "low"]
    shown += [f for f in loudest if f.severity == "low"][:max(0, _QUOTED - len(shown))]
    more = len(found) - len(shown)
    # the way the loudest one-sided changes lean; neutral when those lean both ways
    sided = [f for f in loudest if f.direction != "neutral"]
    leaning = {f.direction for f in sided if f.severity == sided[0].severity} if sided else set()
    read = (f" Read as {', '.join(c.replace('_', ' ') for c in cats)}." if cats else "")
    title = f"Section “{name}” {'rewritten' if rewritten else 'changed'}: {counts}"
    inside = (f" Its sections {', '.join(f'“{s}”' for s in subsections[:-1])} and "
              f"“{subsections[-1]}” changed too and are counted here." if len(subsections) > 1
              else f" Its section “{subsections[0]}” changed too and is counted here."
              if subsections else "")
    for i in members:
        out[i] = _member(out[i], title)
    return Finding(
        id="", type=SECTION_TYPE, category=cats[0] if cats else None,
        severity=severity, direction=leaning.pop() if len(leaning) == 1 else "neutral",
        title=title,
        explanation=(f"The new version changes {len(found)} clauses in “{name}” that no shift "
                     f"rule speaks for: {'; '.join(f.title for f in shown)}"
                     + (f"; and {more} more at low" if more > 0 else "")
                     + f".{inside}{read} Each is quoted below and listed at info with its "
                     "clause."),
        rule=RULE, old_clause=None, new_clause=None,
        old_clauses=tuple(f.old_clause for f in found if f.old_clause),
        new_clauses=tuple(f.new_clause for f in found if f.new_clause),
        evidence_old="\n\n".join(f.evidence_old for f in found if f.evidence_old) or None,
        evidence_new="\n\n".join(f.evidence_new for f in found if f.evidence_new) or None)


def _member(finding: Finding, title: str) -> Finding:
    return replace(finding, severity="info", explanation=(
        f"Part of the changes to one section (see the finding “{title}”). {finding.explanation}"))


RANKS_DOWN = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _name_renames(out: list[Finding],
                  renamed: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]],
                  changes: Sequence[Change]) -> set[int]:
    """One low finding per rename, on the first clause it touches that has a category (the
    rename changes what that allocation covers), else on its first clause; the other
    clauses stay at info and are counted in its explanation. Returns the indexes of the
    findings that now speak for a rename."""
    categorised = {c.new.id for c in changes if c.new and c.new.categories}
    leads: set[int] = set()
    for (old_name, new_name), indexes in renamed.items():
        first = next((i for i in indexes if out[i].new_clause in categorised), indexes[0])
        leads.add(first)
        order = [first, *indexes]
        was = _as_written(old_name, [out[i].evidence_old or "" for i in order])
        now = _as_written(new_name, [out[i].evidence_new or "" for i in order])
        rest = out[first].explanation.split(". ", 1)[-1]  # without "Wording only: ..."
        others = len(indexes) - 1
        if not old_name:
            title, said = f"“{now}” added to a name throughout", f"adds “{now}” to a name"
        elif not new_name:
            title, said = f"“{was}” dropped from a name throughout", f"drops “{was}” from a name"
        else:
            title, said = f"“{was}” renamed “{now}” throughout", f"calls “{was}” “{now}”"
        out[first] = replace(
            out[first], severity="low", title=f"{title} ({len(indexes)} clauses)",
            explanation=(f"The new version {said} in this clause and {others} "
                         f"other{'s' if others != 1 else ''}; the other clauses are listed at "
                         f"info. Check that what the clauses allocate still covers the same "
                         f"thing. {rest}"))
    return leads


def _rewritten(change: Change) -> bool:
    """A modified pair that shares too few words for a word-by-word redline."""
    return change.kind == "modified" and [op for op, _ in change.redline] == ["delete", "insert"]


class _Texts:
    """Each version's words in one string, built when first asked for."""

    def __init__(self, old: Sequence[Clause], new: Sequence[Clause]) -> None:
        self._clauses = {"old": old, "new": new}
        self._built: dict[str, str] = {}

    def __getitem__(self, side: str) -> str:
        if side not in self._built:
            self._built[side] = f" {' '.join(_flat(c) for c in self._clauses[side])} "
        return self._built[side]


def _elsewhere(change: Change, texts: _Texts) -> str | None:
    """Whether the words of a change are all still there, in other clauses."""
    old_text, new_text = texts["old"], texts["new"]
    if change.kind == "removed" and change.old:
        flat = _flat(change.old)
        if len(flat.split()) >= 3 and f" {flat} " in new_text:
            return "its words are still in the new version, inside another clause"
    elif change.kind == "added" and change.new:
        flat = _flat(change.new)
        if len(flat.split()) >= 3 and f" {flat} " in old_text:
            return "its words were already in the old version, inside another clause"
    elif change.old and change.new:
        a, b = _flat(change.old), _flat(change.new)
        if a and b and f" {a} " in new_text and f" {b} " in old_text:
            return "its words were only regrouped with a neighbouring clause"
    return None


_REVISION_NOTE = re.compile(
    r"^\W*we(?:'|’)?(?:ve| have)?\s+(?:\w+\s+){0,2}?(?:added|clarified|revised|rewritten|updated"
    r"|made|included|changed|reorganized|reorganised|introduced|removed|simplified|restructured)\b",
    re.IGNORECASE)


# "This Policy is intended to help our users stay safe", "The purpose of these Guidelines is
# to explain ...": what the document is for, said of the document itself, in a verb that
# binds no one ("intended to bind you" stays a change).
_PURPOSE_NOTE = re.compile(
    r"^\W*(?:(?:the|this|these|our)\s+(?:\w+\s+){0,3}?(?:policy|policies|terms|guidelines|"
    r"agreement|standards|rules|notice|page|document)\s+(?:is|are)\s+(?:\w+\s+)?(?:intended|"
    r"designed|meant|written)|the\s+(?:purpose|aim|goal)\s+of\s+(?:the|this|these|our)\s+"
    r"(?:\w+\s+){0,3}?(?:policy|policies|terms|guidelines|agreement|standards|rules|notice|"
    r"page|document)\s+is)\s+to\s+(?:help|explain|describe|set\s+out|outline|summari[sz]e|"
    r"promote|encourage|support|guide|inform|clarify|give\s+(?:you\s+)?an\s+overview)\b",
    re.IGNORECASE)


# Words that make a sentence that opens as a pointer or a note bind someone after all; a
# party "responsible", not an adjective of use ("promote the responsible use").
_BINDS = re.compile(r"\b(?:must|shall|required?|agrees?|cannot|can\s*not|may\s+not|will\s+not"
                    r"|prohibited|forbidden|liable|responsible\s+(?:for|to|if|when|in)|(?:is|are"
                    r"|be|remains?|solely|fully|held|personally|re)\s+(?:\w+\s+){0,2}?"
                    r"responsible)\b", re.IGNORECASE)


def _pointer(clause: Clause) -> str | None:
    """A sentence that only points elsewhere ("For more information, see ..."), a note
    about the revision itself ("We've rewritten our Terms to be clearer"), or one that says
    what the document is for ("This Policy is intended to help you ...")."""
    text = clause.text.strip()
    if clause.categories or _BINDS.search(text):
        return None  # "... can be found below, and you must pay a $50 fee" binds
    if _POINTER.search(text):
        return "it only points to more information elsewhere"
    if _REVISION_NOTE.search(text) and len(text) < 200:
        return "it describes the revision, and binds no one"
    if _PURPOSE_NOTE.search(text) and len(text) < 200:
        return "it states the document's purpose, and binds no one"
    return None


def _richer(change: Change) -> Clause:
    """The side that says more: a clause that lost its category is judged by the old one."""
    new, old = change.new, change.old
    if new is None:
        assert old is not None
        return old
    if old is not None and len(old.categories) > len(new.categories):
        return old
    return new


def _category(change: Change) -> str | None:
    clause = _richer(change)
    return clause.categories[0] if clause.categories else None
