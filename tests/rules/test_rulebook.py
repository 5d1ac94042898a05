"""The Rulebook: one loader reads every rule kind into one frozen object, which is the only way
rules reach the pipeline; a rules folder of one's own (TERMSHIFT_RULES_DIR) is read the same
way, and a broken one stops with its file."""

from __future__ import annotations

import ast
import json
import re
import shutil
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from cli_support import REPO, run_cli
from rule_examples import cases, control_status

from analyzer.errors import RuleError
from analyzer.model import CATEGORIES
from analyzer.resources import rules_dir
from analyzer.rulebook import Rulebook, default_rulebook, load_rulebook

ANALYZER = REPO / "analyzer"
CONTROL_IDS = ["AUTH-INVOKE", "AUTH-SCOPE", "HITL-EXTERNAL", "HITL-ACCESS", "PRIV-LEAST",
               "LOG-ACTIONS", "MON-DETECT", "IR-STOP", "ACCT-OWNER", "DISCLOSE"]
# Where the rules are, and the loader of each rule kind: only the rulebook may call them (a
# file of a kind is read by its kind's loader, from the folder the rulebook gives it).
LOADERS = {"rules_dir", "load_terms", "load_categories", "load_attribute_rules",
           "load_cap_file", "load_shift_rules", "parse_controls", "load_segment_rules"}
# The modules that hold or read rules: none may keep anything between calls.
RULE_MODULES = ["rules.py", "controls.py", "segment.py", "compare/shifts.py",
                "nlp/attribute_rules.py", "nlp/money.py", "nlp/reading.py", "nlp/gates.py",
                "nlp/components/categories.py", "nlp/components/attributes.py",
                "nlp/components/money.py", "nlp/components/shared.py"]


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    return target


def test_one_load_gives_every_rule_kind() -> None:
    book = load_rulebook()
    assert sorted({f.category for f in book.reading.categories}) == sorted(CATEGORIES)
    assert set(book.reading.attributes) == {"bearer", "exclusive", "agent_scope", "modality"}
    assert book.reading.caps.examples
    assert len(book.shifts) >= 40 and len({r.id for r in book.shifts}) == len(book.shifts)
    assert [c.id for c in book.controls.controls] == CONTROL_IDS
    assert book.controls.source == "rules/controls/agent-baseline.yaml"
    assert "u.s." in book.segmentation.abbreviations and "You" in book.segmentation.openers
    assert {"w", "provider", "agent"} <= set(book.terms)
    assert re.fullmatch(r"[0-9a-f]{16}", book.fingerprint)


def test_the_rulebook_is_frozen_and_its_indexes_are_built_once() -> None:
    book = default_rulebook()
    with pytest.raises(FrozenInstanceError):
        book.shifts = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        book.terms["w"] = "x"  # type: ignore[index]
    assert book.reading.category_index is book.reading.category_index
    assert book.reading.gate_strings is book.reading.gate_strings


def test_the_process_loads_its_rulebook_once() -> None:
    assert default_rulebook() is default_rulebook()


def test_a_users_controls_are_a_copy_that_shares_the_other_rules() -> None:
    book = default_rulebook()
    mine = book.with_controls("controls:\n  - id: RETAIN\n    title: Logs are kept\n"
                              "    evidence: ['\\b{agent}\\s+{w}{0,3}logs?\\b']\n", "mine.yaml")
    assert [c.id for c in mine.controls.controls] == ["RETAIN"]
    assert mine.controls.source == "mine.yaml"
    assert mine.reading is book.reading and mine.shifts is book.shifts
    assert mine.fingerprint != book.fingerprint
    assert [c.id for c in book.controls.controls] == CONTROL_IDS  # the original is untouched
    with pytest.raises(RuleError, match=r"mine\.yaml"):
        book.with_controls("controls:\n  - id: X\n    title: x\n    evidence: ['{nobody}']\n",
                           "mine.yaml")


def _calls(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name)
                      else func.attr if isinstance(func, ast.Attribute) else "")
    return names


def test_only_the_rulebook_loads_rules() -> None:
    offenders = []
    for path in sorted(ANALYZER.rglob("*.py")):
        if path.name == "rulebook.py":
            continue
        foreign = _calls(path) & LOADERS
        if path.name == "resources.py":
            foreign.discard("rules_dir")  # content_version hashes the shipped folder
        if foreign:
            offenders.append(f"{path.relative_to(REPO)} calls {sorted(foreign)}")
    assert not offenders, offenders


def test_no_module_that_reads_rules_keeps_them_between_calls() -> None:
    cached = [name for name in RULE_MODULES
              if re.search(r"lru_cache|functools\.cache\b|@cache\b",
                           (ANALYZER / name).read_text(encoding="utf-8"))]
    assert not cached, cached


def test_a_rules_folder_of_ones_own_is_used(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    shifts = folder / "shifts" / "responsibility.yaml"
    shifts.write_text(shifts.read_text(encoding="utf-8").replace(
        '"Users became solely responsible{agent_note}{emphasis_note}"',
        '"Now the user alone answers{agent_note}"'), encoding="utf-8")
    (tmp_path / "a.md").write_text("You are responsible for your account.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("You are solely responsible for your account.\n",
                                   encoding="utf-8")
    result = run_cli("compare", str(tmp_path / "a.md"), str(tmp_path / "b.md"),
                     env={"TERMSHIFT_RULES_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    titles = [f["title"] for f in json.loads(result.stdout)["findings"]]
    assert "Now the user alone answers" in titles
    assert load_rulebook(folder).fingerprint != default_rulebook().fingerprint


def test_a_missing_rules_folder_is_one_line_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("You are responsible.\n", encoding="utf-8")
    result = run_cli("analyze", str(tmp_path / "a.md"),
                     env={"TERMSHIFT_RULES_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == 3
    message = result.stderr.decode()
    assert message.count("\n") == 1 and "TERMSHIFT_RULES_DIR" in message
    assert "Traceback" not in message


def test_a_rules_folder_without_an_attribute_file_names_it(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    (folder / "attributes" / "modality.yaml").unlink()
    with pytest.raises(RuleError, match=r"attributes.*modality"):
        load_rulebook(folder)


def test_a_shift_rule_id_used_twice_names_it(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    emphasis = (folder / "shifts" / "emphasis.yaml").read_text(encoding="utf-8")
    (folder / "shifts" / "zz-copy.yaml").write_text(emphasis, encoding="utf-8")
    with pytest.raises(RuleError, match=r"zz-copy\.yaml:\d+ \(rule emphasis-added-on-"):
        load_rulebook(folder)


def test_a_rule_without_examples_fails_the_examples_test(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    path = folder / "shifts" / "emphasis.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    examples:", text.index("id: emphasis-removed"))
    path.write_text(text[:start], encoding="utf-8")
    book: Rulebook = load_rulebook(folder)
    missing = [c for c in cases(book) if c.name == "shift:emphasis-removed:examples"]
    assert len(missing) == 1
    with pytest.raises(pytest.fail.Exception, match=r"emphasis\.yaml.*no examples where it"):
        missing[0].check()
    assert not [c for c in cases(default_rulebook()) if c.name.endswith(":examples")]


@pytest.mark.parametrize("command", ["serve", "batch"])
def test_serve_and_batch_refuse_a_broken_rules_folder_before_starting(
        tmp_path: Path, command: str) -> None:
    folder = _copy_rules(tmp_path)
    (folder / "shifts" / "emphasis.yaml").write_text("rules:\n  - id: x\n", encoding="utf-8")
    args = ["serve", "--port", "0"]
    if command == "batch":
        for name in ("a.md", "b.md"):
            (tmp_path / name).write_text("You are responsible.\n", encoding="utf-8")
        manifest = tmp_path / "pairs.csv"
        manifest.write_text(f"old,new\n{tmp_path / 'a.md'},{tmp_path / 'b.md'}\n",
                            encoding="utf-8")
        args = ["batch", str(manifest), "-o", str(tmp_path / "out"), "--quiet"]
    result = run_cli(*args, env={"TERMSHIFT_RULES_DIR": str(folder),
                                 "TERMSHIFT_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 3
    message = result.stderr.decode()
    assert "emphasis.yaml:2 (rule x)" in message and "Traceback" not in message
    assert not (tmp_path / "out" / "index.html").exists()


def test_the_baseline_written_in_the_controls_doc_works_as_it_says() -> None:
    """docs/CONTROLS.md teaches a baseline of one's own by one example file: it loads, and
    its examples get the statuses it promises."""
    doc = (REPO / "docs" / "CONTROLS.md").read_text(encoding="utf-8")
    start = doc.index("```yaml", doc.index("Copy this and adapt it:")) + len("```yaml")
    book = default_rulebook().with_controls(doc[start:doc.index("```", start)], "doc.yaml")
    (control,) = book.controls.controls
    assert len(control.policy_examples) == 3
    for example in control.policy_examples:
        assert control_status(example.policy, control.id, book) == example.status, example


def test_a_batch_worker_that_cannot_load_the_rules_fails_its_pairs_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker elsewhere may not have the rules folder the batch was started with."""
    from analyzer.jobs.worker import PairTask, run_chunk
    from analyzer.settings import get_settings

    monkeypatch.setenv("TERMSHIFT_RULES_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    try:
        task = PairTask("p1", "a" * 64, "b" * 64, "old.md", "new.md")
        (result,) = run_chunk([task], {"a" * 64: b"x", "b" * 64: b"y"}, ("json",))["results"]
    finally:
        monkeypatch.delenv("TERMSHIFT_RULES_DIR")
        get_settings.cache_clear()
    assert result["status"] == "failed" and result["id"] == "p1"
    assert "no such rules folder" in result["error"]
