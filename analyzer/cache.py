"""A small on-disk memo for work derived from the shipped rules, so each command does not
derive it again.

Reading the category rules' gate strings out of their regular expressions (the private
`re._parser`) took most of a second of every `termshift` call, and compiling the patterns
most of what was left of loading the rules. Both depend only on each pattern's text and
flags (and the Python version that read them), so the gate strings ("gate-strings") and the
patterns known to compile ("valid-patterns", which may then wait to be compiled until they
are used: analyzer.rules.LazyPattern) are kept in JSON files in the user's cache folder
(`TERMSHIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/termshift`, else `~/.cache/termshift`). A run
that added entries writes the file back; past MAX_ENTRIES it keeps only the entries it
used, so retired rules do not accumulate. A folder that cannot be written, or a file that
cannot be read, only means the work is done again.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

_VERSION = f"1-py{sys.version_info.major}.{sys.version_info.minor}"
MAX_ENTRIES = 20_000


def cache_dir() -> Path:
    chosen = os.environ.get("TERMSHIFT_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "termshift"


class DiskMemo:
    """A dict of JSON values by string key, loaded once and written back at exit."""

    def __init__(self, name: str) -> None:
        self._path = cache_dir() / f"{name}-{_VERSION}.json"
        self._loaded: dict[str, Any] | None = None
        self._used: dict[str, Any] = {}
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._loaded is None:
            try:
                data = json.loads(self._path.read_text(encoding="utf-8"))
                self._loaded = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._loaded = {}
            atexit.register(self.save)
        return self._loaded

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value)."""
        loaded = self._load()
        if key in loaded:
            self._used[key] = loaded[key]
            return True, loaded[key]
        return False, None

    def put(self, key: str, value: Any) -> None:
        self._load()[key] = value
        self._used[key] = value
        self._dirty = True

    def save(self) -> None:
        """Write the entries this run used, if it added any; never raises."""
        if not self._dirty:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self._path.parent,
                                             delete=False, suffix=".tmp") as out:
                loaded = self._load()
                json.dump(loaded if len(loaded) <= MAX_ENTRIES else self._used, out)
            os.replace(out.name, self._path)
            self._dirty = False
        except OSError:
            pass
