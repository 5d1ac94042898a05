"""The rule components: categories, attributes and liability caps, configured from rules/."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.model import CATEGORIES
from analyzer.nlp.attribute_rules import default_attribute_rules
from analyzer.nlp.money import find_liability_cap
from analyzer.rules import default_categories

for _name in ("categories", "attribute_values", "liability_cap", "lowered"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def categorize_text(text: str) -> tuple[str, ...]:
    """The categories whose rules match `text`, in the contract's order (rules only)."""
    return categorize_lowered(text.lower())


def categorize_lowered(lowered: str) -> tuple[str, ...]:
    found = {f.category for f in default_categories()
             if any(r.matches_lowered(lowered) for r in f.rules)}
    return tuple(c for c in CATEGORIES if c in found)


def lowered_text(doc: Doc) -> str:
    """The doc's text lower-cased once for every rule component."""
    if doc._.lowered is None:
        doc._.lowered = doc.text.lower()
    return str(doc._.lowered)


class CategoryComponent:
    """Sets doc._.categories: category C iff some rule of C matches the text."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.categories = categorize_lowered(lowered_text(doc))
        return doc


class AttributeComponent:
    """Sets one attribute in doc._.attribute_values from its rule file (first match wins)."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.rules = default_attribute_rules().get(attribute)

    def __call__(self, doc: Doc) -> Doc:
        values = doc._.attribute_values if doc._.attribute_values is not None else {}
        values[self.attribute] = self.rules.decide(lowered_text(doc)) if self.rules else None
        doc._.attribute_values = values
        return doc


class MoneyComponent:
    """Sets doc._.liability_cap on clauses that limit liability."""

    def __call__(self, doc: Doc) -> Doc:
        categories = doc._.categories or ()
        doc._.liability_cap = (
            find_liability_cap(doc.text) if "liability_limitation" in categories else None
        )
        return doc


@Language.factory("termshift_categories")
def make_categories(nlp: Language, name: str) -> CategoryComponent:
    return CategoryComponent()


@Language.factory("termshift_attribute", default_config={"attribute": "modality"})
def make_attribute(nlp: Language, name: str, attribute: str) -> AttributeComponent:
    return AttributeComponent(attribute)


@Language.factory("termshift_money")
def make_money(nlp: Language, name: str) -> MoneyComponent:
    return MoneyComponent()
