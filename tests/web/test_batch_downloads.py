"""A batch's results over the API (both stores): the zip holds what the command line's
results folder holds, the summary page links each pair to its report, a batch still running
or cancelled gives the pairs finished so far, another workspace's batch is 404; batches are
listed, and a large batch's results come by page with its counts whole."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from batch_docs import terms
from fastapi.testclient import TestClient
from web_support import finished_batch, upload

from analyzer.store import Store
from analyzer.store.batches import BatchPair, BatchStore


def _docs(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    return [upload(client, f"terms-v{v}.md", terms(1, v).encode(), headers=headers,
                   form={"name": "Acme terms", "version_label": f"v{v}"}).json()["id"]
            for v in range(3)]


def _zip(client: TestClient, batch_id: str, query: str = "",
         headers: dict[str, str] | None = None) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/batches/{batch_id}/download{query}", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert f"{batch_id}" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(response.content))


def _ledger(archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    return [json.loads(line) for line in archive.read("index.jsonl").decode().splitlines()]


def test_the_zip_holds_the_ledger_the_summary_and_each_report(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "first"}, {"old": v1, "new": v2},
        {"old": v0, "new": "doc_ffffffffffffffff", "id": "missing"}]}).json()["id"]
    body = finished_batch(client, batch)
    assert body["status"] == "done", body

    archive = _zip(client, batch)
    assert sorted(archive.namelist()) == ["first.json", "index.html", "index.jsonl",
                                          "pair-2.json"]
    ledger = _ledger(archive)
    assert [r["id"] for r in ledger] == ["first", "pair-2", "missing"]
    for line, result in zip(ledger, body["results"], strict=True):
        assert {k: line[k] for k in ("old", "new", "status", "error", "counts", "highest",
                                     "top_finding", "comparison")} == \
            {k: result[k] for k in ("old", "new", "status", "error", "counts", "highest",
                                    "top_finding", "comparison")}
    first, second, missing = ledger
    assert (first["old_label"], first["new_label"]) == ("Acme terms · v0", "Acme terms · v1")
    assert first["reports"] == {"json": "first.json"}
    assert missing["status"] == "failed" and missing["reports"] == {}
    assert missing["new_label"] == "doc_ffffffffffffffff"  # not in the library: by its id
    for line in (first, second):
        stored = client.get(f"/api/v1/comparisons/{line['comparison']}").json()
        report = json.loads(archive.read(line["reports"]["json"]))
        assert report["id"] == line["comparison"]
        assert report["summary"] == stored["summary"]
        assert [f["triage"]["state"] for f in report["findings"]] == \
            ["open"] * len(stored["findings"])

    summary = archive.read("index.html").decode()
    assert '<a href="first.json">first</a>' in summary
    assert '<a href="pair-2.json">pair-2</a>' in summary
    assert "Acme terms · v0" in summary and "no document" in summary


def test_the_zip_adds_html_and_markdown_reports_on_request(client: TestClient) -> None:
    v0, v1, _ = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "acme"}]}).json()["id"]
    assert finished_batch(client, batch)["status"] == "done"
    archive = _zip(client, batch, "?format=zip&reports=html,md")
    assert sorted(archive.namelist()) == ["acme.html", "acme.json", "acme.md", "index.html",
                                          "index.jsonl"]
    assert _ledger(archive)[0]["reports"] == {"json": "acme.json", "html": "acme.html",
                                              "md": "acme.md"}
    assert archive.read("acme.html").decode().lstrip().startswith("<!doctype html>")
    assert '<a href="acme.html">acme</a>' in archive.read("index.html").decode()
    bad = client.get(f"/api/v1/batches/{batch}/download?reports=json,pdf")
    assert bad.status_code == 400 and "'pdf'" in bad.json()["error"]["message"]
    assert client.get(f"/api/v1/batches/{batch}/download?format=tar").status_code == 422


def test_the_summary_page_links_each_pair_to_its_report_page(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1}, {"old": v1, "new": v2}]}).json()["id"]
    body = finished_batch(client, batch)
    page = client.get(f"/api/v1/batches/{batch}/download?format=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-disposition"].startswith("attachment;")
    assert "script-src 'sha256-" in page.headers["content-security-policy"]
    for result in body["results"]:
        assert (f'<a href="http://127.0.0.1/comparisons/{result["comparison"]}">'
                f'{result["id"]}</a>') in page.text


def test_a_cancelled_batch_gives_the_pairs_finished_before(client: TestClient,
                                                           store: Store) -> None:
    v0, v1, v2 = _docs(client)
    made = client.post("/api/v1/comparisons", json={"old": v0, "new": v1}).json()
    batches = BatchStore(store)  # stored, not started: as a server would leave it mid-run
    batch = batches.create(store.workspace(), [BatchPair("a", v0, v1), BatchPair("b", v1, v2)])
    item, _, _ = batches.next_pair(batch) or (0, "", "")
    batches.finish_pair(item, comparison_id=made["id"], counts=made["summary"]["findings"],
                        highest="high", top_finding="Users became solely responsible")
    assert client.delete(f"/api/v1/batches/{batch}").json()["status"] == "cancelled"

    archive = _zip(client, batch)
    assert sorted(archive.namelist()) == ["a.json", "index.html", "index.jsonl"]
    assert [(r["id"], r["status"]) for r in _ledger(archive)] == [("a", "ok")]
    assert json.loads(archive.read("a.json"))["id"] == made["id"]


def test_a_pair_whose_document_was_deleted_says_so(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "gone"}, {"old": v1, "new": v2, "id": "kept"}]}
                        ).json()["id"]
    assert finished_batch(client, batch)["done"] == 2
    assert client.delete(f"/api/v1/documents/{v0}").status_code == 204
    archive = _zip(client, batch)
    gone, kept = _ledger(archive)
    assert gone["status"] == "failed" and "no longer in the library" in gone["error"]
    assert gone["old_label"] == v0 and kept["old_label"] == "Acme terms · v1"
    assert sorted(archive.namelist()) == ["index.html", "index.jsonl", "kept.json"]


def test_another_workspace_batch_downloads_as_404_like_a_missing_one(
        client: TestClient, store: Store) -> None:
    a = {"Authorization": f"Bearer {store.create_key('team-a')}"}
    b = {"Authorization": f"Bearer {store.create_key('team-b')}"}
    v0, v1, _ = _docs(client, a)
    batch = client.post("/api/v1/batches", json={"pairs": [{"old": v0, "new": v1}]},
                        headers=a).json()["id"]
    assert finished_batch(client, batch, a)["status"] == "done"
    assert _ledger(_zip(client, batch, headers=a))[0]["status"] == "ok"
    fake = "bat_ffffffffffffffff"
    for query in ("", "?format=zip", "?format=html"):
        theirs = client.get(f"/api/v1/batches/{batch}/download{query}", headers=b)
        missing = client.get(f"/api/v1/batches/{fake}/download{query}", headers=b)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["code"] == "store.not_found"
        assert theirs.json()["error"]["message"].replace(batch, "X") == \
            missing.json()["error"]["message"].replace(fake, "X")
    assert client.get(f"/api/v1/batches/{batch}/download").status_code == 401  # no key


def test_batches_are_listed_newest_first_per_workspace(client: TestClient,
                                                       store: Store) -> None:
    v0, v1, v2 = _docs(client)
    batches = BatchStore(store)
    ws = store.workspace()
    made = [batches.create(ws, [BatchPair("a", v0, v1)]),
            batches.create(ws, [BatchPair("a", v0, v1), BatchPair("b", v1, v2)])]
    first = client.get("/api/v1/batches?limit=1").json()
    rest = client.get("/api/v1/batches?limit=1&offset=1").json()
    assert first["total"] == rest["total"] == 2
    listed = first["items"] + rest["items"]
    assert [i["id"] for i in listed] == made[::-1]
    newest = next(i for i in listed if i["id"] == made[1])
    assert (newest["total"], newest["done"], newest["failed"]) == (2, 0, 0)
    assert newest["documents"] == ["Acme terms"]
    other = {"Authorization": f"Bearer {store.create_key('team-b')}"}
    assert client.get("/api/v1/batches", headers=other).json() == {
        "total": 0, "limit": 50, "offset": 0, "items": []}


def test_a_finished_batch_says_its_rate_and_nothing_left(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1}, {"old": v1, "new": v2}]}).json()["id"]
    body = finished_batch(client, batch)
    assert body["rate"] > 0 and body["elapsed_seconds"] >= 0
    assert body["eta_seconds"] is None


def test_results_come_by_page_and_the_counts_cover_every_pair(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    batch = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "a"}, {"old": v1, "new": v2, "id": "b"},
        {"old": v0, "new": v0, "id": "c"}]}).json()["id"]
    whole = finished_batch(client, batch)
    assert [r["id"] for r in whole["results"]] == ["a", "b", "c"]
    part = client.get(f"/api/v1/batches/{batch}?offset=1&limit=1").json()
    assert [r["id"] for r in part["results"]] == ["b"]
    assert {k: part[k] for k in ("total", "done", "failed", "cancelled")} == \
        {"total": 3, "done": 3, "failed": 1, "cancelled": 0}
    assert client.get(f"/api/v1/batches/{batch}?offset=3").json()["results"] == []
    assert client.get(f"/api/v1/batches/{batch}?limit=0").status_code == 422
