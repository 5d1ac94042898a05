"""The rules the classification stage reads a clause with, as one frozen object.

`ReadingRules` holds the category files, the attribute rules and the liability-cap
vocabulary, compiled; what is derived from them (the category index, every gate string) is
computed once per instance, on first use. `analyzer.rulebook.load_rulebook` builds it; the
pipeline's components receive it through each clause's shared state, so they load nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from analyzer.model import CATEGORIES
from analyzer.nlp.attribute_rules import AttributeRules
from analyzer.nlp.gates import RuleIndex
from analyzer.nlp.money import CapRules
from analyzer.rules import CategoryFile


@dataclass(frozen=True)
class CategoryIndex:
    """Every category rule, indexed by gate strings (see analyzer.nlp.gates)."""

    index: RuleIndex
    categories: tuple[str, ...]  # the category of each indexed rule

    def matching(self, lowered: str, present: frozenset[str]) -> set[str]:
        """The categories some rule of which matches the text."""
        found: set[str] = set()
        rules = self.index.rules
        for i in self.index.candidates(present):
            category = self.categories[i]
            if category not in found and rules[i].matches(lowered, present):
                found.add(category)
        return found


# Not slotted, and compared by identity (eq=False): the derived indexes are cached on the
# instance (functools.cached_property), and two loads of the same files are two rulebooks.
@dataclass(frozen=True, eq=False)
class ReadingRules:
    """Category files, attribute rules (by attribute) and liability-cap rules."""

    categories: tuple[CategoryFile, ...]
    attributes: Mapping[str, AttributeRules]
    caps: CapRules

    @cached_property
    def category_index(self) -> CategoryIndex:
        """The category rules, indexed by their gate strings."""
        rules = [(f.category, rule) for f in self.categories for rule in f.rules]
        return CategoryIndex(RuleIndex.of(r for _, r in rules), tuple(c for c, _ in rules))

    @cached_property
    def gate_strings(self) -> frozenset[str]:
        """Every gate string of every category and attribute rule (gates.presence)."""
        strings = self.category_index.index.strings()
        for rules in self.attributes.values():
            strings |= rules.gate_strings()
        return frozenset(strings)

    def attribute(self, name: str) -> AttributeRules:
        """The rules of one attribute (the loader makes sure each has its file)."""
        return self.attributes[name]

    def categorize_lowered(self, lowered: str, present: frozenset[str] | None = None
                           ) -> tuple[str, ...]:
        """The categories whose rules match folded text, in the contract's order; `present`
        (gates.presence) skips rules by set lookups."""
        if present is None:
            found = {f.category for f in self.categories if f.matches_lowered(lowered)}
        else:
            found = self.category_index.matching(lowered, present)
        return tuple(c for c in CATEGORIES if c in found)

    def unfair_tos_codes(self) -> dict[str, str]:
        """category -> the UNFAIR-ToS label its files map to (for training and scoring)."""
        return {f.category: f.unfair_tos for f in self.categories if f.unfair_tos}
