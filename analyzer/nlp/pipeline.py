"""The classification stage: clauses in, clauses with categories and attributes out.

The pipeline is `spacy.blank("en")` plus the rule components of analyzer.nlp.components,
declared in PIPELINE below (names and configs: a pipeline is data). No model download.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from analyzer.model import CATEGORIES, EMPHASIS_ORDER, Attributes, Clause, Document
from analyzer.nlp.components.rules import state  # importing registers the factories
from analyzer.settings import get_settings

PIPELINE: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("categories", "termshift_categories", {}),
    ("bearer", "termshift_attribute", {"attribute": "bearer"}),
    ("exclusive", "termshift_attribute", {"attribute": "exclusive"}),
    ("agent_scope", "termshift_attribute", {"attribute": "agent_scope"}),
    ("modality", "termshift_attribute", {"attribute": "modality"}),
    ("money", "termshift_money", {}),
)
_DEFINED_PROVIDER = re.compile(
    r"([A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,4})[^()\n]{0,40}\(\s*(?:together\s+|collectively\s+)?"
    r"(?:[\"“](?:[^\"”]{1,40})[\"”]\s*(?:,|or|and)?\s*)*[\"“](?:we|We|us)[\"”]"
)
_QUOTED = re.compile(r"[\"“]([A-Z][^\"”]{1,40})[\"”]")
_LEGAL_SUFFIX = re.compile(r",?\s+(?:Inc|LLC|Ltd|Limited|GmbH|S\.A|Corp|Corporation|plc)\.?$")


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """spaCy's blank English with the rule components, built once per process."""
    nlp = spacy.blank("en")
    nlp.max_length = max(nlp.max_length, get_settings().max_chars)
    for name, factory, config in PIPELINE:
        nlp.add_pipe(factory, name=name, config=config)
    return nlp


def run_pipeline(texts: list[str]) -> Iterator[Doc]:
    """Each text through the pipeline's components.

    The rule components read the text, not tokens, so each clause is one untokenised Doc
    (tokenising 50k words costs more than all the rules together); a component that needs
    tokens, like an installed parser, tokenises the few clauses it refines itself.
    """
    nlp = build_pipeline()
    for text in texts:
        doc = Doc(nlp.vocab, words=[text], spaces=[False])
        state(doc)["lowered"] = text.lower()
        for _, component in nlp.pipeline:
            doc = component(doc)
        yield doc


def classify(doc: Document, clauses: Sequence[Clause]) -> tuple[Clause, ...]:
    """Fill each clause's categories and attributes."""
    names = provider_names(doc.text)
    texts = [_with_provider_as_we(_clause_text(c), names) for c in clauses]
    extra = _trained_predictions(texts)
    out: list[Clause] = []
    index = _BlockIndex(doc)
    for clause, parsed, more in zip(clauses, run_pipeline(texts), extra, strict=True):
        shared = state(parsed)
        values = shared.get("attribute_values") or {}
        bearer = values.get("bearer")
        categories = set(shared.get("categories") or ()) | more
        out.append(replace(
            clause,
            categories=tuple(c for c in CATEGORIES if c in categories),
            attributes=Attributes(
                bearer=None if bearer in (None, "none") else bearer,
                exclusive=bool(values.get("exclusive")),
                agent_scope=bool(values.get("agent_scope")),
                modality=values.get("modality"),
                emphasis=clause_emphasis(doc, clause, index),
                liability_cap=shared.get("liability_cap"),
                negated=bearer == "none",
            ),
        ))
    return tuple(out)


def _clause_text(clause: Clause) -> str:
    # An item "(b) let agents post" is read with its lead-in "You must not:".
    if clause.lead_in and clause.marker:
        return f"{clause.lead_in} {clause.text}"
    return clause.text


def _trained_predictions(texts: list[str]) -> list[set[str]]:
    model_dir = get_settings().model_dir
    if model_dir is None:
        return [set() for _ in texts]
    from analyzer.classifier import load_classifier

    return [set(p) for p in load_classifier(model_dir).predict(texts)]


def provider_names(text: str) -> tuple[str, ...]:
    """Names the document defines as "we" ('Acme Inc. ("Acme", "we", "us")')."""
    names: set[str] = set()
    for match in _DEFINED_PROVIDER.finditer(text[:20000]):
        full = _LEGAL_SUFFIX.sub("", match.group(1).strip())
        if full and full.lower() not in ("you", "we", "the"):
            names.add(full)
        names.update(q for q in _QUOTED.findall(match.group(0)) if q.lower() not in ("we", "us"))
    return tuple(sorted(names, key=len, reverse=True))


def _with_provider_as_we(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        text = re.sub(rf"\b(?:the\s+)?{re.escape(name)}(?:,?\s+(?:Inc|LLC|Ltd)\.?)?(?=\W|$)",
                      "we", text)
    return text


class _BlockIndex:
    """Finds the blocks a clause overlaps, by offset."""

    def __init__(self, doc: Document) -> None:
        self.starts = [b.start for b in doc.blocks]
        self.blocks = doc.blocks

    def overlapping(self, start: int, end: int) -> list[int]:
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        found = []
        while i < len(self.blocks) and self.blocks[i].start < end:
            if self.blocks[i].end > start:
                found.append(i)
            i += 1
        return found


def clause_emphasis(doc: Document, clause: Clause, index: _BlockIndex | None = None
                    ) -> tuple[str, ...]:
    """ALL CAPS from the text; bold, underline, italic when most letters are inside spans."""
    found: set[str] = set()
    if is_all_caps(clause.text):
        found.add("all_caps")
    blocks = (index or _BlockIndex(doc)).overlapping(clause.start, clause.end)
    if any(doc.blocks[i].emphasis for i in blocks):
        total = _alnum_count(clause.text)
        covered: dict[str, int] = {}
        for i in blocks:
            block = doc.blocks[i]
            for span in block.emphasis:
                lo = max(block.start + span.start, clause.start)
                hi = min(block.start + span.end, clause.end)
                if hi > lo:
                    count = _alnum_count(doc.text[lo:hi])
                    for style in span.styles:
                        covered[style] = covered.get(style, 0) + count
        found.update(style for style, count in covered.items() if total and count >= 0.6 * total)
    return tuple(e for e in EMPHASIS_ORDER if e in found)


_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_ALNUM = re.compile(r"[^\W_]")


def is_all_caps(text: str) -> bool:
    """At least 12 cased letters, nine in ten of them capitals (a short acronym is not)."""
    if text.isascii():
        upper, lower = len(_UPPER.findall(text)), len(_LOWER.findall(text))
    else:
        upper = sum(1 for ch in text if ch.isupper())
        lower = sum(1 for ch in text if ch.islower())
    return upper + lower >= 12 and upper >= 0.9 * (upper + lower)


def _alnum_count(text: str) -> int:
    return len(_ALNUM.findall(text))
