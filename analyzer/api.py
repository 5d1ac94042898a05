"""The library calls the CLI, the web app and the batch workers share.

Each is a plain composition of the pipeline stages:
bytes -> ingest -> segment -> classify -> (compare | check).
Each takes the Rulebook to read with (`rulebook=`); without one, the process's
(analyzer.rulebook.default_rulebook: the shipped rules, or TERMSHIFT_RULES_DIR's).
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest import ingest, read_path
from analyzer.model import SEVERITIES, Analysis, Check, Comparison, Document, Timeline
from analyzer.nlp.pipeline import classify
from analyzer.rulebook import Rulebook, default_rulebook
from analyzer.segment import segment
from analyzer.settings import Settings, get_settings

Source = str | Path | bytes


def read_source(source: Source, settings: Settings | None = None) -> tuple[bytes, str]:
    """The bytes of a path (or of standard input for "-"), checked against the size limit."""
    limits = settings or get_settings()
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    elif str(source) == "-":
        data, name = sys.stdin.buffer.read(limits.max_bytes + 1), "<stdin>"
    else:
        name = str(source)
        data = read_path(Path(source), limits)
    if len(data) > limits.max_bytes:
        raise LimitExceeded("file size", len(data), limits.max_bytes, "TERMSHIFT_MAX_BYTES")
    return data, name


def detect_format(data: bytes, name: str) -> str:
    """The format of a document's bytes (pdf, docx, html, markdown, text), without parsing it;
    an InputError when it is none of them."""
    from analyzer.ingest.sniff import sniff_format

    return sniff_format(data, name)


def analyze_document(document: Document, rulebook: Rulebook | None = None) -> Analysis:
    """Segment and classify an already ingested document."""
    rules = rulebook or default_rulebook()
    clauses = segment(document, rules.segmentation)
    return Analysis(document=document, clauses=classify(document, clauses, rules.reading))


def analyze(source: Source, *, name: str | None = None, settings: Settings | None = None,
            rulebook: Rulebook | None = None) -> Analysis:
    """Read, parse, segment and classify one document (a path, "-" or bytes)."""
    data, shown = read_source(source, settings)
    return analyze_document(ingest(data, name or shown, settings),
                            rulebook or default_rulebook(settings))


def compare(old: Source, new: Source, *, settings: Settings | None = None,
            rulebook: Rulebook | None = None) -> Comparison:
    """Analyse two versions of one document and compare them."""
    rules = rulebook or default_rulebook(settings)
    return compare_versions(analyze(old, settings=settings, rulebook=rules),
                            analyze(new, settings=settings, rulebook=rules), rulebook=rules)


def compare_versions(old: Analysis, new: Analysis, *,
                     rulebook: Rulebook | None = None) -> Comparison:
    """Compare two analysed versions; for agent policies, add the control status changes."""
    from analyzer.check import control_changes
    from analyzer.compare import compare_analyses

    rules = rulebook or default_rulebook()
    comparison = compare_analyses(old, new, rules.shifts)
    extra = control_changes(old, new, rules.controls)
    if not extra:
        return comparison
    findings = sorted(
        (*comparison.findings, *extra), key=lambda f: SEVERITIES.index(f.severity)
    )
    numbered = tuple(replace(f, id=f"f{i}") for i, f in enumerate(findings, start=1))
    return replace(comparison, findings=numbered)


def check(policy: Source, controls: Path | None = None, *, settings: Settings | None = None,
          rulebook: Rulebook | None = None) -> Check:
    """Analyse an AI-agent policy and check it against the rulebook's control baseline, or
    against the baseline in the YAML file `controls` (read here, and parsed as text)."""
    from analyzer.check import check_analysis

    rules = rulebook or default_rulebook(settings)
    if controls is not None:
        rules = rules.with_controls(read_controls(controls), str(controls))
    return check_analysis(analyze(policy, settings=settings, rulebook=rules), rules.controls)


def read_controls(path: Path) -> str:
    """The text of a user's control file; an InputError when it cannot be read."""
    if not path.is_file():
        raise InputError(f"{path}: no such control file")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the control file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the control file is not UTF-8 text") from exc


def timeline(sources: list[str], *, path_in_repo: str | None = None,
             settings: Settings | None = None, rulebook: Rulebook | None = None) -> Timeline:
    """One document's history from files, a folder of dated versions or a git repository."""
    from analyzer.versions import discover_versions

    rules = rulebook or default_rulebook(settings)
    versions = discover_versions(sources, path_in_repo=path_in_repo)
    analyses = [analyze_document(ingest(v.data, v.name, settings), rules) for v in versions]
    steps = tuple(compare_versions(a, b, rulebook=rules)
                  for a, b in itertools.pairwise(analyses))
    return Timeline(labels=tuple(v.label for v in versions), versions=tuple(analyses),
                    steps=steps)
