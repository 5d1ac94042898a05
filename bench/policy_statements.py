"""How the check's patterns read the labelled control statements of
corpora/control-statements: each statement checked alone, as a one-line policy, against the
control it was written for; its status compared with the writer's reading.

    python bench/policy_statements.py [--with-reader] [--errors CONTROL] [--held-out]

Seven writers wrote the statements from the control descriptions alone, so this is a wide
development set for the patterns (the policy sets have one writer each). `--held-out` scores
corpora/control-statements-held-out instead: three more writers' statements, never tuned on
and not learnt by the reader, so there the reader may stay on (`--with-reader`) and both
figures are held-out ones (`--errors` is refused there). By default the
trained control reader is left out (`TERMSHIFT_RULES_ONLY=1`): it learnt from these very
statements, and with it the figure says how well it remembers them, not how it reads.
A statement is one sentence or two, so a status that needs the rest of a policy (an exception
elsewhere, a detail stated in another section) cannot be judged here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ("met", "partial", "missing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-reader", action="store_true",
                        help="keep the trained control reader (it learnt from these statements)")
    parser.add_argument("--errors", metavar="CONTROL", help="list one control's disagreements")
    parser.add_argument("--held-out", action="store_true",
                        help="score corpora/control-statements-held-out (never tuned on)")
    args = parser.parse_args()
    if args.held_out and args.errors:
        parser.error("--errors lists disagreements, which a held-out set must not show")
    folder = "control-statements-held-out" if args.held_out else "control-statements"
    if not args.with_reader:
        os.environ["TERMSHIFT_RULES_ONLY"] = "1"
    from analyzer.api import analyze
    from analyzer.check import check_analysis
    from analyzer.rulebook import default_rulebook

    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}, "
          f"reader {'on' if args.with_reader else 'off'}, corpora/{folder}")
    baseline = default_rulebook().controls
    confusion: Counter[tuple[str, str]] = Counter()
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    errors = []
    started = time.perf_counter()
    for path in sorted((ROOT / "corpora" / folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            control = item["control"]
            if control == "NONE":
                continue
            policy = analyze(f"# Policy\n\n{item['text']}\n".encode(), name="statement.md")
            got = next(c for c in check_analysis(policy, baseline).controls if c.id == control)
            confusion[(item["reading"], got.status)] += 1
            seen[control] += 1
            right[control] += got.status == item["reading"]
            if control == args.errors and got.status != item["reading"]:
                errors.append(f"  {path.stem}: expected {item['reading']}, got {got.status} -- "
                              f"{item['text']}")
    total = sum(seen.values())
    print(f"\nstatements: {total}; exact status accuracy {sum(right.values()) / total:.3f} "
          f"({time.perf_counter() - started:.0f} s)\n")
    print("| control | statements | accuracy |\n|---|---:|---:|")
    for control in sorted(seen):
        print(f"| {control} | {seen[control]} | {right[control] / seen[control]:.3f} |")
    print("\nconfusion (rows expected, columns got):")
    print(f"{'':>10}" + "".join(f"{s:>10}" for s in STATUSES))
    for want in STATUSES:
        print(f"{want:>10}" + "".join(f"{confusion[(want, got)]:>10}" for got in STATUSES))
    if errors:
        print(f"\n{args.errors} disagreements ({len(errors)}):")
        print("\n".join(errors))


if __name__ == "__main__":
    main()
