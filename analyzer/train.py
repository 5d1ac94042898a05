"""Build the optional trained category layer from labelled clauses (`termshift train`).

Input: JSON Lines, one `{"text": "...", "labels": [...]}` per line; labels are CONTRACT
category names or UNFAIR-ToS codes ("ltd", "TER", ...) mapped through the category files.
scikit-learn fits the weights; the model is saved as numbers (see analyzer.classifier), so
using it later needs no scikit-learn.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.classifier import (
    FeatureSettings,
    build_classifier,
    choose_thresholds,
    featurize,
    save_classifier,
)
from analyzer.errors import InputError
from analyzer.model import CATEGORIES
from analyzer.rules import default_categories

# Inverse regularisation; 16 scored best of 1-256 on UNFAIR-ToS validation.
DEFAULT_C = 16.0
# Folds used to get held-out scores for choosing each label's threshold.
THRESHOLD_FOLDS = 4


@dataclass(frozen=True)
class Example:
    """One labelled training text."""

    text: str
    labels: frozenset[str]


def label_aliases() -> dict[str, str]:
    """Every accepted label spelling (lower-case) mapped to its CONTRACT category."""
    aliases = {c: c for c in CATEGORIES}
    for category_file in default_categories():
        if category_file.unfair_tos:
            aliases[category_file.unfair_tos.lower()] = category_file.category
    return aliases


def read_examples(path: Path) -> list[Example]:
    """Parse the JSON Lines training file; a bad line is an InputError naming its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read training data ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: training data is not UTF-8 text") from exc
    aliases = label_aliases()
    examples = [_parse_line(line, number, path, aliases)
                for number, line in enumerate(lines, start=1) if line.strip()]
    if not examples:
        raise InputError(f"{path}: no training examples; write one JSON object per line")
    return examples


def _parse_line(line: str, number: int, path: Path, aliases: dict[str, str]) -> Example:
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}); "
                         'write {"text": "...", "labels": [...]}') from exc
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError(f'{where}: each line needs a "text" string')
    labels = record.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InputError(f'{where}: "labels" must be a list of category names')
    unknown = [x for x in labels if x.lower() not in aliases]
    if unknown:
        raise InputError(f"{where}: unknown label {unknown[0]!r}; use a CONTRACT category "
                         "name or an UNFAIR-ToS code")
    return Example(record["text"], frozenset(aliases[x.lower()] for x in labels))


def _require_sklearn() -> Any:
    try:
        from sklearn import linear_model, model_selection
    except ImportError as exc:
        raise InputError("training needs scikit-learn: install termshift[train]") from exc
    return linear_model, model_selection


def train_classifier(data: Path, out: Path, *, c: float = DEFAULT_C) -> str:
    """Fit the trained layer on a JSON Lines file and save it in `out`; returns a summary."""
    linear_model, model_selection = _require_sklearn()
    examples = read_examples(data)
    counts = Counter(label for ex in examples for label in ex.labels)
    labels = [c_ for c_ in CATEGORIES if 0 < counts[c_] < len(examples)]
    if not labels:
        raise InputError(f"{data}: no label has both positive and negative examples; "
                         "label more clauses")
    features = FeatureSettings()
    matrix = featurize([ex.text for ex in examples], features)
    targets = [[int(label in ex.labels) for label in labels] for ex in examples]
    weights, biases, held_out = [], [], []
    for j in range(len(labels)):
        column = [row[j] for row in targets]
        # The dual problem fits the same model about 4x faster here (more columns than rows).
        model = linear_model.LogisticRegression(C=c, solver="liblinear", dual=True,
                                                max_iter=1000, class_weight="balanced")
        folds = min(THRESHOLD_FOLDS, counts[labels[j]])
        held_out.append(_held_out_scores(model_selection, model, matrix, column, folds))
        model.fit(matrix, column)
        weights.append(model.coef_[0])
        biases.append(model.intercept_[0])
    thresholds = choose_thresholds(list(zip(*held_out, strict=True)), targets)
    classifier = build_classifier(labels, weights, biases, thresholds, features)
    summary = {"examples": len(examples), "labels": {lb: counts[lb] for lb in labels}, "C": c}
    save_classifier(out, classifier, summary)
    unlabelled = sum(1 for ex in examples if not ex.labels)
    return _summary_text(data, out, len(examples), unlabelled, labels, counts)


def _held_out_scores(model_selection: Any, model: Any, matrix: Any, column: Sequence[int],
                     folds: int) -> Any:
    if folds < 2:
        # One positive cannot be held out and learned from at once: score it in-sample.
        return model.fit(matrix, column).decision_function(matrix)
    splitter = model_selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return model_selection.cross_val_predict(model, matrix, column, cv=splitter,
                                             method="decision_function")


def _summary_text(data: Path, out: Path, total: int, unlabelled: int,
                  labels: Sequence[str], counts: Counter[str]) -> str:
    per_label = ", ".join(f"{label} {counts[label]}" for label in labels)
    return (f"Trained on {total} examples from {data.name} ({unlabelled} with no label) "
            f"for {len(labels)} categories "
            f"({per_label}); thresholds chosen on {THRESHOLD_FOLDS}-fold held-out scores; "
            f"model written to {out}.")
