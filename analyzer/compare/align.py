"""Pairs old and new clauses: identical, equal after normalisation, similar, then moved.

Exact and normalised matches go through dictionaries (linear); only the clauses left over are
scored with rapidfuzz and paired one-to-one with SciPy's assignment solver. A pair whose
old position breaks the longest increasing run of old positions has moved.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from analyzer.model import Clause

SIMILAR_AT = 60.0  # token-sort ratio (0-100) from which two clauses count as one, edited
KIN_BONUS = 25.0  # added when two leftovers share a category and their section heading
_WINDOW = 400  # clauses compared around a leftover clause's expected place in large documents
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+")
_LEADING_NUMBER = re.compile(
    r"^\s*(?:(?:section|article|clause|part)\s+)?(?:\(?[0-9ivxlc]{1,6}\)|\(?[a-z]\)|"
    r"\d+(?:\.\d+)*\.?|[ivxlc]{1,6}\.|[a-z]\.)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=1 << 15)
def normalise(text: str) -> str:
    """Text with case, numbering, punctuation, links and spacing folded away.

    Memoised: one comparison asks for a clause's form several times (alignment, findings),
    an unchanged clause has the same text on both sides, and a batch compares each version
    of a history twice."""
    text = _ZERO_WIDTH.sub("", text)
    text = _LINK.sub(" ", text)
    text = _LEADING_NUMBER.sub("", text.lower())
    return _NON_WORD.sub(" ", text).strip()


_SENTENCE_END = (".", ";", ":", "!", "?")


def is_label(clause: Clause | None) -> bool:
    """A few words with no sentence ending ("13. Limitation of Liability" in a table of
    contents): a label for a clause, which allocates nothing by itself."""
    return clause is not None and _label(clause.text, normalise(clause.text))


def _label(text: str, norm: str) -> bool:
    return len(norm.split()) <= 6 and not text.strip().endswith(_SENTENCE_END)


@dataclass(frozen=True)
class Pair:
    old: int
    new: int
    similarity: float  # 0..1
    exact: bool  # same words after normalisation


@dataclass(frozen=True)
class _Read:
    """What alignment reads of one version's clauses, computed once per comparison."""

    clauses: Sequence[Clause]
    norm: list[str]  # normalised texts
    label: list[bool]  # is_label
    heading: list[str]  # normalised last heading

    @classmethod
    def of(cls, clauses: Sequence[Clause]) -> _Read:
        norm = [normalise(c.text) for c in clauses]
        return cls(clauses, norm,
                   [_label(c.text, n) for c, n in zip(clauses, norm, strict=True)],
                   [normalise(c.section[-1]) if c.section else "" for c in clauses])


def align_clauses(old: Sequence[Clause], new: Sequence[Clause]) -> list[Pair]:
    """One-to-one pairs of old and new clause indices, by the strongest evidence first."""
    a, b = _Read.of(old), _Read.of(new)
    pairs: dict[int, Pair] = {}
    free_old = set(range(len(old)))
    free_new = set(range(len(new)))
    for key_old, key_new in (([c.text for c in old], [c.text for c in new]), (a.norm, b.norm)):
        by_key: dict[str, list[int]] = defaultdict(list)
        for j in sorted(free_new):
            by_key[key_new[j]].append(j)
        for i in sorted(free_old):
            candidates = by_key.get(key_old[i])
            if candidates:
                j = candidates.pop(0)
                pairs[i] = Pair(i, j, 1.0, True)
                free_old.discard(i)
                free_new.discard(j)
    for pair in _similar(a, b, sorted(free_old), sorted(free_new)):
        pairs[pair.old] = pair
    return sorted(pairs.values(), key=lambda p: p.new)


def _similar(a: _Read, b: _Read, rows: list[int], cols: list[int]) -> list[Pair]:
    if not rows or not cols:
        return []
    if len(rows) * len(cols) > _WINDOW * _WINDOW * 4:
        return _similar_windowed(a, b, rows, cols)
    scores = process.cdist([a.norm[i] for i in rows], [b.norm[j] for j in cols],
                           scorer=fuzz.token_sort_ratio, dtype=np.float32)
    # A label ("NO HIGH RISK USE") is never the rewording of a sentence, nor the reverse.
    old_label = np.array([a.label[i] for i in rows])
    new_label = np.array([b.label[j] for j in cols])
    scores[old_label[:, None] != new_label[None, :]] = 0.0
    # The words decide first; kinship (same category and section) only pairs what the words
    # left over, so it never takes a clause from the rewording that kept most of its words.
    found = _assign(scores, scores, rows, cols)
    paired_old, paired_new = {p.old for p in found}, {p.new for p in found}
    rest_rows = [r for r, i in enumerate(rows) if i not in paired_old]
    rest_cols = [c for c, j in enumerate(cols) if j not in paired_new]
    if rest_rows and rest_cols:
        rest = scores[np.ix_(rest_rows, rest_cols)]
        kin_rows, kin_cols = [rows[r] for r in rest_rows], [cols[c] for c in rest_cols]
        found += _assign(rest, rest + _kinship(a, b, kin_rows, kin_cols), kin_rows, kin_cols)
    return found


def _assign(scores: np.ndarray, boosted: np.ndarray, rows: list[int],
            cols: list[int]) -> list[Pair]:
    """The one-to-one pairs of highest total `boosted` score that reach SIMILAR_AT."""
    chosen = best_distinct(boosted)
    if chosen is None:
        # Imported here: scipy.optimize takes about half a second to import, which
        # `analyze`, `check` and most small comparisons need not pay.
        from scipy.optimize import linear_sum_assignment

        chosen = linear_sum_assignment(-boosted)
    chosen_rows, chosen_cols = chosen
    return [
        Pair(rows[r], cols[c], float(scores[r, c]) / 100.0, False)
        for r, c in zip(chosen_rows, chosen_cols, strict=True)
        if boosted[r, c] >= SIMILAR_AT
    ]


def best_distinct(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The assignment of highest total score when it needs no search: along the shorter side,
    each row (or column) has one strictly best partner and no two share it. That assignment
    is then the only optimum, so it is what the assignment solver would return (rows in
    order); None when it is not so simple."""
    if scores.size == 0:
        return None
    wide = scores.shape[0] <= scores.shape[1]
    lines = scores if wide else scores.T
    best = np.argmax(lines, axis=1)
    if len(set(best.tolist())) != len(best):
        return None
    if lines.shape[1] > 1:
        top_two = np.partition(lines, -2, axis=1)[:, -2:]
        if np.any(top_two[:, 0] >= top_two[:, 1]):
            return None
    order = np.arange(len(best))
    if wide:
        return order, best
    by_row = np.argsort(best)
    return best[by_row], order[by_row]


def _kinship(a: _Read, b: _Read, rows: list[int], cols: list[int]) -> np.ndarray:
    """A bonus for leftovers that share a category and a section heading: a rewritten cap
    ("$500 or the fees paid" -> "$50") is the same clause even when few words survive."""
    bonus = np.zeros((len(rows), len(cols)), dtype=np.float32)
    for r, i in enumerate(rows):
        cats, section = set(a.clauses[i].categories), a.heading[i]
        if not cats:
            continue
        for c, j in enumerate(cols):
            if cats & set(b.clauses[j].categories) and b.heading[j] == section:
                bonus[r, c] = KIN_BONUS
    return bonus


def _similar_windowed(a: _Read, b: _Read, rows: list[int], cols: list[int]) -> list[Pair]:
    """Large leftovers: pair within windows of expected position, so cost stays linear."""
    found: list[Pair] = []
    scale = len(b.clauses) / max(len(a.clauses), 1)
    taken: set[int] = set()
    for start in range(0, len(rows), _WINDOW):
        block = rows[start:start + _WINDOW]
        centre = int(block[len(block) // 2] * scale)
        lo = bisect.bisect_left(cols, centre - _WINDOW)
        window = [j for j in cols[lo:lo + 2 * _WINDOW] if j not in taken]
        for pair in _similar(a, b, block, window):
            found.append(pair)
            taken.add(pair.new)
    return found


def moved_pairs(pairs: list[Pair]) -> set[int]:
    """Old indices of pairs outside the longest increasing run of old positions."""
    ordered = sorted(pairs, key=lambda p: p.new)
    seq = [p.old for p in ordered]
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(seq)
    for k, value in enumerate(seq):
        pos = bisect.bisect_left(tails, value)
        if pos == len(tails):
            tails.append(value)
            tail_idx.append(k)
        else:
            tails[pos] = value
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    keep: set[int] = set()
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        keep.add(seq[k])
        k = prev[k]
    return {p.old for p in ordered if p.old not in keep}


def joined_matches(old: Sequence[Clause], new: Sequence[Clause], pairs: list[Pair]
                   ) -> list[Pair]:
    """Splits and merges with the same words: a leftover clause next to a paired one whose
    text, joined to its neighbour's, equals the other side's clause. Returned as exact pairs
    of the leftover with that clause."""
    paired_old = {p.old: p.new for p in pairs}
    paired_new = {p.new: p.old for p in pairs}
    found: list[Pair] = []
    for lone_old in (i for i in range(len(old)) if i not in paired_old):
        for k in (lone_old - 1, lone_old + 1):
            partner_new = paired_old.get(k)
            if partner_new is not None and _joins(old, min(lone_old, k), max(lone_old, k),
                                                  new[partner_new].text):
                found.append(Pair(lone_old, partner_new, 1.0, True))
                break
    for lone_new in (j for j in range(len(new)) if j not in paired_new):
        for k in (lone_new - 1, lone_new + 1):
            partner_old = paired_new.get(k)
            if partner_old is not None and _joins(new, min(lone_new, k), max(lone_new, k),
                                                  old[partner_old].text):
                found.append(Pair(partner_old, lone_new, 1.0, True))
                break
    return found


REJOIN_AT = 85.0  # ratio (0-100) of a joined text to the other side's clause
REJOIN_GAIN = 10.0  # how much nearer than the clause alone the joined text must be


def rejoin_ratio(joined: str, alone: str, whole: str) -> float | None:
    """How near two neighbouring clauses, joined, come to the other side's clause (0-100),
    when that is at least REJOIN_AT and REJOIN_GAIN more than the paired one alone: a split
    or merge with edits. None otherwise."""
    short, long = sorted((len(joined), len(whole)))
    if 200 * short < REJOIN_AT * (short + long):
        return None  # the ratio cannot reach REJOIN_AT with lengths this far apart
    target = normalise(whole)
    near = fuzz.ratio(normalise(joined), target, score_cutoff=REJOIN_AT)
    if not near or near < fuzz.ratio(normalise(alone), target) + REJOIN_GAIN:
        return None
    return float(near)


def neighbours(first: Clause, second: Clause) -> bool:
    """Whether two clauses of one version follow each other (ids c1, c2, ... in order)."""
    return abs(_number(first.id) - _number(second.id)) == 1


def _number(clause_id: str) -> int:
    digits = clause_id.lstrip("c")
    return int(digits) if digits.isdigit() else -10


def _joins(side: Sequence[Clause], first: int, second: int, other: str) -> bool:
    if first < 0 or second >= len(side):
        return False
    return normalise(f"{side[first].text} {side[second].text}") == normalise(other)
