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
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import InputError
from analyzer.model import CATEGORIES
from analyzer.rules import CategoryFile

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

if TYPE_CHECKING:
    from scipy import sparse


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


def _word_columns(word: str, mask: int) -> list[int]:
    """The hashed columns of one word's unigram and character n-grams (cached: words repeat,
    and hashing each n-gram again cost more than all the category rules)."""
    key = (word, mask)
    cached = _WORD_CACHE.get(key)
    if cached is None:
        padded = f"<{word}>"
        feats = [f"w:{word}"]
        for size in (3, 4, 5):
            feats += [f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1)]
        cached = [zlib.crc32(f.encode("utf-8")) & mask for f in feats]
        if len(_WORD_CACHE) >= _WORD_CACHE_SIZE:
            _WORD_CACHE.clear()
        _WORD_CACHE[key] = cached
    return cached


_WORD_CACHE: dict[tuple[str, int], list[int]] = {}
_WORD_CACHE_SIZE = 200_000


def _text_columns(text: str, mask: int) -> list[int]:
    """The hashed column of each of `text_features(text)`, repeats included."""
    words = _TOKEN.findall(normalise_text(text))
    columns: list[int] = []
    for word in words:
        columns += _word_columns(word, mask)
    columns += [zlib.crc32(f"b:{a} {b}".encode()) & mask for a, b in pairwise(words)]
    return columns


def rule_matches(text: str, files: Sequence[CategoryFile]) -> frozenset[str]:
    """The categories whose rules (the rulebook's category files) match this text."""
    return frozenset(f.category for f in files if any(r.matches(text) for r in f.rules))


def featurize(texts: Iterable[str], settings: FeatureSettings,
              rule_hits: Sequence[Iterable[str]]) -> sparse.csr_matrix:
    """A sparse matrix of hashed text features plus the rule-match columns (`rule_hits`:
    the categories the rules found for each text, see `rule_matches`). For training;
    scoring uses `linear_scores`, which gives the same numbers without SciPy."""
    from scipy import sparse

    rule_col = {name: i for i, name in enumerate(settings.rule_features)}
    mask = settings.text_columns - 1
    columns: list[int] = []
    lengths: list[int] = []
    rule_rows: list[int] = []
    rule_cols: list[int] = []
    for row, text in enumerate(texts):
        found = _text_columns(text, mask)
        columns += found
        lengths.append(len(found))
        for name in rule_hits[row]:
            if name in rule_col:
                rule_rows.append(row)
                rule_cols.append(rule_col[name])
    count = len(lengths)
    rows = np.repeat(np.arange(count), lengths)
    # Building the matrix sums repeated columns; then sublinear term frequency and unit
    # length per row, so long sentences do not dominate.
    counts = sparse.csr_matrix((np.ones(len(columns)), (rows, columns)),
                               shape=(count, settings.text_columns))
    counts.data = 1.0 + np.log(counts.data)
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    text_part = sparse.diags(1.0 / norms) @ counts
    rule_part = sparse.csr_matrix(
        (np.full(len(rule_rows), RULE_FEATURE_VALUE), (rule_rows, rule_cols)),
        shape=(count, len(settings.rule_features)))
    return sparse.hstack([text_part, rule_part], format="csr")


def linear_scores(texts: Sequence[str], settings: FeatureSettings,
                  rule_hits: Sequence[Iterable[str]], weights_by_label: FloatArray,
                  bias: FloatArray) -> FloatArray:
    """`featurize(texts, ...) @ weights + bias`, with `weights_by_label` = `weights.T` as a
    C-contiguous array, to the last bit, with NumPy alone: importing
    SciPy's sparse matrices cost every command that reads a clause about 0.15 s of CPU (more
    from a cold disk). The sums run in the order SciPy's sparse product runs them (per row,
    text columns from the highest, then rule columns, each term added to a running float64
    total), so every score, and so every decision at a threshold, is the same; a test holds
    the two to equality."""
    count = len(texts)
    mask = settings.text_columns - 1
    columns: list[int] = []
    lengths = np.zeros(count, dtype=np.int64)
    for row, text in enumerate(texts):
        found = _text_columns(text, mask)
        columns += found
        lengths[row] = len(found)
    # Repeated columns of a row summed (what building the sparse matrix does), sorted by row
    # and then by column from the highest: the order in which SciPy's product with the
    # diagonal of norms leaves each row's entries.
    keys = np.repeat(np.arange(count, dtype=np.int64), lengths) * settings.text_columns
    keys += mask - np.array(columns, dtype=np.int64)
    unique, repeats = np.unique(keys, return_counts=True)
    rows, flipped = np.divmod(unique, settings.text_columns)
    tf = 1.0 + np.log(repeats.astype(np.float64))
    # Each row's length: its squares summed in ascending column order by NumPy's own
    # reduction (what SciPy's row sums come to; a running total differs in the last bit).
    squares = (tf * tf)[::-1]  # rows from the last, columns ascending within each
    firsts = np.flatnonzero(np.diff(rows[::-1], prepend=-1))
    norms = np.ones(count)
    if len(firsts):
        norms[rows[::-1][firsts]] = np.sqrt(np.add.reduceat(squares, firsts))
    norms[norms == 0] = 1.0
    coef = (1.0 / norms)[rows] * tf
    # The rule columns come after every text column of their row.
    rule_col = {name: i for i, name in enumerate(settings.rule_features)}
    rule_rows, rule_cols = [], []
    for row, hits in enumerate(rule_hits):
        for column in sorted(settings.text_columns + rule_col[n] for n in hits if n in rule_col):
            rule_rows.append(row)
            rule_cols.append(column)
    every_row = np.concatenate((rows, np.array(rule_rows, dtype=np.int64)))
    every_col = np.concatenate((mask - flipped, np.array(rule_cols, dtype=np.int64)))
    every_coef = np.concatenate((coef, np.full(len(rule_rows), RULE_FEATURE_VALUE)))
    # Per label (a contiguous row of the transposed weights, so the gathers stay in cache),
    # bincount adds each row's terms one after the other, in the order given, from 0.0: the
    # running float64 total of the sparse product.
    out = np.zeros((count, len(weights_by_label)))
    for label, column in enumerate(weights_by_label):
        out[:, label] = np.bincount(every_row, weights=every_coef * column[every_col],
                                    minlength=count)
    return out + bias


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
    # How far below its threshold a label's score may fall and a rule match of that label
    # still stand; None: rule matches always stand (the model only adds).
    rule_margin: float | None = None
    # Labels the rules decide alone (the model neither adds nor removes them): where the
    # category is wider than what the model learnt (arbitration also covers class waivers).
    rules_stand: tuple[str, ...] = ()

    def scores(self, texts: list[str], rule_hits: Sequence[Iterable[str]]) -> FloatArray:
        """The raw linear score of every text for every label (`rule_hits`: see
        `featurize`)."""
        return linear_scores(texts, self.features, rule_hits, self.weights_by_label,
                             self.bias)

    @cached_property
    def weights_by_label(self) -> FloatArray:
        """The weights as one contiguous row per label (what `linear_scores` reads)."""
        return np.ascontiguousarray(self.weights.T)

    def predict(self, texts: list[str], rule_hits: Sequence[Iterable[str]]
                ) -> list[frozenset[str]]:
        """The categories each text belongs to (`rule_hits`: see `featurize`)."""
        if not texts:
            return []
        above = self.scores(texts, rule_hits) > self.thresholds
        return [frozenset(self.labels[j] for j in np.flatnonzero(row)) for row in above]

    def decide(self, texts: list[str], rule_hits: Sequence[Iterable[str]]
               ) -> list[frozenset[str]]:
        """Each text's categories among `labels`, given the rules' matches: the model's
        predictions, plus the rule matches it does not score far below their threshold
        (`rule_margin`); `rules_stand` labels are the rule matches alone. Categories
        outside `labels` are the caller's (the rules')."""
        return self.read(texts, rule_hits)[0]

    def read(self, texts: list[str], rule_hits: Sequence[Iterable[str]]
             ) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
        """`decide` and `predict` from one scoring: each text's categories, and the labels
        the model alone finds (what its training data marks: for the shipped model,
        UNFAIR-ToS's potentially unfair clauses)."""
        if not texts:
            return [], []
        margin = self.scores(texts, rule_hits) - self.thresholds
        alone = [frozenset(self.labels[j] for j in np.flatnonzero(row > 0)) for row in margin]
        floor = -np.inf if self.rule_margin is None else -self.rule_margin
        stand = frozenset(self.rules_stand)
        out = []
        for row, hits, predicted in zip(margin, rule_hits, alone, strict=True):
            found = set(predicted - stand)
            found |= {label for j, label in enumerate(self.labels)
                      if label in hits and (label in stand or row[j] > floor)}
            out.append(frozenset(found))
        return out, alone


def save_classifier(model_dir: Path, model: Classifier, summary: dict[str, Any], *,
                    compact: bool = False) -> None:
    """Write the model folder: settings and thresholds as JSON, weights as .npz (`compact`:
    weights as float16, half the size; loading widens them to float32 again)."""
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
        "rule_margin": model.rule_margin,
        "rules_stand": list(model.rules_stand),
        "training": summary,
    }
    (model_dir / MODEL_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    np.savez_compressed(model_dir / WEIGHTS_FILE,
                        weights=np.asarray(model.weights,
                                           dtype=np.float16 if compact else np.float32),
                        bias=np.asarray(model.bias, dtype=np.float32))


def build_classifier(labels: Sequence[str], weights: FloatArray, bias: FloatArray,
                     thresholds: Sequence[float], features: FeatureSettings) -> Classifier:
    """A Classifier from trained coefficients (weights as labels x columns, as fitted)."""
    return Classifier(tuple(labels), np.asarray(weights, dtype=np.float32).T,
                      np.asarray(bias, dtype=np.float32).reshape(-1),
                      np.asarray(thresholds, dtype=np.float32), features)


def shipped_model_dir() -> Path:
    """The default model inside the package, built by `termshift train --recipe default`."""
    return Path(__file__).resolve().parent / "_model" / "default"


def load_classifier(model_dir: Path) -> Classifier:
    """Read a model folder written by `termshift train`."""
    meta = _read_meta(model_dir)
    try:
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights = np.asarray(arrays["weights"], dtype=np.float32)
            bias = np.asarray(arrays["bias"], dtype=np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"{model_dir}: cannot read {WEIGHTS_FILE} ({exc}); "
                         "train the model again with `termshift train`") from exc
    features = FeatureSettings(int(meta["hash_bits"]), tuple(meta["rule_features"]))
    labels = tuple(meta["labels"])
    if weights.shape != (features.columns, len(labels)) or bias.shape != (len(labels),):
        raise InputError(f"{model_dir}: weights do not fit the model settings; "
                         "train the model again with `termshift train`")
    margin = meta.get("rule_margin")
    if margin is not None and not isinstance(margin, int | float):
        raise InputError(f"{model_dir}: rule_margin must be a number or null; train again")
    stand = meta.get("rules_stand", [])
    if not isinstance(stand, list) or not all(isinstance(x, str) for x in stand):
        raise InputError(f"{model_dir}: rules_stand must be a list of labels; train again")
    return Classifier(labels, weights, bias,
                      np.asarray(meta["thresholds"], dtype=np.float32), features,
                      None if margin is None else float(margin), tuple(stand))


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
