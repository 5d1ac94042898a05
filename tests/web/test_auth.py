"""Workspaces and keys: a key opens one workspace; another's objects are simply not there."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from web_support import LOCAL, corpus, upload

from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.web.app import create_app


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_without_keys_the_local_workspace_needs_none(client: TestClient) -> None:
    assert upload(client, "agent-network-terms-v1.md").status_code == 201
    assert len(client.get("/api/v1/documents").json()["documents"]) == 1


def test_once_a_key_exists_every_call_needs_one(client: TestClient, store: Store) -> None:
    key = store.create_key("legal")
    assert key.startswith("tsk_") and len(key) > 40
    for headers in ({}, _bearer("tsk_wrong"), {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer "}):
        response = client.get("/api/v1/documents", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "auth.invalid_key"
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/v1/documents", headers=_bearer(key)).status_code == 200


def test_keys_are_stored_hashed(store: Store) -> None:
    key = store.create_key("legal")
    from sqlalchemy import select

    from analyzer.store.tables import ApiKey

    with store.session() as s:
        stored = s.scalars(select(ApiKey.key_hash)).all()
    assert key not in stored and all(len(h) == 64 for h in stored)


def test_another_workspace_sees_nothing_and_gets_404_like_a_missing_id(
        client: TestClient, store: Store) -> None:
    a, b = _bearer(store.create_key("team-a")), _bearer(store.create_key("team-b"))
    old = upload(client, "agent-network-terms-v1.md", headers=a).json()["id"]
    new = upload(client, "agent-network-terms-v2.md", headers=a).json()["id"]
    cid = client.post("/api/v1/comparisons", json={"old": old, "new": new}, headers=a).json()["id"]
    policy = upload(client, "agent-policy-weak.md", headers=a).json()["id"]
    chk = client.post("/api/v1/checks", json={"document": policy}, headers=a).json()["id"]

    assert client.get("/api/v1/documents", headers=b).json()["documents"] == []
    for path, fake in ((f"/api/v1/documents/{old}", "/api/v1/documents/doc_ffffffffffffffff"),
                       (f"/api/v1/documents/{old}/clauses",
                        "/api/v1/documents/doc_ffffffffffffffff/clauses"),
                       (f"/api/v1/comparisons/{cid}", "/api/v1/comparisons/cmp_ffffffffffffffff"),
                       (f"/api/v1/checks/{chk}", "/api/v1/checks/chk_ffffffffffffffff")):
        theirs, missing = client.get(path, headers=b), client.get(fake, headers=b)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["code"] == missing.json()["error"]["code"]
        assert theirs.json()["error"]["message"].replace(path.split("/")[4], "X") == \
            missing.json()["error"]["message"].replace(fake.split("/")[4], "X")
    stolen = client.post("/api/v1/comparisons", json={"old": old, "new": new}, headers=b)
    assert stolen.status_code == 404
    assert client.post("/api/v1/checks", json={"document": policy},
                       headers=b).status_code == 404
    # The same bytes uploaded in B are B's own document, not A's.
    mine = upload(client, "agent-network-terms-v1.md", corpus("agent-network-terms-v1.md"),
                  headers=b).json()
    assert mine["id"] != old and mine["existing"] is False


def test_local_mode_answers_only_a_loopback_host(client: TestClient) -> None:
    # DNS rebinding: a page on attacker.example re-pointed at 127.0.0.1 sends its own Host.
    for path in ("/api/v1/documents", "/"):
        response = client.get(path, headers={"Host": "attacker.example:8000"})
        assert response.status_code == 421, path
    assert client.get("/api/v1/documents", headers={"Host": "localhost:8000"}).status_code == 200


def test_local_mode_refuses_writes_from_other_sites(client: TestClient) -> None:
    response = upload(client, "agent-network-terms-v1.md",
                      headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "http.cross_site"
    assert client.get("/api/v1/documents").json()["documents"] == []


def test_the_key_is_checked_before_the_body_is_read(client: TestClient, store: Store) -> None:
    store.create_key("legal")
    # Without a key even a malformed body is answered 401, not parsed (422).
    response = client.post("/api/v1/comparisons", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 401
    big = client.post("/api/v1/checks", content=b"x" * (3 * 1024 * 1024),
                      headers={"content-type": "application/json",
                               "Authorization": "Bearer tsk_wrong"})
    assert big.status_code == 401


def test_json_bodies_are_capped(client: TestClient) -> None:
    response = client.post("/api/v1/checks", content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "bytes for this request" in response.json()["error"]["message"]


def test_other_workspace_originals_and_timelines_are_404(client: TestClient,
                                                         store: Store) -> None:
    a, b = _bearer(store.create_key("team-a")), _bearer(store.create_key("team-b"))
    old = upload(client, "agent-network-terms-v1.md", headers=a).json()["id"]
    new = upload(client, "agent-network-terms-v2.md", headers=a).json()["id"]
    assert client.get(f"/api/v1/documents/{old}/original", headers=b).status_code == 404
    assert client.post("/api/v1/timelines", json={"documents": [old, new]},
                       headers=b).status_code == 404
    assert client.post("/api/v1/timelines", json={"documents": [old, new]},
                       headers=a).status_code == 200


def test_malformed_ids_and_nul_characters_are_not_found_or_refused(client: TestClient
                                                                   ) -> None:
    assert client.get("/api/v1/documents/doc_%00").status_code == 404
    assert client.get("/api/v1/documents", params={"q": "a\x00b"}).status_code == 200
    named = upload(client, "agent-network-terms-v1.md", form={"name": "x\x00y"})
    assert named.status_code == 201 and "\x00" not in named.json()["name"]


def test_a_public_server_whose_keys_are_all_revoked_refuses_everything(
        settings: Settings, store: Store) -> None:
    key = store.create_key("legal")
    app = create_app(settings, store, bind_host="0.0.0.0")
    with TestClient(app, base_url=LOCAL) as public:
        assert public.get("/api/v1/documents", headers=_bearer(key)).status_code == 200
        store.revoke_key(key)
        time.sleep(1.1)  # the gate looks keys up at most once a second
        response = public.get("/api/v1/documents", headers={"Host": "127.0.0.1"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "auth.no_keys"
