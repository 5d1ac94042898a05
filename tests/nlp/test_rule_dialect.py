"""One pattern dialect: the {terms} of rules/terms.yaml work in shift rules and control files
as they do in category and attribute rules; an unknown term names its file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.compare.shifts import load_shift_file
from analyzer.controls import parse_controls
from analyzer.errors import RuleError
from analyzer.rulebook import default_rulebook

TERMS = dict(default_rulebook().terms)

SHIFT = """rules:
  - id: probe
    type: data_use_expanded
    category: data_use
    severity: low
    direction: against_user
    kinds: [added]
    gained: '\\b{provider}\\s+{w}{0,2}train'
    title: t
    explanation: e
"""


def test_terms_expand_in_shift_rules(tmp_path: Path) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(SHIFT, encoding="utf-8")
    (rule,) = load_shift_file(path, TERMS)
    assert rule.gain("We may also train models on it.") is not None
    assert rule.gain("Models train on public text.") is None


def test_terms_expand_in_control_files() -> None:
    (control,) = parse_controls("controls:\n  - id: X\n    title: x\n"
                                "    evidence: ['\\b{agent}\\s+{w}{0,2}logged']\n",
                                TERMS, "mine.yaml").controls
    assert control.evidence[0].search("bots are always logged")
    assert not control.evidence[0].search("people are always logged")


def test_an_unknown_term_names_the_file_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(SHIFT.replace("{provider}", "{nobody}"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"nobody") as caught:
        load_shift_file(path, TERMS)
    assert "probe" in str(caught.value)


def test_skip_words_is_built_in_and_the_pasted_idiom_is_gone(tmp_path: Path) -> None:
    from analyzer.resources import rules_dir
    from analyzer.rules import BUILTIN_TERMS, compile_pattern, load_terms

    assert load_terms(tmp_path) == BUILTIN_TERMS  # a folder without terms.yaml has {w} too
    skip = compile_pattern(r"\bagents?\s+{w}{0,3}post", {})
    assert skip.search("agents may auto-reply or post")
    assert not skip.search("agents may reply, then post")
    pasted = [f"{path.relative_to(rules_dir())}:{number}"
              for path in sorted(rules_dir().rglob("*.yaml"))
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if r"(?:\w+\s+)" in line or r"(?:\w+(?:-\w+)*\s+)" in line]
    assert not pasted, f"write {{w}} instead of the skip-words idiom: {pasted}"


def test_a_file_may_not_redefine_a_built_in_term(tmp_path: Path) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text("terms:\n  w: '\\w+'\n" + SHIFT, encoding="utf-8")
    with pytest.raises(RuleError, match=r"probe\.yaml.*\{w\} is built in"):
        load_shift_file(path, TERMS)


def test_a_default_negation_reads_each_control_in_its_own_words_for_its_safeguard() -> None:
    controls = (
        "defaults:\n"
        "  negations:\n"
        "    - id: no-safeguard\n"
        "      pattern: '\\bno\\s+{safeguard}\\b'\n"
        "      reason: it says there is no such safeguard\n"
        "controls:\n"
        "  - id: LABEL\n    title: Agent output is labelled\n    safeguard: 'labels?'\n"
        "    evidence: ['\\blabel']\n"
        "  - id: LOG\n    title: Agent actions are logged\n    evidence: ['\\blog']\n")
    label, log = parse_controls(controls, {}).controls
    assert [n.id for n in label.negations] == ["no-safeguard"]
    assert label.negations[0].pattern.search("drafts carry no label")
    assert not label.negations[0].pattern.search("drafts keep no log")
    assert log.negations == ()  # it names no safeguard, so the negation is not read for it
    with pytest.raises(RuleError, match="LABEL"):
        parse_controls(controls.replace("'labels?'", "'labels?('"), {})
