"""Finds the versions of one document: files as given, a folder of dated files (also the Open
Terms Archive layout `Service/Terms type/YYYY-MM-DDTHH-MM-SSZ.md`), or a git history."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.ingest import read_path
from analyzer.settings import get_settings

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T_ ](\d{2})[-:](\d{2})(?:[-:](\d{2}))?Z?)?")
_DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
MAX_VERSIONS = 500


@dataclass(frozen=True)
class Version:
    label: str  # a date, "date commit", or the file name
    name: str  # where it came from, for messages and reports
    data: bytes


def discover_versions(sources: list[str], path_in_repo: str | None = None) -> list[Version]:
    """Two or more versions, oldest first."""
    if len(sources) == 1 and Path(sources[0]).is_dir():
        folder = Path(sources[0])
        found = _git_versions(folder, path_in_repo) if (folder / ".git").exists() \
            else _dated_versions(folder)
    else:
        found = [Version(Path(s).name, s, _read(Path(s))) for s in sources]
    if len(found) < 2:
        raise InputError(f"{' '.join(sources)}: a timeline needs at least two versions, "
                         f"found {len(found)}", code="ingest.too_few_versions")
    return found


def _read(path: Path) -> bytes:
    return read_path(path, get_settings())


def _dated_versions(folder: Path) -> list[Version]:
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _DOCUMENT_SUFFIXES]
    undated = [p.name for p in files if not _DATED.match(p.name)]
    if undated:
        raise InputError(f"{folder}: files must be named by ISO date (2024-03-01.md or "
                         f"2024-03-01T10-00-00Z.md); {undated[0]} is not",
                         code="ingest.undated_versions")
    files.sort(key=lambda p: p.name)
    return [Version(_label(p.name), str(p), _read(p)) for p in files[:MAX_VERSIONS]]


def _label(name: str) -> str:
    match = _DATED.match(name)
    if match is None:
        return name
    day, hour, minute = match.group(1), match.group(2), match.group(3)
    return f"{day} {hour}:{minute}" if hour else day


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              timeout=120, check=True)
    except FileNotFoundError as exc:
        raise InputError("git is not installed, so a repository cannot be read") from exc
    except subprocess.CalledProcessError as exc:
        raise InputError(f"{folder}: git failed: {exc.stderr.decode(errors='replace').strip()}"
                         ) from exc
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{folder}: git took too long") from exc
    return done.stdout.decode("utf-8", errors="replace")


def _git_versions(folder: Path, path_in_repo: str | None) -> list[Version]:
    path = path_in_repo or _only_document(folder)
    log = _git(folder, "log", "--reverse", "--format=%H %cs", "--", path)
    versions = []
    for line in log.splitlines()[:MAX_VERSIONS]:
        commit, date = line.split(" ", 1)
        try:
            data = subprocess.run(["git", "-C", str(folder), "show", f"{commit}:{path}"],
                                  capture_output=True, timeout=120, check=True).stdout
        except subprocess.CalledProcessError:
            continue  # the file was deleted in this commit
        versions.append(Version(f"{date} {commit[:7]}", f"{path}@{commit[:7]}", data))
    return versions


def _only_document(folder: Path) -> str:
    tracked = [p for p in _git(folder, "ls-files").splitlines()
               if p.lower().endswith(_DOCUMENT_SUFFIXES)]
    if len(tracked) != 1:
        raise InputError(f"{folder}: the repository tracks {len(tracked)} documents; name one "
                         "with --file", code="usage.which_file")
    return tracked[0]
