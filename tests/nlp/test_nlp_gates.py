"""Batch gates: the strings each clause holds, and classification that is the same with and
without them (a gate may only skip rules that could not match)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.nlp.attribute_rules import AttributeRule, load_attribute_file
from analyzer.nlp.components.categories import categorize_text
from analyzer.nlp.gates import literals_of, passes, presence
from analyzer.nlp.pipeline import PIPELINE, build_pipeline
from analyzer.rulebook import default_rulebook
from analyzer.rules import CategoryRule

READING = default_rulebook().reading


def test_presence_finds_each_string_in_its_own_text() -> None:
    texts = ["you are liable", "we disclaim", "", "liable and liable"]
    found = presence(texts, ["liable", "disclaim", "absent"])
    assert found == [frozenset({"liable"}), frozenset({"disclaim"}), frozenset(),
                     frozenset({"liable"})]


def test_presence_does_not_join_neighbouring_texts() -> None:
    assert presence(["ends with lia", "ble starts"], ["liable"]) == [frozenset(), frozenset()]


def test_a_rule_without_strings_always_passes() -> None:
    assert passes(None, frozenset())
    assert not passes(frozenset({"liable"}), frozenset({"responsible"}))


def test_literals_of_a_pattern_without_a_necessary_string_is_none() -> None:
    import re

    assert literals_of([re.compile(r"\bas\s+is\b")]) is None
    assert literals_of([re.compile(r"solely\s+responsible")]) == frozenset({"responsible"})


def _all_examples() -> list[str]:
    rules: list[AttributeRule | CategoryRule] = [r for f in READING.categories for r in f.rules]
    rules += [r for a in READING.attributes.values() for r in a.rules]
    return sorted({t for r in rules for t in (*r.examples_match, *r.examples_no_match)})


@pytest.mark.parametrize("text", _all_examples())
def test_gated_classification_equals_plain_matching(text: str) -> None:
    lowered = text.lower()
    present = presence([lowered], READING.gate_strings)[0]
    assert READING.categorize_lowered(lowered, present) == READING.categorize_lowered(lowered)
    for rules in READING.attributes.values():
        assert rules.decide(lowered, present) == rules.decide(lowered), rules.attribute


def test_categorize_text_is_category_iff_some_rule_matches() -> None:
    text = "You are solely responsible for all actions taken by your AI agents."
    expected = {f.category for f in READING.categories if any(r.matches(text) for r in f.rules)}
    assert set(categorize_text(text, READING)) == expected and "responsibility" in expected


def test_pipeline_is_the_declared_components_in_order() -> None:
    nlp = build_pipeline(False)
    assert nlp.pipe_names == [name for name, _, _ in PIPELINE]
    assert [nlp.get_pipe_meta(n).factory for n in nlp.pipe_names] == [
        factory for _, factory, _ in PIPELINE]


def test_rule_index_gives_ungated_and_gated_candidates_in_rule_order(tmp_path: Path) -> None:
    path = tmp_path / "modality.yaml"
    path.write_text("attribute: modality\nrules:\n"
                    "  - {id: a, value: obligation, any: ['alpha']}\n"
                    "  - {id: b, value: exclusion, any: ['\\bas\\s+is\\b']}\n"
                    "  - {id: c, value: permission, any: ['gamma']}\n", encoding="utf-8")
    rules = load_attribute_file(path, terms={})
    assert rules.index.candidates(frozenset({"gamma"})) == [1, 2]
    assert rules.index.candidates(frozenset({"alpha", "gamma"})) == [0, 1, 2]
    text = "gamma, as is"
    present = presence([text], rules.gate_strings())[0]
    assert rules.decide(text, present) == rules.decide(text) == "exclusion"


def test_classify_keeps_every_field_of_the_segmented_clause() -> None:
    from dataclasses import fields

    from analyzer.ingest import ingest
    from analyzer.nlp.pipeline import classify
    from analyzer.segment import segment

    source = (b"# Terms\n\n## 4. Agents\n\nYou must not let agents: (a) post for you; and "
              b"(b) buy things. **WE MAY TERMINATE YOUR ACCOUNT AT ANY TIME.**\n")
    document = ingest(source, "terms.md")
    plain = segment(document, default_rulebook().segmentation)
    classified = classify(document, plain, READING)
    assert any(c.categories for c in classified)
    assert any(c.marker and c.lead_in for c in classified)
    kept = [f.name for f in fields(plain[0]) if f.name not in ("categories", "attributes")]
    for before, after in zip(plain, classified, strict=True):
        assert [getattr(after, n) for n in kept] == [getattr(before, n) for n in kept]


def test_presence_equals_a_plain_substring_test() -> None:
    import random

    rng = random.Random(7)
    words = ["may", "mayor", "terminat", "terminate", "not", "nothing", "liab", "liable", "a"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 6))) for _ in range(200)]
    literals = frozenset([*words, "absent", "ate", "x\x00y"])
    expected = [frozenset(w for w in literals if "\x00" not in w and w in t) for t in texts]
    assert presence(texts, literals) == expected


def test_presence_of_word_strings_and_others_equals_a_plain_substring_test() -> None:
    """Strings of word characters are found through the batch's words; strings with a space,
    a hyphen or an apostrophe through the joined texts; both must equal `in`."""
    texts = ["we may terminate your e-mail account", "as is, without warranty",
             "the user's données", "", "co-operate and cooperate", "naïve users"]
    literals = ["may", "terminat", "e-mail", "as is", "user's", "données", "onné", "operat",
                "co-op", "naïve", "ve us", "absent", "s"]
    expected = [frozenset(s for s in literals if s in t) for t in texts]
    assert presence(texts, literals) == expected


def test_gate_prefers_a_rare_string_to_a_common_word() -> None:
    import re
    # "your" and "service" are longer than "cut", but most clauses hold them.
    pattern = re.compile(r"\bwe\s+(?:cut|end)\s+your\s+service")
    assert literals_of([pattern]) == frozenset({"cut", "end"})
    # With nothing else to choose, a common word still gates.
    assert literals_of([re.compile(r"\byour\s+\w+")]) == frozenset({"your"})


def test_gate_reads_an_alternation_whose_common_prefix_the_parser_factored_out() -> None:
    import re
    # re's parser turns "mcp|model ..." into "m" followed by "cp|odel ...".
    pattern = re.compile(r"\b(?:mcp|model\s+context\s+protocol)\b")
    assert literals_of([pattern]) == frozenset({"mcp", "protocol"})
