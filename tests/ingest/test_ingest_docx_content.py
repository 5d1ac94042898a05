"""The DOCX reader keeps every piece of text a reader of the document sees: hyperlinks,
fields, content controls, smart tags, tracked changes and table cells holding them.

Each fixture is a python-docx document with paragraphs of raw WordprocessingML appended,
shaped as Word writes them."""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml

from analyzer.ingest import ingest
from analyzer.model import Block, Document

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _r(text: str, props: str = "") -> str:
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _field(instruction: str, *result: str) -> str:
    """A complex field: begin, instruction, separate, result runs, end."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + "".join(result) + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _docx(*body: str) -> Document:
    """A document whose body is the given raw elements (paragraphs, tables, controls)."""
    document = docx.Document()
    sect_pr = document.element.body[-1]
    for xml in body:
        sect_pr.addprevious(parse_xml(_with_ns(xml)))
    buffer = io.BytesIO()
    document.save(buffer)
    return ingest(buffer.getvalue(), "t.docx")


def _with_ns(xml: str) -> str:
    """Declare the namespaces on the first element of a raw fragment."""
    end = xml.index(">")
    if xml[end - 1] == "/":
        end -= 1
    return f"{xml[:end]} {_NS}{xml[end:]}"


def _p(*content: str) -> str:
    return "<w:p>" + "".join(content) + "</w:p>"


def _texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks]


def _bold(block: Block) -> list[str]:
    return [block.text[s.start:s.end] for s in block.emphasis if "bold" in s.styles]


def test_hyperlink_text_is_kept() -> None:
    doc = _docx(
        _p(_r("Our "), '<w:hyperlink r:id="rId99" w:history="1">',
           _r("Business Terms", '<w:rStyle w:val="Hyperlink"/>'), "</w:hyperlink>",
           _r(" govern your use.")),
        _p(_r("See "), '<w:hyperlink w:anchor="fees">', _r("the fees", "<w:b/>"),
           _r(" table", "<w:b/>"), "</w:hyperlink>", _r(".")),
    )
    assert _texts(doc) == ["Our Business Terms govern your use.", "See the fees table."]
    assert _bold(doc.blocks[1]) == ["the fees table"]


def test_simple_and_complex_fields_show_their_result_not_their_instruction() -> None:
    doc = _docx(
        _p(_r("These terms are offered by "),
           '<w:fldSimple w:instr=" DOCPROPERTY Company \\* MERGEFORMAT ">',
           _r("Northwind Ltd"), "</w:fldSimple>", _r(".")),
        _p(_r("Read "), _field(' HYPERLINK "https://example.test/privacy" ',
                               _r("the Privacy Policy", "<w:b/>")), _r(" first.")),
        # A field inside another's instruction (IF with a nested DOCPROPERTY) shows nothing
        # of its own: only the outer field's result is on the page.
        _p(_r("Fees are "),
           '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
           '<w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>',
           _field(" DOCPROPERTY Plan ", _r("Pro")),
           '<w:r><w:instrText xml:space="preserve"> = "Pro" "due monthly" "due yearly" '
           "</w:instrText></w:r>",
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', _r("due monthly"),
           '<w:r><w:fldChar w:fldCharType="end"/></w:r>', _r(".")),
    )
    assert _texts(doc) == ["These terms are offered by Northwind Ltd.",
                           "Read the Privacy Policy first.", "Fees are due monthly."]
    assert _bold(doc.blocks[1]) == ["the Privacy Policy"]
    assert "HYPERLINK" not in doc.text and "DOCPROPERTY" not in doc.text


def test_an_unfinished_field_does_not_hide_the_paragraphs_after_it() -> None:
    doc = _docx(
        _p(_r("Broken "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
           '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'),
        _p(_r("You may cancel at any time.")),
    )
    assert _texts(doc) == ["Broken", "You may cancel at any time."]


def test_inline_and_block_content_controls_are_read_in_order() -> None:
    doc = _docx(
        _p(_r("The customer is "),
           '<w:sdt><w:sdtPr><w:alias w:val="Customer"/></w:sdtPr><w:sdtContent>',
           _r("Contoso", "<w:b/>"), "</w:sdtContent></w:sdt>", _r(" and its agents.")),
        '<w:sdt><w:sdtPr><w:tag w:val="clause"/></w:sdtPr><w:sdtContent>'
        + _p(_r("You are responsible for your agents."))
        + "<w:tbl><w:tr><w:tc>" + _p(_r("Plan")) + "</w:tc><w:tc>" + _p(_r("Pro"))
        + "</w:tc></w:tr></w:tbl>"
        + "</w:sdtContent></w:sdt>",
        _p(_r("Last paragraph.")),
    )
    assert _texts(doc) == ["The customer is Contoso and its agents.",
                           "You are responsible for your agents.", "Plan | Pro",
                           "Last paragraph."]
    assert _bold(doc.blocks[0]) == ["Contoso"]
    assert doc.blocks[2].kind == "table"


def test_smart_tags_and_custom_xml_keep_their_text() -> None:
    doc = _docx(_p(_r("Disputes go to "),
                   '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" '
                   'w:element="City">', _r("Dublin"), "</w:smartTag>",
                   '<w:customXml w:element="court">', _r(" courts"), "</w:customXml>",
                   _r(".")))
    assert _texts(doc) == ["Disputes go to Dublin courts."]


def test_tracked_changes_read_as_the_current_text() -> None:
    insert = '<w:ins w:id="1" w:author="Editor" w:date="2026-01-01T00:00:00Z">'
    delete = '<w:del w:id="2" w:author="Editor" w:date="2026-01-01T00:00:00Z">'
    doc = _docx(
        _p(_r("We "), delete, '<w:r><w:delText xml:space="preserve">will not </w:delText>'
           "</w:r></w:del>", insert, _r("may "), "</w:ins>", _r("share your data.")),
        _p(_r("Agents act for you"), '<w:moveFrom w:id="3" w:author="Editor">',
           '<w:r><w:t xml:space="preserve"> and never alone</w:t></w:r></w:moveFrom>',
           _r(".")),
        _p('<w:moveTo w:id="4" w:author="Editor">', _r("Approval is needed first."),
           "</w:moveTo>"),
        _p(delete, '<w:r><w:delText>An entirely deleted paragraph.</w:delText></w:r>',
           "</w:del>"),
        _p(insert, _r("you are solely responsible", "<w:b/><w:caps/>"), "</w:ins>",
           _r(" for your agents.")),
    )
    assert _texts(doc) == ["We may share your data.", "Agents act for you.",
                           "Approval is needed first.",
                           "YOU ARE SOLELY RESPONSIBLE for your agents."]
    assert _bold(doc.blocks[3]) == ["YOU ARE SOLELY RESPONSIBLE"]


def test_table_cells_keep_links_fields_and_insertions() -> None:
    doc = _docx(
        "<w:tbl><w:tr><w:tc>"
        + _p('<w:hyperlink w:anchor="a">', _r("Support Terms"), "</w:hyperlink>")
        + "</w:tc><w:tc>"
        + _p(_r("Version "), _field(" DOCPROPERTY Version ", _r("3")),
             '<w:ins w:id="5" w:author="E">', _r(" (current)"), "</w:ins>")
        + "</w:tc></w:tr></w:tbl>",
    )
    assert _texts(doc) == ["Support Terms | Version 3 (current)"]


def test_heading_made_of_a_hyperlink_stays_a_heading() -> None:
    doc = _docx(
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:hyperlink w:anchor="top">'
        + _r("Acceptable Use") + "</w:hyperlink></w:p>",
        _p(_r("Do not misuse the service.")),
    )
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Acceptable Use"), ("paragraph", "Do not misuse the service.")]
    assert doc.blocks[1].section == ("Acceptable Use",)


def test_character_styles_give_bold_and_capitals_but_links_are_not_underlined() -> None:
    document = docx.Document()
    strong = document.styles.add_style("Loud", 2)  # a character style, bold and capitals
    strong.font.bold, strong.font.all_caps = True, True
    linked = document.styles.add_style("Link Look", 2)
    linked.font.underline = True
    paragraph = document.add_paragraph()
    paragraph.add_run("you are solely responsible", style="Loud")
    paragraph.add_run(" for your agents under the ")
    paragraph.add_run("Agent Terms", style="Link Look")
    plain = paragraph.add_run(" and this is not bold", style="Loud")
    plain.bold = False  # direct formatting wins over the style
    buffer = io.BytesIO()
    document.save(buffer)
    block = ingest(buffer.getvalue(), "t.docx").blocks[0]
    assert block.text == ("YOU ARE SOLELY RESPONSIBLE for your agents under the Agent Terms"
                          " AND THIS IS NOT BOLD")
    assert _bold(block) == ["YOU ARE SOLELY RESPONSIBLE"]
    assert all("underline" not in s.styles for s in block.emphasis)


def test_rows_and_cells_in_content_controls_and_merged_cells() -> None:
    def tc(text: str, props: str = "") -> str:
        return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{_p(_r(text))}</w:tc>"

    doc = _docx(
        "<w:tbl>"
        + "<w:tr>" + tc("Plan", '<w:vMerge w:val="restart"/>') + tc("Fee") + "</w:tr>"
        # A repeating-section content control around a row, and a cell control in it.
        + "<w:sdt><w:sdtPr/><w:sdtContent><w:tr>" + tc("", "<w:vMerge/>")
        + "<w:sdt><w:sdtPr/><w:sdtContent>" + tc("$20 a month") + "</w:sdtContent></w:sdt>"
        + "</w:tr></w:sdtContent></w:sdt>"
        + "<w:tr>" + tc("Refunds", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        + "</w:tbl>",
    )
    assert _texts(doc) == ["Plan | Fee", "Plan | $20 a month", "Refunds"]


def test_a_deleted_paragraph_mark_joins_the_paragraph_to_the_next() -> None:
    mark_deleted = ('<w:pPr><w:rPr><w:del w:id="7" w:author="E" w:date="2026-01-01T00:00:00Z"/>'
                    "</w:rPr></w:pPr>")
    doc = _docx(
        "<w:p>" + mark_deleted + _r("We may suspend your account ") + "</w:p>",
        _p(_r("if your agents", "<w:b/>"), _r(" break these terms.")),
        "<w:p>" + mark_deleted + '<w:del w:id="8" w:author="E">'
        + '<w:r><w:delText>A paragraph deleted whole.</w:delText></w:r></w:del></w:p>',
        _p(_r("Fees are due monthly.")),
    )
    assert _texts(doc) == ["We may suspend your account if your agents break these terms.",
                           "Fees are due monthly."]
    assert _bold(doc.blocks[0]) == ["if your agents"]
