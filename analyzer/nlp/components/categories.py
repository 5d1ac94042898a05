"""`termshift_categories`: category C iff some rule of rules/categories/C*.yaml matches."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.model import CATEGORIES
from analyzer.nlp.components.shared import lowered_text, present_strings, state
from analyzer.nlp.gates import RuleIndex
from analyzer.rules import default_categories, fold


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


@lru_cache(maxsize=1)
def category_index() -> CategoryIndex:
    """The default category rules, indexed."""
    rules = [(f.category, rule) for f in default_categories() for rule in f.rules]
    return CategoryIndex(RuleIndex.of(r for _, r in rules), tuple(c for c, _ in rules))


def category_gate_strings() -> set[str]:
    """Every gate string of the category rules."""
    return category_index().index.strings()


def categorize_text(text: str) -> tuple[str, ...]:
    """The categories whose rules match `text`, in the contract's order (rules only)."""
    return categorize_lowered(fold(text))


def categorize_lowered(lowered: str, present: frozenset[str] | None = None) -> tuple[str, ...]:
    """The same for lower-cased text; `present` (gates.presence) skips rules by set lookups."""
    if present is None:
        found = {f.category for f in default_categories() if f.matches_lowered(lowered)}
    else:
        found = category_index().matching(lowered, present)
    return tuple(c for c in CATEGORIES if c in found)


class CategoryComponent:
    """Sets the categories: category C iff some rule of C matches the text."""

    def __call__(self, doc: Doc) -> Doc:
        state(doc)["categories"] = categorize_lowered(lowered_text(doc), present_strings(doc))
        return doc


@Language.factory("termshift_categories")
def make_categories(nlp: Language, name: str) -> CategoryComponent:
    """The category component."""
    return CategoryComponent()
