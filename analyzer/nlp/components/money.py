"""`termshift_money`: the liability cap, on clauses that limit liability."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.nlp.components.shared import reading_rules, state


class MoneyComponent:
    """Sets the liability cap on clauses the categories mark as limiting liability."""

    def __call__(self, doc: Doc) -> Doc:
        shared = state(doc)
        categories = shared.get("categories") or ()
        shared["liability_cap"] = (reading_rules(doc).caps.find(doc.text)
                                   if "liability_limitation" in categories else None)
        return doc


@Language.factory("termshift_money")
def make_money(nlp: Language, name: str) -> MoneyComponent:
    """The liability-cap component (runs after termshift_categories)."""
    return MoneyComponent()
