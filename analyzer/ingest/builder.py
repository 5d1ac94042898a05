"""Assembles blocks into a Document so that offsets and section paths are always right."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from analyzer.errors import LimitExceeded
from analyzer.model import Block, BlockKind, Document, Format, Span
from analyzer.settings import Settings

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_DIGIT = re.compile(r"\d")
_HEADING_NUMBER = re.compile(
    r"^\s*((?:article|section|part|chapter)\s+[0-9ivxlc]+[.:]?|\d+(?:\.\d+)*\.?|[ivxlc]+\.|[a-z]\.)\s+",
    re.IGNORECASE,
)
BLOCK_SEPARATOR = "\n\n"
# A bold run-in heading ("4. Documentation. Agents must ...", "Medical notice. ..." with the
# title in bold, in any format) is cut off its paragraph. A bold *sentence* must stay a
# clause, so the title shape is strict: at most six words, or three when not in Title
# Case; no sentence word; no company name ("Acme, Inc."); the rest starts a new sentence.
# A paragraph or list item that is nothing but a bold title ("17. **SYSTEM REQUIREMENTS**",
# "**Account Security**") and is followed by text is a heading too, one level above the
# run-in headings it may hold. Lower-case titles ("**No refunds.**") stay clauses: a
# heading is not read for categories, so doubt keeps a block a clause.
# In a list ("* a. **Microsoft account.** You will need ..."), a run-in heading is cut off
# its item too, at RUN_IN_LEVEL - 1 + the item's depth (a top-level item's title ends a
# paragraph's run-in title, and the other way round), and the next item of the same or a
# lower depth ends it, as does a bold title made of a list item.
BOLD_TITLE_LEVEL = 7  # below every explicit heading (1-6)
RUN_IN_LEVEL = 8  # below bold title lines: the next heading of any kind ends it
_RUN_IN_MAX_WORDS = 6
_RUN_IN_MAX_PLAIN_WORDS = 3
_NUMBERED_MAX_WORDS = 10  # "4.2 Violations by End Users or Third Parties."
_NUMBERED_MAX_PLAIN_WORDS = 3  # "4.2 Disputes go to binding arbitration." is a rule
# A document that has already shown RUN_IN_HABIT run-in headings writes its titles that
# way: from then on a plain-case title may have up to six words ("Delay in enforcing these
# Terms."), unless it holds a word that makes a short rule of it ("No refunds after a
# month.", "Disputes go to arbitration.").
RUN_IN_HABIT = 3
_HABIT_MAX_PLAIN_WORDS = 6
_RULE_WORD = re.compile(
    r"\b(?:no|none|only|all|any|each|every|always|without|go|goes|apply|applies|replaces?|"
    r"requires?|binds?|waives?|excludes?|removes?|sells?|collects?|trains?|terminates?|"
    r"suspends?|owes?)\b", re.IGNORECASE)
_RUN_IN_END = re.compile(r"[.:]\s*$")
_SENTENCE_WORD = re.compile(
    r"\b(?:you|we|i|it|they|he|she|is|are|was|were|be|been|must|may|shall|will|would|can|"
    r"could|cannot|should|not|never|do|does|did|agree|agrees|have|has|had|final|void)\b",
    re.IGNORECASE)
# Verbs that make "Acme disclaims warranties." a sentence; as the last word they are nouns
# ("Usage limits.").
_VERB_S = re.compile(
    r"(?:reserves|disclaims|waives|grants|operates|provides|means|includes|applies|accepts|"
    r"acknowledges|assumes|owns|retains|limits|excludes|governs|requires|prohibits|permits|"
    r"allows|offers|makes|gives|takes|bears|holds|remains|survives|constitutes|supersedes|"
    r"collects|uses|shares|sells|goes|replaces|binds|removes|trains|terminates|suspends|"
    r"owes|ends|covers|overrides|survives)", re.IGNORECASE)
_COMPANY_END = re.compile(r"\b(?:inc|ltd|llc|corp|co|plc|gmbh|s\.a|l\.p|n\.v)\.?\s*[.:]?\s*$",
                          re.IGNORECASE)
_SENTENCE_START = re.compile(r"\s*(?:[\"“‘'(\[]?[A-Z0-9])")
# What may stand before a bold run-in heading: an item or section number ("a. ", "(iv) ",
# "2.5 ", "1\\. " as Open Terms Archive writes it).
_MARKER_ONLY = re.compile(
    r"\s*(?:\(?\d{1,3}(?:\.\d+)*[.)]?|\(?[a-z]{1,2}[.)]|\(?[ivxlc]{1,6}[.)])\s+", re.IGNORECASE)


# The words titles leave in lower case ("Creating and Safeguarding your Account", "Changes
# to these Terms").
_MINOR_WORDS = frozenset((
    "a", "an", "the", "and", "or", "nor", "but", "of", "to", "in", "on", "at", "by", "for",
    "as", "via", "per", "your", "their", "these", "those", "this", "that", "with", "from",
    "into", "onto", "upon", "over", "under", "about", "after", "before", "other", "such",
    "than", "within"))


def _title_words(head: str) -> tuple[list[str], bool, bool]:
    """The words of a title without its leading number, whether it had one, and whether it
    is in Title Case (or capitals): every word of four letters or more capitalised; or every
    word but the small ones titles leave in lower case, when no word makes a short rule of
    it ("Bots log in with SSO", "No AI use without MFA" stay rules)."""
    number = _HEADING_NUMBER.match(head)
    words = head[number.end():].split() if number else head.split()
    title_case = all(w[:1].isupper() or not w[:1].isalpha() or len(w) < 4 for w in words) or (
        _RULE_WORD.search(head) is None
        and all(w[:1].isupper() or not w[:1].isalpha() or w.lower().strip(".,:;") in _MINOR_WORDS
                for w in words))
    return words, number is not None, title_case


def _reads_as_title(head: str, *, plain_ok: bool, habit: bool = False) -> bool:
    words, numbered, title_case = _title_words(head)
    if not words or (not title_case and not plain_ok):
        return False
    if numbered:
        limit = _NUMBERED_MAX_WORDS if title_case else _NUMBERED_MAX_PLAIN_WORDS
    elif title_case:
        limit = _RUN_IN_MAX_WORDS
    elif habit and _RULE_WORD.search(head) is None:
        limit = _HABIT_MAX_PLAIN_WORDS
    else:
        limit = _RUN_IN_MAX_PLAIN_WORDS
    title = " ".join(words)  # without its number: "i." is an item, not the pronoun
    return (len(words) <= limit and any(c.isalpha() for c in title)
            and _SENTENCE_WORD.search(title) is None and _COMPANY_END.search(head) is None
            and not any(_VERB_S.fullmatch(w.strip(",;")) for w in words[:-1]))


def _title_shaped(head: str, rest: str, habit: bool = False) -> bool:
    return (bool(rest.strip()) and _RUN_IN_END.search(head) is not None
            and _reads_as_title(head, plain_ok=True, habit=habit)
            and _SENTENCE_START.match(rest) is not None and not rest.lstrip().startswith("("))


# "Slide 3: The rule in force today", "Step 2 - Check the draft": a labelled, numbered part
# is a title in any case, whatever words follow the label.
_LABELLED_PART = re.compile(
    r"^\s*(?:slide|section|part|step|phase|stage|chapter|appendix|annex|schedule|module|"
    r"article|lesson|unit|week|day)\s+[0-9a-z]{1,4}(?:\.[0-9a-z]{1,4})*\s*[:.\-\u2013\u2014]\s+\S",
    re.IGNORECASE)
# ... unless it states a rule: "**Step 2: Agents must never post without approval**".
_RULE_WORDS = re.compile(r"\b(?:must|shall|may|never|should|will|cannot|can\s*not)\b",
                         re.IGNORECASE)
_LABELLED_MAX_WORDS = 14


def bold_title_line(block: PendingBlock) -> bool:
    """A paragraph or list item whose whole text is one bold Title Case phrase, or one
    bold labelled part ("Slide 3: The rule in force today")."""
    if block.kind not in ("paragraph", "list_item") or not block.spans:
        return False
    text = block.text.rstrip(".:")
    number = _HEADING_NUMBER.match(text)
    first = number.end() if number else 0
    bold = [s for s in block.spans if "bold" in s.styles]
    covered = first
    for span in bold:
        if span.start > covered and text[covered:span.start].strip():
            return False
        covered = max(covered, span.end)
    if not bold or text[covered:].strip() or text.endswith((",", ";")):
        return False
    if (_LABELLED_PART.match(text) and not block.text.rstrip().endswith((".", "!", "?"))
            and _RULE_WORDS.search(text) is None):
        return len(text.split()) <= _LABELLED_MAX_WORDS
    return _reads_as_title(text, plain_ok=False)


# What _SPACES would change in ASCII text: a run of two or more, or any but the plain space.
_ASCII_FOLDABLE = re.compile(r"[\t\r\n\f\v]| [ \t\r\n\f\v]")


@dataclass
class RunText:
    """Text of one block being built, with styled runs."""

    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, styles: frozenset[str] = frozenset()) -> None:
        if not text:
            return
        if styles:
            self.spans.append((self.length, self.length + len(text), styles))
        self.parts.append(text)
        self.length += len(text)


def run_in_heading(run: RunText, habit: bool = False) -> tuple[RunText, RunText] | None:
    """A paragraph or item that opens with a bold run-in heading (after an item number, if
    any), as (heading, the rest), or None. `habit`: the document already uses run-in
    headings, so longer plain-case titles count."""
    if not run.spans or not run.parts:
        return None
    start, end, styles = run.spans[0]
    text = "".join(run.parts)
    before = text[:start]
    if "bold" not in styles or (before.strip() and _MARKER_ONLY.fullmatch(before) is None):
        return None
    # Adjacent bold pieces ("**4.** **Documentation.**") count as one phrase, up to the
    # first piece that ends a phrase.
    for next_start, next_end, next_styles in run.spans[1:]:
        if (_RUN_IN_END.search(text[start:end]) or "bold" not in next_styles
                or text[end:next_start].strip()):
            break
        end = next_end
    # "**4.2 Violations by End Users**. Zoom assumes ...": the full stop just after the bold.
    if not _RUN_IN_END.search(text[start:end]) and text[end:end + 1] in (".", ":"):
        end += 1
    head, rest = text[len(before) - len(before.lstrip()):end], text[end:]
    if not _title_shaped(head, _INVISIBLE.sub("", rest), habit):
        return None
    heading = RunText()
    heading.add(head, frozenset({"bold"}))
    return heading, _slice(text, run.spans, end)


# "**Customer:** Harrowfield Building Society": a label and its short value, as in a form or
# a document's header block, is a field, not a heading over what follows.
_FIELD_MAX_WORDS = 8


# Lines of "Label: value" joined into one paragraph ("Customer: Acme Questionnaire: Q4 ...").
_NEXT_LABEL = re.compile(r"(?:^|\s)[A-Z][A-Za-z]+(?:\s+[a-z]+){0,2}:\s+\S")


def _field(head: str, rest: str) -> bool:
    value = rest.strip()
    if not head.rstrip().endswith(":"):
        return False
    return ((len(value.split()) <= _FIELD_MAX_WORDS and not value.endswith((".", "!", "?", ";")))
            or _NEXT_LABEL.search(value) is not None)


def _slice(text: str, spans: list[tuple[int, int, frozenset[str]]], cut: int) -> RunText:
    """The styled text from offset `cut` on."""
    out = RunText()
    position = cut
    for start, end, styles in spans:
        if end <= cut:
            continue
        start = max(start, cut)
        out.add(text[position:start])
        out.add(text[start:end], styles)
        position = end
    out.add(text[position:])
    return out


def clean_block_text(text: str, spans: list[tuple[int, int, frozenset[str]]]
                     ) -> tuple[str, tuple[Span, ...]]:
    """Fold whitespace and drop invisible characters, moving span offsets along."""
    if not spans:
        if text.isascii():  # no invisible character is ASCII; most blocks need no folding
            if _ASCII_FOLDABLE.search(text) is None:
                return text, ()
            return _SPACES.sub(" ", text), ()
        return _SPACES.sub(" ", _INVISIBLE.sub("", text)), ()
    out: list[str] = []
    mapping: list[int] = []  # mapping[i]: where input offset i lands in the output
    size = 0
    pending_space = False
    for ch in text:
        mapping.append(size + (1 if pending_space else 0))
        if _INVISIBLE.match(ch):
            continue
        if _SPACES.match(ch):
            pending_space = size > 0
            continue
        if pending_space:
            out.append(" ")
            size += 1
            pending_space = False
        out.append(ch)
        size += 1
    mapping.append(size)
    cleaned = "".join(out)
    result: list[Span] = []
    for start, end, styles in spans:
        s, e = min(mapping[start], size), min(mapping[end], size)
        if s < e:
            result.append(Span(s, e, styles))
    return cleaned, _merge_spans(result)


def _merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        last = merged[-1] if merged else None
        if last and last.styles == span.styles and span.start <= last.end + 1:
            merged[-1] = Span(last.start, max(last.end, span.end), last.styles)
        else:
            merged.append(span)
    return tuple(merged)


def heading_marker(text: str) -> str | None:
    """The number a heading starts with ("7.", "7.2", "ARTICLE VII"), if any."""
    match = _HEADING_NUMBER.match(text)
    return match.group(1).strip().rstrip(".:") if match else None


@dataclass
class PendingBlock:
    kind: BlockKind
    text: str
    spans: tuple[Span, ...]
    level: int = 0
    marker: str | None = None
    page: int | None = None
    list_depth: int = 0  # a heading cut from or made of a list item: that item's depth


class DocumentBuilder:
    """Collects blocks in reading order and lays them out in one text."""

    def __init__(self, source: str, fmt: Format, data: bytes, settings: Settings) -> None:
        self.source = source
        self.format: Format = fmt
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.settings = settings
        self.blocks: list[PendingBlock] = []
        self.run_ins = 0  # run-in headings cut so far
        self.chars = 0
        self.title: str | None = None

    def add(self, kind: BlockKind, run: RunText, *, level: int = 0,
            marker: str | None = None, page: int | None = None) -> None:
        """Add a block from styled runs; empty blocks are dropped. A paragraph that opens
        with a bold run-in heading is added as that heading (at RUN_IN_LEVEL, so it lasts
        until the next heading of any kind) and the rest; a list item likewise, its heading
        one level deeper per list depth and its rest a paragraph."""
        if kind in ("paragraph", "list_item"):
            split = run_in_heading(run, habit=self.run_ins >= RUN_IN_HABIT)
            if split is not None:
                self.run_ins += 1  # a field's bold label shows the habit too
            if split is not None and not _field("".join(split[0].parts),
                                                "".join(split[1].parts)):
                heading, run = split
                if kind == "list_item":
                    depth = max(level, 1)
                    self._add("heading", heading, RUN_IN_LEVEL + depth - 1, marker, page, depth)
                    kind, level, marker = "paragraph", 0, None
                else:
                    self._add("heading", heading, RUN_IN_LEVEL, None, page)
        self._add(kind, run, level, marker, page)

    def _add(self, kind: BlockKind, run: RunText, level: int, marker: str | None,
             page: int | None, list_depth: int = 0) -> None:
        text, spans = clean_block_text("".join(run.parts), run.spans)
        text, spans = _strip(text, spans)
        if not text:
            return
        if kind == "heading" and marker is None:
            marker = heading_marker(text)
        self.add_clean(PendingBlock(kind, text, spans, level, marker, page, list_depth))

    def add_clean(self, block: PendingBlock) -> None:
        self.chars += len(block.text) + len(BLOCK_SEPARATOR)
        if self.chars > self.settings.max_chars:
            raise LimitExceeded("characters", self.chars, self.settings.max_chars,
                                "TERMSHIFT_MAX_CHARS")
        self.blocks.append(block)

    def build(self, *, title: str | None = None, page_count: int | None = None) -> Document:
        """Join blocks with blank lines and compute offsets and section paths."""
        text_parts: list[str] = []
        offset = 0
        blocks: list[Block] = []
        pending_blocks = promote_bold_titles(self.blocks)
        for pending, section in zip(pending_blocks, section_paths(pending_blocks), strict=True):
            if text_parts:
                text_parts.append(BLOCK_SEPARATOR)
                offset += len(BLOCK_SEPARATOR)
            blocks.append(Block(
                kind=pending.kind, text=pending.text, start=offset,
                end=offset + len(pending.text), level=pending.level, section=section,
                marker=pending.marker, emphasis=pending.spans, page=pending.page,
            ))
            text_parts.append(pending.text)
            offset += len(pending.text)
        return Document(
            source=self.source, format=self.format, sha256=self.sha256,
            title=choose_title(title or self.title, blocks, self.source),
            text="".join(text_parts), blocks=tuple(blocks), page_count=page_count,
        )


def _strip(text: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    stripped = text.strip()
    if not spans:
        return stripped, ()
    lead = len(text) - len(text.lstrip())
    moved = tuple(
        Span(max(0, s.start - lead), min(len(stripped), s.end - lead), s.styles)
        for s in spans
    )
    return stripped, tuple(s for s in moved if s.start < s.end)


# A plain paragraph that is one Title Case line ("Universal Usage Standards", "Do Not
# Compromise Computer or Network Systems") over a paragraph or a list is a title too: pages
# saved as text or Markdown keep their headings' words but not their markup. Nothing but the
# words says so, so the shape is stricter than a bold title's: two to ten words in at most
# 100 characters, every word of four letters or more capitalised, no styling at all (a line
# partly in bold is a writer's emphasis), no digit, no closing mark, no "?", "!", ":" or ";"
# ("Attn: Legal"), a comma only in a line with a list ("Fraudulent, Abusive, or Predatory
# Practices", not "Mountain View, California"), no salutation or closing, no company's legal
# name (here and in _COMPANY_END), no sentence word (an imperative "Do Not" / "Never" may
# open it) and no word of a short rule ("No Refunds Or Exchanges", "... Without Notice"),
# though a first "No", "Any" or "All" before a plain noun phrase is a title's ("No Waiver").
_PLAIN_TITLE_MAX_WORDS = 10
_PLAIN_TITLE_MAX_CHARS = 100
_IMPERATIVE_OPENER = re.compile(r"^(?:do\s+not|don['’]t|never)\s+", re.IGNORECASE)
_PLAIN_TITLE_END = (".", ",", ")", "]", "”", '"')
_PLAIN_TITLE_NOT = re.compile(
    r"[?!:;]|^(?:dear|hi|hello|sincerely|regards|yours)\b"
    r"|\b(?:corporation|limited|incorporated|llp)\s*$", re.IGNORECASE)
_PLAIN_TITLE_LIST = re.compile(r"\b(?:and|or)\b", re.IGNORECASE)
_PLAIN_TITLE_OPENER = re.compile(r"^(?:no|any|all)\s+", re.IGNORECASE)


def plain_title_line(block: PendingBlock, after: PendingBlock) -> bool:
    """A paragraph whose whole text is a short plain Title Case line, followed by text."""
    text = block.text.strip()
    if (block.kind != "paragraph" or block.spans or after.kind not in ("paragraph", "list_item")
            or len(text) > _PLAIN_TITLE_MAX_CHARS or "\n" in text
            or text.endswith(_PLAIN_TITLE_END) or _DIGIT.search(text)
            or _PLAIN_TITLE_NOT.search(text)):
        return False
    listed = _PLAIN_TITLE_LIST.search(text) is not None
    if ("," in text and not listed) or _RULE_WORD.search(
            text if listed else _PLAIN_TITLE_OPENER.sub("", text)):
        return False
    words, numbered, title_case = _title_words(text)
    if numbered or not title_case or not 2 <= len(words) <= _PLAIN_TITLE_MAX_WORDS:
        return False
    if sum(w[:1].isupper() for w in words) < 2 or any(not w[:1].isalpha() for w in words):
        return False
    rest = _IMPERATIVE_OPENER.sub("", text)
    return (_SENTENCE_WORD.search(rest) is None and _COMPANY_END.search(text) is None
            and not any(_VERB_S.fullmatch(w.strip(",;")) for w in rest.split()[:-1]))


def promote_bold_titles(blocks: list[PendingBlock]) -> list[PendingBlock]:
    """Bold title lines followed by text (or by a run-in heading and its text), and plain
    Title Case lines followed by text, become headings at BOLD_TITLE_LEVEL."""
    out = list(blocks)
    for k, block in enumerate(blocks[:-1]):
        after = blocks[k + 1]
        if plain_title_line(block, after):
            out[k] = replace(block, kind="heading", level=BOLD_TITLE_LEVEL, marker=None)
        elif (after.kind != "heading" or after.level >= RUN_IN_LEVEL) and bold_title_line(block):
            depth = max(block.level, 1) if block.kind == "list_item" else 0
            out[k] = replace(block, kind="heading", level=BOLD_TITLE_LEVEL,
                             marker=block.marker or heading_marker(block.text),
                             list_depth=depth)
    return out


def marker_style(marker: str | None) -> str:
    """The kind of an item's marker, so that items of one list can be told from another's:
    "-" and "•" bullet, "1." number, "(a)" letter in brackets, "iv." roman, ..."""
    mark = (marker or "").strip()
    if not mark or mark in "-*+•–·":
        return "bullet"
    core = mark.strip("().:")
    shape = ("(" if mark.startswith("(") else "") + (mark[-1] if mark[-1] in ".):" else "")
    if re.fullmatch(r"\d+(?:\.\d+)*", core):
        return "number" + shape
    if len(core) > 1 and re.fullmatch(r"[ivxlc]+", core, re.IGNORECASE):
        return "roman" + shape
    if re.fullmatch(r"[a-z]", core, re.IGNORECASE):
        return "letter" + shape
    return "other" + shape


def section_paths(blocks: list[PendingBlock]) -> list[tuple[str, ...]]:
    """The heading path of every block (a heading's path includes itself). A heading that
    came from a list item also ends at the next item of the same kind of list ("-", "1.",
    "(a)") at its depth or a lower one: the "(a)" items under "1. **Definitions.**" do not
    end it, the next "2." does."""
    stack: list[tuple[int, str, int, str]] = []  # level, text, list depth (0: none), style
    paths: list[tuple[str, ...]] = []

    def ends(depth: int, style: str) -> bool:
        return 0 < depth <= stack[-1][2] and style == stack[-1][3]

    for block in blocks:
        if block.kind == "heading":
            level = block.level or 1
            depth, style = block.list_depth, marker_style(block.marker)
            while stack and (stack[-1][0] >= level or ends(depth, style)):
                stack.pop()
            stack.append((level, block.text, depth, style))
        elif block.kind == "list_item" and block.marker is not None:  # a new item
            depth, style = max(block.level, 1), marker_style(block.marker)
            while stack and ends(depth, style):
                stack.pop()
        paths.append(tuple(entry[1] for entry in stack))
    return paths


def choose_title(title: str | None, blocks: list[Block], source: str) -> str:
    """The title the file gives, else its first heading, else its file name. A first
    heading with a section number ("1. Accessing the Products") opens a section: a plain
    first line that reads as a title ("Terms of Service", "Microsoft Services Agreement")
    names the document better, and so does such a line in a file with no heading."""
    if title and title.strip():
        return " ".join(title.split())[:300]
    heading = next((b for b in blocks
                    if b.kind == "heading" and b.level < BOLD_TITLE_LEVEL), None)
    if heading is not None and _HEADING_NUMBER.match(heading.text) is None:
        return heading.text[:300]
    first = blocks[0] if blocks else None
    if (first is not None and (first.kind == "paragraph" or first.level == BOLD_TITLE_LEVEL)
            and _title_line(first.text)):
        return first.text
    if heading is not None:
        return heading.text[:300]
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return name or "untitled"


def _title_line(text: str) -> bool:
    """A short Title Case line with no number, date or punctuation of a sentence or label."""
    return (len(text) <= 120 and not any(c.isdigit() or c in ".:;!?" for c in text)
            and _reads_as_title(text, plain_ok=False))
