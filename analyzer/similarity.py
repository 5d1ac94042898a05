"""Reading by example: how near a clause is to sentences written to show what a rule means.

Patterns find the wording they were written for; a policy written by someone else says the
same thing in other words ("An agent runs only when an engineer starts it" for "agents act
only when invoked"). A control file may therefore give, besides its patterns, example
sentences that meet the control (`paraphrases`) and sentences that look alike but do not
(`near_misses`). A clause evidences the control when it is nearer to a paraphrase than a
threshold, and nearer to the paraphrases than to every near miss.

Nearness is the cosine of TF-IDF vectors over word 1-2 grams and character 4-grams inside
words (so "invoked", "invokes" and "invocation" share features), hashed into a fixed space
(no vocabulary to store), with the inverse document frequency taken over all the examples
of the file. Pure Python and NumPy-free: a policy has tens of clauses and a file hundreds of
examples, so this costs milliseconds.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from analyzer.rules import fold

_WORD = re.compile(r"[a-z0-9]+")
# Words too common in policies to say what a sentence is about.
_STOP = frozenset((
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "be", "is",
    "are", "it", "its", "that", "this", "as", "at", "from", "any", "all", "each", "their",
    "our", "we", "they", "which", "who", "has", "have", "will", "shall", "must", "may",
))
BUCKETS = 1 << 20
# Weight of the nearest paraphrase against the centroid of all of a control's paraphrases
# (0.5 scored best of 0, 0.3, 0.5 and 1 on the dev policies; docs/CONTROLS.md).
MIX = 0.5
Vector = dict[int, float]


def stem(word: str) -> str:
    """A crude English stem, enough to meet a concept list: "invoked", "invokes" -> "invok"."""
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _features(text: str, concepts: dict[str, tuple[str, ...]] | None = None
              ) -> Counter[int]:
    tokens = [t for t in _WORD.findall(fold(text)) if t not in _STOP]
    if concepts:
        # A word of a concept list also counts as the concept ("bot", "copilot" -> AGENT),
        # so sentences that say one thing in different words share features.
        tokens = [*tokens, *(c for t in tokens for c in concepts.get(stem(t), ()))]
    grams: Counter[int] = Counter()
    for token in tokens:
        grams[zlib.crc32(token.encode()) % BUCKETS] += 1
        padded = f"<{token}>"
        for i in range(len(padded) - 3):
            grams[zlib.crc32(f"#{padded[i:i + 4]}".encode()) % BUCKETS] += 1
    for first, second in itertools.pairwise(tokens):
        grams[zlib.crc32(f"{first} {second}".encode()) % BUCKETS] += 2
    return grams


@dataclass(frozen=True, eq=False)
class ExampleSet:
    """The examples of one control: its paraphrases and its near misses, as vectors of the
    file's space, computed on first use (most commands never check a policy)."""

    space: Space
    paraphrase_texts: tuple[str, ...]
    near_miss_texts: tuple[str, ...]

    @cached_property
    def paraphrases(self) -> tuple[Vector, ...]:
        return tuple(self.space.vector(t) for t in self.paraphrase_texts)

    @cached_property
    def near_misses(self) -> tuple[Vector, ...]:
        return tuple(self.space.vector(t) for t in self.near_miss_texts)

    @cached_property
    def centroid(self) -> Vector:
        return _centroid(self.paraphrases)

    def nearness(self, vector: Vector) -> tuple[float, float]:
        """(nearness to the paraphrases, nearest near miss) for a clause's vector: the mean
        of its cosine to the nearest paraphrase and to the paraphrases' centroid, so a word
        one paraphrase happens to share counts for less than what they all share."""
        best = max((_dot(vector, p) for p in self.paraphrases), default=0.0)
        mix = MIX * best + (1 - MIX) * _dot(vector, self.centroid)
        return (mix, max((_dot(vector, n) for n in self.near_misses), default=0.0))


@dataclass(frozen=True, eq=False)  # hashed by identity: one per loaded file
class Space:
    """The weighting learnt from all examples of one control file (the inverse document
    frequency of every feature over `texts`), computed on first use."""

    texts: tuple[str, ...]
    concepts: dict[str, tuple[str, ...]]  # word stem -> the CONCEPTs it stands for

    @cached_property
    def _idf(self) -> tuple[dict[int, float], float]:
        seen: Counter[int] = Counter()
        for text in self.texts:
            seen.update(set(_features(text, self.concepts)))
        total = max(len(self.texts), 1)
        idf = {k: math.log((1 + total) / (1 + n)) + 1.0 for k, n in seen.items()}
        return idf, math.log(1 + total) + 1.0

    def vector(self, text: str) -> Vector:
        idf, default_idf = self._idf
        counts = _features(text, self.concepts)
        weighted = {k: (1.0 + math.log(v)) * idf.get(k, default_idf)
                    for k, v in counts.items()}
        norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        return {k: w / norm for k, w in weighted.items()}

    def examples(self, paraphrases: Sequence[str], near_misses: Iterable[str]) -> ExampleSet:
        return ExampleSet(self, tuple(paraphrases), tuple(near_misses))


def _centroid(vectors: Sequence[Vector]) -> Vector:
    total: dict[int, float] = {}
    for vector in vectors:
        for k, w in vector.items():
            total[k] = total.get(k, 0.0) + w
    norm = math.sqrt(sum(w * w for w in total.values())) or 1.0
    return {k: w / norm for k, w in total.items()}


def space_of(texts: Sequence[str], concepts: dict[str, list[str]] | None = None) -> Space:
    """The weighting of `texts` (all example sentences of a file); `concepts` names groups of
    words that mean one thing here ({"AGENT": ["agent", "bot", ...]})."""
    # A word may stand for more than one concept ("records": what is logged, and data).
    lexicon: dict[str, tuple[str, ...]] = {}
    for name, words in (concepts or {}).items():
        for word in words:
            key = stem(word.lower())
            if name.lower() not in lexicon.get(key, ()):
                lexicon[key] = (*lexicon.get(key, ()), name.lower())
    return Space(tuple(texts), lexicon)


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(k, 0.0) for k, w in a.items())
