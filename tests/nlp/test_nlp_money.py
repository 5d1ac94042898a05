"""Liability caps: the examples of rules/attributes/liability_cap.yaml cover every formula and
currency (they run in tests/rules/test_rule_examples.py), a bad file names itself, caps are
read only on clauses that limit liability, and a contraction before the cap keeps its wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import RuleError
from analyzer.model import Block, Clause, Document
from analyzer.nlp.money import load_cap_file
from analyzer.nlp.pipeline import classify
from analyzer.rulebook import default_rulebook

RULES = default_rulebook().reading.caps


def test_examples_cover_every_formula_and_currency() -> None:
    found = {RULES.find(e.text) for e in RULES.examples} - {None}
    assert {c.formula for c in found if c} >= {None, "fees_paid", "greater_of", "lesser_of"}
    assert {c.currency for c in found if c} >= {"USD", "EUR", "GBP"}


def _classified(text: str) -> Clause:
    block = Block(kind="paragraph", text=text, start=0, end=len(text))
    doc = Document(source="t", format="text", sha256="0", title="T", text=text, blocks=(block,))
    clause = Clause(id="c1", section=(), text=text, start=0, end=len(text))
    return classify(doc, [clause], default_rulebook().reading, use_parser=False)[0]


def test_cap_is_read_on_a_liability_clause_in_the_pipeline() -> None:
    clause = _classified("In no event shall our total liability exceed the greater of $100 "
                         "and the fees you paid in the 12 months before the claim.")
    assert "liability_limitation" in clause.categories
    cap = clause.attributes.liability_cap
    assert cap is not None and (cap.amount, cap.formula, cap.period_months) == (
        100.0, "greater_of", 12)


def test_no_cap_on_a_price_clause() -> None:
    clause = _classified("The maximum plan costs $100 a month, billed up to twelve months ahead.")
    assert "liability_limitation" not in clause.categories
    assert clause.attributes.liability_cap is None


def test_bad_cap_file_names_file_line_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "liability_cap.yaml"
    path.write_text("attribute: liability_cap\ncontext: ['exceed']\nfees: ['fees paid']\n"
                    "currencies:\n  USD: ['\\$(?P<amount>\\d+']\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_cap_file(path, terms={})
    message = str(err.value)
    assert "liability_cap.yaml:4" in message and "currencies.USD" in message


def test_cap_file_must_say_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "caps.yaml"
    path.write_text("attribute: bearer\ncontext: ['x']\nfees: ['y']\ncurrencies: {USD: ['z']}\n",
                    encoding="utf-8")
    with pytest.raises(RuleError, match=r"caps\.yaml:1"):
        load_cap_file(path, terms={})


def test_cap_wording_is_cut_from_the_text_as_written() -> None:
    """The patterns read the folded text ("won't" as "will not", three letters longer); the
    wording still comes from the clause as written, at the right place."""
    text = ("We won't be liable for any claim, and in no event shall our total liability "
            "exceed $100.")
    cap = RULES.find(text)
    assert cap is not None and cap.amount == 100.0
    assert cap.text == "$100"
    assert RULES.find(text.replace("won't", "will not")) == cap
