"""Triage of a comparison's findings over the API and the report page, on both stores: set,
read and list states; errors; who and when; what survives a restart and a re-comparison;
the exports; the library's MEDIUM badge."""

from __future__ import annotations

import io
import json
from typing import Any

import docx
import pdfplumber
from fastapi.testclient import TestClient
from sqlalchemy import text
from web_support import LOCAL, corpus, upload

from analyzer.settings import Settings
from analyzer.store import Store, open_store
from analyzer.store.triage import TriageStore
from analyzer.web.app import create_app

LAW_OLD = b"# Terms\n\n## Fees\n\nYou pay the fees shown at checkout.\n\n## Law\n\n" \
          b"These terms are governed by the laws of France.\n"
LAW_NEW = LAW_OLD.replace(b"France", b"Ireland")


def _compare(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, Any]:
    old = upload(client, "agent-network-terms-v1.md", headers=headers).json()["id"]
    new = upload(client, "agent-network-terms-v2.md", headers=headers).json()["id"]
    made = client.post("/api/v1/comparisons", json={"old": old, "new": new},
                       headers=headers or {})
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _url(comparison: str, finding: str) -> str:
    return f"/api/v1/comparisons/{comparison}/findings/{finding}/triage"


def _states(client: TestClient, comparison: str,
            headers: dict[str, str] | None = None) -> dict[str, str]:
    listed = client.get(f"/api/v1/comparisons/{comparison}/triage", headers=headers or {})
    assert listed.status_code == 200, listed.text
    return {item["finding"]: item["state"] for item in listed.json()["findings"]}


def test_set_read_and_list_a_comparisons_triage(client: TestClient) -> None:
    made = _compare(client)
    cid, count = made["id"], len(made["findings"])
    assert set(_states(client, cid).values()) == {"open"}

    reviewed = client.put(_url(cid, "f1"), json={"state": "reviewed", "note": "Checked."})
    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()
    assert (body["finding"], body["state"], body["note"], body["reason"]) == (
        "f1", "reviewed", "Checked.", None)
    assert body["by"] == "local" and body["at"].endswith("Z") and len(body["key"]) == 32
    dismissed = client.put(_url(cid, "f2"), json={"state": "dismissed",
                                                  "reason": "Boilerplate we accept."})
    assert dismissed.json()["reason"] == "Boilerplate we accept."
    client.put(_url(cid, "f3"), json={"state": "flagged"})
    client.put(_url(cid, "f4"), json={"state": "flagged", "note": "Ask the client."})

    one = client.get(_url(cid, "f2")).json()
    assert (one["state"], one["reason"]) == ("dismissed", "Boilerplate we accept.")
    listed = client.get(f"/api/v1/comparisons/{cid}/triage").json()
    assert listed["summary"] == {"findings": count, "open": count - 4, "reviewed": 1,
                                 "dismissed": 1, "flagged": 2}
    first = listed["findings"][0]
    assert first["finding"] == "f1" and first["title"] and first["severity"] == "high"
    # Addressed by its key, the same finding answers; "open" clears the verdict.
    by_key = client.get(_url(cid, first["key"])).json()
    assert by_key["finding"] == "f1" and by_key["state"] == "reviewed"
    reopened = client.put(_url(cid, "f1"), json={"state": "open"}).json()
    assert reopened["state"] == "open" and reopened["by"] == "local"
    assert reopened["summary"]["reviewed"] == 0
    # A dismissal's reason goes when the finding gets another state.
    assert client.put(_url(cid, "f2"), json={"state": "reviewed"}).json()["reason"] is None


def test_bad_requests_are_4xx_json(client: TestClient) -> None:
    cid = _compare(client)["id"]

    def error(response: Any, status: int) -> dict[str, str]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/json")
        found: dict[str, str] = response.json()["error"]
        return found

    bad_state = error(client.put(_url(cid, "f1"), json={"state": "done"}), 422)
    assert bad_state["code"] == "request.invalid" and "reviewed" in bad_state["message"]
    no_reason = error(client.put(_url(cid, "f1"), json={"state": "dismissed"}), 422)
    assert no_reason["code"] == "triage.reason_required"
    blank = error(client.put(_url(cid, "f1"), json={"state": "dismissed", "reason": "  "}), 422)
    assert blank["code"] == "triage.reason_required"
    long_note = error(client.put(_url(cid, "f1"), json={"state": "flagged",
                                                        "note": "n" * 2001}), 422)
    assert long_note["code"] == "limit.triage_note" and "2,000" in long_note["message"]
    long_reason = error(client.put(_url(cid, "f1"), json={"state": "dismissed",
                                                          "reason": "r" * 501}), 422)
    assert long_reason["code"] == "limit.triage_reason"
    assert error(client.put(_url(cid, "f999"), json={"state": "flagged"}), 404)[
        "code"] == "store.not_found"
    assert error(client.put(_url("cmp_0000000000000000", "f1"), json={"state": "flagged"}),
                 404)["code"] == "store.not_found"
    assert error(client.get(_url(cid, "f999")), 404)["code"] == "store.not_found"
    assert error(client.get("/api/v1/comparisons/nonsense/triage"), 404)["code"] == (
        "store.not_found")
    garbled = client.put(_url(cid, "f1"), content=b"{not json",
                         headers={"content-type": "application/json"})
    assert error(garbled, 422)["code"] == "request.invalid"
    # Nothing of the refused requests was kept.
    assert set(_states(client, cid).values()) == {"open"}
    # A note with a NUL (PostgreSQL refuses it in text) is kept without it.
    kept = client.put(_url(cid, "f1"), json={"state": "flagged", "note": "a\x00b"}).json()
    assert kept["note"] == "a b"


def test_another_workspace_sees_404_and_verdicts_name_the_key_not_the_key(
        settings: Settings, store: Store) -> None:
    key_a, key_b = store.create_key("team-a"), store.create_key("team-b")
    a, b = {"Authorization": f"Bearer {key_a}"}, {"Authorization": f"Bearer {key_b}"}
    with TestClient(create_app(settings, store), base_url=LOCAL) as client:
        cid = _compare(client, a)["id"]
        assert client.put(_url(cid, "f1"), json={"state": "flagged"}).status_code == 401
        set_a = client.put(_url(cid, "f1"), json={"state": "flagged"}, headers=a).json()
        assert set_a["by"] == f"key {key_a[:10]}" and key_a not in json.dumps(set_a)
        for response in (client.get(f"/api/v1/comparisons/{cid}/triage", headers=b),
                         client.get(_url(cid, "f1"), headers=b),
                         client.put(_url(cid, "f1"), json={"state": "reviewed"}, headers=b)):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "store.not_found"
        assert _states(client, cid, a)["f1"] == "flagged"
        # The report page's controls, signed in with a session, record the key's prefix too.
        assert client.post("/login", data={"key": key_a},
                           follow_redirects=False).status_code == 303
        posted = client.post(f"/comparisons/{cid}/triage",
                             data={"finding": "f2", "state": "reviewed"},
                             headers={"Accept": "application/json"})
        assert posted.status_code == 200 and posted.json()["triage"]["by"] == f"key {key_a[:10]}"
        client.cookies.clear()
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT actor, note, reason FROM finding_triage")).all()
    assert stored and all(key_a not in str(row) for row in stored)


def test_writes_from_another_site_are_refused(client: TestClient) -> None:
    cid = _compare(client)["id"]
    evil = {"Origin": "http://evil.example"}
    api = client.put(_url(cid, "f1"), json={"state": "flagged"}, headers=evil)
    assert api.status_code == 403 and api.json()["error"]["code"] == "http.cross_site"
    page = client.post(f"/comparisons/{cid}/triage",
                       data={"finding": "f1", "state": "flagged"},
                       headers={**evil, "Accept": "application/json"})
    assert page.status_code == 403
    assert set(_states(client, cid).values()) == {"open"}


def test_the_page_form_works_without_javascript(client: TestClient) -> None:
    cid = _compare(client)["id"]
    page = client.get(f"/comparisons/{cid}")
    assert page.text.count("<form class=\"triage-form\"") == len(_states(client, cid))
    posted = client.post(f"/comparisons/{cid}/triage",
                         data={"finding": "f1", "state": "dismissed", "reason": "Known."},
                         follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == (
        f"/comparisons/{cid}#f1")
    again = client.get(posted.headers["location"]).text
    assert "Reason:</b> Known." in again and "0 of " in again and "1 dismissed" in again
    # Without JavaScript an error is a page; the page's script asks for JSON and gets it.
    refused = client.post(f"/comparisons/{cid}/triage",
                          data={"finding": "f1", "state": "dismissed"})
    assert refused.status_code == 422 and "needs a reason" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    scripted = client.post(f"/comparisons/{cid}/triage",
                           data={"finding": "f1", "state": "nonsense"},
                           headers={"Accept": "application/json"})
    assert scripted.status_code == 422
    assert scripted.json()["error"]["code"] == "triage.bad_state"


def test_triage_survives_a_restart(settings: Settings) -> None:
    first = open_store(settings)
    with TestClient(create_app(settings, first), base_url=LOCAL) as client:
        cid = _compare(client)["id"]
        client.put(_url(cid, "f2"), json={"state": "dismissed", "reason": "Not ours."})
    first.close()
    second = open_store(settings)
    with TestClient(create_app(settings, second), base_url=LOCAL) as client:
        again = client.get(_url(cid, "f2")).json()
        assert (again["state"], again["reason"]) == ("dismissed", "Not ours.")
    second.close()


def test_triage_carries_over_a_recomparison_and_an_upgrade(client: TestClient,
                                                           store: Store) -> None:
    made = _compare(client)
    cid = made["id"]
    client.put(_url(cid, "f1"), json={"state": "flagged", "note": "Escalate."})
    before = client.get(_url(cid, "f1")).json()
    # The same two documents compared again.
    old_id, new_id = _doc_ids(client)
    again = client.post("/api/v1/comparisons", json={"old": old_id, "new": new_id})
    assert again.status_code == 201
    assert again.json()["findings"][0]["triage"]["state"] == "flagged"
    # An upgrade: the stored rendering is out of date, so the comparison is made again
    # from the stored analyses and stored anew.
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE comparisons SET report_version = 'retired', "
                          "result_json = '{}' WHERE id = :id"), {"id": cid})
    after = client.get(_url(cid, "f1")).json()
    assert (after["state"], after["note"], after["key"]) == (
        "flagged", "Escalate.", before["key"])
    report = client.get(f"/api/v1/comparisons/{cid}").json()
    assert report["findings"][0]["triage"]["note"] == "Escalate."


def _doc_ids(client: TestClient) -> tuple[str, str]:
    docs = {d["version_label"]: d["id"] for d in client.get("/api/v1/documents").json()[
        "documents"]}
    return docs["v1"], docs["v2"]


def test_a_vanished_finding_keeps_its_verdict_unshown(client: TestClient, store: Store
                                                      ) -> None:
    made = _compare(client)
    ws = store.workspace()
    triage = TriageStore(store)
    old_sha, new_sha = made["old"]["sha256"], made["new"]["sha256"]
    triage.set(ws, old_sha, new_sha, key="0" * 32, finding_type="clause_removed",
               state="reviewed", reason=None, note="from an earlier version of the rules",
               actor="local")
    listed = client.get(f"/api/v1/comparisons/{made['id']}/triage").json()
    assert listed["summary"]["reviewed"] == 0
    assert all(item["key"] != "0" * 32 for item in listed["findings"])
    assert "0" * 32 in triage.verdicts(ws, old_sha, new_sha)


def test_deleting_a_document_deletes_its_comparisons_triage(client: TestClient,
                                                            store: Store) -> None:
    made = _compare(client)
    client.put(_url(made["id"], "f1"), json={"state": "reviewed"})
    ws = store.workspace()
    assert TriageStore(store).verdicts(ws, made["old"]["sha256"], made["new"]["sha256"])
    assert client.delete(f"/api/v1/documents/{_doc_ids(client)[0]}").status_code == 204
    assert TriageStore(store).verdicts(ws, made["old"]["sha256"], made["new"]["sha256"]) == {}


def test_exports_carry_each_findings_state_and_note(client: TestClient) -> None:
    cid = _compare(client)["id"]
    client.put(_url(cid, "f1"), json={"state": "flagged", "note": "Escalate <now>."})
    client.put(_url(cid, "f2"), json={"state": "dismissed", "reason": "Known since 2024."})

    exported = json.loads(client.get(f"/comparisons/{cid}/download?format=json").text)
    assert exported["id"] == cid and exported["schema_version"]
    assert exported["findings"][0]["triage"]["state"] == "flagged"
    assert exported["findings"][1]["triage"]["reason"] == "Known since 2024."
    assert all(set(f["triage"]) == {"key", "state", "reason", "note", "by", "at"}
               for f in exported["findings"])

    markdown = client.get(f"/comparisons/{cid}/download?format=md").text
    assert "- triage: **flagged** by local on " in markdown
    assert "note: Escalate &lt;now&gt;." in markdown
    assert "reason: Known since 2024." in markdown
    assert "Triage: 0 of " in markdown and "1 dismissed, 1 flagged." in markdown

    word = docx.Document(io.BytesIO(client.get(f"/api/v1/comparisons/{cid}?format=docx")
                                    .content))
    comments = [c.text for c in word.comments]
    assert any("Triage: flagged by local" in c and "Escalate <now>." in c for c in comments)
    assert any("Reason: Known since 2024." in c for c in comments)

    pdf = client.get(f"/comparisons/{cid}/download?format=pdf").content
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        words = " ".join((page.extract_text() or "") for page in opened.pages)
    assert "Triage: flagged by local" in words and "Known since 2024." in words

    api_html = client.get(f"/api/v1/comparisons/{cid}?format=html").text
    assert "Escalate &lt;now&gt;." in api_html and "<form class=\"triage-form\"" not in api_html
    download = client.get(f"/comparisons/{cid}/download?format=html").text
    assert "Reason:</b> Known since 2024." in download
    assert "<form class=\"triage-form\"" not in download
    assert "Escalate <now>" not in download  # escaped, never markup


def test_the_library_badges_a_report_whose_worst_finding_is_medium(client: TestClient
                                                                    ) -> None:
    old = upload(client, "law-v1.md", LAW_OLD).json()["id"]
    new = upload(client, "law-v2.md", LAW_NEW).json()["id"]
    made = client.post("/api/v1/comparisons", json={"old": old, "new": new}).json()
    assert made["summary"]["findings"]["high"] == 0
    assert made["summary"]["findings"]["medium"] == 1
    high = _compare(client)["id"]
    library = client.get("/").text
    assert '<span class="badge sev-medium">1 medium</span>' in library
    assert library.count("badge sev-medium") == 1  # the report with high findings: HIGH only
    assert "badge sev-high" in library and high in library
    listed = {i["id"]: i for i in client.get("/api/v1/comparisons").json()["items"]}
    assert (listed[made["id"]]["high"], listed[made["id"]]["medium"]) == (0, 1)


def test_a_findings_key_does_not_depend_on_its_id_or_place() -> None:
    from analyzer.api import analyze, compare_versions
    from analyzer.serialize import comparison_to_json
    from analyzer.store.triage import finding_keys

    findings = comparison_to_json(compare_versions(
        analyze(corpus("agent-network-terms-v1.md"), name="v1.md"),
        analyze(corpus("agent-network-terms-v2.md"), name="v2.md")))["findings"]
    keys = finding_keys(findings)
    assert len(set(keys.values())) == len(keys) == len(findings)
    by_content = {(f["type"], f["old_clause"], f["new_clause"]): keys[f["id"]]
                  for f in findings}
    # Renumbered in another order, with the clauses' whitespace changed: the same keys.
    def respaced(text: str | None) -> str | None:
        return None if text is None else "  " + text.replace(" ", "\n ") + "\n"

    reordered = [dict(f, id=f"f{n}", evidence={side: respaced(f["evidence"][side])
                                               for side in ("old", "new")})
                 for n, f in enumerate(reversed(findings), start=1)]
    again = finding_keys(reordered)
    assert {(f["type"], f["old_clause"], f["new_clause"]): again[f["id"]]
            for f in reordered} == by_content
    # Two findings that agree on type and texts are told apart; another type, or another
    # text, is another key.
    doubled = finding_keys([findings[0], dict(findings[0], id="f99")])
    assert doubled["f1"] == keys["f1"] and doubled["f99"] != keys["f1"]
    assert finding_keys([dict(findings[0], type="clause_modified")])["f1"] != keys["f1"]
    reworded = dict(findings[0], evidence={"old": None, "new": "You are responsible."})
    assert finding_keys([reworded])["f1"] != keys["f1"]
    # One sentence added in two places: each keeps its key, whichever the report lists first
    # (their severities may part when one of them is folded into a rewritten section).
    added = {"type": "clause_added", "evidence": {"old": None, "new": "Fees are due monthly."}}
    billing = dict(added, id="fa", old_clause=None, new_clause="c12")
    accounts = dict(added, id="fb", old_clause=None, new_clause="c40")
    first = finding_keys([billing, accounts])
    assert finding_keys([dict(accounts, id="fb"), dict(billing, id="fa")]) == first
    assert first["fa"] != first["fb"]
