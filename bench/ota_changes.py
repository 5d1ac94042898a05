"""`compare` scored change by change against the hand labels of the real OTA pairs.

Runs the labels' own scorer (../shared/realdata/ota/score_changes.py) on each half of the
pairs, split by a hash of the folder name exactly as bench/ota_pairs.py splits them (`dev`:
the half rules may be tuned on; `held-out`: reported as it comes), then on all pairs. Each
half is a folder of links to its pairs, so the scorer runs unchanged. Prints each scorer's
last line, prefixed with the half, and one summary line with the targets of issue 16
(every headline change at medium or high; all-change recall >= 0.85; noise <= 10;
0 cosmetic alarms).

    python bench/ota_changes.py [--data DIR] [--termshift CMD] [--split dev|held-out|all]

CMD defaults to the `termshift` beside this Python (the checkout's .venv).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)
from ota_pairs import DEFAULT, split_of

LAST = re.compile(r"^ota-changes: .*$", re.MULTILINE)


def score(pairs: list[Path], labels: Path, scorer: Path, cmd: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        for pair in pairs:
            (Path(tmp) / pair.name).symlink_to(pair.resolve(), target_is_directory=True)
        run = subprocess.run([sys.executable, str(scorer), cmd, "--dir", tmp,
                              "--labels", str(labels)], capture_output=True, text=True)
    found = LAST.findall(run.stdout)
    if not found:
        raise SystemExit(f"the scorer printed no result: {run.stderr.strip()[-300:]}")
    return found[-1]


def figures(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--termshift", default=str(Path(sys.executable).with_name("termshift")))
    ap.add_argument("--split", choices=("dev", "held-out", "all"), default="all")
    a = ap.parse_args()
    ota = a.data / "ota"
    scorer, labels = ota / "score_changes.py", ota / "labels"
    if not scorer.exists():
        raise SystemExit(f"no scorer at {scorer}: pass --data (the realdata folder)")
    pairs = sorted(p for p in ota.iterdir() if p.is_dir() and (p / "old.md").exists())
    halves = ("dev", "held-out") if a.split == "all" else (a.split,)
    for half in halves:
        line = score([p for p in pairs if split_of(p.name) == half], labels, scorer, a.termshift)
        print(f"{half:<8} {line}")
    if a.split != "all":
        return
    line = score(pairs, labels, scorer, a.termshift)
    print(f"all      {line}")
    f = figures(line)
    hit, total = (int(x) for x in f["all_recall"].split("/"))
    med, heads = (int(x) for x in f["headline_at_medium_plus"].split("/"))
    print(f"targets ({date.today()}): headline at medium+ {med}/{heads} "
          f"({'met' if med == heads else 'not met'}); all-change recall {hit / total:.2f} "
          f"({'met' if hit / total >= 0.85 else 'not met'}, >= 0.85); noise {f['noise']} "
          f"({'met' if int(f['noise']) <= 10 else 'not met'}, <= 10); cosmetic alarms "
          f"{f['cosmetic_alarms']} ({'met' if f['cosmetic_alarms'] == '0' else 'not met'})")


if __name__ == "__main__":
    main()
