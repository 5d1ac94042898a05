"""`termshift_categories`: category C iff some rule of rules/categories/C*.yaml matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.nlp.components.shared import lowered_text, present_strings, reading_rules, state
from analyzer.nlp.reading import ReadingRules
from analyzer.rules import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc


def categorize_text(text: str, rules: ReadingRules) -> tuple[str, ...]:
    """The categories whose rules match `text`, in the contract's order (rules only)."""
    return rules.categorize_lowered(fold(text))


class CategoryComponent:
    """Sets the categories: category C iff some rule of C matches the text."""

    def __call__(self, doc: Doc) -> Doc:
        state(doc)["categories"] = reading_rules(doc).categorize_lowered(
            lowered_text(doc), present_strings(doc))
        return doc
