"""Attribute components, each deciding some attributes by the rules of
rules/attributes/<name>.yaml (read from the clause's shared state, see shared.reading_rules):

- `termshift_parties`: bearer (who bears what the clause allocates; `none` = denied)
- `termshift_scope`: exclusive and agent_scope
- `termshift_modality`: modality
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.nlp.attribute_rules import ATTRIBUTES
from analyzer.nlp.components.shared import lowered_text, present_strings, reading_rules, state

if TYPE_CHECKING:
    from spacy.tokens import Doc


class AttributeComponent:
    """Sets each named attribute to the value of its first matching rule."""

    def __init__(self, attributes: Sequence[str]) -> None:
        unknown = [a for a in attributes if a not in ATTRIBUTES]
        if unknown:
            raise ValueError(f"unknown attribute {', '.join(unknown)}; known: "
                             f"{', '.join(ATTRIBUTES)}")
        self.attributes = tuple(attributes)

    def __call__(self, doc: Doc) -> Doc:
        values = state(doc).setdefault("attribute_values", {})
        lowered, present = lowered_text(doc), present_strings(doc)
        rules = reading_rules(doc)
        for name in self.attributes:
            values[name] = rules.attribute(name).decide(lowered, present)
        return doc
