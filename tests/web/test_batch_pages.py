"""Batches in the web pages without a browser (both stores): started from the library's
forms, followed on their page (HTML, and JSON for its script), cancelled, listed, sorted,
downloaded; refused from another site and invisible to another workspace."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any

from batch_docs import terms
from fastapi.testclient import TestClient
from web_support import upload

from analyzer.store import Store
from analyzer.store.batches import BatchPair, BatchStore

JSON = {"Accept": "application/json"}


def _library(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, str]:
    """Three versions of "Acme terms", two of "Beta terms", one unreadable Beta version."""
    ids = {}
    for name, versions in (("Acme terms", 3), ("Beta terms", 2)):
        for v in range(versions):
            ids[f"{name[:4]}{v}"] = upload(
                client, f"{name}-v{v}.md", terms(len(ids), v).encode(), headers=headers,
                form={"name": name, "version_label": f"v{v}"}).json()["id"]
    broken = upload(client, "beta-v2.pdf", b"%PDF-1.7\nnot really a pdf", headers=headers,
                    form={"name": "Beta terms", "version_label": "v2"})
    assert broken.status_code == 422  # kept in the library as a version that failed
    listed = client.get("/api/v1/documents", headers=headers).json()["documents"]
    ids["broken"] = next(d["id"] for d in listed if d["status"] == "failed")
    return ids


def _start(client: TestClient, **form: Any) -> str:
    response = client.post("/batches", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = str(response.headers["location"])
    assert re.fullmatch(r"/batches/bat_[0-9a-f]{16}", location)
    return location


def _finished(client: TestClient, page: str, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        body = client.get(page, headers=JSON).json()
        if body["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def _pairs(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["id"], r["old"], r["new"]) for r in body["results"]]


def test_every_version_with_the_next_from_the_library(client: TestClient) -> None:
    ids = _library(client)
    library = client.get("/").text
    assert 'id="batch-all"' in library and "(3 pairs)" in library  # 2 Acme + 1 Beta
    assert 'value="group:Acme terms"' in library
    page = _start(client, batch="all")
    body = _finished(client, page)
    assert body["status"] == "done" and body["failed"] == 0
    assert _pairs(body) == [
        ("Acme-terms__v0__v1", ids["Acme0"], ids["Acme1"]),
        ("Acme-terms__v1__v2", ids["Acme1"], ids["Acme2"]),
        ("Beta-terms__v0__v1", ids["Beta0"], ids["Beta1"])]  # the unreadable v2 left out
    assert body["status_text"].startswith("Finished: 3 of 3 pairs done, 0 failed")

    html = client.get(page)
    assert html.status_code == 200 and "Finished: 3 of 3 pairs done" in html.text
    for r in body["results"]:
        assert f'<a href="/comparisons/{r["comparison"]}">{r["id"]}</a>' in html.text
    assert "Acme terms · v0" in html.text and "Beta terms · v1" in html.text
    assert "data-live=\"" not in html.text and "batch-cancel" not in html.text
    assert 'http-equiv="refresh"' not in html.text
    # The library lists it, and "All batches" does too.
    assert f'href="{page}"' in client.get("/").text.split('id="batches"')[1]
    assert f'href="{page}"' in client.get("/batches").text


def test_one_document_or_the_ticked_versions(client: TestClient) -> None:
    ids = _library(client)
    group = _finished(client, _start(client, batch="group:Acme terms"))
    assert [p[0] for p in _pairs(group)] == ["Acme-terms__v0__v1", "Acme-terms__v1__v2"]
    ticked = _finished(client, _start(client, batch="selected",
                                      doc=[ids["Acme2"], ids["Beta1"], ids["Acme0"],
                                           ids["Beta0"], ids["broken"]]))
    assert _pairs(ticked) == [("Acme-terms__v0__v2", ids["Acme0"], ids["Acme2"]),
                              ("Beta-terms__v0__v1", ids["Beta0"], ids["Beta1"])]
    # With a search, "every version" takes the documents listed.
    searched = client.get("/?q=Beta").text
    assert "(1 pair)" in searched and '<input type="hidden" name="q" value="Beta">' in searched
    only_beta = _finished(client, _start(client, batch="all", q="Beta"))
    assert [p[0] for p in _pairs(only_beta)] == ["Beta-terms__v0__v1"]


def test_a_batch_without_pairs_is_explained(client: TestClient) -> None:
    ids = _library(client)
    one = client.post("/batches", data={"batch": "selected", "doc": [ids["Acme0"]]})
    assert one.status_code == 400 and "tick at least two versions" in one.text
    apart = client.post("/batches", data={"batch": "selected",
                                          "doc": [ids["Acme0"], ids["Beta0"]]})
    assert apart.status_code == 400  # versions of two documents: no pair
    nothing = client.post("/batches", data={"batch": "group:No such"})
    assert nothing.status_code == 400 and "two versions" in nothing.text
    odd = client.post("/batches", data={"batch": "everything"})
    assert odd.status_code == 400 and "unknown batch choice" in odd.text
    missing = client.post("/batches", data={"batch": "selected",
                                            "doc": [ids["Acme0"], "doc_ffffffffffffffff"]})
    assert missing.status_code == 404
    assert client.get("/api/v1/batches").json()["total"] == 0


def test_a_running_batch_page_follows_it_and_can_cancel(client: TestClient,
                                                        store: Store) -> None:
    ids = _library(client)
    batches = BatchStore(store)  # stored, not started: the page of a batch that waits
    batch = batches.create(store.workspace(), [BatchPair("a", ids["Acme0"], ids["Acme1"]),
                                               BatchPair("b", ids["Acme1"], ids["Acme2"])])
    page = client.get(f"/batches/{batch}")
    assert page.status_code == 200
    assert f'data-live="/batches/{batch}"' in page.text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page.text
    assert 'action="/batches/' + batch + '/cancel"' in page.text
    assert "Queued: 0 of 2 pairs done, 0 failed · measuring the rate" in page.text
    assert 'max="2" value="0"' in page.text
    polled = client.get(f"/batches/{batch}", headers=JSON)
    assert polled.headers["content-type"] == "application/json"
    assert polled.headers["cache-control"] == "no-store"
    assert polled.json()["status"] == "queued" and polled.json()["rate"] is None
    assert 'data-id="b" data-status="queued" data-position="1"' in page.text
    window = client.get(f"/batches/{batch}?offset=1&limit=5", headers=JSON).json()
    assert [r["id"] for r in window["results"]] == ["b"] and window["total"] == 2

    cancelled = client.post(f"/batches/{batch}/cancel", follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"] == f"/batches/{batch}"
    after = client.get(f"/batches/{batch}").text
    assert "Cancelled: 0 of 2 pairs done, 0 failed, 2 not run" in after
    assert "data-live=\"" not in after and "batch-cancel" not in after


def test_the_table_sorts_on_the_server_without_scripts(client: TestClient) -> None:
    ids = _library(client)
    made = client.post("/api/v1/batches", json={"pairs": [
        {"old": ids["Acme0"], "new": ids["Acme0"], "id": "same"},
        {"old": ids["Acme0"], "new": ids["Acme2"], "id": "big"},
        {"old": ids["Acme1"], "new": ids["Acme2"], "id": "small"}]}).json()["id"]
    _finished(client, f"/batches/{made}")

    def order(query: str) -> list[str]:
        body = client.get(f"/batches/{made}{query}").text.split("<tbody>")[1]
        return re.findall(r'<tr class="st-\w+" data-id="([^"]+)"', body)

    assert order("") == ["same", "big", "small"]
    assert order("?sort=id&order=asc") == ["big", "same", "small"]
    assert order("?sort=id&order=desc") == ["small", "same", "big"]
    assert order("?sort=status") == ["same", "big", "small"]  # failed before ok
    by_severity = order("?sort=highest&order=asc")
    assert by_severity[-1] == "same"  # no finding at all: last
    assert order("?sort=nonsense") == ["same", "big", "small"]
    page = client.get(f"/batches/{made}?sort=id&order=asc").text
    assert 'data-column="id" data-order="asc" aria-sort="ascending"><a href="?sort=id&amp;' \
           'order=desc">' in page


def test_the_page_downloads_the_summary_and_the_zip(client: TestClient) -> None:
    _library(client)
    page = _start(client, batch="group:Beta terms")
    body = _finished(client, page)
    html = client.get(page).text
    for query in ("format=html", "format=zip", "format=zip&amp;reports=json,html"):
        assert f'href="{page}/download?{query}" download' in html
    summary = client.get(f"{page}/download?format=html")
    assert summary.status_code == 200
    assert summary.headers["content-disposition"].startswith("attachment;")
    assert f'/comparisons/{body["results"][0]["comparison"]}"' in summary.text
    archive = client.get(f"{page}/download?format=zip&reports=json,html")
    assert archive.headers["content-type"] == "application/zip"
    assert archive.content[:2] == b"PK"
    wrong = client.get(f"{page}/download?format=docx")
    assert wrong.status_code == 400 and "zip or html" in wrong.text


def test_only_the_page_scripts_run_each_allowed_by_its_hash(client: TestClient,
                                                            store: Store) -> None:
    ids = _library(client)
    batch = BatchStore(store).create(store.workspace(),
                                     [BatchPair("a", ids["Acme0"], ids["Acme1"])])
    for path in (f"/batches/{batch}", "/batches", "/"):
        page = client.get(path)
        policy = page.headers["content-security-policy"]
        scripts = re.findall(r"<script>(.*?)</script>", page.text, re.S)
        assert scripts, path
        for script in scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, path


def test_a_form_from_another_site_starts_no_batch(client: TestClient) -> None:
    _library(client)
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    refused = client.post("/batches", data={"batch": "all"}, headers=evil)
    assert refused.status_code == 403
    assert client.get("/api/v1/batches").json()["total"] == 0


def test_another_workspace_batch_page_is_404(client: TestClient, store: Store) -> None:
    key_a, key_b = store.create_key("team-a"), store.create_key("team-b")
    a = {"Authorization": f"Bearer {key_a}"}
    _library(client, a)
    assert client.post("/login", data={"key": key_a}).status_code == 200
    page = _start(client, batch="all")
    assert _finished(client, page)["status"] == "done"
    assert client.get(page).status_code == 200
    assert client.post("/login", data={"key": key_b}).status_code == 200
    fake = "/batches/bat_ffffffffffffffff"
    for suffix in ("", "/download?format=zip", "/download?format=html"):
        theirs, missing = client.get(page + suffix), client.get(fake + suffix)
        assert theirs.status_code == missing.status_code == 404
        assert "Not found" in theirs.text
    assert client.get(page, headers=JSON).json()["error"]["code"] == "store.not_found"
    assert client.post(page + "/cancel").status_code == 404
    assert "No batches yet" in client.get("/batches").text
    assert 'id="batches"' not in client.get("/").text
