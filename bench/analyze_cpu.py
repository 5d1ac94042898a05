"""CPU time of analysing real documents in one process, to compare two checkouts' rules.

    python bench/analyze_cpu.py FILE [FILE ...] [--times 3]

Prints the process's CPU seconds for analysing every FILE `--times` times (after one
warm-up pass) and the clause count. Run it alternately from two checkouts of the project
(each with its own rules) on the same files, several times each, and compare the medians:
the ratio is what a rule change costs. The script imports the analyzer (and so the rules) of
the checkout it lives in, not whichever one the environment has installed: an older
checkout's copy of this script, which lacked that line, must be run with PYTHONPATH set to
that checkout (or copy this script into its bench/). `--stages` also times the category
rules alone in this process: the gate presence step and the matching over every clause of
the files, each the median of `--times` runs, which is steadier than whole-process CPU
time on a shared machine. The benchmarks in docs/BENCHMARKS.md used the new
versions of the OTA pairs (../shared/realdata/ota/*/new.md), 164,481 words.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's analyzer and rules, not the installed one

from analyzer.api import analyze  # noqa: E402
from analyzer.nlp.gates import presence  # noqa: E402
from analyzer.rulebook import default_rulebook  # noqa: E402
from analyzer.rules import fold  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--times", type=int, default=3)
    parser.add_argument("--stages", action="store_true",
                        help="also time the category rules alone (presence and matching)")
    args = parser.parse_args()
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        sys.exit(f"no such file: {', '.join(missing)}")
    words = sum(len(f.read_text("utf-8", errors="replace").split()) for f in args.files)
    analysed = [analyze(f) for f in args.files]  # warm-up: loads the rules
    clauses = sum(len(a.clauses) for a in analysed)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    for _ in range(args.times):
        for f in args.files:
            analyze(f)
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(f"command: python bench/analyze_cpu.py <{len(args.files)} files> --times {args.times}")
    print(f"date {date.today()}, Python {platform.python_version()}")
    print(f"analyzer from {Path(analyze.__code__.co_filename).parents[1]}")
    print(f"{len(args.files)} files, {words:,} words, {clauses:,} clauses, {args.times} passes")
    print(f"cpu {cpu:.2f} s   wall {wall:.2f} s   {words * args.times / cpu:,.0f} words per cpu s")
    if args.stages:
        lowered = [fold(c.text) for a in analysed for c in a.clauses]
        reading = default_rulebook().reading
        strings = reading.category_index.index.strings()
        found, presence_ms, matching_ms = [], [], []
        for _ in range(args.times):
            start = time.perf_counter()
            found = presence(lowered, strings)
            presence_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            for text, present in zip(lowered, found, strict=True):
                reading.categorize_lowered(text, present)
            matching_ms.append((time.perf_counter() - start) * 1000)
        print(f"category rules on {len(lowered):,} clauses, {len(strings):,} gate strings: "
              f"presence {statistics.median(presence_ms):.0f} ms, "
              f"matching {statistics.median(matching_ms):.0f} ms (medians of {args.times})")


if __name__ == "__main__":
    main()
