"""The PDF reader on headings and emphasised lines set in several font runs: each stays one
heading or line, with its words whole and its emphasis, and apart from the next sentence."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from analyzer.ingest import ingest
from analyzer.model import Block

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=7)
TIGHT = ParagraphStyle("tight", parent=BODY, spaceAfter=0)
HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13.5, leading=17,
                      spaceBefore=8, spaceAfter=6)
TEXT = ("You agree to these terms when you use the service, and your agents agree to them "
        "when they act for you.")


def _blocks(*story: tuple[str, ParagraphStyle]) -> list[Block]:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=letter).build([Paragraph(m, s) for m, s in story])
    return list(ingest(buffer.getvalue(), "t.pdf").blocks)


def _shape(blocks: list[Block]) -> list[tuple[str, str, list[str]]]:
    return [(b.kind, b.text, [b.text[s.start:s.end] for s in b.emphasis]) for b in blocks]


def test_a_word_set_in_two_fonts_stays_one_word() -> None:
    blocks = _blocks(('Your Respon<font name="Helvetica-BoldOblique">sibilities</font>', HEAD),
                     (TEXT, BODY))
    assert _shape(blocks)[0] == ("heading", "Your Responsibilities", ["Your Responsibilities"])
    assert blocks[1].section == ("Your Responsibilities",)


def test_a_larger_first_letter_or_number_stays_on_its_heading() -> None:
    tall = ParagraphStyle("tall", parent=TIGHT, leading=26)  # room for the 22-point number
    for markup in ('<b><font size="14">A</font>gent Conduct</b>',
                   '<font name="Helvetica-Bold" size="22">7.</font><b> Agent Conduct</b>'):
        blocks = _blocks((markup, tall), (TEXT, BODY))
        assert blocks[0].kind == "heading", markup
        assert blocks[0].text.endswith("Agent Conduct"), markup
        assert blocks[0].text in ("Agent Conduct", "7. Agent Conduct")
        assert blocks[1].text == TEXT  # not glued to the heading


def test_a_title_with_a_much_larger_initial_is_one_word() -> None:
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=26)
    blocks = _blocks(('<font size="23">M</font>oltnest Terms of Service', title), (TEXT, BODY))
    assert [(b.kind, b.text) for b in blocks] == [("heading", "Moltnest Terms of Service"),
                                                  ("paragraph", TEXT)]


def test_bold_runs_of_two_sizes_and_a_regular_space_are_one_heading() -> None:
    blocks = _blocks(('<b>AGENT CONDUCT</b> <font name="Helvetica-Bold" size="9">AND SAFETY'
                      "</font>", TIGHT), (TEXT, TIGHT))
    assert _shape(blocks) == [
        ("heading", "AGENT CONDUCT AND SAFETY", ["AGENT CONDUCT AND SAFETY"]),
        ("paragraph", TEXT, [])]


def test_a_regular_number_before_a_bold_heading_keeps_both() -> None:
    blocks = _blocks(('<font name="Helvetica">7.</font> Your Responsibilities', HEAD),
                     (TEXT, BODY))
    assert _shape(blocks)[0] == ("heading", "7. Your Responsibilities",
                                 ["Your Responsibilities"])


def test_a_heading_wrapped_onto_two_lines_is_one_heading() -> None:
    title = ("Limitation of Liability and Indemnification of Providers, Agents and Their "
             "Affiliated Operators")
    blocks = _blocks((title, HEAD), (TEXT, BODY))
    assert [(b.kind, b.text) for b in blocks] == [("heading", title), ("paragraph", TEXT)]
    assert blocks[1].section == (title,)


def test_emphasis_of_a_word_in_two_bold_faces_is_one_span() -> None:
    blocks = _blocks(('You are <b>SOLE</b><font name="Helvetica-BoldOblique">LY</font> '
                      "responsible for your agents.", BODY))
    assert _shape(blocks) == [("paragraph", "You are SOLELY responsible for your agents.",
                               ["SOLELY"])]


def test_the_last_line_of_a_wrapped_bold_paragraph_is_not_a_heading() -> None:
    loud = ("YOU ARE SOLELY RESPONSIBLE FOR EVERY ACTION YOUR AGENTS TAKE ON YOUR BEHALF, "
            "AND FOR THE CONTENT THEY POST OR SEND IN YOUR NAME TO ANYONE")
    blocks = _blocks((f"<b>{loud}</b>", BODY), (TEXT, BODY))
    assert _shape(blocks) == [("paragraph", loud, [loud]), ("paragraph", TEXT, [])]


def test_a_wrapped_line_that_opens_like_an_item_continues_its_paragraph() -> None:
    text = ("These terms apply if you live in the European Economic Area, Switzerland, or "
            "UK. If you live elsewhere, the other terms apply.")
    narrow = ParagraphStyle("narrow", parent=BODY)
    buffer = io.BytesIO()
    # A frame just wide enough that the first line ends at "or" and the next opens "UK.".
    SimpleDocTemplate(buffer, pagesize=letter, leftMargin=72, rightMargin=160).build(
        [Paragraph(text, narrow), Paragraph(TEXT, BODY)])
    lines = [b.text for b in ingest(buffer.getvalue(), "t.pdf").blocks]
    assert lines == [text, TEXT]


def test_a_bullet_from_a_symbol_font_is_a_bullet() -> None:
    from reportlab.platypus import ListFlowable, ListItem

    buffer = io.BytesIO()
    items = [ListItem(Paragraph(t, BODY)) for t in ("Acquire illegal goods", "Harm anyone")]
    SimpleDocTemplate(buffer, pagesize=letter).build(
        [Paragraph(TEXT, BODY), ListFlowable(items, bulletType="bullet")])
    blocks = ingest(buffer.getvalue(), "t.pdf").blocks
    assert [(b.kind, b.text) for b in blocks[1:]] == [
        ("list_item", "Acquire illegal goods"), ("list_item", "Harm anyone")]
    assert "cid:" not in "".join(b.text for b in blocks)


def test_capitals_wrapped_over_a_page_break_stay_one_paragraph() -> None:
    from reportlab.platypus import Spacer

    loud = ("WE PROVIDE THE SERVICES AS IS, WITH ALL FAULTS AND AS AVAILABLE, AND WE GIVE NO "
            "WARRANTY OF ANY KIND ABOUT THEM TO YOU OR TO YOUR AGENTS, EXPRESS OR IMPLIED.")
    buffer = io.BytesIO()
    # The spacer leaves room for one line of the paragraph at the foot of page 1.
    orphan = ParagraphStyle("orphan", parent=BODY, allowOrphans=1)
    SimpleDocTemplate(buffer, pagesize=letter).build(
        [Spacer(1, 610), Paragraph(loud, orphan), Paragraph(TEXT, BODY)])
    blocks = ingest(buffer.getvalue(), "t.pdf").blocks
    assert [b.text for b in blocks] == [loud, TEXT]
    assert blocks[0].page == 1
