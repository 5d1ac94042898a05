"""Worst-case cost of the policy check on the shapes that make it read a clause many times:
one table row of many cells (each cell boundary is a turn of the exception reader), a table
of many rows, a clause that is a long run of punctuation (the shape that makes a careless
pattern backtrack) and minutes of many motions, each at three sizes, so a cost that grows
faster than the text shows. Patterns alone (`TERMSHIFT_RULES_ONLY=1`), one process.

    python bench/check_worst_case.py [--scale 1.0]

A real policy has rows of 3-10 cells and clauses of a few hundred characters; the largest
shapes here are far past that on purpose.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

os.environ["TERMSHIFT_RULES_ONLY"] = "1"

from analyzer.api import analyze
from analyzer.check import check_analysis
from analyzer.rulebook import default_rulebook


def wide_row(n: int) -> str:
    cells = " | ".join(f"agent {i} logs every action it takes" for i in range(n))
    return f"# Register\n\n| {cells} |\n"


def long_table(n: int) -> str:
    head = "| Agent | Does | Approval | Owner | Log | Status | Due | Note |\n" + "|---" * 8 + "|\n"
    rows = "".join(f"| Bot{i} | drafts replies | a person approves | Team {i} | kept | "
                   f"in place | 2027 | none |\n" for i in range(n))
    return f"# Register\n\n{head}{rows}"


def punctuation(n: int) -> str:
    return "# Owners\n\nThe team " + ". " * n + "owns the agents\n"


def minutes(n: int) -> str:
    items = "".join(f"{i}.1 That every reply agent {i} writes be labelled as written by AI.\n"
                    f"Members discussed it at length.\n{'LOST 2-5.' if i % 2 else 'CARRIED 6-1.'}"
                    f"\n\n" for i in range(1, n + 1))
    return f"# Minutes\n\n{items}"


SHAPES: list[tuple[str, Callable[[int], str], int]] = [
    ("one row, cells", wide_row, 400),
    ("table, rows of 8 cells", long_table, 300),
    ("punctuation run, characters / 2", punctuation, 4000),
    ("minutes, motions", minutes, 200),
]


def seconds(text: str) -> float:
    baseline = default_rulebook().controls
    start = time.perf_counter()
    check_analysis(analyze(text.encode(), name="worst.md"), baseline)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    args = parser.parse_args()
    print("command: python bench/check_worst_case.py " + " ".join(sys.argv[1:]))
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}, "
          "reader off")
    seconds(minutes(2))  # load the rulebook and warm the caches
    print(f"\n{'shape':<34} {'size':>6} {'1/4':>8} {'1/2':>8} {'full':>8}  (seconds)")
    for name, build, size in SHAPES:
        full = max(4, int(size * args.scale))
        times = [seconds(build(max(1, full // d))) for d in (4, 2, 1)]
        print(f"{name:<34} {full:>6} " + " ".join(f"{t:>8.2f}" for t in times))


if __name__ == "__main__":
    main()
