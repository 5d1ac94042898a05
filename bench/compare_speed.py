"""Cost of `compare` (after ingest and classification) at about 1k, 10k and 100k words, and
the PyPI `redlines` package on the same 10k-word pair, and `compare_versions` on the largest
real OTA pairs when ../shared is beside the checkout, in one run.

    python bench/compare_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)
from timing import median_seconds  # type: ignore[import-not-found]

from analyzer.api import analyze, compare_versions
from analyzer.compare import compare_analyses
from analyzer.model import Analysis
from analyzer.rulebook import default_rulebook

SUBJECTS = ["You", "We", "Your agents", "Each party", "The provider", "Users"]
VERBS = ["must keep", "may share", "are responsible for", "shall not disclose",
         "will review", "agree to indemnify us against claims about"]
OBJECTS = ["account credentials", "content posted by AI agents", "fees paid in advance",
           "data used to train models", "notices about changes", "disputes with other users"]
TAILS = ["within 30 days", "at any time", "without notice", "as described in Section 4",
         "unless the law requires otherwise", "for the purposes of the Service"]


def make_versions(words: int, seed: int) -> tuple[str, str]:
    """An old document and a new one with edits, insertions, deletions, moves, renumbering."""
    rng = random.Random(seed)
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        n = len(sentences)
        sentences.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(OBJECTS)} "
                         f"of clause {n} {rng.choice(TAILS)}.")
    new = list(sentences)
    for i in rng.sample(range(len(new)), max(1, len(new) // 20)):
        new[i] = new[i].replace(" the ", " all the ", 1)
    for i in sorted(rng.sample(range(len(new)), max(1, len(new) // 50)), reverse=True):
        del new[i]
    for _ in range(max(1, len(new) // 50)):
        new.insert(rng.randrange(len(new)), "You are solely responsible for your AI agents.")
    moved = new.pop(rng.randrange(len(new)))
    new.insert(rng.randrange(len(new)), moved)
    return _markdown(sentences, 0), _markdown(new, 1)


def _markdown(sentences: list[str], shift: int) -> str:
    parts = ["# Terms"]
    for start in range(0, len(sentences), 5):
        parts.append(f"## {start // 5 + 1 + shift}. Part {start // 5}")
        parts.append(" ".join(sentences[start:start + 5]))
    return "\n\n".join(parts) + "\n"


REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "ota"


def cold(action: Callable[[], object]) -> Callable[[], object]:
    """`action` as a first comparison: the memoised clause texts (normalised, flattened),
    which a batch reuses across the versions of a history, are forgotten before each run."""
    from analyzer.compare import align, general

    def run() -> object:
        align.normalise.cache_clear()
        general._flat_text.cache_clear()
        return action()

    return run


def real_pairs(folder: Path, runs: int, count: int = 3) -> None:
    """`compare_versions` (what `termshift compare` runs after analysis, agent-policy controls
    included) on the largest real OTA pairs, when ../shared is beside the checkout."""
    pairs = sorted((p for p in folder.iterdir() if (p / "new.md").exists()),
                   key=lambda p: -(p / "new.md").stat().st_size)[:count]
    print(f"\n{'real pair (largest first)':<42} {'words':>7} {'compare ms':>11}")
    for pair in pairs:
        old, new = analyze(pair / "old.md"), analyze(pair / "new.md")
        seconds = median_seconds(cold(lambda o=old, n=new: compare_versions(o, n)), runs)
        print(f"{pair.name:<42} {len(new.document.text.split()):>7,} {seconds * 1000:>11.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real", type=Path, default=REAL,
                        help="the OTA pairs folder (default ../shared/realdata/ota)")
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}; "
          f"median of {args.runs} runs after a warm-up; compare only (documents analysed once), "
          f"each run a first comparison (memoised clause texts forgotten)")
    pair_10k: tuple[str, str] | None = None
    shifts = default_rulebook().shifts
    print(f"\n{'words':>8} {'clauses':>8} {'compare ms':>11} {'ms per 1k words':>16}")
    for words in (1_000, 10_000, 100_000):
        old_text, new_text = make_versions(words, seed=words)
        old: Analysis = analyze(old_text.encode(), name="old.md")
        new: Analysis = analyze(new_text.encode(), name="new.md")
        runs = args.runs if words < 100_000 else max(1, args.runs // 2)
        seconds = median_seconds(cold(lambda o=old, n=new: compare_analyses(o, n, shifts)), runs)
        target = "   (target <= 200 ms)" if words == 10_000 else ""
        print(f"{words:>8,} {len(old.clauses):>8,} {seconds * 1000:>11.0f} "
              f"{seconds * 1000 / (words / 1000):>16.1f}{target}")
        if words == 10_000:
            pair_10k = (old_text, new_text)
    if args.real.is_dir():
        real_pairs(args.real, args.runs)
    try:
        from importlib.metadata import version

        from redlines import Redlines
    except ImportError:
        print("\nredlines is not installed (pip install redlines): no side-by-side figure")
        return
    assert pair_10k is not None
    old_text, new_text = pair_10k
    seconds = median_seconds(lambda: Redlines(old_text, new_text).output_markdown, args.runs)
    print(f"\nredlines {version('redlines')} on the same 10k-word pair (plain text diff, no "
          f"alignment or findings): {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
