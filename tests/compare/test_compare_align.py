"""Alignment, moves, redline and formatting on hand-built clauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.compare import build_changes
from analyzer.compare.align import align_clauses, moved_pairs, normalise
from analyzer.compare.redline import redline
from analyzer.compare.shifts import load_shift_file
from analyzer.errors import RuleError
from analyzer.model import Attributes, Clause


def clauses(*texts: str, emphasis: tuple[str, ...] = ()) -> tuple[Clause, ...]:
    return tuple(Clause(id=f"c{i}", section=("1. Terms",), text=t, start=0, end=len(t),
                        attributes=Attributes(emphasis=emphasis))
                 for i, t in enumerate(texts, start=1))


def test_normalise_folds_numbering_case_punctuation_and_links() -> None:
    assert normalise("7.2 You MUST comply; see [rules](https://x.test).") == (
        normalise("7.3 you must comply, see [rules](https://y.test)!"))


def test_identical_then_similar_then_unpaired() -> None:
    old = clauses("Alpha binds you.", "Beta limits our liability to fifty dollars.", "Gamma.")
    new = clauses("Alpha binds you.", "Beta limits our liability to five dollars.", "Delta.")
    pairs = {(p.old, p.new): p.exact for p in align_clauses(old, new)}
    assert pairs == {(0, 0): True, (1, 1): False}


def test_moved_clause_is_found_by_the_longest_increasing_run() -> None:
    old = clauses("One.", "Two.", "Three.", "Four.", "Five.")
    new = clauses("One.", "Three.", "Four.", "Five.", "Two.")
    assert moved_pairs(align_clauses(old, new)) == {1}
    kinds = [c.kind for c in build_changes(old, new)]
    assert kinds == ["unchanged", "unchanged", "unchanged", "unchanged", "moved"]


def test_removed_clauses_stay_where_they_were() -> None:
    old = clauses("One.", "Two is gone.", "Three.")
    new = clauses("One.", "Three.")
    assert [(c.kind, (c.old or c.new).text) for c in build_changes(old, new)] == [
        ("unchanged", "One."), ("removed", "Two is gone."), ("unchanged", "Three.")]


def test_redline_is_word_level() -> None:
    assert redline("You are responsible for posts.", "You are solely responsible for posts.") == (
        ("equal", "You are"), ("insert", " solely"), ("equal", " responsible for posts."))


def test_same_words_in_capitals_and_bold_is_a_formatting_change() -> None:
    old = clauses("You are responsible for your agents.")
    new = clauses("YOU ARE RESPONSIBLE FOR YOUR AGENTS.", emphasis=("all_caps", "bold"))
    (change,) = build_changes(old, new)
    assert change.kind == "modified"
    assert change.formatting == ("+all_caps", "+bold")
    assert change.redline == (("equal", "YOU ARE RESPONSIBLE FOR YOUR AGENTS."),)


def test_large_documents_pair_in_windows() -> None:
    old = clauses(*[f"Clause {i} says the user must do task {i} every day." for i in range(2500)])
    new = clauses(*[f"Clause {i} says the user must do task {i} each day." for i in range(2500)])
    pairs = align_clauses(old, new)
    assert len(pairs) == 2500 and all(p.old == p.new for p in pairs)


def test_bad_shift_rule_names_file_line_and_id(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - id: nope\n    type: not_a_type\n    category: responsibility\n"
                    "    severity: high\n    direction: neutral\n    kinds: [added]\n"
                    "    title: t\n    explanation: e\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_shift_file(path, {})
    assert "bad.yaml:2" in str(err.value) and "nope" in str(err.value)


def test_a_clause_merged_with_the_same_words_is_unchanged() -> None:
    old = clauses("We may suspend you.", "Fees are monthly.")
    new = clauses("We may suspend you; fees are monthly.")
    assert [c.kind for c in build_changes(old, new)] == ["unchanged"]


def test_a_clause_split_with_the_same_words_is_unchanged() -> None:
    old = clauses("We may suspend you; fees are monthly.")
    new = clauses("We may suspend you.", "Fees are monthly.")
    assert [c.kind for c in build_changes(old, new)] == ["unchanged", "unchanged"]


def test_a_label_is_never_paired_with_a_sentence() -> None:
    old = clauses("Fees are monthly.", "All use is at your own risk.")
    new = clauses("Fees are monthly.", "All Use At Own Risk")
    assert [c.kind for c in build_changes(old, new)] == ["unchanged", "removed", "added"]


def test_a_rewritten_clause_is_shown_whole_before_and_after() -> None:
    old = "In addition, if you breach these terms we may suspend your access to the forum."
    new = "This could include closing your account or blocking delivery of messages to you."
    assert redline(old, new) == (("delete", old), ("insert", new))


def test_only_clauses_that_follow_each_other_are_rejoined() -> None:
    from analyzer.compare.align import neighbours, rejoin_ratio

    one, two, three = clauses("A.", "B.", "C.")
    assert neighbours(one, two) and neighbours(two, one) and not neighbours(one, three)
    whole = "You are responsible for your agents, and we are not liable for what they post."
    assert rejoin_ratio("You are responsible for your agents. We are not liable for what "
                        "they post.", "You are responsible for your agents.", whole)
    assert rejoin_ratio("Fees are monthly. Taxes apply.", "Fees are monthly.", whole) is None


def _categorised(*items: tuple[str, tuple[str, ...]]) -> tuple[Clause, ...]:
    return tuple(Clause(id=f"c{i}", section=("1. Using the assistant",), text=t, start=0,
                        end=len(t), categories=cats)
                 for i, (t, cats) in enumerate(items, start=1))


def test_a_rewritten_clause_of_the_same_category_and_section_is_paired() -> None:
    old = _categorised(("Our liability is capped at five hundred dollars or the fees you paid.",
                        ("liability_limitation",)))
    new = _categorised(("In no event shall we owe you more than $50.", ("liability_limitation",)))
    assert [(p.old, p.new) for p in align_clauses(old, new)] == [(0, 0)]


def test_kinship_never_takes_a_clause_from_the_rewording_that_kept_its_words() -> None:
    # The second old clause shares a category and the section with the new one, and on
    # words alone is further from it; the first kept most of its words.
    old = _categorised(("The assistant answers questions and drafts text for you.", ()),
                       ("Copilot may suggest actions, but it does not take actions for you.",
                        ("agent_authorization",)))
    new = _categorised(("The assistant answers questions, drafts text and can take actions for "
                        "you, such as booking tables and sending e-mail.",
                        ("agent_authorization",)))
    assert [(p.old, p.new) for p in align_clauses(old, new)] == [(0, 0)]
