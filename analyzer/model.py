"""The one data model every stage passes along: Document -> Clause -> Change -> Finding.

All models are frozen dataclasses. Their JSON form (CONTRACT.md; schema_version "1.1" adds
the change-first finding types) is produced in one place, `analyzer.serialize`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA_VERSION = "1.1"

Format = Literal["pdf", "html", "docx", "markdown", "text"]
BlockKind = Literal["heading", "paragraph", "list_item", "table"]
Emphasis = Literal["all_caps", "bold", "underline", "italic"]
Bearer = Literal["user", "provider", "third_party", "shared"]
Modality = Literal["obligation", "permission", "prohibition", "exclusion"]

EMPHASIS_ORDER: tuple[str, ...] = ("all_caps", "bold", "underline", "italic")

CATEGORIES: tuple[str, ...] = (
    "responsibility",
    "liability_limitation",
    "indemnification",
    "warranty_disclaimer",
    "agent_authorization",
    "agent_conduct",
    "human_oversight",
    "access_control",
    "incident_response",
    "data_use",
    "unilateral_change",
    "unilateral_termination",
    "content_removal",
    "contract_by_using",
    "governing_law",
    "jurisdiction",
    "arbitration",
)


@dataclass(frozen=True)
class Span:
    """A styled run inside a block: offsets relative to the block's own text."""

    start: int
    end: int
    styles: frozenset[str]  # subset of "bold", "underline", "italic"


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, list item or table row of a document, in reading order.

    `start`/`end` are offsets of `text` inside `Document.text`, so
    `doc.text[block.start:block.end] == block.text`.
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    level: int = 0  # heading level 1..6 (7: a run-in heading), list nesting depth for items
    section: tuple[str, ...] = ()  # heading path above (and, for headings, including) it
    marker: str | None = None  # list or heading number as written: "(a)", "7.2", "ARTICLE VII"
    emphasis: tuple[Span, ...] = ()
    page: int | None = None  # 1-based page for PDF, else None


@dataclass(frozen=True)
class Document:
    """A parsed input: its extracted text and the blocks that tile it."""

    source: str
    format: Format
    sha256: str
    title: str
    text: str
    blocks: tuple[Block, ...]
    page_count: int | None = None


@dataclass(frozen=True)
class LiabilityCap:
    """A cap on a party's liability: a fixed amount, a formula, or both."""

    text: str  # the words that state the cap, as written
    amount: float | None = None
    currency: str | None = None  # ISO 4217 code where recognisable ("USD", "EUR", "GBP")
    formula: str | None = None  # "fees_paid", "greater_of", ... or None for a plain amount
    period_months: int | None = None  # "in the 12 months before the claim"


@dataclass(frozen=True)
class Attributes:
    bearer: Bearer | None = None
    exclusive: bool = False
    agent_scope: bool = False
    modality: Modality | None = None
    emphasis: tuple[str, ...] = ()  # ordered as EMPHASIS_ORDER
    liability_cap: LiabilityCap | None = None
    negated: bool = False  # "we are not responsible for": the clause allocates nothing
    # Categories the shipped model reads as the potentially unfair kind (what UNFAIR-ToS
    # marks), in CATEGORIES order; () with --rules-only.
    potentially_unfair: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    """One sentence or enumerated item, with where it sits and what it allocates."""

    id: str  # "c1", "c2", ... in reading order
    section: tuple[str, ...]
    text: str
    start: int  # offsets in Document.text
    end: int
    page: int | None = None
    lead_in: str | None = None  # for an enumerated item, the sentence that introduces it
    marker: str | None = None  # "(a)", "(iv)", "1." for enumerated items
    categories: tuple[str, ...] = ()
    attributes: Attributes = field(default_factory=Attributes)


@dataclass(frozen=True)
class Analysis:
    """The result of `analyze`: the document and its classified clauses."""

    document: Document
    clauses: tuple[Clause, ...]


ChangeKind = Literal["added", "removed", "modified", "moved", "unchanged"]
Severity = Literal["high", "medium", "low", "info"]
Direction = Literal["against_user", "for_user", "neutral"]
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    old: Clause | None
    new: Clause | None
    similarity: float
    redline: tuple[tuple[str, str], ...] = ()  # ("equal"|"insert"|"delete", text)
    formatting: tuple[str, ...] = ()  # e.g. "+all_caps", "-bold": same words, new styling


@dataclass(frozen=True)
class Finding:
    id: str
    type: str
    category: str | None
    severity: Severity
    direction: Direction
    title: str
    explanation: str
    rule: str  # "rules/shifts/<file>.yaml#<id>"
    old_clause: str | None
    new_clause: str | None
    evidence_old: str | None = None
    evidence_new: str | None = None
    # A finding about several clauses (a rewritten section) names them here, with
    # old_clause and new_clause left empty; a finding on one clause leaves these empty.
    old_clauses: tuple[str, ...] = ()
    new_clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    old: Analysis
    new: Analysis
    changes: tuple[Change, ...]
    findings: tuple[Finding, ...]
    # Said at the top of every report when the two documents share almost nothing (two
    # different documents compared, rather than two versions of one).
    warning: str | None = None


ControlStatus = Literal["met", "partial", "missing"]


@dataclass(frozen=True)
class SecondReading:
    """How the trained control reader reads a control where that differs from the check:
    the reading of the clause it is surest speaks to the control."""

    status: ControlStatus
    clause: str  # clause id


@dataclass(frozen=True)
class ControlResult:
    id: str
    title: str
    status: ControlStatus
    evidence: tuple[str, ...]  # clause ids
    explanation: str
    references: tuple[str, ...] = ()
    # Set when the trained reader reads the control otherwise: a status to review first.
    second_reading: SecondReading | None = None


@dataclass(frozen=True)
class Check:
    analysis: Analysis
    controls: tuple[ControlResult, ...]


@dataclass(frozen=True)
class Timeline:
    """One document's history: its versions oldest first and the comparison of each step."""

    labels: tuple[str, ...]  # one per version: a date, a commit, or the file name
    versions: tuple[Analysis, ...]
    steps: tuple[Comparison, ...]  # steps[i] compares versions[i] with versions[i + 1]
