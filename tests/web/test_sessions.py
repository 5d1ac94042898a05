"""Sign-in sessions: the cookie holds a random token (never the key), the store its hash; a
session ends on sign-out, when its key is revoked, when idle too long and at its maximum
age; the cookie is Secure over TLS or behind a trusted proxy; opaque origins cannot write."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_support import LOCAL, corpus, migrations_config

from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.store.sessions import StoredSession, count_sessions, session_key_prefix
from analyzer.store.tables import utcnow
from analyzer.web.app import create_app
from analyzer.web.auth import COOKIE, OLD_COOKIE

V1 = "agent-network-terms-v1.md"


def _set_cookie(response: object, name: str) -> SimpleCookie:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    jar: SimpleCookie = SimpleCookie()
    for header in headers:
        if header.startswith(name + "="):
            jar.load(header)
    assert name in jar, headers
    return jar


def _sign_in(client: TestClient, key: str) -> str:
    signed = client.post("/login", data={"key": key}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return _set_cookie(signed, COOKIE)[COOKIE].value


def _signed_in(client: TestClient, token: str) -> bool:
    client.cookies.clear()
    client.cookies.set(COOKIE, token)
    page = client.get("/", follow_redirects=False)
    return page.status_code == 200


def _wait_for_keys(client: TestClient) -> None:
    """The gate looks at whether keys exist at most once a second: until it has seen the
    new key, the server is still in the local mode."""
    deadline = time.monotonic() + 10
    # Until then a Host that is not loopback is refused as in the local mode (421).
    while client.get("/api/v1/documents", headers={"Host": "example.org"}).status_code == 421:
        assert time.monotonic() < deadline, "the server did not see the new key"
        time.sleep(0.1)


def test_the_cookie_holds_a_random_token_stored_hashed(client: TestClient,
                                                       store: Store) -> None:
    key = store.create_key("legal")
    signed = client.post("/login", data={"key": key}, follow_redirects=False)
    cookie = _set_cookie(signed, COOKIE)[COOKIE]
    token = cookie.value
    assert key not in signed.headers.get("set-cookie", "")
    assert len(token) >= 40 and token != key
    assert cookie["httponly"] and cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/" and int(cookie["max-age"]) == 12 * 3600
    assert not cookie["secure"]  # plain HTTP on loopback
    with store.session() as s:
        stored = s.scalars(select(StoredSession.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert _sign_in(client, key) != token  # every sign-in is a new session
    page = client.get("/")
    assert page.status_code == 200 and "legal" in page.text


def test_a_session_names_the_prefix_of_its_key_not_the_key(client: TestClient,
                                                           store: Store) -> None:
    key = store.create_key("legal")
    token = _sign_in(client, key)
    assert session_key_prefix(store, token) == key[:10] == store.list_keys()[0][1]
    assert session_key_prefix(store, "no-such-token") is None


def test_signing_out_ends_the_session_on_the_server(client: TestClient, store: Store) -> None:
    key = store.create_key("legal")
    token = _sign_in(client, key)
    assert _signed_in(client, token)
    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'Max-Age=0' in out.headers["set-cookie"] or "max-age=0" in out.headers["set-cookie"]
    assert count_sessions(store) == 0
    # A copy of the cookie kept elsewhere no longer opens anything.
    assert not _signed_in(client, token)


def test_revoking_a_key_ends_its_sessions_only(client: TestClient, store: Store) -> None:
    legal, sales = store.create_key("legal"), store.create_key("sales")
    legal_token, sales_token = _sign_in(client, legal), _sign_in(client, sales)
    store.revoke_key(legal)
    assert not _signed_in(client, legal_token)
    assert _signed_in(client, sales_token)
    assert count_sessions(store) == 1


def test_a_session_ends_when_idle_and_at_its_maximum_age(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0, session_idle_seconds=600,
                        session_max_seconds=3600)
    store = Store(settings)
    key = store.create_key("legal")
    try:
        with TestClient(create_app(settings, store), base_url=LOCAL) as client:
            idle, old = _sign_in(client, key), _sign_in(client, key)

            def age(token: str, **moved: timedelta) -> None:
                digest = hashlib.sha256(token.encode()).hexdigest()
                with store.session() as s:
                    s.execute(update(StoredSession)
                              .where(StoredSession.token_hash == digest)
                              .values({name: utcnow() - delta
                                       for name, delta in moved.items()}))

            age(idle, last_seen_at=timedelta(seconds=601))
            age(old, created_at=timedelta(seconds=3601))
            assert not _signed_in(client, idle)
            assert not _signed_in(client, old)
            # Used within the idle time, a session lives on (up to its maximum age).
            fresh = _sign_in(client, key)
            age(fresh, last_seen_at=timedelta(seconds=300), created_at=timedelta(seconds=3000))
            assert _signed_in(client, fresh)
            assert count_sessions(store) == 1  # the two ended ones were deleted
    finally:
        store.close()


def test_an_old_cookie_holding_the_key_no_longer_signs_in(client: TestClient,
                                                          store: Store) -> None:
    key = store.create_key("legal")
    client.cookies.set(OLD_COOKIE, key)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    cleared = _set_cookie(page, OLD_COOKIE)[OLD_COOKIE]
    assert cleared.value == "" and cleared["max-age"] == "0"


def test_the_cookie_is_secure_over_tls(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0)
    store = Store(settings)
    key = store.create_key("legal")
    try:
        with TestClient(create_app(settings, store), base_url="https://127.0.0.1") as client:
            signed = client.post("/login", data={"key": key}, follow_redirects=False)
            assert _set_cookie(signed, COOKIE)[COOKIE]["secure"]
    finally:
        store.close()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[Store, Settings]]:
    settings = Settings(data_dir=tmp_path, workers=0,
                        trusted_proxies="10.0.0.7, 192.168.50.0/24")
    store = Store(settings)
    yield store, settings
    store.close()


@pytest.mark.parametrize(("peer", "secure"), [("10.0.0.7", True), ("192.168.50.3", True),
                                              ("10.0.0.8", False), ("127.0.0.1", False)])
def test_a_trusted_proxy_decides_secure_and_no_one_else(
        proxied: tuple[Store, Settings], peer: str, secure: bool) -> None:
    store, settings = proxied
    key = store.create_key("legal")
    with TestClient(create_app(settings, store), base_url=LOCAL, client=(peer, 40000)) as client:
        signed = client.post("/login", data={"key": key}, follow_redirects=False,
                             headers={"X-Forwarded-Proto": "https",
                                      "X-Forwarded-For": "203.0.113.9"})
        assert bool(_set_cookie(signed, COOKIE)[COOKIE]["secure"]) is secure


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0)
    assert settings.trusted_networks() == ()
    store = Store(settings)
    key = store.create_key("legal")
    try:
        with TestClient(create_app(settings, store), base_url=LOCAL,
                        client=("127.0.0.1", 40000)) as client:
            signed = client.post("/login", data={"key": key}, follow_redirects=False,
                                 headers={"X-Forwarded-Proto": "https"})
            assert not _set_cookie(signed, COOKIE)[COOKIE]["secure"]
    finally:
        store.close()


def test_a_wrong_trusted_proxy_entry_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an address"):
        Settings(trusted_proxies="10.0.0.1, 10.0.0.300")


def test_writes_from_an_opaque_origin_are_refused(client: TestClient, store: Store) -> None:
    # Local mode: the API without a key, and page forms.
    null = {"Origin": "null"}
    api = client.post("/api/v1/documents", files={"file": (V1, corpus(V1))}, headers=null)
    assert api.status_code == 403 and api.json()["error"]["code"] == "http.cross_site"
    form = client.post("/upload", files=[("files", (V1, corpus(V1)))], headers=null)
    assert form.status_code == 403
    assert client.get("/api/v1/documents").json()["documents"] == []
    # Signed in: forms still refuse it, including sign-in and sign-out themselves.
    key = store.create_key("legal")
    _wait_for_keys(client)
    token = _sign_in(client, key)
    client.cookies.set(COOKIE, token)
    assert client.post("/upload", files=[("files", (V1, corpus(V1)))],
                       headers=null).status_code == 403
    assert client.post("/logout", headers=null).status_code == 403
    assert client.post("/login", data={"key": key}, headers=null).status_code == 403
    # A bearer key is never sent by another site's page: the API accepts the write.
    keyed = client.post("/api/v1/documents", files={"file": (V1, corpus(V1))},
                        headers={**null, "Authorization": f"Bearer {key}"})
    assert keyed.status_code == 201, keyed.text


def test_the_sessions_migration_goes_down_and_up(settings: Settings) -> None:
    from alembic import command
    from sqlalchemy import inspect

    store = Store(settings)
    key = store.create_key("legal")
    config = migrations_config()
    try:
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")  # this migration and those after it
        assert "sessions" not in inspect(store.engine).get_table_names()
        store.migrate()  # back to the head, as every start does
        assert "sessions" in inspect(store.engine).get_table_names()
        assert store.workspace_for_key(key) is not None  # the rest of the store is intact
    finally:
        store.close()
