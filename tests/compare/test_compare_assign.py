"""The shortcut of the clause assignment gives what the assignment solver gives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from analyzer.compare.align import best_distinct


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (4, 4), (3, 7), (7, 3), (12, 12)])
def test_the_shortcut_agrees_with_the_solver_whenever_it_answers(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(20261206)
    answered = 0
    for _ in range(400):
        scores = rng.integers(0, 100, size=shape).astype(np.float32)
        if rng.random() < 0.5:  # a clear partner for each line, as unchanged text gives
            partners = rng.permutation(max(shape))[:min(shape)]
            for i, j in enumerate(partners):
                scores[(i, j) if shape[0] <= shape[1] else (j, i)] += 150
        got = best_distinct(scores)
        if got is None:
            continue
        answered += 1
        rows, cols = linear_sum_assignment(-scores)
        assert got[0].tolist() == rows.tolist() and got[1].tolist() == cols.tolist()
    assert answered > 0


def test_ties_and_shared_partners_go_to_the_solver() -> None:
    assert best_distinct(np.array([[5.0, 5.0], [1.0, 2.0]], dtype=np.float32)) is None
    assert best_distinct(np.array([[9.0, 1.0], [8.0, 2.0]], dtype=np.float32)) is None
