"""Attribute components, each deciding some attributes from rules/attributes/<name>.yaml:

- `termshift_parties`: bearer (who bears what the clause allocates; `none` = denied)
- `termshift_scope`: exclusive and agent_scope
- `termshift_modality`: modality
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.errors import RuleError
from analyzer.nlp.attribute_rules import default_attribute_rules
from analyzer.nlp.components.shared import lowered_text, present_strings, state


class AttributeComponent:
    """Sets each named attribute to the value of its first matching rule."""

    def __init__(self, attributes: Sequence[str]) -> None:
        loaded = default_attribute_rules()
        missing = [a for a in attributes if a not in loaded]
        if missing:
            raise RuleError(f"no rule file for attribute {', '.join(missing)}; add one",
                            path="rules/attributes")
        self.rules = [loaded[a] for a in attributes]

    def __call__(self, doc: Doc) -> Doc:
        values = state(doc).setdefault("attribute_values", {})
        lowered, present = lowered_text(doc), present_strings(doc)
        for rules in self.rules:
            values[rules.attribute] = rules.decide(lowered, present)
        return doc


@Language.factory("termshift_parties", default_config={"attributes": ["bearer"]})
def make_parties(nlp: Language, name: str, attributes: list[str]) -> AttributeComponent:
    """Who bears the clause's responsibility, liability or obligation (or none: negated)."""
    return AttributeComponent(attributes)


@Language.factory("termshift_scope",
                  default_config={"attributes": ["exclusive", "agent_scope"]})
def make_scope(nlp: Language, name: str, attributes: list[str]) -> AttributeComponent:
    """Whether the allocation is exclusive and whether it covers agents or automated tools."""
    return AttributeComponent(attributes)


@Language.factory("termshift_modality", default_config={"attributes": ["modality"]})
def make_modality(nlp: Language, name: str, attributes: list[str]) -> AttributeComponent:
    """Prohibition, obligation, exclusion or permission."""
    return AttributeComponent(attributes)
