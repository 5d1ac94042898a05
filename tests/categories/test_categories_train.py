"""The optional trained layer: training, saving without pickle, loading and predicting."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from analyzer.classifier import load_classifier
from analyzer.errors import InputError
from analyzer.rulebook import default_rulebook
from analyzer.train import read_examples, rule_hits, train_classifier

READING = default_rulebook().reading

LAW = [
    "These terms are governed by the laws of Ireland.",
    "The laws of the State of New York govern this agreement.",
    "This contract is construed under English law.",
    "Dutch law applies to these terms and any dispute.",
    "The agreement is governed by the law of Finland.",
]
REMOVAL = [
    "We may remove your content at any time.",
    "The company can delete posts that break the rules.",
    "We reserve the right to take down any upload.",
    "Moderators may remove comments without notice.",
    "We may delete any review for any reason.",
]
OTHER = [
    "Welcome to our service.",
    "Our office is open on weekdays.",
    "You can contact support by email.",
    "Prices include sales tax.",
    "The app works on phones and tablets.",
    "Thank you for reading.",
]


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def training_file(tmp_path: Path) -> Path:
    rows: list[dict[str, object]] = [{"text": t, "labels": ["LAW"]} for t in LAW]
    rows += [{"text": t, "labels": ["content_removal"]} for t in REMOVAL]
    rows += [{"text": t, "labels": []} for t in OTHER]
    return _write_jsonl(tmp_path / "train.jsonl", rows)


def test_categories_train_load_predict(training_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    model_dir = tmp_path / "model"
    summary = train_classifier(training_file, model_dir, READING)
    assert "16 examples" in summary
    assert "governing_law 5" in summary and "content_removal 5" in summary
    model = load_classifier(model_dir)
    assert set(model.labels) == {"governing_law", "content_removal"}
    texts = ["These terms are governed by the laws of Ireland.",
             "We may remove your content at any time.", "Our office is open on weekdays."]
    predicted = model.predict(texts, rule_hits(texts, READING))
    assert "governing_law" in predicted[0]
    assert "content_removal" in predicted[1]
    assert predicted[2] == frozenset()


def test_categories_model_folder_holds_no_pickle(training_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    model_dir = tmp_path / "model"
    train_classifier(training_file, model_dir, READING)
    assert sorted(p.name for p in model_dir.iterdir()) == ["model.json", "weights.npz"]
    with zipfile.ZipFile(model_dir / "weights.npz") as archive:
        assert sorted(archive.namelist()) == ["bias.npy", "weights.npy"]
    json.loads((model_dir / "model.json").read_text(encoding="utf-8"))


def test_categories_malformed_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine", "labels": []}\n\n{"text": "broken", \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:3: not valid JSON"):
        read_examples(path, READING)


@pytest.mark.parametrize(("line", "message"), [
    ('{"labels": ["ltd"]}', 'needs a "text" string'),
    ('{"text": "x", "labels": "ltd"}', '"labels" must be a list'),
    ('{"text": "x", "labels": ["fairness"]}', "unknown label 'fairness'"),
])
def test_categories_bad_record_is_input_error(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_examples(path, READING)


def test_categories_unfair_codes_map_to_categories(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "codes.jsonl", [{"text": "x", "labels": ["LTD", "j"]}])
    assert read_examples(path, READING)[0].labels == {"liability_limitation", "jurisdiction"}


def test_categories_missing_model_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a termshift model"):
        load_classifier(tmp_path)


def test_categories_mismatched_weights_are_refused(training_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    model_dir = tmp_path / "model"
    train_classifier(training_file, model_dir, READING)
    meta = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    meta["hash_bits"] = 10
    (model_dir / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="do not fit"):
        load_classifier(model_dir)


def test_categories_output_over_a_file_is_input_error(training_file: Path,
                                                      tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="cannot create the model folder"):
        train_classifier(training_file, blocker / "model", READING)


def test_the_log_count_ratio_folds_into_plain_weights() -> None:
    """The recipe's NB-weighted fit saves an ordinary linear model: its weights on the plain
    columns score exactly as the model fitted on the scaled columns, and it still learns."""
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    import numpy as np

    from analyzer.classifier import FeatureSettings, featurize
    from analyzer.train import fit_classifier

    texts = LAW + REMOVAL + OTHER
    labels = [frozenset({"governing_law"})] * len(LAW) + [frozenset({"content_removal"})] * len(
        REMOVAL) + [frozenset()] * len(OTHER)
    features = FeatureSettings(hash_bits=12)
    matrix = featurize(texts, features, rule_hits(texts, READING))
    plain = fit_classifier(matrix, labels, ["governing_law", "content_removal"], features)
    ratio = fit_classifier(matrix, labels, ["governing_law", "content_removal"], features,
                           log_count_ratio=True)
    assert not np.allclose(plain.weights, ratio.weights)  # the scaling changed the model
    probe = ["Swedish law governs these terms.", "We may delete your photos.",
             "Our shop is closed on Sundays."]
    predicted = ratio.predict(probe, rule_hits(probe, READING))
    assert "governing_law" in predicted[0] and "content_removal" in predicted[1]
    assert predicted[2] == frozenset()


def test_the_ratio_model_scores_as_its_scaled_fit() -> None:
    pytest.importorskip("sklearn", reason="scikit-learn (termshift[train]) is not installed")
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from analyzer.classifier import FeatureSettings, featurize
    from analyzer.train import _ratio_logistic

    texts = LAW + REMOVAL + OTHER
    column = [1] * len(LAW) + [0] * (len(REMOVAL) + len(OTHER))
    matrix = featurize(texts, FeatureSettings(hash_bits=12), rule_hits(texts, READING))
    model = _ratio_logistic(LogisticRegression(C=16, solver="liblinear")).fit(matrix, column)
    scaled = np.asarray(model.model_.decision_function(matrix @ sparse.diags(model.ratio_)))
    assert np.allclose(model.decision_function(matrix), scaled)
    assert list(model.predict(matrix)) == column
