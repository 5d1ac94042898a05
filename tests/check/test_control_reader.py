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
from analyzer.rulebook import load_rulebook
from analyzer.train import STATEMENTS_DIR, train_control_reader
from tests.helpers.cli_support import run_cli

# Said in words no control pattern was written for; the reader learnt such wording from
# the statements of four writers.
OWNER = ("Each bot has a single person whose name is on it and who answers to the board for "
         "everything it does.")
CREDENTIALS = ("Bots sign in with keys minted for them alone, trimmed to the few scopes their "
               "job needs.")


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


def test_a_rule_for_people_is_not_read_as_an_agent_control() -> None:
    # No agent named: the reader is not asked (it cannot tell a staff rule from an agent's).
    got = statuses("Never share your password or smartcard with a colleague.")
    assert got["PRIV-LEAST"][0] == "missing"


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
    # the shipped reader is what the recipe builds
    shipped = json.loads((READER_DIR / "relevance" / "model.json").read_text(encoding="utf-8"))
    rebuilt = json.loads((tmp_path / "reader" / "relevance" / "model.json")
                         .read_text(encoding="utf-8"))
    assert rebuilt["thresholds"] == pytest.approx(shipped["thresholds"], abs=1e-4)


def test_a_bad_statement_line_stops_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "writer-9.jsonl").write_text(
        '{"text": "Bots are logged.", "control": "LOG-ACTIONS", "reading": "met"}\n'
        '{"text": "Bots are watched.", "control": "WATCH", "reading": "met"}\n',
        encoding="utf-8")
    ids = [c.id for c in load_rulebook().controls.controls]
    with pytest.raises(InputError, match=r"writer-9.jsonl:2: unknown control 'WATCH'"):
        train_control_reader(tmp_path / "out", ids, tmp_path)
