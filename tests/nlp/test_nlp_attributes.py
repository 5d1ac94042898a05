"""Attributes of hand-written clauses: bearer with negation and passive voice, exclusivity,
agent scope, modality, liability caps, emphasis from the document's spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze
from analyzer.errors import RuleError
from analyzer.model import Attributes, Block, Clause, Document, Span
from analyzer.nlp.attribute_rules import load_attribute_file
from analyzer.nlp.pipeline import classify, clause_emphasis, provider_names
from analyzer.rulebook import default_rulebook
from analyzer.rules import load_category_file

READING = default_rulebook().reading


def attributes_of(text: str) -> Attributes:
    clauses = analyze(f"# Terms\n\n{text}\n".encode()).clauses
    assert len(clauses) == 1, [c.text for c in clauses]
    return clauses[0].attributes


@pytest.mark.parametrize(("text", "bearer", "negated"), [
    ("You are responsible for all activity on your account.", "user", False),
    ("You will be held solely responsible for content your agent posts.", "user", False),
    ("We are not responsible for the actions of AI agents you connect.", None, True),
    ("We assume no responsibility for third-party sites.", None, True),
    ("In no event shall we be liable for lost profits.", None, True),
    ("We are responsible for keeping the Service secure.", "provider", False),
    ("Each party is responsible for its own costs.", "shared", False),
    ("Third-party developers are solely responsible for their apps.", "third_party", False),
    ("You are not permitted to share your password.", "user", False),
    ("You agree to indemnify us against claims arising from your agents.", "user", False),
])
def test_bearer_and_negation(text: str, bearer: str | None, negated: bool) -> None:
    attrs = attributes_of(text)
    assert (attrs.bearer, attrs.negated) == (bearer, negated)


def test_provider_defined_name_counts_as_we() -> None:
    text = ('Moltnest Labs, Inc. ("Moltnest", "we", "us") runs the network. '
            "Moltnest is not responsible for agent posts.")
    assert "Moltnest" in provider_names(text)
    clauses = analyze(f"# T\n\n{text}\n".encode()).clauses
    assert clauses[1].attributes.negated and clauses[1].attributes.bearer is None


def test_the_assistant_of_a_document_about_an_ai_assistant_is_that_ai() -> None:
    rule = "You are solely responsible for the actions you request from the assistant."
    ai = analyze(f"# Terms\n\nOur AI assistant can book tables for you.\n\n{rule}\n\n"
                 "The assistant manager of each branch answers complaints.\n".encode()).clauses
    assert [c.attributes.agent_scope for c in ai] == [True, True, False]
    # a hotel's terms have a person at the desk; the clause texts stay as written
    hotel = analyze(f"# Terms\n\nOur front desk can book tables for you.\n\n{rule}\n".encode())
    assert not hotel.clauses[1].attributes.agent_scope
    assert ai[1].text == rule


@pytest.mark.parametrize(("text", "exclusive"), [
    ("You are solely responsible for your AI agents.", True),
    ("Use of agents is at your own risk.", True),
    ("This is your sole responsibility.", True),
    ("You may use the output solely for internal purposes.", False),
    ("You are responsible for your account.", False),
])
def test_exclusivity_needs_a_responsibility_word(text: str, exclusive: bool) -> None:
    assert attributes_of(text).exclusive is exclusive


@pytest.mark.parametrize(("text", "scope"), [
    ("You are responsible for all actions of AI agents you connect.", True),
    ("You may not use bots or automated tools to access the Service.", True),
    ("Any software acting on your behalf is bound by these Terms.", True),
    ("Both parties are responsible for their own costs.", False),
    ("Service of process may be made on our registered agent.", False),
])
def test_agent_scope(text: str, scope: bool) -> None:
    assert attributes_of(text).agent_scope is scope


@pytest.mark.parametrize(("text", "modality"), [
    ("You must not resell the Service.", "prohibition"),
    ("Agents may not post without approval.", "prohibition"),
    ("We will not be liable for lost data.", "exclusion"),
    ("Our liability shall not exceed $50.", "obligation"),
    ("You must keep your password safe.", "obligation"),
    ("You may cancel at any time.", "permission"),
    ("The Service stores data in Europe.", None),
])
def test_modality(text: str, modality: str | None) -> None:
    assert attributes_of(text).modality == modality


@pytest.mark.parametrize(("text", "amount", "formula", "months"), [
    ("Our total liability shall not exceed $50.", 50.0, None, None),
    ("Our liability is limited to the fees you paid in the twelve (12) months before the "
     "claim.", None, "fees_paid", 12),
    ("Liability shall not exceed the greater of US$100 or the fees paid in the 6 months "
     "preceding the claim.", 100.0, "greater_of", 6),
    ("In no event shall our liability exceed EUR 1,000.", 1000.0, None, None),
])
def test_liability_caps(text: str, amount: float | None, formula: str | None,
                        months: int | None) -> None:
    cap = READING.caps.find(text)
    assert cap is not None
    assert (cap.amount, cap.formula, cap.period_months) == (amount, formula, months)


def test_no_cap_without_cap_words() -> None:
    assert READING.caps.find("The Plus plan costs $20 a month.") is None


def _doc_with(text: str, spans: tuple[Span, ...]) -> tuple[Document, Clause]:
    block = Block(kind="paragraph", text=text, start=0, end=len(text), emphasis=spans)
    doc = Document(source="t", format="html", sha256="0", title="T", text=text,
                   blocks=(block,))
    return doc, Clause(id="c1", section=(), text=text, start=0, end=len(text))


def test_emphasis_from_spans_and_capitals() -> None:
    text = "YOU ARE SOLELY RESPONSIBLE FOR YOUR AI AGENTS."
    doc, clause = _doc_with(text, (Span(0, len(text), frozenset({"bold"})),))
    assert clause_emphasis(doc, clause) == ("all_caps", "bold")
    classified = classify(doc, [clause], READING)[0]
    assert classified.attributes.emphasis == ("all_caps", "bold")
    assert classified.attributes.bearer == "user"
    assert classified.attributes.exclusive and classified.attributes.agent_scope
    assert "responsibility" in classified.categories


def test_a_bold_word_does_not_make_a_bold_clause() -> None:
    text = "You MUST keep your password safe at all times and tell us of misuse."
    doc, clause = _doc_with(text, (Span(4, 8, frozenset({"bold"})),))
    assert clause_emphasis(doc, clause) == ()


def test_bad_attribute_rule_names_file_line_and_id(tmp_path: Path) -> None:
    path = tmp_path / "modality.yaml"
    path.write_text("attribute: modality\nrules:\n  - id: broken\n    value: prohibition\n"
                    "    any: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_attribute_file(path, terms={})
    message = str(err.value)
    assert "modality.yaml:3" in message and "broken" in message


def test_bad_category_rule_names_file_line_and_id(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("category: arbitration\nrules:\n  - id: ok\n    any: ['a']\n"
                    "  - id: bad\n    any: ['{nosuchterm}']\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_category_file(path, terms={})
    assert "x.yaml:5" in str(err.value) and "bad" in str(err.value)


def test_duplicate_attribute_rule_id_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "exclusive.yaml"
    path.write_text("attribute: exclusive\nrules:\n"
                    "  - id: sole\n    value: true\n    any: ['sole']\n"
                    "  - id: sole\n    value: true\n    any: ['solely']\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_attribute_file(path, terms={})
    assert "exclusive.yaml:6" in str(err.value) and "sole" in str(err.value)


def test_unknown_attribute_value_is_a_rule_error(tmp_path: Path) -> None:
    path = tmp_path / "bearer.yaml"
    path.write_text("attribute: bearer\nrules:\n  - id: odd\n    value: landlord\n"
                    "    any: ['landlord']\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_attribute_file(path, terms={})
    assert "bearer.yaml:3" in str(err.value) and "odd" in str(err.value)


def test_emphasis_across_two_blocks_counts_each_blocks_spans() -> None:
    first, second = "You must keep keys safe and", "never share them with agents."
    text = f"{first} {second}"
    blocks = (
        Block(kind="paragraph", text=first, start=0, end=len(first),
              emphasis=(Span(0, len(first), frozenset({"underline", "italic"})),)),
        Block(kind="paragraph", text=second, start=len(first) + 1, end=len(text),
              emphasis=(Span(0, len(second), frozenset({"underline"})),)),
    )
    doc = Document(source="t", format="docx", sha256="0", title="T", text=text, blocks=blocks)
    clause = Clause(id="c1", section=(), text=text, start=0, end=len(text))
    # underline covers every letter; italic only the first block's, under 60%.
    assert clause_emphasis(doc, clause) == ("underline",)


def test_a_short_acronym_is_not_all_caps() -> None:
    doc, clause = _doc_with("See the FAQ and API docs.", ())
    assert clause_emphasis(doc, clause) == ()


def test_trained_layer_decides_its_own_categories_and_leaves_the_rest_to_the_rules(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import analyzer.classifier
    import analyzer.nlp.pipeline as pipeline
    from analyzer.settings import Settings

    class FakeClassifier:
        labels = ("arbitration", "responsibility", "liability_limitation")

        def read(self, texts: list[str], rule_hits: list[tuple[str, ...]]
                 ) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
            assert rule_hits == [("responsibility",)]  # the rules' matches are its features
            # Its decisions (with the rules), and what it finds alone.
            return ([frozenset({"arbitration"}) for _ in texts],
                    [frozenset({"arbitration", "liability_limitation"}) for _ in texts])

    monkeypatch.setattr(pipeline, "get_settings", lambda: Settings(model_dir=tmp_path))
    monkeypatch.setattr(analyzer.classifier, "load_classifier", lambda _: FakeClassifier())
    pipeline._load_model.cache_clear()
    doc, clause = _doc_with("You are responsible for your account.", ())
    # "responsibility" is one of the model's labels and it did not confirm it.
    read = classify(doc, [clause], READING)[0]
    assert read.categories == ("arbitration",)
    # What the model finds alone is the clause's potentially_unfair attribute.
    assert read.attributes.potentially_unfair == ("liability_limitation", "arbitration")
    monkeypatch.setattr(pipeline, "get_settings", lambda: Settings(rules_only=True))
    read = classify(doc, [clause], READING)[0]
    assert read.categories == ("responsibility",)
    assert read.attributes.potentially_unfair == ()
    pipeline._load_model.cache_clear()


@pytest.mark.parametrize(("text", "names"), [
    ('Built by Quillstone Systems, Inc., a Delaware corporation (the “Company,” “we,” or “us”).',
     ("Quillstone Systems", "Company")),
    ("1. “Quillstone,” “We,” and “Us” refer to Quillstone, Inc. and its affiliates.",
     ("Quillstone",)),
    ('These Terms ("Terms") and the "Service" are defined below.', ()),
])
def test_provider_definitions(text: str, names: tuple[str, ...]) -> None:
    assert provider_names(text) == names


@pytest.mark.parametrize(("text", "bearer", "negated"), [
    ("Quillstone cannot and will not be liable for any loss.", None, True),
    ("You are not responsible for errors in our systems.", None, True),
    ("Third-party providers are not responsible for outages.", None, True),
    ("You retain responsibility for suggestions you accept.", "user", False),
    ("Each party shall bear its own costs.", "shared", False),
])
def test_more_denials_and_allocations(text: str, bearer: str | None, negated: bool) -> None:
    attrs = attributes_of(text)
    assert (attrs.bearer, attrs.negated) == (bearer, negated)
