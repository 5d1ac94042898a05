"""The library calls the CLI, the web app and the batch workers share.

Each is a plain composition of the pipeline stages:
bytes -> ingest -> segment -> classify -> (compare | check).
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from analyzer.errors import LimitExceeded
from analyzer.ingest import ingest, read_path
from analyzer.model import SEVERITIES, Analysis, Check, Comparison, Document, Timeline
from analyzer.nlp.pipeline import classify
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


def analyze_document(document: Document) -> Analysis:
    """Segment and classify an already ingested document."""
    return Analysis(document=document, clauses=classify(document, segment(document)))


def analyze(source: Source, *, name: str | None = None,
            settings: Settings | None = None) -> Analysis:
    """Read, parse, segment and classify one document (a path, "-" or bytes)."""
    data, shown = read_source(source, settings)
    return analyze_document(ingest(data, name or shown, settings))


def compare(old: Source, new: Source, *, settings: Settings | None = None) -> Comparison:
    """Analyse two versions of one document and compare them."""
    return compare_versions(analyze(old, settings=settings), analyze(new, settings=settings))


def compare_versions(old: Analysis, new: Analysis) -> Comparison:
    """Compare two analysed versions; for agent policies, add the control status changes."""
    from analyzer.check import control_changes
    from analyzer.compare import compare_analyses

    comparison = compare_analyses(old, new)
    extra = control_changes(old, new)
    if not extra:
        return comparison
    findings = sorted(
        (*comparison.findings, *extra), key=lambda f: SEVERITIES.index(f.severity)
    )
    numbered = tuple(replace(f, id=f"f{i}") for i, f in enumerate(findings, start=1))
    return replace(comparison, findings=numbered)


def check(policy: Source, controls: Path | None = None, *,
          settings: Settings | None = None) -> Check:
    """Analyse an AI-agent policy and check it against a control baseline (the default one
    in rules/controls/agent-baseline.yaml unless `controls` names another file)."""
    from analyzer.check import check_analysis

    return check_analysis(analyze(policy, settings=settings), controls)


def timeline(sources: list[str], *, path_in_repo: str | None = None,
             settings: Settings | None = None) -> Timeline:
    """One document's history from files, a folder of dated versions or a git repository."""
    from analyzer.versions import discover_versions

    versions = discover_versions(sources, path_in_repo=path_in_repo)
    analyses = [analyze_document(ingest(v.data, v.name, settings)) for v in versions]
    steps = tuple(compare_versions(a, b) for a, b in itertools.pairwise(analyses))
    return Timeline(labels=tuple(v.label for v in versions), versions=tuple(analyses),
                    steps=steps)
