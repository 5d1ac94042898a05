"""The trained model shipped in the package: it loads, it predicts, `--rules-only` leaves it
out, and the artifact holds numbers and settings only (no training text)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli_support import run_cli

from analyzer.classifier import load_classifier, shipped_model_dir
from analyzer.nlp import pipeline
from analyzer.rulebook import default_rulebook
from analyzer.settings import Settings
from analyzer.train import rule_hits

SHIPPED = shipped_model_dir()
# Written for these tests: clear cases of the categories the model was trained on.
CLEAR = {
    "liability_limitation": "In no event will the company be liable to you for any lost "
                            "profits or indirect damages arising from the service.",
    "arbitration": "Any dispute between you and us will be resolved by binding arbitration "
                   "rather than in court.",
    "governing_law": "These terms are governed by the laws of the State of Delaware.",
    "unilateral_termination": "We may suspend or terminate your account at any time "
                              "without notice for any reason.",
}


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(pipeline, "get_settings", lambda: settings)


def test_the_shipped_model_loads_with_its_version_and_provenance() -> None:
    model = load_classifier(SHIPPED)
    assert set(CLEAR) <= set(model.labels)
    meta = json.loads((SHIPPED / "model.json").read_text(encoding="utf-8"))
    training = meta["training"]
    assert training["recipe"] == "default" and training["model_version"]
    assert any("CC BY 4.0" in d["licence"] for d in training["data"])
    assert {"validation_fit_on_train", "test"} <= set(training["metrics"])


@pytest.mark.parametrize(("category", "text"), sorted(CLEAR.items()))
def test_the_default_pipeline_predicts_clear_cases(
        monkeypatch: pytest.MonkeyPatch, category: str, text: str) -> None:
    _use(monkeypatch, Settings())
    reading = default_rulebook().reading
    assert category in pipeline.categorize_texts([text], reading)[0]
    if category != "arbitration":  # 37 training examples: here the rule's match stands
        assert category in load_classifier(SHIPPED).predict([text],
                                                            rule_hits([text], reading))[0]


def test_rules_only_leaves_the_model_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, Settings(rules_only=True))
    assert pipeline.trained_layer() is None
    _use(monkeypatch, Settings())
    assert pipeline.trained_layer() is not None


def test_a_users_model_dir_still_overrides(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    _use(monkeypatch, Settings(model_dir=tmp_path))
    with pytest.raises(Exception, match="not a termshift model"):
        pipeline.trained_layer()


def _categories(output: bytes) -> list[list[str]]:
    return [c["categories"] for c in json.loads(output)["clauses"]]


def test_rules_only_differs_from_the_default_where_the_model_decides(tmp_path: Path) -> None:
    # The rules read "govern your use" as contract-by-using; the model, trained on
    # UNFAIR-ToS, does not. The liability clause is the same either way.
    doc = tmp_path / "terms.md"
    doc.write_text("These Terms of Use govern your use of the Example app.\n\n"
                   + CLEAR["liability_limitation"] + "\n", encoding="utf-8")
    default = run_cli("analyze", str(doc), "--format", "json")
    rules = run_cli("analyze", str(doc), "--format", "json", "--rules-only")
    env_rules = run_cli("analyze", str(doc), "--format", "json",
                        env={"TERMSHIFT_RULES_ONLY": "1"})
    assert default.returncode == rules.returncode == env_rules.returncode == 0
    assert _categories(rules.stdout) == _categories(env_rules.stdout)
    assert _categories(rules.stdout) == [["contract_by_using"], ["liability_limitation"]]
    assert _categories(default.stdout) == [[], ["liability_limitation"]]


def _flags(output: bytes) -> list[list[str]]:
    return [c["attributes"]["potentially_unfair"] for c in json.loads(output)["clauses"]]


def test_the_model_flags_the_potentially_unfair_kind_beside_the_topic(tmp_path: Path) -> None:
    # A cap with no carve-out is the one-sided kind UNFAIR-ToS marks; the provider's duty to
    # keep the service secure is no limitation at all. Categories are topics either way.
    doc = tmp_path / "terms.md"
    doc.write_text(CLEAR["unilateral_termination"] + "\n\n"
                   + CLEAR["liability_limitation"] + "\n\n"
                   "We will keep your account data secure using industry-standard "
                   "measures.\n", encoding="utf-8")
    default = run_cli("analyze", str(doc), "--format", "json")
    rules = run_cli("analyze", str(doc), "--format", "json", "--rules-only")
    assert default.returncode == rules.returncode == 0
    termination, cap, duty = _flags(default.stdout)
    assert "unilateral_termination" in termination and "liability_limitation" in cap
    assert duty == []
    assert _flags(rules.stdout) == [[], [], []]  # no model, no reading of unfairness
    html = run_cli("analyze", str(doc), "--format", "html")
    assert html.returncode == 0
    assert html.stdout.decode().count("potentially unfair") >= 2


def test_the_recipe_refuses_a_missing_data_folder(tmp_path: Path) -> None:
    done: subprocess.CompletedProcess[bytes] = run_cli(
        "train", "--recipe", "default", "--data", str(tmp_path / "nowhere"),
        "-o", str(tmp_path / "model"))
    err = done.stderr.decode()
    assert done.returncode == 3, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "unfair_tos" in err
    assert not (tmp_path / "model").exists()


def test_the_artifact_is_numbers_and_settings_only() -> None:
    assert sorted(p.name for p in SHIPPED.iterdir()) == ["model.json", "weights.npz"]
    total = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert total < 5 * 1024 * 1024, f"the shipped model grew to {total} bytes"
    with zipfile.ZipFile(SHIPPED / "weights.npz") as archive:
        assert sorted(archive.namelist()) == ["bias.npy", "weights.npy"]
    with np.load(SHIPPED / "weights.npz", allow_pickle=False) as arrays:
        for name in ("weights", "bias"):
            assert arrays[name].dtype.kind == "f"
    meta_text = (SHIPPED / "model.json").read_text(encoding="utf-8")
    assert len(meta_text) < 16_000
    meta = json.loads(meta_text)
    assert set(meta) == {"format_version", "labels", "thresholds", "hash_bits",
                         "rule_features", "rule_margin", "rules_stand", "training"}
    # Long strings may only be the data's name, licence and citations, never a sentence.
    long = [s for s in _strings(meta) if len(s) > 40]
    training = meta["training"]
    allowed = [*_strings(training["data"]), training["metrics"]["scoring"],
               training["thresholds_from"]]
    assert all(s in allowed for s in long), long


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_scoring_without_scipy_gives_the_sparse_products_numbers_to_the_last_bit() -> None:
    # Inference scores with NumPy alone (start-up); training builds SciPy sparse matrices.
    # Every score must be the same float, or a clause at a threshold could change category.
    from analyzer.classifier import featurize, linear_scores

    model = load_classifier(SHIPPED)
    reading = default_rulebook().reading
    corpus = Path(__file__).resolve().parents[2] / "corpora"
    texts = [line.strip(" #*-") for path in sorted(corpus.rglob("*.md"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["", "!!!", "the the the the the", "A" * 500, *CLEAR.values()]
    assert len(texts) > 200
    hits = rule_hits(texts, reading)
    assert sum(map(len, hits)) > 20  # rule columns are exercised too
    sparse_scores = np.asarray(featurize(texts, model.features, hits) @ model.weights)
    assert np.array_equal(sparse_scores + model.bias,
                          linear_scores(texts, model.features, hits,
                                        model.weights_by_label, model.bias))
    assert linear_scores([], model.features, [], model.weights_by_label,
                         model.bias).shape == (
        0, len(model.labels))
