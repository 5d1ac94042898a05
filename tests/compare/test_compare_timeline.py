"""Timelines from files, dated folders (Open Terms Archive layout) and git histories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from analyzer.api import timeline
from analyzer.errors import InputError
from analyzer.report.render import render_timeline

V1 = "# Terms\n\n## 1. Use\n\nYou are responsible for your posts.\n"
V2 = "# Terms\n\n## 1. Use\n\nYou are solely responsible for your posts.\n"
V3 = V2 + "\nAny dispute will be resolved by binding arbitration.\n"


def test_dated_folder_in_the_open_terms_archive_layout(tmp_path: Path) -> None:
    folder = tmp_path / "Acme" / "Terms of Service"
    folder.mkdir(parents=True)
    for name, text in (("2024-05-01T10-00-00Z.md", V3), ("2023-01-02T08-30-00Z.md", V1),
                       ("2023-09-14T12-00-00Z.md", V2)):
        (folder / name).write_text(text, encoding="utf-8")
    result = timeline([str(folder)])
    assert result.labels == ("2023-01-02 08:30", "2023-09-14 12:00", "2024-05-01 10:00")
    assert [f.type for f in result.steps[0].findings] == ["exclusivity_added"]
    assert "arbitration_added" in {f.type for f in result.steps[1].findings}
    html = render_timeline(result, "html")
    assert "exclusivity added" in html and "2023-09-14 12:00" in html
    assert '<p class="where">In Terms › 1. Use</p>' in html


def test_files_in_the_order_given(tmp_path: Path) -> None:
    paths = []
    for i, text in enumerate((V1, V2)):
        path = tmp_path / f"v{i}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    assert timeline(paths).labels == ("v0.md", "v1.md")


def test_undated_folder_and_single_version_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(V1, encoding="utf-8")
    with pytest.raises(InputError, match="ISO date"):
        timeline([str(tmp_path)])
    with pytest.raises(InputError, match="at least two versions"):
        timeline([str(tmp_path / "notes.md")])


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.test"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_git_history_of_one_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for i, text in enumerate((V1, V2, V3)):
        (repo / "terms.md").write_text(text, encoding="utf-8")
        _git(repo, "add", "terms.md")
        _git(repo, "commit", "-q", "-m", f"version {i}")
    result = timeline([str(repo)])
    assert len(result.versions) == 3 and len(result.steps) == 2
    assert result.steps[0].findings[0].type == "exclusivity_added"
    (repo / "other.md").write_text(V1, encoding="utf-8")
    _git(repo, "add", "other.md")
    _git(repo, "commit", "-q", "-m", "another document")
    with pytest.raises(InputError, match="--file"):
        timeline([str(repo)])
    assert len(timeline([str(repo)], path_in_repo="terms.md").versions) == 3
