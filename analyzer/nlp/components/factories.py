"""The rule components registered as spaCy factories (`nlp.add_pipe("termshift_categories")`),
and read-only views of their results on a Doc (`doc._.categories`, ...).

Imported by `analyzer.nlp.pipeline.build_pipeline`, which builds the spaCy pipeline: the
components themselves are plain callables that `classify` runs without importing spaCy,
whose import is most of a short command's start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.nlp.components.attributes import AttributeComponent
from analyzer.nlp.components.categories import CategoryComponent
from analyzer.nlp.components.money import MoneyComponent
from analyzer.nlp.components.parser import ParserRefinement
from analyzer.nlp.components.shared import state


@Language.factory("termshift_categories")
def make_categories(nlp: Language, name: str) -> CategoryComponent:
    """The category component."""
    return CategoryComponent()


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


@Language.factory("termshift_money")
def make_money(nlp: Language, name: str) -> MoneyComponent:
    """The liability-cap component (runs after termshift_categories)."""
    return MoneyComponent()


@Language.factory("termshift_parser_refine", default_config={"package": "en_core_web_sm"})
def make_parser_refinement(nlp: Language, name: str, package: str) -> ParserRefinement:
    """The optional parser step (added only with TERMSHIFT_USE_PARSER and a parser installed)."""
    return ParserRefinement(package)


def _view(key: str) -> Callable[[Doc], Any]:
    def get(doc: Doc) -> Any:
        return state(doc).get(key)
    return get


# Read-only views for users of the pipeline: doc._.categories, doc._.attribute_values, ...
for _name in ("categories", "attribute_values", "liability_cap"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, getter=_view(_name))
