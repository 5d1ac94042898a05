"""The optional trained category layer: a hashed linear model that loads without scikit-learn.

A model folder holds `model.json` (the featurizer's settings, the labels, the per-label
thresholds) and `weights.npz` (one weight column and bias per label). Nothing is pickled:
loading reads numbers and settings only, so a model folder from elsewhere cannot run code.
Features are word 1-2 grams, character 3-5 grams inside words (hashed with CRC-32, so they
need no vocabulary) and the category rules' matches, so the model learns when to trust a rule.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from analyzer.errors import InputError
from analyzer.model import CATEGORIES
from analyzer.rules import CategoryFile, default_categories

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
FORMAT_VERSION = 1
DEFAULT_HASH_BITS = 18
# Rule matches are sparse evidence on the same scale as the unit-length text features;
# on UNFAIR-ToS validation, values of 1 and 3 scored alike and both beat leaving them out.
RULE_FEATURE_VALUE = 1.0

_CONTRACTION = re.compile(r"\s*n\s*['’]\s*t\b")
_TOKEN = re.compile(r"[a-z0-9]+")

FloatArray = Any  # numpy arrays; numpy's own typing is too loose to help here


@dataclass(frozen=True)
class FeatureSettings:
    """The stateless featurizer: everything needed to turn text into the same columns."""

    hash_bits: int = DEFAULT_HASH_BITS
    # One column per category whose rules match; per-rule columns scored lower on
    # UNFAIR-ToS validation (0.722 against 0.740 macro-F1). Stored by name in model.json.
    rule_features: tuple[str, ...] = CATEGORIES

    @property
    def text_columns(self) -> int:
        return 1 << self.hash_bits

    @property
    def columns(self) -> int:
        return self.text_columns + len(self.rule_features)


def normalise_text(text: str) -> str:
    """Lower-case and undo tokenisation quirks ("do n't" and "don't" both become "do not")."""
    lowered = text.lower().replace("’", "'")
    return _CONTRACTION.sub(" not", lowered)


def text_features(text: str) -> list[str]:
    """The word 1-2 grams and in-word character 3-5 grams of one text, with a namespace each."""
    words = _TOKEN.findall(normalise_text(text))
    feats = [f"w:{w}" for w in words]
    feats += [f"b:{a} {b}" for a, b in pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        for size in (3, 4, 5):
            feats += [f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1)]
    return feats


def _hash_row(text: str, settings: FeatureSettings) -> dict[int, float]:
    counts: dict[int, float] = {}
    mask = settings.text_columns - 1
    for feat in text_features(text):
        col = zlib.crc32(feat.encode("utf-8")) & mask
        counts[col] = counts.get(col, 0.0) + 1.0
    # Sublinear term frequency, then unit length, so long sentences do not dominate.
    for col, count in counts.items():
        counts[col] = 1.0 + float(np.log(count))
    norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
    return {col: v / norm for col, v in counts.items()}


def rule_matches(text: str, files: Sequence[CategoryFile]) -> frozenset[str]:
    """The categories whose rules match this text."""
    return frozenset(f.category for f in files if any(r.matches(text) for r in f.rules))


def featurize(texts: Iterable[str], settings: FeatureSettings,
              files: Sequence[CategoryFile] | None = None) -> sparse.csr_matrix:
    """A sparse matrix of hashed text features plus the rule-match columns."""
    category_files = default_categories() if files is None else files
    rule_col = {name: settings.text_columns + i
                for i, name in enumerate(settings.rule_features)}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    count = 0
    for row, text in enumerate(texts):
        count += 1
        entries = _hash_row(text, settings)
        for name in rule_matches(text, category_files):
            if name in rule_col:
                entries[rule_col[name]] = RULE_FEATURE_VALUE
        rows += [row] * len(entries)
        cols += list(entries)
        values += list(entries.values())
    return sparse.csr_matrix((values, (rows, cols)), shape=(count, settings.columns))


def choose_thresholds(scores: FloatArray, targets: FloatArray) -> list[float]:
    """Per label, the score threshold with the best F1 on held-out predictions."""
    score_matrix = np.asarray(scores, dtype=float)
    target_matrix = np.asarray(targets, dtype=bool)
    return [_best_threshold(score_matrix[:, j], target_matrix[:, j])
            for j in range(score_matrix.shape[1])]


def _best_threshold(scores: FloatArray, truth: FloatArray) -> float:
    if not truth.any():
        return float(scores.max()) + 1.0  # never seen positive: never predict it
    order = np.argsort(-scores)
    hits = np.cumsum(truth[order])
    predicted = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (predicted + truth.sum())
    best = int(np.argmax(f1))
    upper = scores[order[best]]
    lower = scores[order[best + 1]] if best + 1 < len(order) else upper - 1.0
    return float((upper + lower) / 2)


@dataclass(frozen=True)
class Classifier:
    """A trained linear model over hashed features: `predict` gives CONTRACT categories."""

    labels: tuple[str, ...]
    weights: FloatArray  # shape (columns, labels)
    bias: FloatArray  # shape (labels,)
    thresholds: FloatArray  # shape (labels,)
    features: FeatureSettings

    def scores(self, texts: list[str]) -> FloatArray:
        """The raw linear score of every text for every label."""
        matrix = featurize(texts, self.features)
        return np.asarray(matrix @ self.weights) + self.bias

    def predict(self, texts: list[str]) -> list[frozenset[str]]:
        """The categories each text belongs to."""
        if not texts:
            return []
        above = self.scores(texts) > self.thresholds
        return [frozenset(self.labels[j] for j in np.flatnonzero(row)) for row in above]


def save_classifier(model_dir: Path, model: Classifier, summary: dict[str, Any]) -> None:
    """Write the model folder: settings and thresholds as JSON, weights as .npz."""
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{model_dir}: cannot create the model folder ({exc.strerror}); "
                         "choose another -o folder") from exc
    meta = {
        "format_version": FORMAT_VERSION,
        "labels": list(model.labels),
        "thresholds": [float(t) for t in model.thresholds],
        "hash_bits": model.features.hash_bits,
        "rule_features": list(model.features.rule_features),
        "training": summary,
    }
    (model_dir / MODEL_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    np.savez_compressed(model_dir / WEIGHTS_FILE,
                        weights=np.asarray(model.weights, dtype=np.float32),
                        bias=np.asarray(model.bias, dtype=np.float32))


def build_classifier(labels: Sequence[str], weights: FloatArray, bias: FloatArray,
                     thresholds: Sequence[float], features: FeatureSettings) -> Classifier:
    """A Classifier from trained coefficients (weights as labels x columns, as fitted)."""
    return Classifier(tuple(labels), np.asarray(weights, dtype=np.float32).T,
                      np.asarray(bias, dtype=np.float32).reshape(-1),
                      np.asarray(thresholds, dtype=np.float32), features)


def load_classifier(model_dir: Path) -> Classifier:
    """Read a model folder written by `termshift train`."""
    meta = _read_meta(model_dir)
    try:
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights, bias = arrays["weights"], arrays["bias"]
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"{model_dir}: cannot read {WEIGHTS_FILE} ({exc}); "
                         "train the model again with `termshift train`") from exc
    features = FeatureSettings(int(meta["hash_bits"]), tuple(meta["rule_features"]))
    labels = tuple(meta["labels"])
    if weights.shape != (features.columns, len(labels)) or bias.shape != (len(labels),):
        raise InputError(f"{model_dir}: weights do not fit the model settings; "
                         "train the model again with `termshift train`")
    return Classifier(labels, weights, bias,
                      np.asarray(meta["thresholds"], dtype=np.float32), features)


def _read_meta(model_dir: Path) -> dict[str, Any]:
    path = model_dir / MODEL_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a termshift model ({exc}); "
                         "build one with `termshift train DATA -o DIR`") from exc
    needed = ("format_version", "labels", "thresholds", "hash_bits", "rule_features")
    if not isinstance(meta, dict) or any(key not in meta for key in needed):
        raise InputError(f"{path}: model settings are incomplete; train the model again")
    if meta["format_version"] != FORMAT_VERSION:
        raise InputError(f"{path}: model format {meta['format_version']} is not supported "
                         f"(expected {FORMAT_VERSION}); train the model again")
    if len(meta["thresholds"]) != len(meta["labels"]):
        raise InputError(f"{path}: thresholds and labels differ in number; train again")
    return meta
