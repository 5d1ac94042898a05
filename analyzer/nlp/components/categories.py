"""`termshift_categories`: category C iff some rule of rules/categories/C*.yaml matches."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.nlp.components.shared import lowered_text, present_strings, reading_rules, state
from analyzer.nlp.reading import ReadingRules
from analyzer.rules import fold


def categorize_text(text: str, rules: ReadingRules) -> tuple[str, ...]:
    """The categories whose rules match `text`, in the contract's order (rules only)."""
    return rules.categorize_lowered(fold(text))


class CategoryComponent:
    """Sets the categories: category C iff some rule of C matches the text."""

    def __call__(self, doc: Doc) -> Doc:
        state(doc)["categories"] = reading_rules(doc).categorize_lowered(
            lowered_text(doc), present_strings(doc))
        return doc


@Language.factory("termshift_categories")
def make_categories(nlp: Language, name: str) -> CategoryComponent:
    """The category component."""
    return CategoryComponent()
