"""Where the shipped rules/ and templates/ live: inside the wheel, or in the checkout."""

from __future__ import annotations

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
