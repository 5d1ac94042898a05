"""UNFAIR-ToS (LexGLUE) benchmark for the category rules and the trained layer.

Scoring follows LexGLUE (coastalcph/lex-glue, experiments/unfair_tos.py): the 8 labels plus a
"none" column that is 1 when a sentence has no label; micro and macro F1 over those 9 columns.
Variants: `rules` the category rules alone; `default` the pipeline as installed (the rules
plus the model shipped in analyzer/_model/default, or TERMSHIFT_MODEL_DIR's; what `analyze`
gives each clause), scored twice: its categories (topics: a fair liability cap is still
liability_limitation) and its `potentially_unfair` attribute (the model's reading of what
UNFAIR-ToS labels, the potentially unfair clauses); `trained` rules plus a layer trained on
the train split at run time into a temporary folder. `shipped` runs rules and default,
`both` rules and trained, `all` the three. The shipped model was fitted on train+validation,
so only its test figure is held out (its validation figure is in its model.json, fit on
train only).

    .venv/bin/python bench/unfair_tos.py [--split validation|test|train|all] [--data DIR]
                     [--variant rules|default|trained|shipped|both|all] [--errors CODE]

The data folder defaults to ../shared/realdata/unfair_tos beside the checkout, or
$TERMSHIFT_UNFAIR_TOS_DATA. Tune rules on train and validation only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.classifier import load_classifier, rule_matches  # noqa: E402
from analyzer.rulebook import default_rulebook  # noqa: E402
from analyzer.train import rule_hits, train_classifier  # noqa: E402

CODES = ("LTD", "TER", "CH", "CR", "USE", "LAW", "J", "A")  # LexGLUE's label order
COLUMNS = (*CODES, "none")
SPLITS = ("train", "validation", "test")
Predictor = Callable[[list[str]], list[frozenset[str]]]


@dataclass(frozen=True)
class Sentence:
    text: str
    labels: frozenset[str]
    document: str


@dataclass(frozen=True)
class Scores:
    per_column: dict[str, tuple[float, float, float]]  # precision, recall, F1
    micro_f1: float
    macro_f1: float


def default_data_dir() -> Path:
    override = os.environ.get("TERMSHIFT_UNFAIR_TOS_DATA")
    if override:
        return Path(override)
    return ROOT.parent / "shared" / "realdata" / "unfair_tos"


def load_split(data: Path, split: str) -> list[Sentence]:
    path = data / f"unfair_tos_{split}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Sentence(r["text"], frozenset(x.upper() for x in r["labels"]), r["document"])
            for r in rows]


def category_to_code() -> dict[str, str]:
    return {category: code.upper()
            for category, code in default_rulebook().reading.unfair_tos_codes().items()}


def rules_predictor() -> Predictor:
    files = default_rulebook().reading.categories
    to_code = category_to_code()

    def predict(texts: list[str]) -> list[frozenset[str]]:
        return [frozenset(to_code[c] for c in rule_matches(t, files) if c in to_code)
                for t in texts]

    return predict


def default_predictors() -> tuple[Predictor, Predictor, str]:
    """What the installed pipeline gives each sentence (rules + the model in use): its
    categories (topics), and its `potentially_unfair` attribute (the model's reading of the
    kind of clause UNFAIR-ToS labels)."""
    from analyzer.nlp.pipeline import read_texts, trained_layer

    model = trained_layer()
    to_code = category_to_code()

    def reading(part: int) -> Predictor:
        def predict(texts: list[str]) -> list[frozenset[str]]:
            return [frozenset(to_code[c] for c in cats if c in to_code)
                    for cats in read_texts(texts, default_rulebook().reading)[part]]
        return predict

    categories, unfair = reading(0), reading(1)

    if model is None:
        return categories, unfair, "rules only (TERMSHIFT_RULES_ONLY is set)"
    return (categories, unfair,
            f"model labels {len(model.labels)}, rule_margin {model.rule_margin}")


def trained_predictor(data: Path, workdir: Path, train_on: tuple[str, ...] = ("train",)
                      ) -> tuple[Predictor, str]:
    train_file = workdir / "train.jsonl"
    lines = [json.dumps({"text": s.text, "labels": sorted(s.labels)})
             for split in train_on for s in load_split(data, split)]
    train_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reading = default_rulebook().reading
    summary = train_classifier(train_file, workdir / "model", reading)
    model = load_classifier(workdir / "model")
    to_code = category_to_code()

    def predict(texts: list[str]) -> list[frozenset[str]]:
        return [frozenset(to_code[c] for c in cats if c in to_code)
                for cats in model.predict(texts, rule_hits(texts, reading))]

    return predict, summary


def _with_none(labels: frozenset[str]) -> frozenset[str]:
    return labels or frozenset({"none"})


def score(gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]) -> Scores:
    """LexGLUE's scores: per-column P/R/F1, micro and macro F1 over the 9 columns."""
    per_column: dict[str, tuple[float, float, float]] = {}
    totals = [0, 0, 0]
    for column in COLUMNS:
        tp = fp = fn = 0
        for g, p in zip(gold, predicted, strict=True):
            in_gold, in_pred = column in _with_none(g), column in _with_none(p)
            tp += in_gold and in_pred
            fp += in_pred and not in_gold
            fn += in_gold and not in_pred
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        per_column[column] = _prf(tp, fp, fn)
    macro = sum(f for _, _, f in per_column.values()) / len(COLUMNS)
    return Scores(per_column, _prf(*totals)[2], macro)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def print_table(title: str, scores: Scores) -> None:
    print(f"\n{title}")
    print(f"| {'label':6} | precision | recall |    F1 |")
    print("|--------|----------:|-------:|------:|")
    for column, (p, r, f) in scores.per_column.items():
        print(f"| {column:6} | {p:9.3f} | {r:6.3f} | {f:5.3f} |")
    print(f"| micro-F1 {scores.micro_f1:.3f} | macro-F1 {scores.macro_f1:.3f} |")


def print_errors(code: str, sentences: list[Sentence], predicted: list[frozenset[str]]) -> None:
    for s, p in zip(sentences, predicted, strict=True):
        if (code in s.labels) != (code in p):
            kind = "FN" if code in s.labels else "FP"
            print(f"{kind} [{s.document}] {s.text[:300]}")


def machine_facts() -> str:
    import spacy

    return (f"cores {os.cpu_count()}, Python {platform.python_version()}, "
            f"spaCy {spacy.__version__}, {platform.system()} {platform.machine()}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir(),
                        help="folder with unfair_tos_{train,validation,test}.jsonl")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all",
                        help="'all' scores validation and test")
    parser.add_argument("--variant", default="shipped",
                        choices=("rules", "default", "trained", "shipped", "both", "all"))
    parser.add_argument("--train-on", choices=("train", "train+validation"), default="train",
                        help="what the trained layer learns from; train+validation (the usual "
                        "final fit once settings were chosen on validation) scores test only")
    parser.add_argument("--errors", metavar="CODE",
                        help="list the rules' false positives/negatives for one label")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.data / "unfair_tos_train.jsonl").exists():
        print(f"no UNFAIR-ToS data in {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    splits = ("validation", "test") if args.split == "all" else (args.split,)
    train_on = tuple(args.train_on.split("+"))
    if "validation" in train_on:
        splits = tuple(s for s in splits if s not in train_on)
    print("command:", " ".join(["python", *sys.argv]))
    print("machine:", machine_facts())
    predictors: list[tuple[str, Predictor]] = []
    if args.variant in ("rules", "shipped", "both", "all"):
        predictors.append(("rules alone", rules_predictor()))
    if args.variant in ("default", "shipped", "all"):
        categories, unfair, about = default_predictors()
        print(f"default pipeline: {about}")
        predictors.append(("default pipeline, categories (rules + shipped model)", categories))
        predictors.append(("default pipeline, potentially_unfair attribute (what UNFAIR-ToS "
                           "labels)", unfair))
    with tempfile.TemporaryDirectory() as workdir:
        if args.variant in ("trained", "both", "all"):
            started = time.perf_counter()
            trained, summary = trained_predictor(args.data, Path(workdir), train_on)
            print(f"trained layer: {summary} ({time.perf_counter() - started:.1f} s)")
            predictors.append((f"rules + trained layer (fit on {args.train_on})", trained))
        for split in splits:
            sentences = load_split(args.data, split)
            gold = [s.labels for s in sentences]
            for name, predict in predictors:
                predicted = predict([s.text for s in sentences])
                print_table(f"{split} ({len(sentences)} sentences): {name}",
                            score(gold, predicted))
                if args.errors and name == "rules alone":
                    print_errors(args.errors.upper(), sentences, predicted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
