"""What the rule components share: the rules to read with, their results on the Doc and
the folded text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzer.rules import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from analyzer.nlp.reading import ReadingRules

STATE = "termshift"  # the components' results live in doc.user_data[STATE]


def state(doc: Doc) -> dict[str, Any]:
    """The components' shared results for one Doc (plain dict: `doc._` is slow per access)."""
    found: dict[str, Any] = doc.user_data.setdefault(STATE, {})
    return found


def reading_rules(doc: Doc) -> ReadingRules:
    """The rules this doc is read with, which the pipeline's caller put in its shared state
    (pipeline.run_pipeline and classify do): the components load none themselves."""
    rules = state(doc).get("rules")
    if rules is None:
        raise ValueError("no reading rules in the doc's shared state: run the pipeline "
                         "through analyzer.nlp.pipeline.run_pipeline(texts, rules)")
    return rules


def lowered_text(doc: Doc) -> str:
    """The doc's text lower-cased once for every rule component."""
    shared = state(doc)
    if "lowered" not in shared:
        shared["lowered"] = fold(doc.text)
    return str(shared["lowered"])


def present_strings(doc: Doc) -> frozenset[str] | None:
    """The gate strings the doc's text holds, when the pipeline computed them for its batch."""
    present = state(doc).get("present")
    return present if isinstance(present, frozenset) else None
