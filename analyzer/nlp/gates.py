"""Literal gates for a whole batch of clauses at once.

Every rule can only match text holding one of its necessary strings
(`analyzer.rules.necessary_literals`). Instead of one gate search per rule per clause, each
distinct string is looked for once in the batch (`str.find`, which is fast): a string of
word characters in the batch's vocabulary, any other in its joined text. That gives the
set of strings each clause holds; a rule whose strings are all absent is skipped without
running a regular expression.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analyzer.rules import PatternRule, necessary_literals

Literals = frozenset[str] | None  # None: no gate, the rule must always run
_SEPARATOR = "\x00"  # no literal of a rule spans it: patterns are read from YAML text


def literals_of(patterns: Iterable[re.Pattern[str]]) -> Literals:
    """The strings one of which every match of some pattern must contain; None if unknown."""
    found: set[str] = set()
    for pattern in patterns:
        literals = necessary_literals(pattern)
        if literals is None:
            return None
        found |= literals
    return frozenset(found) if found else None


def passes(literals: Literals, present: frozenset[str]) -> bool:
    """Whether a clause holding the `present` strings may match a rule gated by `literals`."""
    return literals is None or not literals.isdisjoint(present)


_WORD = re.compile(r"\w+")


def presence(lowered_texts: Sequence[str], literals: Iterable[str]) -> list[frozenset[str]]:
    """For each lower-cased text, which of `literals` it contains.

    A string made of word characters only can occur only inside one word of a text, so
    those are looked for once in the batch's vocabulary (its distinct words, far shorter
    than the texts) and each text collects the strings of its words; the other strings are
    looked for in the joined texts.
    """
    wordlike: list[str] = []
    others: list[str] = []
    for string in dict.fromkeys(literals):
        if string and _SEPARATOR not in string:
            (wordlike if _WORD.fullmatch(string) else others).append(string)
    found: list[set[str]] = [set() for _ in lowered_texts]
    if wordlike:
        words_of = [set(_WORD.findall(text)) for text in lowered_texts]
        vocabulary = sorted(set().union(*words_of))
        in_word = _occurrences(vocabulary, wordlike)
        for own, words in zip(found, words_of, strict=True):
            for word in words:
                strings = in_word.get(word)
                if strings:
                    own.update(strings)
    if others:
        for own, held in zip(found, _occurrences_per_text(lowered_texts, others),
                             strict=True):
            own.update(held)
    return [frozenset(s) for s in found]


def _occurrences(words: Sequence[str], strings: Sequence[str]) -> dict[str, list[str]]:
    """For each word that holds some of `strings`, which ones."""
    held: dict[str, list[str]] = {}
    for index, strings_here in enumerate(_occurrences_per_text(words, strings)):
        if strings_here:
            held[words[index]] = list(strings_here)
    return held


def _occurrences_per_text(texts: Sequence[str], strings: Sequence[str]) -> list[set[str]]:
    """For each text, which of `strings` it holds (one `find` pass per string)."""
    joined = _SEPARATOR.join(texts)
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    found: list[set[str]] = [set() for _ in texts]
    for string in strings:
        at = joined.find(string)
        while at >= 0:
            index = bisect.bisect_right(starts, at) - 1
            found[index].add(string)
            # Presence is all a gate needs: skip to the next text.
            if index + 1 >= len(starts):
                break
            at = joined.find(string, starts[index + 1])
    return found


Gated = tuple[tuple[re.Pattern[str], Literals], ...]


@dataclass(frozen=True)
class GatedRule:
    """A pattern rule whose every pattern carries its own gate strings."""

    rule: PatternRule
    literals: Literals  # a clause must hold one of these for any `any` pattern to match
    any: Gated
    all: Gated
    none: Gated

    @classmethod
    def of(cls, rule: PatternRule) -> GatedRule:
        """The rule with the necessary strings of each of its patterns."""
        def gated(patterns: tuple[re.Pattern[str], ...]) -> Gated:
            return tuple((p, literals_of([p])) for p in patterns)
        return cls(rule, literals_of(rule.any), gated(rule.any), gated(rule.all),
                   gated(rule.none))

    def strings(self) -> set[str]:
        """Every gate string of every pattern."""
        return {s for group in (self.any, self.all, self.none) for _, lits in group
                for s in lits or ()}

    def matches(self, lowered: str, present: frozenset[str]) -> bool:
        """The rule's own test on lower-cased text holding the `present` strings; a pattern
        whose strings are absent cannot match, so its regex does not run."""
        # Plain loops, not generators over `passes`: this runs ~15 times per clause.
        literals = self.literals
        if literals is not None and literals.isdisjoint(present):
            return False
        for pattern, lits in self.any:
            if (lits is None or not lits.isdisjoint(present)) and pattern.search(lowered):
                break
        else:
            return False
        for pattern, lits in self.all:
            if (lits is not None and lits.isdisjoint(present)) or not pattern.search(lowered):
                return False
        for pattern, lits in self.none:
            if (lits is None or not lits.isdisjoint(present)) and pattern.search(lowered):
                return False
        return True


@dataclass(frozen=True)
class RuleIndex:
    """Which of a list of rules a clause may match, from the gate strings it holds: the
    rules without a gate plus those gated by one of the strings (an inverted index)."""

    rules: tuple[GatedRule, ...]
    always: frozenset[int]  # positions of the rules without a gate
    by_string: dict[str, frozenset[int]]  # gate string -> positions of the rules it gates
    # The same index as bit masks (bit i: rule i), so `candidates` is a few integer ORs.
    _masks: dict[str, int] = field(init=False, repr=False, compare=False)
    _always_mask: int = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, rules: Iterable[PatternRule]) -> RuleIndex:
        """The index of `rules`, in their order."""
        gated = tuple(GatedRule.of(rule) for rule in rules)
        by_string: dict[str, set[int]] = {}
        for position, rule in enumerate(gated):
            for string in rule.literals or ():
                by_string.setdefault(string, set()).add(position)
        always = frozenset(i for i, rule in enumerate(gated) if rule.literals is None)
        return cls(gated, always, {s: frozenset(p) for s, p in by_string.items()})

    def __post_init__(self) -> None:
        masks = {s: sum(1 << i for i in p) for s, p in self.by_string.items()}
        object.__setattr__(self, "_masks", masks)  # frozen: set once, here
        object.__setattr__(self, "_always_mask", sum(1 << i for i in self.always))

    def candidates(self, present: frozenset[str]) -> list[int]:
        """Positions, in order, of the rules a text holding `present` may match."""
        masks = self._masks
        mask = self._always_mask
        for string in present:
            mask |= masks.get(string, 0)
        found = []
        while mask:
            low = mask & -mask
            found.append(low.bit_length() - 1)
            mask ^= low
        return found

    def strings(self) -> set[str]:
        """Every gate string of every pattern of the rules."""
        return {s for rule in self.rules for s in rule.strings()}
