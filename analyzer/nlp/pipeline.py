"""The classification stage: clauses in, clauses with categories and attributes out.

The pipeline is `spacy.blank("en")` plus the rule components of analyzer.nlp.components,
declared in PIPELINE below (names and configs: a pipeline is data). No model download.
`classify` runs the same components, built from PIPELINE, without importing spaCy (its
import is most of a short command's start-up) unless a parser step is wanted;
`build_pipeline` and `run_pipeline` give the spaCy pipeline and its Docs.
The components load no rules: the caller passes the ReadingRules (analyzer.nlp.reading) to
`classify`, `categorize_texts` or `run_pipeline`, and they travel in each clause's shared
state.
After the rules, the trained category layer shipped in the package (or TERMSHIFT_MODEL_DIR's)
decides the categories it knows, unless TERMSHIFT_RULES_ONLY is set.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.model import CATEGORIES, EMPHASIS_ORDER, Attributes, Clause, Document
from analyzer.nlp.components.attributes import AttributeComponent
from analyzer.nlp.components.categories import CategoryComponent, categorize_text
from analyzer.nlp.components.money import MoneyComponent
from analyzer.nlp.components.shared import STATE
from analyzer.nlp.gates import presence
from analyzer.nlp.reading import ReadingRules
from analyzer.rules import fold
from analyzer.settings import get_settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["PIPELINE", "build_pipeline", "categorize_text", "categorize_texts", "classify",
           "clause_emphasis", "provider_names", "read_texts", "run_pipeline",
           "trained_layer"]

# (name, factory, config): the order matters, termshift_money reads the categories.
PIPELINE: tuple[tuple[str, str, dict[str, list[str]]], ...] = (
    ("categories", "termshift_categories", {}),
    ("parties", "termshift_parties", {"attributes": ["bearer"]}),
    ("scope", "termshift_scope", {"attributes": ["exclusive", "agent_scope"]}),
    ("modality", "termshift_modality", {"attributes": ["modality"]}),
    ("money", "termshift_money", {}),
)
# The class behind each factory of PIPELINE (components/factories.py registers the same).
_COMPONENTS: dict[str, Callable[..., Any]] = {
    "termshift_categories": CategoryComponent,
    "termshift_parties": AttributeComponent,
    "termshift_scope": AttributeComponent,
    "termshift_modality": AttributeComponent,
    "termshift_money": MoneyComponent,
}
_DEFINED_PROVIDER = re.compile(
    r"([A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,4})[^()\n]{0,40}\(\s*"
    r"(?:together\s+|collectively\s+|the\s+)?"
    r"(?:[\"“](?:[^\"”]{1,40})[\"”]\s*(?:,|or|and)?\s*)*[\"“](?i:we|us)[,.]?[\"”]"
)
# '"GitHub," "We," and "Us" refer to ...': a run of quoted terms, one of them "we" or "us".
_QUOTE_RUN = re.compile(r"(?:[\"“][^\"”\n]{1,40}[\"”][\s,]*(?:(?:and|or)\s+)?){2,}")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{1,40})[\"”]")
_NOT_NAMES = frozenset({"we", "us", "our", "you", "your", "the", ""})
_LEGAL_SUFFIX = re.compile(r",?\s+(?:Inc|LLC|Ltd|Limited|GmbH|S\.A|Corp|Corporation|plc)\.?$")


@lru_cache(maxsize=2)
def build_pipeline(use_parser: bool | None = None) -> Language:
    """spaCy's blank English with the rule components, built once per process; with
    TERMSHIFT_USE_PARSER and an installed English parser, a refinement step after them."""
    import spacy

    from analyzer.nlp.components import factories  # noqa: F401  (registers the factories)
    from analyzer.nlp.components.parser import installed_parser

    nlp = spacy.blank("en")
    nlp.max_length = max(nlp.max_length, get_settings().max_chars)
    for name, factory, config in PIPELINE:
        nlp.add_pipe(factory, name=name, config=config)
    wanted = get_settings().use_parser if use_parser is None else use_parser
    package = installed_parser() if wanted else None
    if package is not None:
        nlp.add_pipe("termshift_parser_refine", name="parser_refine",
                     config={"package": package})
    return nlp


def run_pipeline(texts: list[str], rules: ReadingRules, use_parser: bool | None = None
                 ) -> Iterator[Doc]:
    """Each text through the pipeline's components, read with `rules`.

    The rule components read the text, not tokens, so each clause is one untokenised Doc
    (tokenising 50k words costs more than all the rules together); a component that needs
    tokens, like an installed parser, tokenises the few clauses it refines itself.
    """
    from spacy.tokens import Doc

    vocab = build_pipeline(use_parser).vocab
    return _run_components(texts, lambda text: Doc(vocab, words=[text], spaces=[False]),
                           rules, use_parser, spacy_steps=True)


class _ClauseText:
    """What the rule components read of a Doc (its text and user_data), without building
    one: `classify` needs only their shared results, and a Doc per clause costs more than
    some of the components."""

    __slots__ = ("text", "user_data")

    def __init__(self, text: str) -> None:
        self.text = text
        self.user_data: dict[str, Any] = {}


def _run_components(texts: list[str], make: Callable[[str], Any], rules: ReadingRules,
                    use_parser: bool | None, *, spacy_steps: bool = False) -> Iterator[Any]:
    wanted = get_settings().use_parser if use_parser is None else use_parser
    steps = ([component for _, component in build_pipeline(use_parser).pipeline]
             if spacy_steps or wanted else _rule_steps())
    lowered = [fold(text) for text in texts]
    for text, low, present in zip(texts, lowered, presence(lowered, rules.gate_strings),
                                  strict=True):
        doc = make(text)
        doc.user_data[STATE] = {"lowered": low, "present": present, "rules": rules}
        for step in steps:
            doc = step(doc)
        yield doc


@lru_cache(maxsize=1)
def _rule_steps() -> tuple[Callable[[Any], Any], ...]:
    """PIPELINE's components without spaCy: what `build_pipeline` adds, when no parser
    step is wanted."""
    return tuple(_COMPONENTS[factory](**config) for _, factory, config in PIPELINE)


def classify(doc: Document, clauses: Sequence[Clause], rules: ReadingRules, *,
             use_parser: bool | None = None) -> tuple[Clause, ...]:
    """Fill each clause's categories and attributes, read with `rules` (use_parser: None
    follows settings)."""
    as_we = _provider_as_we(provider_names(doc.text))
    as_ai = _assistant_as_ai(doc.text)
    texts = [as_ai(as_we(_clause_text(c))) for c in clauses]
    parsed_all = [p.user_data[STATE]
                  for p in _run_components(texts, _ClauseText, rules, use_parser)]
    decided, unfair = _with_trained_layer(texts, [s.get("categories") or () for s in parsed_all])
    out: list[Clause] = []
    index = _BlockIndex(doc)
    for clause, shared, found, flagged in zip(clauses, parsed_all, decided, unfair, strict=True):
        values = shared.get("attribute_values") or {}
        bearer = values.get("bearer")
        # A new Clause, not dataclasses.replace: replace costs several times more.
        out.append(Clause(
            id=clause.id, section=clause.section, text=clause.text, start=clause.start,
            end=clause.end, page=clause.page, lead_in=clause.lead_in, marker=clause.marker,
            categories=tuple(c for c in CATEGORIES if c in found),
            attributes=Attributes(
                bearer=None if bearer in (None, "none") else bearer,
                exclusive=bool(values.get("exclusive")),
                agent_scope=bool(values.get("agent_scope")),
                modality=values.get("modality"),
                emphasis=clause_emphasis(doc, clause, index),
                liability_cap=shared.get("liability_cap"),
                negated=bearer == "none",
                potentially_unfair=tuple(c for c in CATEGORIES if c in flagged),
            ),
        ))
    return tuple(out)


def _clause_text(clause: Clause) -> str:
    # An item "(b) let agents post" is read with its lead-in "You must not:".
    if clause.lead_in and clause.marker:
        return f"{clause.lead_in} {clause.text}"
    return clause.text


def categorize_texts(texts: list[str], rules: ReadingRules) -> list[tuple[str, ...]]:
    """The categories of each text as `classify` decides them (rules, then the trained
    layer unless rules-only), in the contract's order; for benchmarks and tools."""
    return read_texts(texts, rules)[0]


def read_texts(texts: list[str], rules: ReadingRules
               ) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Each text's categories and its `potentially_unfair` attribute (empty when
    rules-only), as `classify` gives them, in the contract's order."""
    found = [p.user_data[STATE].get("categories") or ()
             for p in _run_components(texts, _ClauseText, rules, False)]
    categories, unfair = _with_trained_layer(texts, found)
    return ([tuple(c for c in CATEGORIES if c in cats) for cats in categories],
            [tuple(c for c in CATEGORIES if c in flags) for flags in unfair])


def _with_trained_layer(texts: list[str], rule_found: Sequence[Sequence[str]]
                        ) -> tuple[list[set[str]], list[frozenset[str]]]:
    """Each text's categories and the categories the trained layer alone flags as
    potentially unfair. The categories are the rules', except that for the categories the
    trained layer knows it decides (Classifier.decide: its predictions, plus the rule
    matches it does not score far below its threshold; it reads the rule matches among its
    features). The flags are the model's own predictions: its training data (UNFAIR-ToS)
    marks potentially unfair clauses, where the categories are topics."""
    model = trained_layer()
    if model is None or not texts:
        return [set(found) for found in rule_found], [frozenset()] * len(texts)
    known = frozenset(model.labels)
    decided, alone = model.read(texts, rule_found)
    return ([{c for c in found if c not in known} | set(more)
             for found, more in zip(rule_found, decided, strict=True)], alone)


def trained_layer() -> Any:
    """The trained category layer in use: TERMSHIFT_MODEL_DIR's, else the model shipped in
    the package; None with TERMSHIFT_RULES_ONLY. Loaded once, on first use."""
    settings = get_settings()
    if settings.rules_only:
        return None
    from analyzer.classifier import shipped_model_dir

    model_dir = settings.model_dir or shipped_model_dir()
    try:
        stamp = (model_dir / "model.json").stat().st_mtime_ns
    except OSError:
        stamp = 0  # load_classifier says what is missing
    return _load_model(str(model_dir), stamp)


@lru_cache(maxsize=4)
def _load_model(model_dir: str, stamp: int) -> Any:
    from analyzer.classifier import load_classifier

    del stamp  # part of the cache key only: a retrained model is read again
    return load_classifier(Path(model_dir))


def provider_names(text: str) -> tuple[str, ...]:
    """Names the document defines as "we": 'Acme Inc. ("Acme", "we", "us")' or
    '"Acme," "We," and "Us" refer to Acme, Inc.' (longest first)."""
    head = text[:20000]  # definitions sit at the top
    names: set[str] = set()
    for match in _DEFINED_PROVIDER.finditer(head):
        names.add(_LEGAL_SUFFIX.sub("", match.group(1).strip()))
    for run in _QUOTE_RUN.finditer(head):
        terms = [t.strip(" ,.*") for t in _QUOTED.findall(run.group(0))]
        if any(t.lower() in ("we", "us") for t in terms):
            names.update(t for t in terms if t[:1].isupper())
    return tuple(sorted((n for n in names if n.lower() not in _NOT_NAMES), key=len,
                        reverse=True))


def _provider_as_we(names: tuple[str, ...]) -> Callable[[str], str]:
    """A function that reads the provider's defined names as "we" (longest name first)."""
    if not names:
        return lambda text: text
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"\b(?:the\s+)?(?:{alternatives})(?:,?\s+(?:Inc|LLC|Ltd)\.?)?(?=\W|$)")
    return lambda text: pattern.sub("we", text)


# A document that speaks of its "AI assistant" means that assistant by "the assistant" (not
# "the assistant manager"): "You are solely responsible for the actions you request from the
# assistant" speaks of an AI agent's actions there, and of a person's in a hotel's terms.
_AI_ASSISTANT = re.compile(r"\b(?:ai|artificial[-\s]intelligence|ai[-\s]powered)\s+assistants?\b",
                           re.IGNORECASE)
_BARE_ASSISTANT = re.compile(
    r"\b((?:the|our|your|an?|this)\s+)(assistants?)\b"
    r"(?!\s+(?:managers?|directors?|professors?|coach(?:es)?|editors?|referees?|pharmacists?"
    r"|teachers?|secretar(?:y|ies)|principals?|shop|store|buyers?|producers?|accountants?"
    r"|engineers?|officers?|nurses?|staff|to\s+(?:the|a|an|our|your)\b))", re.IGNORECASE)


def _assistant_as_ai(text: str) -> Callable[[str], str]:
    """A function that reads "the assistant" as "the AI assistant" where the document names
    its AI assistant; else the text as it is."""
    if not _AI_ASSISTANT.search(text):
        return lambda clause: clause
    return lambda clause: _BARE_ASSISTANT.sub(r"\1AI \2", clause)


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


_NO_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NO_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")
_ALNUM = re.compile(r"[^\W_]")


def is_all_caps(text: str) -> bool:
    """At least 12 cased letters, nine in ten of them capitals (a short acronym is not)."""
    if text.isascii():
        # str.translate deleting one case counts it without building a list of matches.
        lower = len(text) - len(text.translate(_NO_LOWER))
        if 10 * lower > len(text):  # then upper < 9 * lower: not nine in ten capitals
            return False
        upper = len(text) - len(text.translate(_NO_UPPER))
    else:
        upper = sum(1 for ch in text if ch.isupper())
        lower = sum(1 for ch in text if ch.islower())
    return upper + lower >= 12 and upper >= 0.9 * (upper + lower)


def _alnum_count(text: str) -> int:
    return len(_ALNUM.findall(text))
