"""Where the shipped rules/ and templates/ live: inside the wheel, or in the checkout."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _resource("rules")


def templates_dir() -> Path:
    return _resource("templates")


def display_path(path: Path) -> str:
    """A rule file's path as users know it ("rules/categories/x.yaml"), whichever copy is read."""
    parts = path.resolve().parts
    if "rules" in parts:
        idx = len(parts) - 1 - parts[::-1].index("rules")
        return "/".join(parts[idx:])
    return path.name


# The package's own code that reads a document, and that turns readings into findings and
# statuses: a change to it within one version must reach stored analyses and reports too.
_READING_CODE = ("ingest", "nlp", "segment.py", "classifier.py", "rules.py", "rulebook.py",
                 "model.py")
_REPORT_CODE = (*_READING_CODE, "compare", "report", "check.py", "controls.py",
                "control_reader.py", "similarity.py", "serialize.py")


@lru_cache(maxsize=1)
def content_version() -> str:
    """A digest of the installed rules, templates, shipped model and the code that reads and
    reports: stored reports older than it are rebuilt, so an upgrade never serves findings
    from retired rules or code."""
    return _digest(rules_dir(), templates_dir(), _PACKAGE / "_model",
                   code=_REPORT_CODE)


@lru_cache(maxsize=1)
def reading_version() -> str:
    """A digest of what reads a document (the shipped rules and model and the reading code,
    not the templates): a stored analysis made with others is read again from its
    original."""
    return _digest(rules_dir(), _PACKAGE / "_model", code=_READING_CODE)


def _digest(*roots: Path, code: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    for name in code:  # source only: compiled caches differ from one machine to another
        where = _PACKAGE / name
        for path in sorted(where.rglob("*.py") if where.is_dir() else
                           [where] if where.is_file() else []):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
