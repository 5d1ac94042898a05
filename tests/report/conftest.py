"""Reports built from hand-written documents, and a headless Chromium when one is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze, check, compare, timeline
from analyzer.report.render import (
    render_analysis,
    render_check,
    render_comparison,
    render_timeline,
)

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
HOSTILE_OLD = "# Terms\n\n## 1. Use\n\nYou are responsible for content you post.\n"
HOSTILE_NEW = (
    "# Terms\n\n## 1. Use\n\nYou are solely responsible for content you post, including by "
    "AI agents. <script>window.__pwned=1</script> Click "
    "[here](javascript:window.__pwned=1) or <img src=x onerror=\"window.__pwned=1\">.\n"
)


@pytest.fixture(scope="session")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    files = {
        "compare": render_comparison(compare(CORPORA / "agent-network-terms-v1.md",
                                             CORPORA / "agent-network-terms-v2.md"), "html"),
        "analyze": render_analysis(analyze(CORPORA / "agent-network-terms-v2.md"), "html"),
        "check": render_check(check(CORPORA / "agent-policy-weak.md"), "html"),
        "timeline": render_timeline(timeline([str(CORPORA / "agent-network-terms-v1.md"),
                                              str(CORPORA / "agent-network-terms-v2.md")]),
                                    "html"),
    }
    for suffix in (".md", ".txt"):
        old, new = out / f"hostile-old{suffix}", out / f"hostile-new{suffix}"
        old.write_text(HOSTILE_OLD, encoding="utf-8")
        new.write_text(HOSTILE_NEW, encoding="utf-8")
        files[f"hostile-compare{suffix}"] = render_comparison(compare(old, new), "html")
        files[f"hostile-analyze{suffix}"] = render_analysis(analyze(new), "html")
    paths = {}
    for name, html in files.items():
        path = out / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths[name] = path
    return paths
