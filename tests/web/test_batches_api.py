"""Batches over the API (both stores): run in the background, isolated by workspace,
cancelled on request, resumed when the server starts; comparisons listed by page."""

from __future__ import annotations

from batch_docs import terms
from fastapi.testclient import TestClient
from web_support import LOCAL, finished_batch, upload

from analyzer.api import analyze
from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.store.batches import BatchPair, BatchStore
from analyzer.web.app import create_app
from analyzer.web.service import analysis_version


def _docs(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    return [upload(client, f"terms-v{v}.md", terms(1, v).encode(), headers=headers).json()["id"]
            for v in range(3)]


def test_a_batch_runs_every_pair_and_records_failures(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    made = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "first"}, {"old": v1, "new": v2},
        {"old": v0, "new": "doc_ffffffffffffffff"}, {"old": v2, "new": v2}]})
    assert made.status_code == 202, made.text
    assert made.json()["status"] == "queued" and made.json()["id"].startswith("bat_")
    assert made.headers["location"] == f"/api/v1/batches/{made.json()['id']}"
    body = finished_batch(client, made.json()["id"])
    assert body["status"] == "done", body
    assert (body["total"], body["done"], body["failed"]) == (4, 4, 2)
    first, second, missing, same = body["results"]
    assert [first["id"], second["id"]] == ["first", "pair-2"]
    for ok in (first, second):
        assert ok["status"] == "ok" and ok["highest"] == "high" and ok["top_finding"]
        report = client.get(f"/api/v1/comparisons/{ok['comparison']}").json()
        assert report["summary"]["findings"] == ok["counts"]
    assert missing["status"] == "failed" and "no document" in missing["error"]
    assert same["status"] == "failed" and "same document" in same["error"]


def test_bad_batches_are_refused(client: TestClient) -> None:
    v0, v1, _ = _docs(client)
    twice = client.post("/api/v1/batches", json={"pairs": [
        {"old": v0, "new": v1, "id": "a"}, {"old": v1, "new": v0, "id": "a"}]})
    assert twice.status_code == 400 and twice.json()["error"]["code"] == "usage.invalid"
    many = client.post("/api/v1/batches", json={"pairs": [{"old": v0, "new": v1}] * 1001})
    assert many.status_code == 422 and many.json()["error"]["code"] == "limit.batch_pairs"
    assert client.post("/api/v1/batches", json={"pairs": []}).status_code == 422
    unsafe = client.post("/api/v1/batches", json={"pairs": [{"old": v0, "new": v1,
                                                             "id": "../x"}]})
    assert unsafe.status_code == 422


def test_another_workspace_batch_is_404_like_a_missing_one(client: TestClient,
                                                           store: Store) -> None:
    a = {"Authorization": f"Bearer {store.create_key('team-a')}"}
    b = {"Authorization": f"Bearer {store.create_key('team-b')}"}
    v0, v1, _ = _docs(client, a)
    batch = client.post("/api/v1/batches", json={"pairs": [{"old": v0, "new": v1}]},
                        headers=a).json()["id"]
    assert finished_batch(client, batch, a)["status"] == "done"
    fake = "bat_ffffffffffffffff"
    for method in ("get", "delete"):
        theirs = getattr(client, method)(f"/api/v1/batches/{batch}", headers=b)
        missing = getattr(client, method)(f"/api/v1/batches/{fake}", headers=b)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["message"].replace(batch, "X") == \
            missing.json()["error"]["message"].replace(fake, "X")
    # B's batch over A's documents: each pair fails as not found, nothing of A leaks.
    stolen = client.post("/api/v1/batches", json={"pairs": [{"old": v0, "new": v1}]},
                         headers=b).json()["id"]
    result = finished_batch(client, stolen, b)["results"][0]
    assert result["status"] == "failed" and "no document" in result["error"]
    assert client.get("/api/v1/comparisons", headers=b).json()["total"] == 0
    assert client.get("/api/v1/comparisons", headers=a).json()["total"] == 1


def test_delete_cancels_the_queued_pairs(client: TestClient, store: Store) -> None:
    v0, v1, v2 = _docs(client)
    ws = store.workspace()
    batch = BatchStore(store).create(ws, [BatchPair("a", v0, v1), BatchPair("b", v1, v2)])
    cancelled = client.delete(f"/api/v1/batches/{batch}")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["done"] == 0
    assert {r["status"] for r in body["results"]} == {"cancelled"}


def test_batches_left_unfinished_resume_at_start(settings: Settings, store: Store) -> None:
    ws = store.workspace()
    ids = []
    for v in range(3):
        data = terms(2, v).encode()
        info, _ = store.add_document(ws, data, analyze(data, name=f"t{v}.md"),
                                     version=analysis_version(), filename=f"t{v}.md")
        ids.append(info.id)
    batches = BatchStore(store)
    batch = batches.create(ws, [BatchPair("a", ids[0], ids[1]), BatchPair("b", ids[1], ids[2])])
    batches.set_status(batch, "running", only_from=("queued",))  # a server stopped mid-run
    item, _, _ = batches.next_pair(batch) or (0, "", "")
    batches.finish_pair(item, comparison_id="cmp_0123456789abcdef",
                        counts={"high": 0, "medium": 0, "low": 0, "info": 0})
    with TestClient(create_app(settings, store), base_url=LOCAL) as fresh:
        body = finished_batch(fresh, batch)
    assert body["status"] == "done" and body["done"] == 2 and body["failed"] == 0
    first, second = body["results"]
    assert first["comparison"] == "cmp_0123456789abcdef"  # finished before: not run again
    assert second["status"] == "ok" and second["comparison"].startswith("cmp_")


def test_comparisons_are_listed_by_page(client: TestClient) -> None:
    v0, v1, v2 = _docs(client)
    for old, new in ((v0, v1), (v1, v2), (v0, v2)):
        assert client.post("/api/v1/comparisons", json={"old": old, "new": new}).status_code \
            == 201
    first = client.get("/api/v1/comparisons?limit=2").json()
    rest = client.get("/api/v1/comparisons?limit=2&offset=2").json()
    assert first["total"] == rest["total"] == 3
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in rest["items"]}
    assert len(ids) == 3 and all(i.startswith("cmp_") for i in ids)
    assert client.get("/api/v1/comparisons?limit=0").status_code == 422
