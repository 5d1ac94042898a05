"""Controls read by example: a clause that says what a control's paraphrases say, in words
its patterns were not written for, evidences it (analyzer/similarity.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze, check
from analyzer.check import check_analysis, nearest_controls
from analyzer.errors import RuleError
from analyzer.rulebook import default_rulebook

POLICY = """# Robot helpers at Fernhill Mills

1. A robot helper starts work only when a miller asks for it, and it works for that miller
   alone.
2. Whatever a robot helper produces tells its reader plainly that a machine wrote it.
3. The canteen serves soup on Fridays.
"""


def statuses(text: str, controls: Path | None = None) -> dict[str, str]:
    rules = default_rulebook()
    if controls is not None:
        rules = rules.with_controls(controls.read_text(encoding="utf-8"), controls.name)
    result = check_analysis(analyze(text.encode(), name="policy.md"), rules.controls)
    return {c.id: c.status for c in result.controls}


def test_new_wording_meets_the_control_it_paraphrases() -> None:
    controls = {c.id: c for c in default_rulebook().controls.controls}
    clauses = analyze(POLICY.encode(), name="policy.md").clauses
    # No DISCLOSE pattern reads the tag sentence: only the paraphrases do. (The invocation
    # sentence is also read by a pattern since AUTH-INVOKE is read from its two parts in any
    # order; the next test shows it is nearest to AUTH-INVOKE's paraphrases as well.)
    assert not any(p.search(c.text.lower()) for p in controls["DISCLOSE"].evidence
                   for c in clauses)
    got = statuses(POLICY)
    assert got["AUTH-INVOKE"] == "met"
    assert got["DISCLOSE"] == "met"


def test_a_clause_evidences_only_the_control_it_is_nearest_to() -> None:
    analysis = analyze(POLICY.encode(), name="policy.md")
    near = nearest_controls(default_rulebook().controls.controls, analysis.clauses)
    by_text = {c.text[:12]: near.get(c.id) for c in analysis.clauses}
    assert by_text["A robot help"] == "AUTH-INVOKE"
    assert by_text["The canteen "] is None


def test_a_near_miss_evidences_nothing() -> None:
    got = statuses("# Bots\n\nBots may post internal status updates without approval.\n")
    assert got["HITL-EXTERNAL"] == "missing"


def test_a_pattern_does_not_read_a_sentence_about_people_that_is_a_near_miss() -> None:
    # "logged" is the logging pattern's word, but the sentence names no agent and is nearer a
    # near miss of the control (people signing in) than its paraphrases.
    text = "# Records\n\nAll staff sign-ins to the payroll system are logged with the device.\n"
    assert statuses(text)["LOG-ACTIONS"] == "missing"
    assert statuses("# Records\n\nEvery bot action is logged.\n")["LOG-ACTIONS"] == "partial"


def test_a_should_in_new_wording_is_partial() -> None:
    got = statuses("# Bots\n\nEverything a robot helper produces should carry a tag saying "
                   "a machine wrote it.\n")
    assert got["DISCLOSE"] == "partial"


def test_a_users_baseline_without_examples_still_works(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("controls:\n  - id: RETAIN\n    title: Logs are kept\n"
                    "    evidence: ['\\bretain\\w*\\s+logs?\\b']\n", encoding="utf-8")
    assert statuses("# P\n\nWe must retain logs for a year.\n", path) == {"RETAIN": "met"}


def test_a_users_baseline_may_bring_its_own_paraphrases(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "defaults:\n  nearness: 0.2\ncontrols:\n  - id: RETAIN\n    title: Logs are kept\n"
        "    evidence: ['\\bretain\\w*\\s+logs?\\b']\n"
        "    paraphrases: ['Audit records are kept for twelve months.',"
        " 'Records of activity are stored for one year before deletion.']\n"
        "  - id: OTHER\n    title: Something else\n    evidence: ['\\bzzz\\b']\n"
        "    paraphrases: ['Visitors sign in at the front desk.']\n", encoding="utf-8")
    assert statuses("# P\n\nActivity records must be stored for twelve months.\n",
                    path)["RETAIN"] == "met"


def test_a_bad_nearness_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("defaults:\n  nearness: 3\ncontrols:\n  - id: X\n    title: x\n"
                    "    evidence: ['x']\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad\.yaml"):
        check(b"# P\n\nAgents must log.\n", path)


def test_controls_given_as_text_are_checked_without_a_file() -> None:
    rules = default_rulebook().with_controls(
        "controls:\n  - id: RETAIN\n    title: Logs are kept\n"
        "    evidence: ['\\bretain\\w*\\s+logs?\\b']\n", "mine.yaml")
    result = check_analysis(analyze(b"# P\n\nWe must retain logs for a year.\n", name="p.md"),
                            rules.controls)
    assert [(c.id, c.status) for c in result.controls] == [("RETAIN", "met")]
    assert rules.reading is default_rulebook().reading  # only the controls are the user's
    with pytest.raises(RuleError, match=r"mine\.yaml"):
        default_rulebook().with_controls("controls: [1", "mine.yaml")


def test_the_examples_are_read_only_when_a_policy_is_checked() -> None:
    # Loading the rules (every command does) leaves the examples' vectors uncomputed; the
    # first check computes them once, and later checks reuse them.
    from analyzer.rulebook import load_rulebook

    rulebook = load_rulebook()
    examples = [c.examples for c in rulebook.controls.controls if c.examples is not None]
    assert examples and all("paraphrases" not in vars(e) for e in examples)
    policy = analyze(b"# Agents\n\nAn agent runs only when a person starts it, and only for "
                     b"that person.\n")
    first = check_analysis(policy, rulebook.controls)
    assert all("paraphrases" in vars(e) for e in examples)
    assert check_analysis(policy, rulebook.controls) == first


def test_a_word_may_stand_for_two_concepts() -> None:
    # "records" is what a log keeps and also data: it shares features with both.
    from analyzer.similarity import _dot, space_of

    space = space_of(["a log", "some data"],
                     {"LOG": ["log", "record"], "DATA": ["data", "records"]})
    records = space.vector("records")
    assert _dot(records, space.vector("log")) > 0
    assert _dot(records, space.vector("data")) > 0
