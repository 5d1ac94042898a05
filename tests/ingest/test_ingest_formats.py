"""Each reader on small hand-written documents."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from fixture_docs import make_pdf
from reportlab.pdfgen import canvas

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest import ingest
from analyzer.model import Document
from analyzer.settings import Settings


def assert_offsets(doc: Document) -> None:
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text


def test_markdown_headings_lists_bold_and_ota_numbering() -> None:
    data = (b"# Terms\n\n## 7\\. Your Responsibilities\n\n**YOU ARE SOLELY RESPONSIBLE.** "
            b"See [the rules](https://example.test/rules).\n\n1. first\n2. second\n\n- - -\n")
    doc = ingest(data, "t.md")
    assert_offsets(doc)
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds[1] == ("heading", "7. Your Responsibilities")
    paragraph = doc.blocks[2]
    assert paragraph.text == "YOU ARE SOLELY RESPONSIBLE. See the rules."
    assert paragraph.section == ("Terms", "7. Your Responsibilities")
    assert paragraph.emphasis[0].styles == frozenset({"bold"})
    assert paragraph.text[paragraph.emphasis[0].start:paragraph.emphasis[0].end] == (
        "YOU ARE SOLELY RESPONSIBLE.")
    assert [(b.kind, b.marker) for b in doc.blocks[3:]] == [("list_item", "1."),
                                                           ("list_item", "2.")]


def test_text_keeps_the_files_own_text_and_finds_headings() -> None:
    raw = "ARTICLE VII TERMS\r\n\r\n7.2 Agents\r\n\r\nYou agree.\r\n(a) an item\r\n"
    doc = ingest(raw.encode(), "t.txt")
    assert doc.text == raw
    assert_offsets(doc)
    assert [b.kind for b in doc.blocks] == ["heading", "heading", "paragraph"]
    assert doc.blocks[1].marker == "7.2"
    assert doc.blocks[2].section == ("ARTICLE VII TERMS", "7.2 Agents")


def test_text_run_in_headings_become_sections() -> None:
    raw = ("TERMS\n\n1. ACCEPTANCE. By using the site you accept.\n"
           "2. FEES (GENERAL). You pay all fees. 3. Not a heading here.\n"
           "4. Fees are due monthly. They are not refundable.\n")
    doc = ingest(raw.encode(), "t.txt")
    assert doc.text == raw
    assert_offsets(doc)
    shape = [(b.kind, b.text) for b in doc.blocks]
    assert shape == [
        ("heading", "TERMS"),
        ("heading", "1. ACCEPTANCE."),
        ("paragraph", "By using the site you accept."),
        ("heading", "2. FEES (GENERAL)."),
        ("paragraph", "You pay all fees. 3. Not a heading here.\n"
                      "4. Fees are due monthly. They are not refundable."),
    ]
    assert doc.blocks[2].section[-1] == "1. ACCEPTANCE."
    assert doc.blocks[4].section[-1] == "2. FEES (GENERAL)."


def test_text_lines_under_or_between_rules_are_headings() -> None:
    raw = ("ASHBY CLINIC\n============\n\nOur assistants draft letters.\n\n"
           "------------------\nWHO IS ACCOUNTABLE?\n------------------\n"
           "The ward manager answers for them.\nThey are named on the door.\n")
    doc = ingest(raw.encode(), "t.txt")
    assert doc.text == raw
    assert_offsets(doc)
    shape = [(b.kind, b.text) for b in doc.blocks]
    assert shape == [
        ("heading", "ASHBY CLINIC"),
        ("paragraph", "Our assistants draft letters."),
        ("heading", "WHO IS ACCOUNTABLE?"),
        ("paragraph", "The ward manager answers for them.\nThey are named on the door."),
    ]
    assert doc.blocks[3].section == ("WHO IS ACCOUNTABLE?",)
    # A rule under a sentence, or under several lines, makes no heading.
    plain = ingest(b"You agree to these terms.\n-----\nLine one\nline two\n=====\n", "t.txt")
    assert [b.kind for b in plain.blocks] == ["paragraph", "paragraph"]


def test_markdown_bold_run_in_headings_become_sections() -> None:
    data = (b"# Terms\n\n## 4. Access\n\n**Age limit.** You must be 18. Ask us first.\n\n"
            b"**4.2** **Your account.** Keep it **safe**.\n\n"
            b"**YOU ARE SOLELY RESPONSIBLE FOR YOUR AGENTS.** They act for you.\n\n"
            b"**Fees.**\n\n## 5. End\n\nDone.\n")
    doc = ingest(data, "t.md")
    assert_offsets(doc)
    shown = [(b.kind, b.text, b.section[-1]) for b in doc.blocks]
    assert shown[2:] == [
        ("heading", "Age limit.", "Age limit."),
        ("paragraph", "You must be 18. Ask us first.", "Age limit."),
        ("heading", "4.2 Your account.", "4.2 Your account."),
        ("paragraph", "Keep it safe.", "4.2 Your account."),
        # A bold sentence is a clause, not a heading; a bold line alone stays as it was.
        ("paragraph", "YOU ARE SOLELY RESPONSIBLE FOR YOUR AGENTS. They act for you.",
         "4.2 Your account."),
        ("paragraph", "Fees.", "4.2 Your account."),
        ("heading", "5. End", "5. End"),
        ("paragraph", "Done.", "5. End"),
    ]
    assert doc.blocks[2].level == 8
    kept = doc.blocks[5]
    assert [kept.text[s.start:s.end] for s in kept.emphasis] == ["safe"]


def test_bold_title_lines_and_numbered_run_ins_become_sections() -> None:
    data = (b"# Terms\n\n17. **SYSTEM REQUIREMENTS; CHANGES**\n\n"
            b"**17.1 Violations by End Users or Other Third Parties**. We assume no "
            b"liability.\n\nYou must tell us.\n\n**ACCOUNT SECURITY**\n\nKeep your key.\n\n"
            b"**No refunds.**\n\nFees are final.\n\n**Limits On Use**\n\n## 18. End\n\nDone.\n")
    doc = ingest(data, "t.md")
    assert_offsets(doc)
    shown = [(b.kind, b.text, b.level, b.section) for b in doc.blocks]
    assert shown[1:] == [
        ("heading", "SYSTEM REQUIREMENTS; CHANGES", 7, ("Terms", "SYSTEM REQUIREMENTS; CHANGES")),
        ("heading", "17.1 Violations by End Users or Other Third Parties.", 8,
         ("Terms", "SYSTEM REQUIREMENTS; CHANGES",
          "17.1 Violations by End Users or Other Third Parties.")),
        ("paragraph", "We assume no liability.", 0, ("Terms", "SYSTEM REQUIREMENTS; CHANGES",
         "17.1 Violations by End Users or Other Third Parties.")),
        ("paragraph", "You must tell us.", 0, ("Terms", "SYSTEM REQUIREMENTS; CHANGES",
         "17.1 Violations by End Users or Other Third Parties.")),
        # A new bold title line ends the run-in section and the title line before it.
        ("heading", "ACCOUNT SECURITY", 7, ("Terms", "ACCOUNT SECURITY")),
        ("paragraph", "Keep your key.", 0, ("Terms", "ACCOUNT SECURITY")),
        # Not in Title Case: a bold clause, read for categories like any other.
        ("paragraph", "No refunds.", 0, ("Terms", "ACCOUNT SECURITY")),
        ("paragraph", "Fees are final.", 0, ("Terms", "ACCOUNT SECURITY")),
        # Followed by a heading, not by text: stays as it was.
        ("paragraph", "Limits On Use", 0, ("Terms", "ACCOUNT SECURITY")),
        ("heading", "18. End", 2, ("Terms", "18. End")),
        ("paragraph", "Done.", 0, ("Terms", "18. End")),
    ]
    assert doc.blocks[1].marker == "17."
    assert doc.title == "Terms"


def test_list_items_with_run_in_titles_nest_and_end_at_the_next_item() -> None:
    data = (b"# Terms\n\n## 2. Your Account\n\n"
            b"* a. **Your account.** You need one.\n"
            b"    * i. **Creating an Account.** Sign up online.\n"
            b"    * ii. A plain item.\n"
            b"* b. **Moderation.** We may review content.\n"
            b"* c. A plain sibling item.\n"
            b"* d. **Games.**\n"
            b"    * i. **Personal Use.** Only for you.\n"
            b"* e. **Store.** Buy apps.\n\n"
            b"1\\. **Your Privacy.** We respect it.\n")
    doc = ingest(data, "t.md")
    assert_offsets(doc)
    shown = [(b.kind, b.text, b.section[2:]) for b in doc.blocks[2:]]
    assert shown == [
        ("heading", "a. Your account.", ("a. Your account.",)),
        ("paragraph", "You need one.", ("a. Your account.",)),
        ("heading", "i. Creating an Account.", ("a. Your account.", "i. Creating an Account.")),
        ("paragraph", "Sign up online.", ("a. Your account.", "i. Creating an Account.")),
        # The next item of the same depth ends the nested title, not its parent.
        ("list_item", "ii. A plain item.", ("a. Your account.",)),
        ("heading", "b. Moderation.", ("b. Moderation.",)),
        ("paragraph", "We may review content.", ("b. Moderation.",)),
        ("list_item", "c. A plain sibling item.", ()),
        ("heading", "d. Games.", ("d. Games.",)),
        ("heading", "i. Personal Use.", ("d. Games.", "i. Personal Use.")),
        ("paragraph", "Only for you.", ("d. Games.", "i. Personal Use.")),
        ("heading", "e. Store.", ("e. Store.",)),
        ("paragraph", "Buy apps.", ("e. Store.",)),
        # A section number written before the bold (escaped by Open Terms Archive).
        ("heading", "1. Your Privacy.", ("1. Your Privacy.",)),
        ("paragraph", "We respect it.", ("1. Your Privacy.",)),
    ]


def test_a_top_level_item_title_ends_a_paragraph_run_in_title() -> None:
    data = (b"# Terms\n\n**System Requirements.** You need a device.\n\n"
            b"1. **DEFINITIONS**. Words have meanings.\n2. **SERVICES**. We run them.\n")
    doc = ingest(data, "t.md")
    assert [(b.text, b.section[1:]) for b in doc.blocks if b.kind == "paragraph"] == [
        ("You need a device.", ("System Requirements.",)),
        ("Words have meanings.", ("DEFINITIONS.",)),
        ("We run them.", ("SERVICES.",)),
    ]


# Plain lines that look like titles and are not (a language switch, a date, a rule, a
# company, an address, a salutation ...).
_PLAIN_NOT_TITLES = [
    "English",  # one word: a language switch, not a title
    "Effective September 15, 2025",
    "You Must Keep Your Password Secret",
    "Acme Disclaims All Warranties",
    "Acme Holdings Inc.",
    "Questions? Write to Us",
    "the rules that follow",
    "Attn: Legal Department",
    "Mountain View, California",
    "Dear Valued Customer",
    "Sincerely, The Acme Team",
    "Acme Widgets Corporation",
    "No Refunds Or Exchanges",
    "Prices Subject To Change Without Notice",
]


@pytest.mark.parametrize("line", [
    "**YOU ARE SOLELY RESPONSIBLE FOR YOUR AGENTS.**",
    "**Acme Disclaims All Warranties**",
    "**Notwithstanding The Above, Acme Will Not Sell Data.**",
    "**Acme, Inc.**",
    "Partly **Bold Title**",
    "**Arbitration Replaces Court Actions**",
    *_PLAIN_NOT_TITLES,
])
def test_a_line_that_is_not_a_title_stays_a_paragraph(line: str) -> None:
    doc = ingest(f"# Terms\n\n{line}\n\nMore text follows here.\n".encode(), "t.md")
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "paragraph"]


@pytest.mark.parametrize("paragraph", [
    "**Acme reserves the right to terminate accounts at any time.** Details below.",
    "**Provider disclaims all warranties.** See section 9.",
    "**All sales final.** No refunds.",
    "**Acme Corp.** operates this website.",
    '**Acme, Inc.** ("Acme") provides the Services to you.',
    "**Acme disclaims warranties.** See section 9.",
])
def test_a_bold_sentence_is_not_taken_for_a_run_in_heading(paragraph: str) -> None:
    doc = ingest(f"# Terms\n\n{paragraph}\n".encode(), "t.md")
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]


def test_adjacent_bold_pieces_join_only_until_a_phrase_ends() -> None:
    doc = ingest(b"# Terms\n\n**Usage limits.** **You must pay.** Now.\n", "t.md")
    assert [(b.kind, b.text) for b in doc.blocks][1:] == [
        ("heading", "Usage limits."), ("paragraph", "You must pay. Now.")]


def test_a_run_in_heading_ends_at_the_next_heading_and_is_never_the_title() -> None:
    doc = ingest(b"**Last updated:** 1 May 2024\n\n# Terms of Service\n\n**Welcome.** These "
                 b"terms apply.\n\n### 3.1 Fees\n\nYou pay.\n", "t.md")
    assert doc.title == "Terms of Service"
    # "Last updated: 1 May 2024" is a field (a label and its short value), not a heading
    assert [b.section for b in doc.blocks if b.kind == "paragraph"] == [
        (), ("Terms of Service", "Welcome."), ("Terms of Service", "3.1 Fees")]


@pytest.mark.parametrize(("data", "title"), [
    # A numbered first heading opens a section; the plain line above it is the title.
    (b"Terms of Service\n\nWelcome. These terms apply.\n\n## 1. Accessing the Products\n\n"
     b"You may use them.\n", "Terms of Service"),
    # No heading at all: a Title Case first line names the document.
    (b"Acme Services Agreement\n\nThese terms apply to you.\n", "Acme Services Agreement"),
    # A date, a label or a sentence first is no title: the heading (or file name) stays.
    (b"Updated: May 1, 2024\n\n## 1. Accessing the Products\n\nYou may use them.\n",
     "1. Accessing the Products"),
    (b"These terms apply to you.\n\nYou may use them.\n", "t.md"),
    # An unnumbered first heading is the title, whatever comes before it.
    (b"Legal\n\n# Acme Terms\n\nYou may use them.\n", "Acme Terms"),
])
def test_the_title_is_never_a_numbered_section_when_a_title_line_opens_the_file(
        data: bytes, title: str) -> None:
    assert ingest(data, "t.md").title == title


def test_html_and_docx_bold_run_in_headings_become_sections() -> None:
    html = (b"<html><body><main><h2>4. Access</h2><p><b>Age limit.</b> You must be 18.</p>"
            b"<p><strong>WE MAY END IT.</strong> Any time.</p></main></body></html>")
    doc = ingest(html, "t.html")
    assert [(b.kind, b.text, b.section[-1]) for b in doc.blocks] == [
        ("heading", "4. Access", "4. Access"),
        ("heading", "Age limit.", "Age limit."),
        ("paragraph", "You must be 18.", "Age limit."),
        ("paragraph", "WE MAY END IT. Any time.", "Age limit."),
    ]

    def build(document: docx.Document) -> None:
        document.add_heading("4. Access", level=1)
        paragraph = document.add_paragraph()
        paragraph.add_run("Age limit.").bold = True
        paragraph.add_run(" You must be 18.")

    blocks = ingest(_docx(build), "t.docx").blocks
    assert [(b.kind, b.text) for b in blocks][-2:] == [
        ("heading", "Age limit."), ("paragraph", "You must be 18.")]


def test_html_keeps_main_content_and_emphasis() -> None:
    html = (b"<html><head><title>Acme Terms</title><style>p{}</style></head><body>"
            b"<nav>Home Pricing</nav><div class='cookie-banner'>We use cookies</div><main>"
            b"<h1>Terms</h1><p>You <strong>MUST</strong> <u>comply</u>.</p><ol><li>one</li>"
            b"<li>two</li></ol><table><tr><td>Plan</td><td>Price</td></tr></table></main>"
            b"<footer>Copyright</footer><script>var x = 1;</script></body></html>")
    doc = ingest(html, "page")
    assert doc.format == "html" and doc.title == "Acme Terms"
    assert "cookies" not in doc.text and "Home" not in doc.text and "Copyright" not in doc.text
    assert "var x" not in doc.text
    para = doc.blocks[1]
    assert para.text == "You MUST comply."
    assert {s.styles for s in para.emphasis} == {frozenset({"bold"}), frozenset({"underline"})}
    assert [b.marker for b in doc.blocks if b.kind == "list_item"] == ["1.", "2."]
    assert doc.blocks[-1].text == "Plan | Price"


@pytest.mark.parametrize("depth", [100, 500])
def test_deep_html_nesting_keeps_its_text(depth: int) -> None:
    html = b"<html><body>" + b"<div>" * depth + b"deep clause" + b"</div>" * depth + b"</body>"
    doc = ingest(html, "deep.html")
    assert [b.text for b in doc.blocks] == ["deep clause"]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_html_nested_past_the_depth_limit_is_refused_naming_it(depth: int) -> None:
    html = b"<html><body>" + b"<div>" * depth + b"deep clause" + b"</div>" * depth + b"</body>"
    with pytest.raises(LimitExceeded, match="TERMSHIFT_MAX_HTML_DEPTH"):
        ingest(html, "deep.html")


def _docx(build: object) -> bytes:
    document = docx.Document()
    build(document)  # type: ignore[operator]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_headings_caps_bold_lists_and_tables() -> None:
    def build(d: docx.document.Document) -> None:
        d.add_heading("Agent Terms", 1)
        run = d.add_paragraph().add_run("you are solely responsible for your agents")
        run.bold, run.font.all_caps = True, True
        d.add_paragraph("first item", style="List Number")
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Plan", "Price"

    doc = ingest(_docx(build), "t.docx")
    assert_offsets(doc)
    assert doc.blocks[0].kind == "heading"
    caps = doc.blocks[1]
    assert caps.text == "YOU ARE SOLELY RESPONSIBLE FOR YOUR AGENTS"
    assert caps.emphasis[0].styles == frozenset({"bold"})
    assert doc.blocks[2].kind == "list_item"
    assert doc.blocks[3].text == "Plan | Price"


def _zip_with(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, content)
    return buffer.getvalue()


def test_docx_with_a_dtd_is_refused() -> None:
    data = _zip_with("word/document.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
                     b"<w:document/>")
    with pytest.raises(InputError) as err:
        ingest(data, "evil.docx")
    assert err.value.code == "ingest.dtd_refused"


def test_docx_zip_bomb_is_refused_by_limit() -> None:
    data = _zip_with("word/document.xml", b"<w:document>" + b" " * 200_000 + b"</w:document>")
    with pytest.raises(LimitExceeded) as err:
        ingest(data, "bomb.docx", Settings(max_inflated_bytes=50_000))
    assert "TERMSHIFT_MAX_INFLATED_BYTES" in str(err.value)


def test_pdf_drops_running_lines_repairs_hyphens_keeps_bold(three_page_pdf: bytes) -> None:
    doc = ingest(three_page_pdf, "t.pdf")
    assert doc.page_count == 3
    assert "Acme Cloud Terms of Service" not in doc.text
    assert "Page 1 of 3" not in doc.text
    assert "responsibility settings" in doc.text
    assert "third-party content" in doc.text
    loud = [b for b in doc.blocks if b.text.startswith("YOU ARE SOLELY")]
    assert len(loud) == 3 and loud[0].emphasis[0].styles == frozenset({"bold"})
    assert [b.page for b in loud] == [1, 2, 3]
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert [h.text for h in headings] == ["1. Section 1", "2. Section 2", "3. Section 3"]


def test_pdf_two_columns_read_left_then_right() -> None:
    def page(pdf: canvas.Canvas, number: int) -> None:
        pdf.setFont("Helvetica", 10)
        for row in range(12):
            pdf.drawString(60, 700 - row * 14, f"left column line {row} about agents")
            pdf.drawString(330, 700 - row * 14, f"right column line {row} about fees")

    doc = ingest(make_pdf([page]), "cols.pdf")
    text = doc.text
    assert text.index("left column line 11") < text.index("right column line 0")


def test_encrypted_pdf_has_its_own_error() -> None:
    def page(pdf: canvas.Canvas, number: int) -> None:
        pdf.drawString(72, 700, "Secret terms.")

    data = make_pdf([page], encrypt="user-password")
    with pytest.raises(InputError) as err:
        ingest(data, "locked.pdf")
    assert err.value.code == "ingest.encrypted"


def test_scanned_pdf_without_text_layer_has_its_own_error() -> None:
    def page(pdf: canvas.Canvas, number: int) -> None:
        pdf.rect(72, 300, 400, 300, fill=1)

    with pytest.raises(InputError) as err:
        ingest(make_pdf([page]), "scan.pdf")
    assert err.value.code == "ingest.no_text_layer"


def test_pdf_page_limit_names_its_setting(three_page_pdf: bytes) -> None:
    with pytest.raises(LimitExceeded) as err:
        ingest(three_page_pdf, "t.pdf", Settings(max_pages=2))
    assert "TERMSHIFT_MAX_PAGES" in str(err.value)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "ingest.empty"),
    (b"\x00\x01\x02\x03" * 100, "ingest.unsupported_format"),
    (_zip_with("hello.txt", b"hi"), "ingest.unsupported_format"),
])
def test_unreadable_inputs_name_the_problem(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as err:
        ingest(data, "x.bin")
    assert err.value.code == code
    assert "x.bin" in str(err.value)


def test_format_comes_from_the_bytes_not_the_name(three_page_pdf: bytes) -> None:
    assert ingest(three_page_pdf, "misnamed.txt").format == "pdf"
    assert ingest(b"<!doctype html><p>Hello there.</p>", "page.md").format == "html"


def test_a_document_that_uses_run_in_titles_may_use_longer_plain_ones() -> None:
    habit = ("**Age limit.** You must be 18.\n\n**Your account.** Keep it safe.\n\n"
             "**Fees.** You pay monthly.\n\n")
    doc = ingest(f"# Terms\n\n{habit}**Delay in enforcing these terms.** Our failure to act "
                 "is no waiver.\n\n**No refunds after thirty days.** Ask support.\n".encode(),
                 "t.md")
    kinds = [(b.kind, b.text) for b in doc.blocks][7:]
    assert kinds == [
        ("heading", "Delay in enforcing these terms."),
        ("paragraph", "Our failure to act is no waiver."),
        # A short rule in bold stays a clause, habit or not.
        ("paragraph", "No refunds after thirty days. Ask support."),
    ]
    alone = ingest(b"# Terms\n\n**Delay in enforcing these terms.** Our failure to act is no "
                   b"waiver.\n", "t.md")
    assert [b.kind for b in alone.blocks] == ["heading", "paragraph"]  # no habit yet


@pytest.mark.parametrize(("title", "kind"), [
    # "your" kept lower case: the next version writes "Your", which must not read as a clause
    # removed and a heading added.
    ("2.1 Creating and Safeguarding your Account.", "heading"),
    ("2.1 Creating and Safeguarding Your Account.", "heading"),
    ("3. Changes to these Terms or the Services.", "heading"),
    # a short rule in bold stays a clause, numbered or not
    ("1. Agents work on request.", "paragraph"),
    ("7. Guard your own login.", "paragraph"),
    ("No AI use without MFA.", "paragraph"),
    ("2. No AI use without MFA.", "paragraph"),
    ("Bots log in with SSO.", "paragraph"),
    ("No PHI with the Copilot.", "paragraph"),
    ("Agents act for their Owner.", "paragraph"),
])
def test_a_title_may_keep_its_small_words_in_lower_case(title: str, kind: str) -> None:
    doc = ingest(f"# Terms\n\n**{title}** You need an account.\n".encode(), "t.md")
    assert doc.blocks[1].kind == kind


@pytest.mark.parametrize("paragraph", [
    "**4.2 Disputes go to binding arbitration.** Contact support first.",
    "**Disputes go to binding arbitration.** Contact support first.",
])
def test_a_bold_short_rule_stays_a_clause_numbered_or_in_a_habit(paragraph: str) -> None:
    habit = ("**Age limit.** You must be 18.\n\n**Your account.** Keep it safe.\n\n"
             "**Fees.** You pay monthly.\n\n")
    doc = ingest(f"# Terms\n\n{habit}{paragraph}\n".encode(), "t.md")
    assert doc.blocks[-1].kind == "paragraph" and "arbitration" in doc.blocks[-1].text


def test_a_list_title_ends_only_at_an_item_of_its_own_kind_of_list() -> None:
    data = (b"# Terms\n\n1. **DEFINITIONS**. Words have meanings.\n\n"
            b"Here they are:\n\n- Agent: software acting for you.\n- You: the account holder.\n\n"
            b"2. **SERVICES**. We run them.\n")
    doc = ingest(data, "t.md")
    assert [(b.text, b.section[1:]) for b in doc.blocks if b.kind != "heading"] == [
        ("Words have meanings.", ("DEFINITIONS.",)),
        ("Here they are:", ("DEFINITIONS.",)),
        ("Agent: software acting for you.", ("DEFINITIONS.",)),  # a bullet list inside
        ("You: the account holder.", ("DEFINITIONS.",)),
        ("We run them.", ("SERVICES.",)),
    ]


@pytest.mark.parametrize("line", [
    "**Slide 3: The rule in force today: a human says yes**",
    "**Step 2 - check what the agent drafted**",
    "**Part B: what we have not agreed yet**",
    "**Section 3.2: Scope of the agents**",
])
def test_a_bold_labelled_part_is_a_heading_in_any_case(line: str) -> None:
    # A slide, step or part label makes the line a title even in sentence case and with
    # words ("not", "is") that would mark an unlabelled bold line as a sentence.
    doc = ingest(f"# Deck\n\n{line}\n\n- The first point follows here.\n".encode(), "t.md")
    assert [b.kind for b in doc.blocks][:2] == ["heading", "heading"]


@pytest.mark.parametrize("line", [
    "**Step 2: the agent must stop when asked.**",
    "**Step 2: Agents must never post to customers without a person's approval**",
])
def test_a_bold_labelled_rule_stays_a_paragraph(line: str) -> None:
    doc = ingest(f"# Deck\n\n{line}\n\nMore text.\n".encode(), "t.md")
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "paragraph"]


@pytest.mark.parametrize("header", [
    "**Customer:** Harrowfield Building Society\n**Date:** 28 November 2026",
    "**Owner:** Dana Reyes",
])
def test_a_bold_label_and_its_short_value_is_a_field_not_a_heading(header: str) -> None:
    # A form's or a memo's header block ("To:", "Customer:", "Date:") is not a section over
    # the rest of the document.
    from analyzer.api import analyze

    text = f"# Answers\n\n{header}\n\nAgents act only when an employee asks them.\n"
    clauses = analyze(text.encode(), name="a.md").clauses
    assert clauses[-1].section == ("Answers",)
    assert clauses[0].text.startswith(header.split("**")[1])


@pytest.mark.parametrize("name", ["t.md", "t.txt"])
def test_plain_title_case_lines_over_text_are_headings(name: str) -> None:
    text = ("Club Rules\n\nThe rules below apply to every member.\n\nUniversal Standards\n\n"
            "Do Not Damage, Soil, or Break the Club Property\n\nThis includes:\n\n"
            "- breaking the chairs\n\n"
            "Guests and Visitors\n\nGuests sign the book at the door.\n")
    doc = ingest(text.encode(), name)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    for title in ("No Waiver", "About the Company", "All Other Terms",
                  "Privacy and Security, Generally"):
        boilerplate = ingest(f"# Terms\n\n{title}\n\nText follows.\n".encode(), name)
        assert [b.kind for b in boilerplate.blocks][1] == "heading", title
    assert headings[-3:] == ["Universal Standards",
                             "Do Not Damage, Soil, or Break the Club Property",
                             "Guests and Visitors"]
    last = doc.blocks[-1]
    assert last.section[-1] == "Guests and Visitors"


