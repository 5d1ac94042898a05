"""HTML into a Document: main content only, headings, lists, tables and emphasis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from analyzer.errors import LimitExceeded
from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.ingest.sniff import decode_text
from analyzer.model import BlockKind, Document
from analyzer.settings import Settings

_DROP = ("script, style, noscript, template, nav, header, footer, aside, form, svg, iframe, "
         "button, select, dialog, [hidden], [aria-hidden=true], [role=navigation], "
         "[role=banner], [role=contentinfo]")
_BANNER = re.compile(r"cookie|consent|gdpr|banner|newsletter|skip-link|breadcrumb", re.I)
_BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "dd", "dt", "dl", "ul", "ol",
           "table", "thead", "tbody", "tfoot", "tr", "pre", "address", "figure", "figcaption",
           "center", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "body", "html"}
_STYLE_OF = {"b": "bold", "strong": "bold", "u": "underline", "ins": "underline",
             "em": "italic", "i": "italic"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.I)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")
# Elements that never hold others, and those whose end tag may be left out (the parser
# closes them itself): neither makes the tree deeper.
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "rb", "rt", "rp", "html", "head", "body"})


def read_html(data: bytes, source: str, settings: Settings) -> Document:
    """Parse HTML with selectolax; boilerplate (nav, header, footer, banners) is dropped."""
    text = _decode(data, source)
    check_shape(text, settings)
    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node is not None else None
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css("[class], [id]"):
        marks = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BANNER.search(marks) and node.tag not in ("body", "html", "main"):
            node.decompose()
    root = tree.css_first("main, article, [role=main]") or tree.body or tree.root
    builder = DocumentBuilder(source, "html", data, settings)
    if root is not None:
        _Extractor(builder).run(root)
    h1 = tree.css_first("h1")
    return builder.build(title=title or (h1.text(strip=True) if h1 is not None else None))


def check_shape(text: str, settings: Settings) -> None:
    """Refuse HTML nested deeper than TERMSHIFT_MAX_HTML_DEPTH or with more elements than
    TERMSHIFT_MAX_HTML_ELEMENTS, before parsing: the HTML parser's time grows with the
    square of the depth. One linear pass over the tags (an estimate: end tags the parser
    would infer are not needed for the usual ones)."""
    end = text.rfind(">")  # every tag matched below ends at or before it: no rescans
    depth = deepest = elements = 0
    for match in _TAG.finditer(text, 0, end + 1):
        name = match.group(2).lower()
        if name in _FLAT:
            elements += not match.group(1)
            continue
        if match.group(1):
            depth = max(0, depth - 1)
            continue
        elements += 1
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > settings.max_html_depth:
                raise LimitExceeded("html depth", deepest, settings.max_html_depth,
                                    "TERMSHIFT_MAX_HTML_DEPTH")
        if elements > settings.max_html_elements:
            raise LimitExceeded("html elements", elements, settings.max_html_elements,
                                "TERMSHIFT_MAX_HTML_ELEMENTS")
    if elements > settings.max_html_elements:
        raise LimitExceeded("html elements", elements, settings.max_html_elements,
                            "TERMSHIFT_MAX_HTML_ELEMENTS")


def _decode(data: bytes, source: str) -> str:
    match = _META_CHARSET.search(data[:4096])
    if match and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text(data, source)


@dataclass
class _Frame:
    kind: BlockKind = "paragraph"
    level: int = 0
    marker: str | None = None
    run: RunText = field(default_factory=RunText)


class _Extractor:
    """Walks the DOM without recursion, so any nesting depth is read."""

    def __init__(self, builder: DocumentBuilder) -> None:
        self.builder = builder
        self.frame = _Frame()
        self.styles: list[str] = []
        self.ol_counters: list[int | None] = []
        self.list_depth = 0
        self.row: list[str] | None = None

    def flush(self) -> None:
        frame = self.frame
        self.builder.add(frame.kind, frame.run, level=frame.level, marker=frame.marker)
        self.frame = _Frame()

    def run(self, root: LexborNode) -> None:
        stack: list[tuple[LexborNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            if entering:
                self.enter(node)
                stack.append((node, False))
                children = []
                child = node.child
                while child is not None:
                    children.append(child)
                    child = child.next
                stack.extend((c, True) for c in reversed(children))
            else:
                self.leave(node)
        self.flush()

    def enter(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            if self.row is not None:
                self.row[-1:] = [(self.row[-1] if self.row else "") + text]
            else:
                self.frame.run.add(text, frozenset(self.styles))
            return
        if tag in _STYLE_OF:
            self.styles.append(_STYLE_OF[tag])
        elif tag == "br":
            self.frame.run.add(" ")
        elif tag in ("td", "th") and self.row is not None:
            self.row.append("")
        elif tag == "tr":
            self.flush()
            self.row = []
        elif tag in ("ol", "ul"):
            self.flush()
            start = node.attributes.get("start") or "1"
            self.ol_counters.append(int(start) if tag == "ol" and start.isdigit() else None)
            self.list_depth += 1
        elif tag == "li":
            self.flush()
            self.frame = _Frame("list_item", self.list_depth, self._next_marker())
        elif tag in _BLOCKS:
            self.flush()
            if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                self.frame = _Frame("heading", int(tag[1]))

    def leave(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _STYLE_OF and _STYLE_OF[tag] in self.styles:
            self.styles.remove(_STYLE_OF[tag])
        elif tag == "tr" and self.row is not None:
            run = RunText()
            run.add(" | ".join(" ".join(c.split()) for c in self.row if c.strip()))
            self.builder.add("table", run)
            self.row = None
        elif tag in ("ol", "ul"):
            self.flush()
            if self.ol_counters:
                self.ol_counters.pop()
            self.list_depth = max(0, self.list_depth - 1)
        elif tag in _BLOCKS:
            self.flush()

    def _next_marker(self) -> str | None:
        if not self.ol_counters or self.ol_counters[-1] is None:
            return None
        number = self.ol_counters[-1]
        self.ol_counters[-1] = number + 1
        return f"{number}."
