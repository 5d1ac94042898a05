"""Document blocks into clauses: legal sentence boundaries and enumerated items with lead-ins.

Headings are not clauses; they become each clause's `section`. A sentence ends at ". ", "? "
or "! " before a capital, a quote, a bracket or a number, unless the word before the period
is a known abbreviation (rules/segmentation.yaml, passed in as SegmentRules), an initial, or
a section number.
An abbreviation that ends a sentence ("... under U.S. law. You ...") stays unsplit only when
the next word is a name-like continuation; before "You", "We", "The", "If" and similar
sentence openers (also listed in the rule file) it does split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import RuleError
from analyzer.model import Block, Clause, Document
from analyzer.resources import display_path
from analyzer.rules import load_yaml_with_lines, strip_lines

MAX_WORDS = 300
_CANDIDATE = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_INLINE_MARKER = re.compile(
    r"(?:(?<=^)|(?<=[\s:;,—–-]))(\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)|(?:[a-z]|[ivx]{1,5})\))\s+"
)
_LEAD_IN_END = re.compile(r"(?::|—|–|\bfollowing|\bto|\bnot|\bmay|\bmust|\bshall)\s*$",
                          re.IGNORECASE)
_SOFT_BREAK = re.compile(r"[;:]\s+")
# A short lead-in that only points back ("This includes:", "These are as follows:", "For
# example:") says nothing by itself: the sentence before it is what the items complete.
_POINTER_LEAD_IN = re.compile(
    r"(?:(?:this|these|those|such)\s+(?:includes?|including|covers?|means?|comprises?|are|is)"
    r"(?:,?\s+(?:but\s+(?:is|are)\s+not\s+limited\s+to|without\s+limitation|among\s+others"
    r"|in\s+particular|for\s+example))?,?(?:\s+the\s+following)?(?:\s+as\s+follows)?"
    r"|for\s+(?:example|instance)(?:,\s+(?:when|where|if)\s+(?:it|they|you|we))?"
    r"|e\.g\.|examples?(?:\s+include)?|including|namely|specifically|in\s+particular)"
    r"\s*[:\u2014\u2013-]?\s*$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{3,}")
_CLAUSE_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})+\.?|\(?[a-z0-9]{1,3}\)")
_NUMBER_LIKE = re.compile(r"(?:\d+\.)*\d+|[a-z]|\(?[a-z0-9]{1,4}\)")
_LETTER = re.compile(r"[a-z]")
# An item's own number: digits, one letter, or a well-formed roman numeral ("civil" is not).
_ITEM_NUMBER = re.compile(
    r"(?:\d+\.)*\d+|[a-z]|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")


@dataclass(frozen=True)
class SegmentRules:
    abbreviations: frozenset[str]
    openers: frozenset[str]


def load_segment_rules(path: Path) -> SegmentRules:
    """The sentence-boundary data of rules/segmentation.yaml."""
    raw = strip_lines(load_yaml_with_lines(path))
    words = {key: raw.get(key) if isinstance(raw, dict) else None
             for key in ("abbreviations", "sentence_openers")}
    for key, value in words.items():
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise RuleError(f"`{key}` must be a list of words", path=display_path(path))
    return SegmentRules(
        abbreviations=frozenset(a.lower() for a in words["abbreviations"] or ()),
        openers=frozenset(words["sentence_openers"] or ()),
    )


def segment(doc: Document, rules: SegmentRules) -> tuple[Clause, ...]:
    """Every non-heading block's sentences and enumerated items, as clauses c1..cN."""
    pieces: list[tuple[Block, int, int, str | None, str | None]] = []
    lead_in: str | None = None
    previous_text = ""
    for block in doc.blocks:
        if block.kind == "heading":
            lead_in, previous_text = None, ""
            continue
        if block.kind != "list_item":
            lead_in = None
        elif lead_in is None and _LEAD_IN_END.search(previous_text):
            lead_in = _lead_in(previous_text, rules)
        pieces.extend(_block_pieces(block, lead_in, rules))
        previous_text = block.text
    clauses = []
    for number, (block, start, end, marker, lead_in) in enumerate(pieces, start=1):
        clauses.append(Clause(
            id=f"c{number}", section=block.section, text=doc.text[start:end], start=start,
            end=end, page=block.page, marker=marker, lead_in=lead_in,
        ))
    return tuple(clauses)


def _block_pieces(block: Block, lead: str | None, rules: SegmentRules
                  ) -> list[tuple[Block, int, int, str | None, str | None]]:
    text = block.text
    spans: list[tuple[int, int, str | None, str | None]]
    if block.kind == "table":
        spans = [(0, len(text), None, None)]
    elif block.kind == "list_item":
        spans = [(s, e, block.marker if i == 0 else None, lead)
                 for i, (s, e) in enumerate(split_sentences(text, rules))]
    else:
        spans = []
        for start, end in split_sentences(text, rules):
            spans.extend(split_enumeration(text, start, end))
    out: list[tuple[Block, int, int, str | None, str | None]] = []
    for start, end, marker, lead_in in spans:
        start, end = _trim(text, start, end)
        if end > start and any(ch.isalnum() for ch in text[start:end]):
            out.append((block, block.start + start, block.start + end, marker, lead_in))
    return out


def split_sentences(text: str, rules: SegmentRules) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph, by the legal boundary rules."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        cut = match.end(2)
        if not _is_boundary(text, match, rules):
            continue
        spans.append((start, cut))
        start = match.end()
    spans.append((start, len(text)))
    return [piece for span in spans for piece in _split_long(text, *span)]


def _is_boundary(text: str, match: re.Match[str], rules: SegmentRules) -> bool:
    if match.group(1) != ".":
        return True
    word = _word_before(text, match.start(1))
    bare = word.lstrip("(\"'“‘[").lower()
    if _ITEM_NUMBER.fullmatch(bare) and not text[:match.start(1) - len(word)].strip():
        return False  # the item's own number opening the block: "ii. Don't send spam."
    following = text[match.end():match.end() + 30].split(" ", 1)[0].strip("\"'“‘([")
    if _NUMBER_LIKE.fullmatch(bare):
        # A year or a long number ends a sentence before a capital or a clause number ("...
        # by 1 February 2027. Staff will ...", "... in 2026. 3.5 That ...").
        if _LONG_NUMBER.fullmatch(bare) and (following[:1].isupper()
                                             or _CLAUSE_NUMBER.fullmatch(following)):
            return True
        # "Section 7." before a capital is usually "7. Title" inside a line, not an ending,
        # unless a sentence clearly starts after it.
        return following in rules.openers and bool(_LETTER.fullmatch(bare)) is False
    if bare + "." in rules.abbreviations or (bare and "." in bare and len(bare) <= 6):
        return following in rules.openers
    # an initial ("J. Smith") is not an ending
    return not (len(bare) == 1 and bare.isalpha())


def _word_before(text: str, end: int) -> str:
    """The run of non-space characters that ends at `end`, or just before a newline that
    ends there (what the regex `(\\S+)$` finds in text[:end]), read backwards from `end` so
    that no sentence end rescans the paragraph before it."""
    stop = end - 1 if end > 0 and text[end - 1] == "\n" else end
    start = stop
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:stop]


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Break a run-on sentence (over MAX_WORDS words) at semicolons and colons."""
    # n characters hold at most (n + 1) // 2 words: short sentences need no split().
    if (end - start + 1) // 2 <= MAX_WORDS or len(text[start:end].split()) <= MAX_WORDS:
        return [(start, end)]
    pieces, cursor = [], start
    for match in _SOFT_BREAK.finditer(text, start, end):
        if len(text[cursor:match.end()].split()) >= 40:
            pieces.append((cursor, match.start() + 1))
            cursor = match.end()
    pieces.append((cursor, end))
    return pieces


def split_enumeration(text: str, start: int, end: int
                      ) -> list[tuple[int, int, str | None, str | None]]:
    """An inline "(a) ...; (b) ..." enumeration as one piece per item, keeping the lead-in."""
    if text.find(")", start, end) < 0:  # every marker holds a ")"
        return [(start, end, None, None)]
    markers = [m for m in _INLINE_MARKER.finditer(text, start, end) if _is_item(m, text)]
    markers = _consistent(markers)
    if len(markers) < 2:
        return [(start, end, None, None)]
    lead_in = text[start:markers[0].start()].strip() or None
    pieces: list[tuple[int, int, str | None, str | None]] = []
    if lead_in and not _LEAD_IN_END.search(lead_in) and lead_in.endswith((".", "!", "?")):
        pieces.append((start, markers[0].start(), None, None))
        lead_in = None
    for i, marker in enumerate(markers):
        item_end = markers[i + 1].start() if i + 1 < len(markers) else end
        pieces.append((marker.start(), item_end, marker.group(1), lead_in))
    return pieces


def _is_item(match: re.Match[str], text: str) -> bool:
    # "Section 7.2(b)" is a reference, not an item: items follow whitespace or punctuation.
    return match.start() == 0 or not text[match.start() - 1].isalnum()


def _consistent(markers: list[re.Match[str]]) -> list[re.Match[str]]:
    """Keep one marker family, in sequence: (a),(b),(c) or (i),(ii) or (1),(2)."""
    if not markers:
        return []
    first = markers[0].group(1).strip("()")
    family = _family(first, None)
    kept = [m for m in markers if _family(m.group(1).strip("()"), family) == family]
    return kept if len(kept) >= 2 else []


def _family(label: str, expected: str | None) -> str:
    if label.isdigit():
        return "digit"
    if re.fullmatch(r"[ivx]+", label) and (expected == "roman" or label not in ("v", "x")):
        # A lone "(i)" after "(h)" is a letter: the caller's family decides.
        return "roman" if expected != "letter" or len(label) > 1 else "letter"
    return "letter"


def _lead_in(text: str, rules: SegmentRules) -> str | None:
    """The sentence that introduces a list: the paragraph's last, with the one before it when
    the last only points back to it ("... may be removed. This includes:")."""
    spans = split_sentences(text, rules) if text else []
    if not spans:
        return None
    start, end = spans[-1]
    if len(spans) > 1 and _POINTER_LEAD_IN.match(text[start:end].strip()):
        start = spans[-2][0]
    return text[start:end].strip() or None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or (text[end - 1] in ";,"
                           and text[end - 2:end - 1] == " ")):
        end -= 1
    return start, end
