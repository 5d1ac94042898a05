"""The trained control reader (analyzer/_model/controls): shipped with the package, used by
the check beside the patterns, left out for a user's own controls and with
TERMSHIFT_RULES_ONLY, rebuilt by `termshift train --recipe controls` with no statement text
in what it writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analyzer.api import analyze
from analyzer.check import check_analysis
from analyzer.control_reader import READER_DIR, load_reader
from analyzer.errors import InputError
from analyzer.model import Check
from analyzer.rulebook import load_rulebook
from analyzer.train import STATEMENTS_DIR, train_control_reader
from tests.helpers.cli_support import run_cli

# Said in words no control pattern was written for; the reader learnt such wording from
# the statements of four writers.
OWNER = ("Each bot has a single person whose name is on it and who answers to the board for "
         "everything it does.")
CREDENTIALS = ("Every bot signs in with a key made for it alone, cut down to the few scopes "
               "its job needs.")


def statuses(text: str, *, reader: bool = True) -> dict[str, tuple[str, str]]:
    rulebook = load_rulebook(reader=reader)
    result = check_analysis(analyze(f"# Policy\n\n{text}\n".encode(), name="p.md"),
                            rulebook.controls)
    return {c.id: (c.status, c.explanation) for c in result.controls}


def test_the_reader_is_shipped_for_every_baseline_control() -> None:
    reader = load_reader()
    assert reader is not None
    assert set(reader.controls) == {c.id for c in load_rulebook().controls.controls}
    lazy = load_rulebook().controls.reader
    assert lazy is not None and lazy.reader is not None
    assert load_rulebook(reader=False).controls.reader is None


@pytest.mark.parametrize(("text", "control"), [(OWNER, "ACCT-OWNER"),
                                               (CREDENTIALS, "PRIV-LEAST")])
def test_the_reader_finds_what_no_pattern_was_written_for(text: str, control: str) -> None:
    status, why = statuses(text)[control]
    assert status == "met", why
    assert "trained control reader" in why
    assert statuses(text, reader=False)[control][0] == "missing"


def test_a_users_own_controls_are_read_by_their_patterns_alone() -> None:
    rulebook = load_rulebook()
    own = rulebook.with_controls(
        "controls:\n  - id: ACCT-OWNER\n    title: Each agent has an owner\n"
        "    evidence: ['\\bowner\\b']\n")
    assert own.controls.reader is None
    result = check_analysis(analyze(f"# Policy\n\n{OWNER}\n".encode(), name="p.md"),
                            own.controls)
    assert result.controls[0].status == "missing"


def test_the_recipe_rebuilds_the_reader_without_statement_text(tmp_path: Path) -> None:
    result = run_cli("train", "--recipe", "controls", "-o", str(tmp_path / "reader"))
    assert result.returncode == 0, result.stderr.decode()
    assert "Leave one writer out" in result.stdout.decode()
    reader = load_reader(tmp_path / "reader")
    assert reader is not None
    texts = [json.loads(line)["text"] for path in sorted(STATEMENTS_DIR.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for part in ("relevance", "reading"):
        meta = (tmp_path / "reader" / part / "model.json").read_text(encoding="utf-8")
        assert not any(text[:40] in meta for text in texts)
        with np.load(tmp_path / "reader" / part / "weights.npz") as arrays:
            assert sorted(arrays.files) == ["bias", "weights"]
    # the shipped reader is what the recipe builds from the statements in the checkout
    for part in ("relevance", "reading"):
        shipped = json.loads((READER_DIR / part / "model.json").read_text(encoding="utf-8"))
        rebuilt = json.loads((tmp_path / "reader" / part / "model.json")
                             .read_text(encoding="utf-8"))
        assert rebuilt["labels"] == shipped["labels"]
        assert rebuilt["thresholds"] == pytest.approx(shipped["thresholds"], abs=1e-4)
        with np.load(READER_DIR / part / "weights.npz") as old, \
                np.load(tmp_path / "reader" / part / "weights.npz") as new:
            assert np.allclose(old["weights"], new["weights"], atol=1e-3)


def test_a_bad_statement_line_stops_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "writer-9.jsonl").write_text(
        '{"text": "Bots are logged.", "control": "LOG-ACTIONS", "reading": "met"}\n'
        '{"text": "Bots are watched.", "control": "WATCH", "reading": "met"}\n',
        encoding="utf-8")
    ids = [c.id for c in load_rulebook().controls.controls]
    with pytest.raises(InputError, match=r"writer-9.jsonl:2: unknown control 'WATCH'"):
        train_control_reader(tmp_path / "out", ids, tmp_path)


def test_a_copied_rules_folder_is_read_by_its_patterns_alone(tmp_path: Path) -> None:
    # TERMSHIFT_RULES_DIR may hold edited controls that mean other things.
    import shutil

    from analyzer.resources import rules_dir

    shutil.copytree(rules_dir(), tmp_path / "rules")
    assert load_rulebook(tmp_path / "rules").controls.reader is None


def test_a_missing_or_broken_reader_is_a_one_line_error(tmp_path: Path) -> None:
    from analyzer.control_reader import LazyReader

    with pytest.raises(InputError, match="the control reader is missing"):
        _ = LazyReader(tmp_path / "none").reader
    (tmp_path / "half" / "relevance").mkdir(parents=True)
    with pytest.raises(InputError, match="--recipe controls"):
        _ = LazyReader(tmp_path / "half").reader


def test_a_partial_reading_says_what_is_missing() -> None:
    # The reader reads it as partial; the control's own required details say why.
    status, why = statuses("Bots may use the support team's shared service account to read "
                           "tickets and post replies.")["PRIV-LEAST"]
    assert status == "partial"
    assert "least privilege" in why and "trained control reader" in why


# An owner kept in a register, with no person named: the check reads it as partial, the
# reader as met.
REGISTERED_OWNER = ("Each agent has an owner, listed in the agent register, who answers for "
                    "what it does.")


def _check(text: str, *, reader: bool = True) -> Check:
    return check_analysis(analyze(f"# Policy\n\n{text}\n".encode(), name="p.md"),
                          load_rulebook(reader=reader).controls)


def test_where_the_reader_reads_a_control_otherwise_the_result_says_so() -> None:
    from analyzer.report.render import render_check

    result = _check(REGISTERED_OWNER)
    owner = next(c for c in result.controls if c.id == "ACCT-OWNER")
    assert owner.status == "partial"
    assert owner.second_reading is not None
    assert (owner.second_reading.status, owner.second_reading.clause) == ("met", "c1")
    as_json = json.loads(render_check(result, "json"))
    row = next(c for c in as_json["controls"] if c["id"] == "ACCT-OWNER")
    assert row["second_reading"] == {"status": "met", "clause": "c1"}
    assert all(c["second_reading"] is None for c in as_json["controls"]
               if c["id"] != "ACCT-OWNER")
    assert "Review first: ACCT-OWNER" in render_check(result, "md")
    html = render_check(result, "html")
    assert "Review first" in html and 'reads clause <a href="#c-c1">c1</a> as' in html


def test_where_the_reader_agrees_or_is_left_out_there_is_no_second_reading() -> None:
    from analyzer.report.render import render_check

    agreed = _check("Every action an agent takes is written to the audit log with the agent's "
                    "name and the name of the person who asked for it.")
    assert next(c for c in agreed.controls if c.id == "LOG-ACTIONS").status == "met"
    assert all(c.second_reading is None for c in agreed.controls)
    assert "Review first" not in render_check(agreed, "html")
    assert all(c.second_reading is None for c in _check(REGISTERED_OWNER, reader=False).controls)
    # a question states nothing, so the reader's reading of it is no second opinion
    asked = _check("Are all actions of the AI agent logged with the agent and the user?")
    assert all(c.second_reading is None for c in asked.controls)
