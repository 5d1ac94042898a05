"""Imported before `analyzer` by every benchmark: puts this checkout's root first on
sys.path, so `python bench/x.py` run in another checkout (to compare two versions of the
rules) measures that checkout's analyzer and rules, not the copy installed in the
environment, which an editable install points at the main checkout."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
