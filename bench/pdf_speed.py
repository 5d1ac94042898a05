"""PDF reading: CPU time of termshift's PDF reader against `pdftotext` (poppler), bare
pypdfium2 text extraction and the pdfplumber reader (the fallback, the default before), run in
turn round after round, on a 100-page PDF made here and on real documents rendered to PDF
when ../shared/realdata is beside the checkout; the peak memory (RSS) of reading a 2,000-page
PDF; and how long a PDF over the page or character limit takes to be refused.

    python bench/pdf_speed.py [--pages 100] [--runs 5] [--big 2000] [--real 8] [--old-memory]

Every PDF is made at run time (nothing is committed). CPU time, not wall time: the machine is
shared. Ratios are of medians. `pdftotext` is timed as a process (its start-up included);
without it installed (Debian's poppler-utils) its rows say "skipped". Targets (issue 18):
within 5x of pdftotext on 100 pages, a 2,000-page PDF under 300 MiB, an over-limit PDF
refused in under 2 s.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)
import pdfplumber
import pypdfium2 as pdfium
from sample_pdf import render_pdf  # type: ignore[import-not-found]

from analyzer.errors import LimitExceeded
from analyzer.ingest import ingest
from analyzer.ingest.pdf import read_pdf
from analyzer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata" / "ota"
IN_PROCESS = Settings(parse_seconds=0)  # the reader itself, as ingest's child runs it


def sample_text(words: int) -> list[str]:
    """The corpora documents' paragraphs (headings left out), repeated until `words` words."""
    paragraphs = []
    for path in sorted((ROOT / "corpora").glob("*.md")):
        if path.name != "README.md":
            paragraphs += [p.replace("**", "").replace("&", "&amp;")
                           for p in path.read_text("utf-8").split("\n\n")
                           if p.strip() and not p.startswith("#")]
    out, count = [], 0
    for paragraph in itertools.cycle(paragraphs):
        out.append(paragraph)
        count += len(paragraph.split())
        if count > words:
            return out
    return out


def sample_pdf(pages: int) -> bytes:
    """About `pages` pages of 10-point body text with a running header and a page number."""
    return render_pdf(sample_text(pages * 530))


def repeated(data: bytes, pages: int) -> bytes:
    """A PDF of `pages` pages: the given PDF's pages over and over (PDFium copies them)."""
    source = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        take = min(len(source), pages - len(out))
        out.import_pages(source, list(range(take)))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def real_pdfs(limit: int) -> list[bytes]:
    """Real terms (the newer side of the OTA pairs) rendered with corpora/render.py."""
    if not REALDATA.is_dir() or limit <= 0:
        return []
    sys.path.insert(0, str(ROOT / "corpora"))
    import render  # type: ignore[import-not-found]

    sources = sorted(REALDATA.glob("*/new.md"))[:limit]
    return [render.render_pdf(render.parse(p.read_text("utf-8"))) for p in sources]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def termshift(paths: list[Path]) -> None:
    for path in paths:
        read_pdf(path.read_bytes(), path.name, IN_PROCESS)


def old_reader(paths: list[Path]) -> None:
    for path in paths:
        read_pdf(path.read_bytes(), path.name, IN_PROCESS, reader="pdfplumber")


def bare_pypdfium2(paths: list[Path]) -> None:
    """pypdfium2's plain text of every page: no fonts, no boxes, no layout."""
    for path in paths:
        pdf = pdfium.PdfDocument(path.read_bytes())
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        pdf.close()


def pdftotext(paths: list[Path]) -> None:
    for path in paths:
        subprocess.run(["pdftotext", str(path), os.devnull], check=True, timeout=300)


def alternated(contenders: dict[str, Callable[[list[Path]], None]], paths: list[Path],
               runs: int) -> dict[str, float]:
    """Median CPU seconds of each contender, one run of each per round, order rotated."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for name in names:
        contenders[name](paths)  # warm-up: imports, caches, fonts
    for round_ in range(runs):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            own, children = _cpu(), _children_cpu()
            contenders[name](paths)
            times[name].append(_cpu() - own + _children_cpu() - children)
    return {name: statistics.median(values) for name, values in times.items()}


def speed(title: str, paths: list[Path], runs: int, pages: int) -> None:
    contenders: dict[str, Callable[[list[Path]], None]] = {
        "termshift (PDFium)": termshift, "bare pypdfium2": bare_pypdfium2}
    if shutil.which("pdftotext"):
        contenders["pdftotext"] = pdftotext
    contenders["old reader (pdfplumber)"] = old_reader
    medians = alternated(contenders, paths, runs)
    ours = medians["termshift (PDFium)"]
    print(f"\n{title}: {len(paths)} file(s), {pages:,} pages, median CPU of {runs} alternated "
          "runs")
    for name, seconds in medians.items():
        ratio = "" if name.startswith("termshift") else (
            f"   termshift / this: {ours / seconds:6.2f}x")
        print(f"  {name:26} {seconds * 1000:9.0f} ms  {pages / seconds:8.0f} pages/s{ratio}")
    if "pdftotext" not in medians:
        print("  pdftotext                  skipped (not installed: apt-get install poppler-utils)")


def _pages(path: Path) -> int:
    return len(pdfium.PdfDocument(path.read_bytes()))


_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from analyzer.ingest.pdf import read_pdf
from analyzer.settings import Settings
data = open({path!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
document = read_pdf(data, "big.pdf", Settings(parse_seconds=0, max_chars=50_000_000),
                    reader={reader!r})
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, before, len(document.text),
      time.process_time() - started)
"""


def peak_memory(path: Path, reader: str) -> None:
    """Read in a fresh process (the reader alone, as ingest's child runs it) and report its
    peak RSS; the character limit is raised so that the whole file is read."""
    code = _CHILD.format(root=str(ROOT), path=str(path), reader=reader)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=1800)
    peak, before, chars, cpu = done.stdout.split()
    print(f"  {reader:10} peak RSS {int(peak) / 1024:7.0f} MiB (after imports "
          f"{int(before) / 1024:.0f} MiB), {int(chars):,} characters, {float(cpu):.1f} s CPU"
          "   (target < 300 MiB)")


def refusal(label: str, data: bytes, settings: Settings, reader: str = "auto") -> None:
    """Wall time until the real ingest (forked child, budgets on) refuses the file."""
    started = time.perf_counter()
    try:
        if reader == "auto":
            ingest(data, "over.pdf", settings)
        else:
            read_pdf(data, "over.pdf", settings, reader=reader)  # type: ignore[arg-type]
        outcome = "read (not refused)"
    except LimitExceeded as exc:
        outcome = f"refused ({exc.code}, at {exc.value:,})"
    print(f"  {label:52} {time.perf_counter() - started:6.2f} s  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", type=int, default=2000, help="pages of the memory test")
    parser.add_argument("--real", type=int, default=8, help="real documents to render")
    parser.add_argument("--old-memory", action="store_true",
                        help="also the pdfplumber reader's peak on the big PDF (minutes)")
    args = parser.parse_args()
    poppler = "pdftotext absent"
    if shutil.which("pdftotext"):
        version = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
        poppler = (version.stderr or version.stdout).splitlines()[0]
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}, "
          f"pypdfium2 {pdfium.PYPDFIUM_INFO} (PDFium {pdfium.PDFIUM_INFO}), pdfplumber "
          f"{pdfplumber.__version__}, {poppler}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample = folder / "sample.pdf"
        sample.write_bytes(sample_pdf(args.pages))
        speed("Generated PDF", [sample], args.runs, _pages(sample))

        real = []
        for k, data in enumerate(real_pdfs(args.real)):
            real.append(folder / f"real{k}.pdf")
            real[-1].write_bytes(data)
        if real:
            speed("Real terms rendered to PDF (../shared/realdata/ota, new.md)", real,
                  max(2, args.runs // 2), sum(_pages(p) for p in real))
        else:
            why = "--real 0" if args.real <= 0 else "no ../shared/realdata/ota beside the checkout"
            print(f"\nReal terms: skipped ({why})")

        big = folder / "big.pdf"
        big.write_bytes(repeated(sample.read_bytes(), args.big))
        print(f"\nPeak memory, {_pages(big):,}-page PDF ({big.stat().st_size:,} bytes), "
              "in a fresh process")
        peak_memory(big, "pdfium")
        if args.old_memory:
            peak_memory(big, "pdfplumber")

        over = repeated(sample.read_bytes(), args.big + 500)
        print("\nRefusing an over-limit PDF (wall time, real ingest with its child process)")
        pages_limit = Settings(max_pages=args.big)
        refusal(f"{args.big + 500:,} pages, page limit {args.big:,}", over, pages_limit)
        refusal(f"{args.big + 500:,} pages, page limit {args.big:,}, old reader", over,
                Settings(max_pages=args.big, parse_seconds=0), reader="pdfplumber")
        refusal(f"{args.big:,} pages, character limit 1,000,000", big.read_bytes(),
                Settings(max_chars=1_000_000))
        refusal(f"{args.big:,} pages, default character limit 5,000,000", big.read_bytes(),
                Settings())


if __name__ == "__main__":
    main()
