"""The CLI's promises about failure: one line on stderr, the right exit code, no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_support import REPO, run_cli


def assert_one_line_error(proc: subprocess.CompletedProcess[bytes], code: int) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_file_is_exit_3(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("analyze", str(tmp_path / "nope.pdf")), 3)
    assert "nope.pdf" in line and "no such file" in line


def test_folder_is_exit_3(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("analyze", str(tmp_path)), 3)
    assert "folder" in line


def test_binary_garbage_is_exit_3(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(bytes(range(256)) * 8)
    assert_one_line_error(run_cli("analyze", str(junk)), 3)


def test_an_image_is_exit_3_and_named(tmp_path: Path) -> None:
    image = tmp_path / "terms-v2.md"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    line = assert_one_line_error(run_cli("compare", str(image), str(image)), 3)
    assert "a PNG image, not a document" in line


def test_size_limit_names_its_setting(tmp_path: Path) -> None:
    doc = tmp_path / "big.md"
    doc.write_text("You are responsible for your account.\n" * 100)
    line = assert_one_line_error(
        run_cli("analyze", str(doc), env={"TERMSHIFT_MAX_BYTES": "100"}), 3
    )
    assert "TERMSHIFT_MAX_BYTES" in line


def test_unknown_format_option_is_usage_error(tmp_path: Path) -> None:
    doc = tmp_path / "t.md"
    doc.write_text("You are responsible for your account.\n")
    proc = run_cli("analyze", str(doc), "--format", "md")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


def test_stdin_is_read_with_dash() -> None:
    text = b"# Terms\n\nYou are solely responsible for your AI agents.\n"
    proc = run_cli("analyze", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["schema_version"] == "1.1"
    assert data["document"]["source"] == "<stdin>"
    assert any("solely responsible" in c["text"] for c in data["clauses"])


@pytest.mark.parametrize("command", ["compare", "check", "timeline", "analyze"])
def test_help_exits_0(command: str) -> None:
    assert run_cli(command, "--help").returncode == 0


CORPORA = REPO / "corpora"


def test_compare_fail_on_high_exits_1_and_still_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("compare", str(CORPORA / "agent-network-terms-v1.md"),
                   str(CORPORA / "agent-network-terms-v2.md"), "--format", "html",
                   "-o", str(out), "--fail-on", "high")
    assert proc.returncode == 1
    assert "Users became solely responsible" in out.read_text(encoding="utf-8")


def test_compare_without_findings_passes_fail_on(tmp_path: Path) -> None:
    doc = CORPORA / "assistant-terms-v1.md"
    proc = run_cli("compare", str(doc), str(doc), "--fail-on", "info")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["summary"]["unchanged"] == data["new"]["clause_count"]
    assert data["findings"] == []


def test_check_fail_on_missing(tmp_path: Path) -> None:
    weak = run_cli("check", str(CORPORA / "agent-policy-weak.md"), "--fail-on", "missing")
    strong = run_cli("check", str(CORPORA / "agent-policy-strong.md"), "--fail-on", "partial")
    assert (weak.returncode, strong.returncode) == (1, 0)
    assert json.loads(strong.stdout)["summary"] == {"met": 10, "partial": 0, "missing": 0}


def test_a_bad_control_file_is_one_line_exit_3(tmp_path: Path) -> None:
    controls = tmp_path / "controls.yaml"
    controls.write_text("controls:\n  - id: lower-case\n    title: x\n    evidence: [a]\n")
    line = assert_one_line_error(run_cli("check", str(CORPORA / "agent-policy-weak.md"),
                                         "--controls", str(controls)), 3)
    assert "controls.yaml:2" in line
