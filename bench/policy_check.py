"""Exact status accuracy of `termshift check` over a labelled policy set (by default the
project's own samples in tests/check), with the met/partial/missing confusion matrix and
every disagreement explained.

    python bench/policy_check.py [--policies DIR] [--expected FILE] [--split dev|held-out]

A folder with a `splits.yaml` (corpora/policies: 32 policies written by someone who had read
only the control descriptions) is scored per half: `dev` may be tuned on, `held-out` is
reported as it comes; without `--split` only dev's disagreements are listed, and `--split`
prints one half with its disagreements.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

from analyzer.check_eval import STATUSES, Score, score_policies, split_of

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=Path, default=ROOT / "tests" / "check" / "policies")
    parser.add_argument("--expected", type=Path, default=ROOT / "tests" / "check" / "expected.yaml")
    parser.add_argument("--split", choices=("dev", "held-out"), default=None)
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}")
    started = time.perf_counter()
    halves = {}
    if args.split is None and split_of(args.policies):
        # Each policy is checked once: the halves, then the whole as their sum.
        halves = {half: score_policies(args.policies, args.expected, half)
                  for half in ("dev", "held-out")}
        for half, part in halves.items():
            if part.total:  # a set kept whole for reporting has no dev half
                print(f"{half}: {part.correct}/{part.total} = {part.accuracy:.3f}")
        dev, held = halves["dev"], halves["held-out"]
        score = Score(dev.total + held.total, dev.correct + held.correct,
                      dev.confusion + held.confusion, dev.misses + held.misses,
                      (dev.differ[0] + held.differ[0], dev.differ[1] + held.differ[1]))
    else:
        score = score_policies(args.policies, args.expected, args.split)
    elapsed = time.perf_counter() - started
    print(f"\n(policy, control) pairs: {score.total}; exact status accuracy: "
          f"{score.accuracy:.3f} (target >= 0.9); {elapsed:.2f} s")
    right, flagged = score.differ
    rest_right, rest = score.correct - right, score.total - flagged
    print(f"with a second reading (the trained reader reads it otherwise): {right}/{flagged}"
          f"{f' = {right / flagged:.3f}' if flagged else ''} right; without: {rest_right}/{rest}"
          f"{f' = {rest_right / rest:.3f}' if rest else ''}")
    print("\nconfusion (rows expected, columns got):")
    print(f"{'':>10}" + "".join(f"{s:>10}" for s in STATUSES))
    for want in STATUSES:
        print(f"{want:>10}" + "".join(f"{score.confusion[(want, got)]:>10}" for got in STATUSES))
    shown = score.misses
    if halves:
        # Only the half that may be tuned on is listed: reading the held-out disagreements
        # while writing rules would make the held-out figure a tuned one.
        shown = halves["dev"].misses
        print(f"\nheld-out disagreements: {len(score.misses) - len(shown)}, not listed "
              "(--split held-out lists them; read them only to report, never to tune)")
    print(f"\ndisagreements{' on dev' if shown is not score.misses else ''} ({len(shown)}, "
          f"in {len({m.policy for m in shown})} policies):")
    for miss in shown:
        print(f"  {miss.policy} {miss.control}: expected {miss.expected}, got {miss.got}"
              f" -- {miss.explanation[:160]}")


if __name__ == "__main__":
    main()
