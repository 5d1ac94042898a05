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


@lru_cache(maxsize=1)
def content_version() -> str:
    """A digest of the installed rules, templates and shipped model: stored reports older
    than it are rebuilt, so an upgrade never serves findings from retired rules."""
    return _digest(rules_dir(), templates_dir(), _PACKAGE / "_model")


@lru_cache(maxsize=1)
def reading_version() -> str:
    """A digest of what reads a document (the shipped rules and model, not the templates):
    a stored analysis made with others is read again from its original."""
    return _digest(rules_dir(), _PACKAGE / "_model")


def _digest(*roots: Path) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
