"""`compare` on real version pairs of AI companies' terms (../shared/realdata/ota) and
`timeline` on real histories (../shared/realdata/ota_histories).

Per pair: findings by severity and whether each category listed in meta.json was found
(by a finding above info, or by a changed clause carrying it); on the cosmetic pairs
(negative_control), every finding above info. Targets: listed categories found on >= 90% of
substantive pairs; no finding above info on cosmetic pairs.

The pairs are split in two by a hash of their folder name, as bench/tosdr_categories.py
splits its points: rules may be widened by reading the `dev` pairs' text; `held-out` figures
are reported as they come. Both are printed, and the total.

    python bench/ota_pairs.py [--data DIR] [--split dev|held-out|all] [--no-histories]

`--split dev` runs and prints only the dev pairs, so rules can be widened without the
held-out figure being looked at each time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

from analyzer.api import compare, timeline
from analyzer.model import SEVERITIES, Comparison

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
MAPPING = {
    "ai_agent_use": {"agent_conduct", "agent_authorization"},
    "authorization": {"agent_authorization", "access_control"},
    "account_security": {"access_control", "responsibility"},
    "termination": {"unilateral_termination"},
    "governing_law": {"governing_law", "jurisdiction"},
    "other": set(),
}


def split_of(pair_name: str) -> str:
    return "dev" if hashlib.sha256(pair_name.encode()).digest()[0] % 2 == 0 else "held-out"


def found_categories(comparison: Comparison) -> set[str]:
    found = {f.category for f in comparison.findings if f.severity != "info"}
    for change in comparison.changes:
        if change.kind != "unchanged":
            for clause in (change.old, change.new):
                if clause is not None:
                    found.update(clause.categories)
    return found


def run_pairs(folder: Path, only: str = "all") -> None:
    tally: dict[str, Counter[str]] = {"dev": Counter(), "held-out": Counter()}
    cosmetic_noise = 0
    for pair in sorted(p for p in folder.iterdir() if (p / "meta.json").exists()):
        if only != "all" and split_of(pair.name) != only:
            continue
        meta = json.loads((pair / "meta.json").read_text("utf-8"))
        comparison = compare(pair / "old.md", pair / "new.md")
        counts = Counter(f.severity for f in comparison.findings)
        line = " ".join(f"{counts[s]}{s[0]}" for s in SEVERITIES)
        if meta.get("negative_control"):
            loud = [f for f in comparison.findings if f.severity != "info"]
            cosmetic_noise += len(loud)
            print(f"{pair.name:<40} {split_of(pair.name):<8} cosmetic  {line}  "
                  f"above info: {len(loud)}")
            for f in loud:
                print(f"    ! {f.type} ({f.severity}): {f.title[:90]}")
            continue
        found = found_categories(comparison)
        marks = []
        hits = 0
        listed = [c for c in meta["categories"] if MAPPING.get(c, {c})]
        for category in listed:
            ok = bool(MAPPING.get(category, {category}) & found)
            hits += ok
            marks.append(f"{category}:{'yes' if ok else 'NO'}")
        tally[split_of(pair.name)].update(pairs=1, all_found=hits == len(listed),
                                          listed=len(listed), found=hits)
        print(f"{pair.name:<40} {split_of(pair.name):<8} {line}  {' '.join(marks)}")
    tally["all"] = tally["dev"] + tally["held-out"]
    print()
    for split, t in tally.items():
        if only != "all" and split != only:
            continue
        print(f"{split:<8} substantive pairs with every listed category found: "
              f"{t['all_found']}/{t['pairs']} ({t['all_found'] / max(t['pairs'], 1):.0%}; "
              f"target >= 90%); listed categories found: {t['found']}/{t['listed']} "
              f"({t['found'] / max(t['listed'], 1):.0%})")
    print(f"findings above info on cosmetic pairs: {cosmetic_noise} (target 0)")


def run_histories(folder: Path) -> None:
    print("\nhistories (timeline):")
    for history in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(str(p) for p in history.glob("*.md"))
        result = timeline(files)
        counts = Counter(f.severity for step in result.steps for f in step.findings)
        first: dict[str, str] = {}
        for label, step in zip(result.labels[1:], result.steps, strict=True):
            for finding in step.findings:
                first.setdefault(finding.type, label)
        print(f"  {history.name:<40} {len(files)} versions, findings "
              + " ".join(f"{counts[s]} {s}" for s in SEVERITIES))
        for kind, label in sorted(first.items(), key=lambda kv: kv[1]):
            print(f"      first {kind} in {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("TERMSHIFT_REALDATA", DEFAULT)))
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="all")
    parser.add_argument("--no-histories", action="store_true")
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}")
    started = time.perf_counter()
    run_pairs(args.data / "ota", args.split)
    if not args.no_histories:
        run_histories(args.data / "ota_histories")
    print(f"\nelapsed {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
