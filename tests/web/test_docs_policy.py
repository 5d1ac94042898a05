"""The API docs pages run under a Content-Security-Policy and still work in Chromium (the
operations render and "Try it out" reaches the API); an uploaded original downloads inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from live_server import LiveServer
from web_support import local_client, upload

from analyzer.settings import Settings
from analyzer.store import open_store
from analyzer.web.app import create_app


def test_docs_pages_carry_a_policy_naming_their_own_scripts(tmp_path: Path) -> None:
    with local_client(tmp_path) as client:
        for path in ("/docs", "/docs/oauth2-redirect"):
            page = client.get(path)
            assert page.status_code == 200, path
            policy = page.headers["content-security-policy"]
            assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
            assert "'unsafe-inline'" not in policy and "'sha256-" in policy
            assert page.headers["x-content-type-options"] == "nosniff"
            assert int(page.headers["content-length"]) == len(page.content)
        assert client.get("/redoc").status_code == 404  # not served at all


def test_an_original_downloads_as_inert_bytes(client: TestClient) -> None:
    html = b"<html><body><script>alert(1)</script><p>You agree to these terms.</p></body></html>"
    doc = upload(client, "terms.html", html).json()
    for path in (f"/api/v1/documents/{doc['id']}/original", f"/documents/{doc['id']}/original"):
        original = client.get(path)
        assert original.content == html
        assert original.headers["content-type"] == "application/octet-stream"
        assert original.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in original.headers["content-security-policy"]
        assert original.headers["content-disposition"].startswith("attachment")


def test_swagger_ui_works_under_its_policy_in_chromium(browser: Any, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0)
    store = open_store(settings)
    try:
        with LiveServer(create_app(settings, store)) as server:
            context = browser.new_context()
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            answer = page.goto(server.url + "/docs")
            assert answer is not None and "script-src" in answer.headers[
                "content-security-policy"]
            page.wait_for_selector("#operations-documents-list_documents_api_v1_documents_get")
            page.click("#operations-documents-list_documents_api_v1_documents_get "
                       ".opblock-summary")
            page.click("button.try-out__btn")
            page.click("button.execute")
            status = page.wait_for_selector(
                ".live-responses-table tr.response .response-col_status")
            assert status is not None and status.inner_text().strip().startswith("200")
            page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
            assert not [p for p in problems if "Content Security Policy" in p or
                        "Refused" in p or "page error" in p], problems
            context.close()
    finally:
        store.close()
