"""Throughput of `analyze`: words/s on a ~50k-word Markdown document beside spaCy's bare
tokenizer (the ceiling), and the start-up of a whole `termshift analyze` process on a
small file beside a bare Python that imports spaCy and makes a blank pipeline (what every
run must pay). Prints the command, the machine and medians.

    python bench/throughput.py [--words 50000] [--runs 5]

PDF reading is measured by bench/pdf_speed.py; sample_pdf stays here for api_latency.py.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)
import pdfplumber
import spacy
from sample_pdf import render_pdf  # type: ignore[import-not-found]
from timing import median_seconds  # type: ignore[import-not-found]

from analyzer.api import analyze
from analyzer.ingest import ingest
from analyzer.nlp.gates import presence
from analyzer.nlp.pipeline import classify
from analyzer.rulebook import default_rulebook
from analyzer.rules import fold
from analyzer.segment import segment

ROOT = Path(__file__).resolve().parents[1]


def sample_markdown(words: int) -> str:
    """The corpora documents, sections renumbered, repeated until `words` words."""
    sources = [p.read_text("utf-8") for p in sorted((ROOT / "corpora").glob("*.md"))
               if p.name != "README.md"]
    parts: list[str] = ["# Combined Terms\n"]
    count, round_ = 0, 0
    while count < words:
        round_ += 1
        for text in sources:
            body = re.sub(r"^# .*$", "", text, flags=re.MULTILINE)
            body = re.sub(r"^## (\d+)\.", rf"## {round_}.\1.", body, flags=re.MULTILINE)
            parts.append(body)
            count += len(body.split())
    return "\n".join(parts)


def sample_pdf(pages: int, markdown: str) -> bytes:
    """A PDF of the Markdown's paragraphs with a running header and footer, `pages` long."""
    paragraphs = [p for p in markdown.split("\n\n") if p.strip() and not p.startswith("#")]
    words_per_page = 420
    data = _pdf_of(paragraphs, pages * words_per_page)
    # Pages hold fewer words than guessed when paragraphs are short: add text until they fill.
    for _ in range(5):
        count = _page_count(data)
        if count >= pages:
            break
        words_per_page = words_per_page * pages // max(count, 1) + 20
        data = _pdf_of(paragraphs, pages * words_per_page)
    return data


def _pdf_of(paragraphs: list[str], words: int) -> bytes:
    story = []
    count = 0
    for text in itertools.cycle(paragraphs):
        story.append(text.replace("**", "").replace("&", "&amp;"))
        count += len(text.split())
        if count > words:
            break
    return render_pdf(story)


def _page_count(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}, "
          f"spaCy {spacy.__version__}; one process, "
          f"median of {args.runs} runs after a warm-up")

    text = sample_markdown(args.words)
    data = text.encode()
    words = len(text.split())
    nlp = spacy.blank("en")
    t_analyze = median_seconds(lambda: analyze(data, name="bench.md"), args.runs)
    t_tokenizer = median_seconds(lambda: nlp.tokenizer(text), args.runs)
    doc = ingest(data, "bench.md")
    rules = default_rulebook()
    clauses = segment(doc, rules.segmentation)
    t_ingest = median_seconds(lambda: ingest(data, "bench.md"), args.runs)
    t_segment = median_seconds(lambda: segment(doc, rules.segmentation), args.runs)
    t_classify = median_seconds(lambda: classify(doc, clauses, rules.reading), args.runs)
    lowered = [fold(c.text) for c in clauses]
    gate_strings = rules.reading.gate_strings
    t_presence = median_seconds(lambda: presence(lowered, gate_strings), args.runs)
    print(f"\nMarkdown, {words:,} words, {len(clauses):,} clauses")
    print(f"  analyze            {t_analyze * 1000:8.0f} ms  {words / t_analyze:>10,.0f} words/s"
          "   (target >= 200,000)")
    print(f"    ingest           {t_ingest * 1000:8.0f} ms  {words / t_ingest:>10,.0f} words/s")
    print(f"    segment          {t_segment * 1000:8.0f} ms  {words / t_segment:>10,.0f} words/s")
    print(f"    classify         {t_classify * 1000:8.0f} ms  {words / t_classify:>10,.0f} words/s")
    print(f"      gate presence  {t_presence * 1000:8.0f} ms  ({len(gate_strings):,} strings: "
          "which rules each clause may match)")
    print(f"  spaCy tokenizer    {t_tokenizer * 1000:8.0f} ms  {words / t_tokenizer:>10,.0f} "
          "words/s   (ceiling)")
    print(f"  analyze takes {t_analyze / t_tokenizer:.2f}x the bare tokenizer's time")

    small = ROOT / "corpora" / "agent-policy-weak.md"
    bare = [sys.executable, "-c", "import spacy; spacy.blank('en')"]
    with tempfile.TemporaryDirectory() as tmp:
        cli = [sys.executable, "-c", "from analyzer.cli import main; main()", "analyze",
               str(small), "--format", "json", "-o", str(Path(tmp) / "out.json")]
        t_cli = median_seconds(lambda: _process(cli), args.runs)
    t_spacy = median_seconds(lambda: _process(bare), args.runs)
    print(f"\nStart-up, whole process, {small.name}")
    print(f"  termshift analyze  {t_cli * 1000:8.0f} ms")
    print(f"  python + spaCy     {t_spacy * 1000:8.0f} ms   (analyze no longer imports it)")


def _process(command: list[str]) -> None:
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True, timeout=120)


if __name__ == "__main__":
    main()
