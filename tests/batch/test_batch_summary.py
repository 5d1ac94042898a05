"""OUT/index.html: every pair in one table, escaped, linked, sortable in a real browser."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from batch_docs import write_csv, write_pairs

from analyzer.jobs.manifest import read_manifest
from analyzer.jobs.runner import BatchOptions, run_batch

HOSTILE = "docs/<script>window.__pwned=1</script>.md"


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary")
    rows = [*write_pairs(root, 5), ("hostile", HOSTILE, "docs/d0-v0.md")]
    pairs, bad = read_manifest(write_csv(root / "m.csv", rows))
    run_batch(pairs, bad, BatchOptions(out=root / "out", formats=("json", "html"), workers=2))
    return root / "out"


def test_the_table_holds_every_pair_linked_to_its_report(batch_out: Path) -> None:
    page = (batch_out / "index.html").read_text("utf-8")
    records = [json.loads(x) for x in (batch_out / "index.jsonl").read_text().splitlines()]
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr ") == len(records) == 6
    for r in records:
        assert f'data-id="{r["id"]}"' in body
        if r["status"] == "ok":
            assert f'<a href="{r["id"]}.html">' in body
            assert (batch_out / f"{r['id']}.html").is_file()
            assert html.escape(r["top_finding"], quote=False) in body
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;.md: no such file" in page
    # Only the page's own sort script, allowed by its hash.
    assert len(re.findall(r"<script>", page)) == 1


def test_sorting_in_a_browser(browser: Any, batch_out: Path, tmp_path: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((batch_out / "index.html").as_uri())

    def column(n: int) -> list[str]:
        return list(page.eval_on_selector_all(
            "#batch-table tbody tr", f"rows => rows.map(r => r.cells[{n}].textContent.trim())"))

    page.click("#batch-table th:nth-child(5)")  # highest severity, most severe first
    order = ["high", "medium", "low", "info", "—"]
    ranks = [order.index(v) for v in column(4)]
    assert ranks == sorted(ranks)
    page.click("#batch-table th:nth-child(5)")
    assert [order.index(v) for v in column(4)] == sorted(ranks, reverse=True)
    page.click("#batch-table th:nth-child(1)")
    assert column(0) == sorted(column(0), key=str.lower)
    shot = tmp_path / "batch-summary.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert errors == []
    assert page.evaluate("window.__pwned === undefined")
