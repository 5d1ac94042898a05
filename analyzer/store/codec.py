"""An analysed document to JSON and back, so a stored document is never parsed again.

The models are frozen dataclasses of plain values, tuples, frozensets and other models;
this walks their type hints instead of pickling (a pickle in a database is code waiting
to run).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from analyzer import model
from analyzer.model import Analysis

T = TypeVar("T")
CODEC_VERSION = 1


def encode(value: Any) -> Any:
    """A dataclass tree as JSON-ready lists and dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(encode(v) for v in value)
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _decode(hint: Any, data: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in get_args(hint) if a is not type(None)]
        return _decode(options[0], data)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is frozenset:
        return frozenset(_decode(get_args(hint)[0], v) for v in data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode(hint, data)
    return data  # str, int, float, bool and Literal values are stored as they are


def decode(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass of type `cls` from `encode`'s output."""
    hints = _hints(cls)  # type: ignore[arg-type]
    kwargs = {f.name: _decode(hints[f.name], data[f.name])
              for f in dataclasses.fields(cls)  # type: ignore[arg-type]
              if f.name in data}
    return cls(**kwargs)


def analysis_to_record(analysis: Analysis) -> dict[str, Any]:
    return {"codec": CODEC_VERSION, "analysis": encode(analysis)}


def analysis_from_record(record: dict[str, Any]) -> Analysis:
    return decode(Analysis, record["analysis"])
