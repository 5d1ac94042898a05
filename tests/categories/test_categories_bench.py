"""The UNFAIR-ToS benchmark's scoring follows LexGLUE (8 labels plus a "none" column)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "unfair_tos.py"


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("unfair_tos_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_categories_bench_none_column_counts_unlabelled(bench) -> None:  # type: ignore[no-untyped-def]
    gold = [frozenset({"LTD"}), frozenset(), frozenset()]
    predicted = [frozenset({"LTD"}), frozenset(), frozenset({"CH"})]
    scores = bench.score(gold, predicted)
    assert scores.per_column["LTD"] == (1.0, 1.0, 1.0)
    assert scores.per_column["none"] == (1.0, 0.5, pytest.approx(2 / 3))
    assert scores.per_column["CH"] == (0.0, 0.0, 0.0)
    # micro over all columns: tp 2 (LTD, none), fp 1 (CH), fn 1 (none)
    assert scores.micro_f1 == pytest.approx(2 / 3)
    assert scores.macro_f1 == pytest.approx((1.0 + 2 / 3) / 9)


def test_categories_bench_maps_every_code(bench) -> None:  # type: ignore[no-untyped-def]
    assert sorted(bench.category_to_code().values()) == sorted(bench.CODES)
