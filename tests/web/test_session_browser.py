"""A person signs in and out in headless Chromium: the browser holds a session token, not the
key, and after "Sign out" a copy of the old cookie opens nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from live_server import LiveServer

from analyzer.settings import Settings
from analyzer.store import open_store
from analyzer.web.app import create_app
from analyzer.web.auth import COOKIE


def test_sign_in_and_out_in_the_browser(browser: Any, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workers=0)
    store = open_store(settings)
    key = store.create_key("legal")
    try:
        with LiveServer(create_app(settings, store)) as server:
            context = browser.new_context()
            page = context.new_page()
            page.goto(server.url + "/")
            assert page.url.endswith("/login")
            page.fill("input[name=key]", key)
            page.click("button[type=submit]")
            page.wait_for_url(server.url + "/")
            (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
            assert cookie["value"] != key and key not in str(context.cookies())
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            assert not cookie["secure"]  # plain HTTP on loopback
            page.click("text=Sign out")
            page.wait_for_url(server.url + "/login")
            assert not [c for c in context.cookies() if c["name"] == COOKIE]
            context.add_cookies([cookie])  # a copy kept from before: the session is over
            page.goto(server.url + "/")
            assert page.url.endswith("/login")
            page.screenshot(path=str(tmp_path / "signed-out.png"))
            context.close()
    finally:
        store.close()
