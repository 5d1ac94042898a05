"""Sentence boundaries and enumerations, measured over a hand-written fixture set."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.model import Block, Clause, Document
from analyzer.rulebook import default_rulebook
from analyzer.segment import segment

RULES = default_rulebook().segmentation

CASES = yaml.safe_load((Path(__file__).parent / "boundaries.yaml").read_text(encoding="utf-8"))


def document(*paragraphs: str, kinds: tuple[str, ...] = ()) -> Document:
    blocks, offset, parts = [], 0, []
    for i, text in enumerate(paragraphs):
        kind = kinds[i] if i < len(kinds) else "paragraph"
        blocks.append(Block(kind=kind, text=text, start=offset, end=offset + len(text),  # type: ignore[arg-type]
                            section=("1. Terms",), marker="1." if kind == "list_item" else None))
        parts.append(text)
        offset += len(text) + 2
    return Document(source="t", format="markdown", sha256="0", title="T",
                    text="\n\n".join(parts), blocks=tuple(blocks))


def clauses_of(text: str) -> list[Clause]:
    return list(segment(document(text), RULES))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_boundary_case(case: dict[str, object]) -> None:
    assert [c.text for c in clauses_of(str(case["text"]))] == case["expect"]


def test_boundary_precision_and_recall_over_the_set() -> None:
    found = expected = correct = 0
    for case in CASES:
        got = {c.text for c in clauses_of(case["text"])}
        want = set(case["expect"])
        found, expected, correct = found + len(got), expected + len(want), correct + len(got & want)
    precision, recall = correct / found, correct / expected
    print(f"boundary precision {precision:.3f} recall {recall:.3f} over {len(CASES)} cases")
    assert precision == 1.0 and recall == 1.0


def test_enumerated_items_keep_lead_in_and_marker() -> None:
    items = clauses_of("You must not: (a) resell the Service; or (b) let agents post.")
    assert [(c.marker, c.lead_in) for c in items] == [("(a)", "You must not:"),
                                                     ("(b)", "You must not:")]


def test_list_items_take_the_lead_in_of_the_paragraph_before() -> None:
    doc = document("Agents must not do the following:", "post unasked", "share secrets",
                   kinds=("paragraph", "list_item", "list_item"))
    clauses = segment(doc, RULES)
    assert [c.lead_in for c in clauses[1:]] == ["Agents must not do the following:"] * 2
    assert clauses[1].marker == "1."


@pytest.mark.parametrize(("paragraph", "lead_in"), [
    # A lead-in that only points back takes the sentence it points to.
    ("Posts that break these rules may be hidden from the public gallery. This includes:",
     "Posts that break these rules may be hidden from the public gallery. This includes:"),
    ("We may suspend an agent. For example, when it:",
     "We may suspend an agent. For example, when it:"),
    ("Agents log every action. These include, but are not limited to, the following:",
     "Agents log every action. These include, but are not limited to, the following:"),
    # A lead-in that says something itself stands alone.
    ("Read this section carefully. Agents must not do the following:",
     "Agents must not do the following:"),
    ("Thank you. This policy applies to every agent and to every team that runs one:",
     "This policy applies to every agent and to every team that runs one:"),
    ("Drafts for internal use need no review. These are the rules for external messages:",
     "These are the rules for external messages:"),
    ("Approvals are optional for internal drafts. Such bots must:", "Such bots must:"),
])
def test_a_pointing_lead_in_keeps_the_sentence_it_points_to(paragraph: str, lead_in: str
                                                             ) -> None:
    doc = document(paragraph, "graphic content", kinds=("paragraph", "list_item"))
    assert segment(doc, RULES)[-1].lead_in == lead_in


def test_headings_are_sections_not_clauses() -> None:
    doc = document("7. Agents", "You are responsible.", kinds=("heading", "paragraph"))
    clauses = segment(doc, RULES)
    assert [c.text for c in clauses] == ["You are responsible."]
    assert [c.id for c in clauses] == ["c1"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("abc ABC.;:()!?\"'1 \n"), max_size=120),
                min_size=1, max_size=5))
def test_offsets_order_and_ids_hold_for_any_text(paragraphs: list[str]) -> None:
    paragraphs = [p.strip() or "x" for p in paragraphs]
    doc = document(*paragraphs)
    clauses = segment(doc, RULES)
    previous_end = 0
    for number, clause in enumerate(clauses, start=1):
        assert clause.id == f"c{number}"
        assert doc.text[clause.start:clause.end] == clause.text
        assert clause.start >= previous_end
        previous_end = clause.end
