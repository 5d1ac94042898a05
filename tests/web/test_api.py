"""The HTTP API over both stores: upload, fetch, compare, check, timeline, errors."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import docx
import pdfplumber
import pytest
from fastapi.testclient import TestClient
from web_support import LOCAL, corpus, upload, wait_until_read

from analyzer.api import analyze
from analyzer.serialize import analysis_to_json
from analyzer.settings import Settings
from analyzer.store import Store, open_store
from analyzer.web.app import create_app


def test_upload_returns_the_document_and_the_same_bytes_the_same_id(client: TestClient
                                                                    ) -> None:
    first = upload(client, "agent-network-terms-v1.md")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"].startswith("doc_")
    assert body["format"] == "markdown"
    assert body["name"] == "agent-network-terms" and body["version_label"] == "v1"
    assert body["clause_count"] > 10 and body["existing"] is False
    assert first.headers["location"] == f"/api/v1/documents/{body['id']}"
    again = upload(client, "renamed.md", corpus("agent-network-terms-v1.md"))
    assert again.status_code == 201
    assert again.json()["id"] == body["id"] and again.json()["existing"] is True


def test_name_and_version_label_from_the_form(client: TestClient) -> None:
    body = upload(client, "a.md", corpus("agent-network-terms-v1.md"),
                  form={"name": "Acme terms", "version_label": "2026-01"}).json()
    assert (body["name"], body["version_label"]) == ("Acme terms", "2026-01")


def test_document_clauses_are_the_analyze_json(client: TestClient) -> None:
    doc = upload(client, "agent-network-terms-v2.md").json()
    meta = client.get(f"/api/v1/documents/{doc['id']}")
    assert meta.status_code == 200 and meta.json()["sha256"] == doc["sha256"]
    clauses = client.get(f"/api/v1/documents/{doc['id']}/clauses").json()
    expected = analysis_to_json(analyze(corpus("agent-network-terms-v2.md"),
                                        name="agent-network-terms-v2.md"))
    assert clauses["clauses"] == expected["clauses"]
    html = client.get(f"/api/v1/documents/{doc['id']}/clauses?format=html")
    assert html.headers["content-type"].startswith("text/html")
    original = client.get(f"/api/v1/documents/{doc['id']}/original")
    assert original.content == corpus("agent-network-terms-v2.md")


def test_the_same_pdf_and_docx_bytes_are_kept_and_parsed_once(client: TestClient,
                                                               store: Store) -> None:
    for name in ("rendered/agent-network-terms-v2.pdf", "rendered/agent-network-terms-v2.docx"):
        doc = upload(client, name.split("/")[1], corpus(name)).json()
        assert doc["format"] in ("pdf", "docx")
        assert store.blobs.path_of(doc["sha256"]).read_bytes() == corpus(name)


def test_list_and_search(client: TestClient) -> None:
    upload(client, "agent-network-terms-v1.md")
    upload(client, "assistant-terms-v1.md")
    everything = client.get("/api/v1/documents").json()["documents"]
    assert len(everything) == 2
    found = client.get("/api/v1/documents", params={"q": "assistant"}).json()["documents"]
    assert [d["name"] for d in found] == ["assistant-terms"]
    assert client.get("/api/v1/documents", params={"q": "100%_x"}).json()["documents"] == []


def _pair(client: TestClient) -> tuple[str, str]:
    old = upload(client, "agent-network-terms-v1.md").json()["id"]
    new = upload(client, "agent-network-terms-v2.md").json()["id"]
    return old, new


def test_comparison_json_has_the_solely_responsible_shift(client: TestClient) -> None:
    old, new = _pair(client)
    made = client.post("/api/v1/comparisons", json={"old": old, "new": new})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["id"].startswith("cmp_") and body["schema_version"] == "1.1"
    assert made.headers["location"] == f"/api/v1/comparisons/{body['id']}"
    shift = [f for f in body["findings"] if f["type"] == "exclusivity_added"
             and "agent" in (f["evidence"]["new"] or "").lower()]
    assert shift and shift[0]["severity"] == "high"
    assert shift[0]["direction"] == "against_user"
    again = client.post("/api/v1/comparisons", json={"old": old, "new": new})
    assert again.json()["id"] == body["id"]
    fetched = client.get(f"/api/v1/comparisons/{body['id']}").json()
    assert fetched == body and next(iter(fetched)) == "id"  # the id comes first


def test_comparison_formats_by_query_and_accept(client: TestClient) -> None:
    old, new = _pair(client)
    cid = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()["id"]
    html = client.get(f"/api/v1/comparisons/{cid}?format=html")
    assert html.status_code == 200 and "<!doctype html>" in html.text.lower()
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    md = client.get(f"/api/v1/comparisons/{cid}", headers={"Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("#")
    by_accept = client.get(f"/api/v1/comparisons/{cid}", headers={"Accept": "text/html"})
    assert by_accept.text == html.text
    made_md = client.post("/api/v1/comparisons?format=md", json={"old": old, "new": new})
    assert made_md.status_code == 201 and made_md.headers["x-termshift-id"] == cid
    bad = client.get(f"/api/v1/comparisons/{cid}?format=odt")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"


def test_comparison_as_docx_and_pdf_rendered_from_the_stored_analyses(
        client: TestClient) -> None:
    old, new = _pair(client)
    body = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()
    cid = body["id"]
    word = client.get(f"/api/v1/comparisons/{cid}?format=docx")
    assert word.status_code == 200, word.text
    assert word.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    disposition = word.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'report.docx"' in disposition
    assert word.headers["x-termshift-id"] == cid
    comments = list(docx.Document(io.BytesIO(word.content)).comments)
    assert len(comments) >= sum(1 for f in body["findings"] if f["severity"] != "info")
    pdf = client.get(f"/api/v1/comparisons/{cid}?format=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'report.pdf"' in pdf.headers["content-disposition"]
    with pdfplumber.open(io.BytesIO(pdf.content)) as opened:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in opened.pages)
    assert all(" ".join(f["title"].split()) in text for f in body["findings"])
    # Only the comparison comes as a file; creating one answers in a text format.
    made = client.post("/api/v1/comparisons?format=pdf", json={"old": old, "new": new})
    assert made.status_code == 422


def test_check_and_custom_controls(client: TestClient) -> None:
    doc = upload(client, "agent-policy-weak.md").json()["id"]
    made = client.post("/api/v1/checks", json={"document": doc})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["id"].startswith("chk_")
    assert body["summary"]["missing"] >= 1
    assert {c["status"] for c in body["controls"]} <= {"met", "partial", "missing"}
    fetched = client.get(f"/api/v1/checks/{body['id']}")
    assert fetched.json() == body
    html = client.get(f"/api/v1/checks/{body['id']}?format=html")
    assert html.headers["content-type"].startswith("text/html")
    md = client.get(f"/api/v1/checks/{body['id']}", headers={"Accept": "text/markdown"})
    assert md.text.startswith("# Agent-policy check") and "## Missing" in md.text
    broken = client.post("/api/v1/checks", json={"document": doc, "controls": "controls: [1"})
    assert broken.status_code == 422
    assert broken.json()["error"]["code"].startswith("rules.")


def test_timeline_over_stored_versions(client: TestClient) -> None:
    old, new = _pair(client)
    made = client.post("/api/v1/timelines", json={"documents": [old, new]})
    assert made.status_code == 200, made.text
    body = made.json()
    assert len(body["versions"]) == 2 and len(body["steps"]) == 1
    assert body["steps"][0]["summary"]["findings"]["high"] >= 1
    short = client.post("/api/v1/timelines", json={"documents": [old]})
    assert short.status_code == 422


def test_errors_are_json_with_a_code(client: TestClient) -> None:
    junk = upload(client, "junk.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert junk.status_code == 422
    assert junk.json()["error"]["code"].startswith("ingest.")
    image = upload(client, "terms.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    assert image.status_code == 415
    assert image.json()["error"]["code"] == "ingest.unsupported_format"
    assert "PNG image" in image.json()["error"]["message"]
    empty = upload(client, "empty.md", b"")
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    # An offset past any SQL integer was a 500 (OverflowError in SQLite): now a 422.
    several = client.post("/api/v1/documents", files=[
        ("file", ("a.md", b"You are responsible.", "text/markdown")),
        ("file", ("b.md", b"We are responsible.", "text/markdown"))])
    assert several.status_code == 400 and "one file per upload" in several.json()["error"][
        "message"]
    huge = client.get("/api/v1/documents?offset=9223372036854775808")
    assert huge.status_code == 422 and "error" in huge.json()
    missing = client.get("/api/v1/documents/doc_0000000000000000")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "store.not_found",
                                        "message": "no document 'doc_0000000000000000' "
                                                   "in this workspace"}}
    no_body = client.post("/api/v1/comparisons", json={"old": "x"})
    assert no_body.status_code == 422 and "new" in no_body.json()["error"]["message"]
    doc = upload(client, "agent-network-terms-v1.md").json()["id"]
    same = client.post("/api/v1/comparisons", json={"old": doc, "new": doc})
    assert same.status_code == 400 and same.json()["error"]["code"] == "usage.invalid"
    not_json = client.post("/api/v1/comparisons", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and "error" in not_json.json()
    no_file = client.post("/api/v1/documents", data={"name": "x"})
    assert no_file.status_code == 422 and "file" in no_file.json()["error"]["message"]


def test_openapi_describes_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for route in ("/api/v1/documents", "/api/v1/documents/{doc_id}",
                  "/api/v1/documents/{doc_id}/clauses", "/api/v1/comparisons",
                  "/api/v1/comparisons/{comparison_id}", "/api/v1/checks",
                  "/api/v1/timelines"):
        assert route in spec["paths"], route
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200
    # Errors are documented in the shape they are sent, not as the framework's default.
    answers = spec["paths"]["/api/v1/comparisons"]["post"]["responses"]
    from analyzer.errors import (
        AuthError,
        InputError,
        LimitExceeded,
        NotFound,
        NotReady,
        StoreError,
        UsageError,
    )
    from analyzer.web.errors import status_of

    raised = [UsageError("x"), AuthError("x"), NotFound("x"), NotReady("x"), InputError("x"),
              InputError("x", code="ingest.unsupported_format"),
              StoreError("x"), LimitExceeded("file size", 2, 1, "X"),
              LimitExceeded("clauses", 2, 1, "X")]
    documented = {str(status_of(exc)) for exc in raised} | {"403", "422"}
    for status in documented:
        schema = answers[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}, status
    assert "HTTPValidationError" not in json.dumps(spec)


def test_stored_json_is_what_the_cli_would_print_plus_triage(client: TestClient) -> None:
    old, new = _pair(client)
    body = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()
    from analyzer.api import compare_versions
    from analyzer.serialize import comparison_to_json

    cli = comparison_to_json(compare_versions(
        analyze(corpus("agent-network-terms-v1.md"), name="agent-network-terms-v1.md"),
        analyze(corpus("agent-network-terms-v2.md"), name="agent-network-terms-v2.md")))
    assert next(iter(body)) == "id" and list(body)[-1] == "findings"
    body.pop("id")
    # The web app adds each finding's triage; nothing else differs (additive).
    triage = [finding.pop("triage") for finding in body["findings"]]
    assert {t["state"] for t in triage} == {"open"} and len(triage) == len(cli["findings"])
    assert json.loads(json.dumps(cli)) == body


def test_upload_without_waiting_answers_at_once_and_compare_waits(client: TestClient) -> None:
    old = client.post("/api/v1/documents?wait=false",
                      files={"file": ("terms-v1.md", corpus("agent-network-terms-v1.md"))})
    new = client.post("/api/v1/documents?wait=false",
                      files={"file": ("terms-v2.md", corpus("agent-network-terms-v2.md"))})
    assert old.status_code == new.status_code == 201
    assert old.json()["status"] in ("processing", "ready")
    made = client.post("/api/v1/comparisons", json={"old": old.json()["id"],
                                                   "new": new.json()["id"]})
    assert made.status_code == 201 and made.json()["summary"]["findings"]["high"] >= 1
    doc = wait_until_read(client, old.json()["id"])
    assert doc["status"] == "ready" and doc["clause_count"] > 10 and doc["error"] is None


def test_a_failed_parse_is_kept_with_its_reason_and_retried_on_upload(client: TestClient
                                                                      ) -> None:
    bad = b"%PDF-1.4 not really a pdf"
    first = upload(client, "bad.pdf", bad)
    assert first.status_code == 422
    listed = client.get("/api/v1/documents").json()["documents"]
    assert listed[0]["status"] == "failed"
    assert listed[0]["error"]["message"] == first.json()["error"]["message"]
    doc = listed[0]["id"]
    good = upload(client, "agent-network-terms-v1.md").json()["id"]
    compared = client.post("/api/v1/comparisons", json={"old": doc, "new": good})
    assert compared.status_code == 422
    assert compared.json()["error"] == first.json()["error"]
    again = upload(client, "bad.pdf", bad)  # parsed again: the limits may have changed
    assert again.status_code == 422
    assert len(client.get("/api/v1/documents").json()["documents"]) == 2


def test_a_parse_left_unfinished_is_resumed_at_start(settings: Settings, store: Store) -> None:
    ws = store.workspace()
    info, _ = store.add_original(ws, corpus("assistant-terms-v1.md"),
                                 filename="assistant-terms-v1.md", fmt="markdown")
    assert info.status == "processing"
    with TestClient(create_app(settings, store), base_url=LOCAL) as fresh:
        doc = wait_until_read(fresh, info.id)
    assert doc["status"] == "ready" and doc["clause_count"] > 5


def test_an_original_with_a_non_latin_name_downloads(client: TestClient) -> None:
    doc = upload(client, "договор-v1.md", corpus("agent-network-terms-v1.md")).json()
    response = client.get(f"/api/v1/documents/{doc['id']}/original")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert 'filename="' in disposition and "filename*=UTF-8''%D0%B4" in disposition
    assert client.get(f"/documents/{doc['id']}/original").status_code == 200


def test_stale_reports_are_made_again_from_stored_analyses(client: TestClient,
                                                           store: Store) -> None:
    old, new = _pair(client)
    cid = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()["id"]
    policy = upload(client, "agent-policy-weak.md").json()["id"]
    chk = client.post("/api/v1/checks", json={"document": policy}).json()["id"]
    from sqlalchemy import update

    from analyzer.store.tables import StoredCheck, StoredComparison

    with store.session() as s:  # as if rendered by an older release
        s.execute(update(StoredComparison).values(report_version="old", html="stale"))
        s.execute(update(StoredCheck).values(report_version="old", html="stale"))
    assert "What shifted" in client.get(f"/api/v1/comparisons/{cid}?format=html").text
    assert "Agent-policy check" in client.get(f"/api/v1/checks/{chk}?format=html").text
    assert client.get(f"/api/v1/checks/{chk}").json()["id"] == chk  # the same check, redone


def _as_an_older_release_read_it(store: Store, doc_id: str) -> None:
    """Keep a document's analysis as a release without clause categories would have: the
    same clauses, no categories, and no reader version (as before migration 0008)."""
    from dataclasses import replace

    from sqlalchemy import update

    from analyzer.store.codec import analysis_to_record
    from analyzer.store.tables import StoredDocument

    ws = store.workspace()
    analysis = store.load_analysis(ws, doc_id)
    older = replace(analysis, clauses=tuple(replace(c, categories=()) for c in analysis.clauses))
    with store.session() as s:
        s.execute(update(StoredDocument).where(StoredDocument.id == doc_id).values(
            analysis=json.dumps(analysis_to_record(older)), analysis_version=None))


def test_a_document_read_by_an_older_release_is_read_again_before_it_is_used(
        client: TestClient, store: Store) -> None:
    old, new = _pair(client)
    made = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()
    for doc in (old, new):
        _as_an_older_release_read_it(store, doc)
    # What the older reading gives: no categories, so no category shift.
    ws = store.workspace()
    assert not any(c.categories for c in store.load_analysis(ws, new).clauses)
    from sqlalchemy import update

    from analyzer.store.tables import StoredComparison

    with store.session() as s:  # and its report was made by that release
        s.execute(update(StoredComparison).values(report_version="old", html="stale"))
    again = client.get(f"/api/v1/comparisons/{made['id']}").json()
    assert again["id"] == made["id"]
    assert again["findings"] == made["findings"]  # read again, then compared
    expected = analysis_to_json(analyze(corpus("agent-network-terms-v2.md"),
                                        name="agent-network-terms-v2.md"))
    clauses = client.get(f"/api/v1/documents/{new}/clauses").json()["clauses"]
    assert clauses == expected["clauses"]
    assert store.get_document(ws, new).analysis_version == store.get_document(
        ws, old).analysis_version is not None


def test_documents_read_again_for_one_comparison_are_read_side_by_side(
        client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = _pair(client)
    for doc in (old, new):
        _as_an_older_release_read_it(store, doc)
    service = client.app.state.service  # type: ignore[attr-defined]
    reading, most = set(), []
    parse = service._parse

    async def counted(workspace_id: int, doc_id: str, *args: object, **kw: object) -> None:
        reading.add(doc_id)
        most.append(len(reading))
        try:
            await parse(workspace_id, doc_id, *args, **kw)
        finally:
            reading.discard(doc_id)

    monkeypatch.setattr(service, "_parse", counted)
    made = client.post("/api/v1/comparisons", json={"old": old, "new": new})
    assert made.status_code == 201, made.text
    assert max(most) == 2  # both readings were under way together, not one after the other


def test_a_newer_reading_marks_the_reports_of_the_older_one_to_be_made_again(
        client: TestClient, store: Store) -> None:
    old, new = _pair(client)
    cid = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()["id"]
    chk = client.post("/api/v1/checks", json={"document": new}).json()["id"]
    ws = store.workspace()
    store.set_analysis(new, store.load_analysis(ws, new), "a newer reader")
    assert store.get_comparison(ws, cid).report_version == ""
    assert store.get_check(ws, chk).report_version == ""
    assert client.get(f"/api/v1/comparisons/{cid}").json()["id"] == cid  # made again


def test_a_failed_new_reading_keeps_the_earlier_analysis(
        client: TestClient, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    doc = upload(client, "agent-network-terms-v2.md").json()
    _as_an_older_release_read_it(store, doc["id"])
    store.blobs.path_of(doc["sha256"]).unlink()  # its original can no longer be read
    for _ in range(3):
        clauses = client.get(f"/api/v1/documents/{doc['id']}/clauses")
        assert clauses.status_code == 200
        assert len(clauses.json()["clauses"]) == doc["clause_count"]
    listed = client.get(f"/api/v1/documents/{doc['id']}").json()
    assert listed["status"] == "ready" and listed["error"] is None
    kept = [r for r in caplog.records if "its earlier analysis is kept" in r.getMessage()]
    assert len(kept) == 1  # tried once, not at every request


def test_a_stale_check_is_made_again_with_its_own_controls(client: TestClient,
                                                           store: Store) -> None:
    controls = (
        "controls:\n"
        "  - id: LOG-ALL\n"
        "    title: Agents log every action\n"
        "    evidence: ['\\blogs?\\b']\n"
    )
    policy = upload(client, "agent-policy-weak.md").json()["id"]
    made = client.post("/api/v1/checks", json={"document": policy, "controls": controls})
    assert made.status_code == 201, made.text
    chk = made.json()["id"]
    assert [c["id"] for c in made.json()["controls"]] == ["LOG-ALL"]
    from sqlalchemy import update

    from analyzer.store.tables import StoredCheck

    with store.session() as s:  # as if rendered by an older release
        s.execute(update(StoredCheck).values(report_version="old", html="stale"))
    again = client.get(f"/api/v1/checks/{chk}?format=html").text
    assert "stale" not in again and "LOG-ALL" in again
    assert [c["id"] for c in client.get(f"/api/v1/checks/{chk}").json()["controls"]] == [
        "LOG-ALL"]
    digest = hashlib.sha256(controls.encode()).hexdigest()
    assert store.control_files.path_of(digest).exists()
    assert client.delete(f"/api/v1/documents/{policy}").status_code == 204
    assert not store.control_files.path_of(digest).exists()  # no check uses it any more


def test_delete_a_document_with_its_reports_and_original(client: TestClient,
                                                         store: Store) -> None:
    old, new = _pair(client)
    cid = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()["id"]
    sha = client.get(f"/api/v1/documents/{old}").json()["sha256"]
    assert client.delete(f"/api/v1/documents/{old}").status_code == 204
    assert client.get(f"/api/v1/documents/{old}").status_code == 404
    assert client.get(f"/api/v1/comparisons/{cid}").status_code == 404
    assert not store.blobs.path_of(sha).exists()
    assert client.delete(f"/api/v1/documents/{old}").status_code == 404
    assert client.get(f"/api/v1/documents/{new}").status_code == 200


def test_an_original_shared_with_another_workspace_is_kept(client: TestClient,
                                                           store: Store) -> None:
    a, b = ({"Authorization": f"Bearer {store.create_key(n)}"} for n in ("team-a", "team-b"))
    mine = upload(client, "agent-network-terms-v1.md", headers=a).json()
    upload(client, "agent-network-terms-v1.md", headers=b)
    assert client.delete(f"/api/v1/documents/{mine['id']}", headers=b).status_code == 404
    assert client.delete(f"/api/v1/documents/{mine['id']}", headers=a).status_code == 204
    assert store.blobs.path_of(mine["sha256"]).exists()  # team B's copy still needs it


def test_a_parse_longer_than_the_wait_is_a_409_then_ready(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0, ready_timeout=0.001)
    store = open_store(settings)
    with TestClient(create_app(settings, store), base_url=LOCAL) as slow:
        response = upload(slow, "rendered/agent-network-terms-v2.pdf")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "document.processing"
        doc = slow.get("/api/v1/documents").json()["documents"][0]
        assert wait_until_read(slow, doc["id"])["status"] == "ready"
    store.close()
