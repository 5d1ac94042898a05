"""The rule components: categories, attributes and liability caps, configured from rules/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.model import CATEGORIES
from analyzer.nlp.attribute_rules import default_attribute_rules
from analyzer.nlp.money import find_liability_cap
from analyzer.rules import default_categories

STATE = "termshift"  # the components' results live in doc.user_data[STATE]


def state(doc: Doc) -> dict[str, Any]:
    """The components' shared results for one Doc (plain dict: `doc._` is slow per access)."""
    found: dict[str, Any] = doc.user_data.setdefault(STATE, {})
    return found


def _view(key: str) -> Callable[[Doc], Any]:
    def get(doc: Doc) -> Any:
        return state(doc).get(key)
    return get


# Read-only views for users of the pipeline: doc._.categories, doc._.attribute_values, ...
for _name in ("categories", "attribute_values", "liability_cap"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, getter=_view(_name))


def categorize_text(text: str) -> tuple[str, ...]:
    """The categories whose rules match `text`, in the contract's order (rules only)."""
    return categorize_lowered(text.lower())


def categorize_lowered(lowered: str) -> tuple[str, ...]:
    found = {f.category for f in default_categories() if f.matches_lowered(lowered)}
    return tuple(c for c in CATEGORIES if c in found)


def lowered_text(doc: Doc) -> str:
    """The doc's text lower-cased once for every rule component."""
    shared = state(doc)
    if "lowered" not in shared:
        shared["lowered"] = doc.text.lower()
    return str(shared["lowered"])


class CategoryComponent:
    """Sets the categories: category C iff some rule of C matches the text."""

    def __call__(self, doc: Doc) -> Doc:
        state(doc)["categories"] = categorize_lowered(lowered_text(doc))
        return doc


class AttributeComponent:
    """Sets one attribute from its rule file (first match wins)."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.rules = default_attribute_rules().get(attribute)

    def __call__(self, doc: Doc) -> Doc:
        values = state(doc).setdefault("attribute_values", {})
        values[self.attribute] = self.rules.decide(lowered_text(doc)) if self.rules else None
        return doc


class MoneyComponent:
    """Sets the liability cap on clauses that limit liability."""

    def __call__(self, doc: Doc) -> Doc:
        shared = state(doc)
        categories = shared.get("categories") or ()
        shared["liability_cap"] = (
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
