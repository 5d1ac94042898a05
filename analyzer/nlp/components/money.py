"""`termshift_money`: the liability cap, on clauses that limit liability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.nlp.components.shared import reading_rules, state

if TYPE_CHECKING:
    from spacy.tokens import Doc


class MoneyComponent:
    """Sets the liability cap on clauses the categories mark as limiting liability."""

    def __call__(self, doc: Doc) -> Doc:
        shared = state(doc)
        categories = shared.get("categories") or ()
        shared["liability_cap"] = (reading_rules(doc).caps.find(doc.text)
                                   if "liability_limitation" in categories else None)
        return doc
