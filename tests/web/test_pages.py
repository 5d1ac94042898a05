"""The web pages without a browser: forms, redirects, sign-in, downloads, refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_support import corpus, wait_until_read

from analyzer.store import Store

V1, V2 = "agent-network-terms-v1.md", "agent-network-terms-v2.md"


def _upload_pair(client: TestClient) -> str:
    response = client.post("/upload", files=[("files", (V1, corpus(V1))),
                                             ("files", (V2, corpus(V2)))],
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_index_is_served_under_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "characters of text (about" in page.text  # the text limit is said before upload
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'sha256-" in policy
    assert page.headers["x-frame-options"] == "DENY"


def test_upload_two_versions_then_compare_these_two(client: TestClient) -> None:
    location = _upload_pair(client)
    assert location.startswith("/?uploaded=")
    index = client.get(location)
    assert "Uploaded 2 documents." in index.text and "Compare these two" in index.text
    assert "agent-network-terms" in index.text and "v1" in index.text
    old = client.get("/api/v1/documents").json()["documents"][0]["id"]
    new = client.get("/api/v1/documents").json()["documents"][1]["id"]
    made = client.post("/compare", data={"old": old, "new": new}, follow_redirects=False)
    assert made.status_code == 303
    report = client.get(made.headers["location"])
    assert report.status_code == 200 and "What shifted" in report.text
    assert 'class="app-nav"' in report.text  # the navigation bar, with downloads
    for fmt, kind in (("html", "text/html"), ("json", "application/json"),
                      ("md", "text/markdown"), ("docx", "application/vnd.openxmlformats"),
                      ("pdf", "application/pdf")):
        assert f"/download?format={fmt}" in report.text  # a link in the navigation bar
        download = client.get(made.headers["location"] + f"/download?format={fmt}")
        assert download.status_code == 200 and download.headers["content-type"].startswith(kind)
        assert download.headers["content-disposition"].startswith("attachment;")
        assert f'.{fmt}"' in download.headers["content-disposition"]
    plain = client.get(made.headers["location"] + "/download?format=html").text
    assert 'class="app-nav"' not in plain  # a downloaded report is the standalone file
    # The page offers the same pair the other way round.
    assert f'name="old" value="{new}"' in report.text and 'id="swap"' in report.text
    swapped = client.post("/compare", data={"old": new, "new": old}, follow_redirects=False)
    body = client.get("/api/v1" + swapped.headers["location"]).json()
    assert body["old"]["sha256"] != client.get(f"/api/v1/documents/{old}").json()["sha256"]


def test_compare_the_two_selected_orders_by_upload(client: TestClient) -> None:
    _upload_pair(client)
    docs = client.get("/api/v1/documents").json()["documents"]
    made = client.post("/compare", data={"doc": [docs[1]["id"], docs[0]["id"]]},
                       follow_redirects=False)
    cid = made.headers["location"].rsplit("/", 1)[1]
    body = client.get(f"/api/v1/comparisons/{cid}").json()
    assert body["old"]["sha256"] == docs[0]["sha256"]
    one = client.post("/compare", data={"doc": [docs[0]["id"]]})
    assert one.status_code == 400 and "pick exactly two" in one.text


def test_two_uploads_of_one_file_name_are_told_apart_in_the_report_list(
        client: TestClient) -> None:
    for name in (V1, V2):  # two versions, each uploaded as "terms.md"
        sent = client.post("/upload", files=[("files", ("terms.md", corpus(name)))],
                           follow_redirects=False)
        assert sent.status_code == 303
    docs = client.get("/api/v1/documents").json()["documents"]
    assert [d["filename"] for d in docs] == ["terms.md", "terms.md"]
    made = client.post("/compare", data={"doc": [d["id"] for d in docs]},
                       follow_redirects=False)
    assert made.status_code == 303
    index = client.get("/").text
    listed = index.split('id="comparisons"')[1].split("</section>")[0]
    assert "terms.md (uploaded " in listed
    assert docs[0]["id"][:8] in listed and docs[1]["id"][:8] in listed


def test_the_same_file_twice_is_said_once_and_never_offered_against_itself(
        client: TestClient) -> None:
    page = client.post("/upload", files=[("files", (V1, corpus(V1))),
                                         ("files", ("copy.md", corpus(V1)))],
                       follow_redirects=False)
    assert page.status_code == 200
    assert "Uploaded 1 of 2 files." in page.text
    assert ("copy.md: the same file is already in the library as agent-network-terms"
            in page.text)
    assert "Compare these two" not in page.text
    again = client.post("/upload", files=[("files", (V1, corpus(V1)))], follow_redirects=False)
    assert "Uploaded 0 of 1 files." in again.text and "no copy was added" in again.text
    assert len(client.get("/api/v1/documents").json()["documents"]) == 1


def test_while_reading_the_page_refreshes_to_the_same_upload_notice() -> None:
    from analyzer.report.render import render_page

    html = render_page("pages/layout.html", reading=True, refresh="/?uploaded=doc_a%2Cdoc_b",
                       workspace=None, keyed=False, downloads=None, swap=None)
    assert 'content="2; url=/?uploaded=doc_a%2Cdoc_b"' in html


def test_untitled_versions_take_the_library_name_in_report_and_download(
        client: TestClient) -> None:
    old = b"Fees are monthly.\n\nWe may close accounts.\n"
    new = b"Fees are monthly.\n\nWe may close accounts at any time without notice.\n"
    sent = client.post("/upload", data={"name": "Acme terms"},
                       files=[("files", ("old.md", old)), ("files", ("new.md", new))],
                       follow_redirects=False)
    assert sent.status_code == 303
    docs = client.get("/api/v1/documents").json()["documents"]
    made = client.post("/compare", data={"doc": [d["id"] for d in docs]},
                       follow_redirects=False)
    report = client.get(made.headers["location"]).text
    assert "What shifted in Acme terms" in report and "What shifted in new.md" not in report
    # The JSON keeps the document's own title, as the command line prints it.
    body = client.get("/api/v1" + made.headers["location"]).json()
    assert body["new"]["title"] == "new.md"
    download = client.get(made.headers["location"] + "/download?format=md")
    assert 'filename="Acme_terms_old_to_new_report.md"' in download.headers["content-disposition"]
    assert "Acme%20terms%20old%20to%20new%20report.md" in download.headers["content-disposition"]


def test_a_bad_file_is_named_and_the_good_one_kept(client: TestClient) -> None:
    response = client.post("/upload", files=[("files", (V1, corpus(V1))),
                                             ("files", ("photo.png", b"\x89PNG\r\n\x1a\n" +
                                                        bytes(range(256))))])
    assert response.status_code == 422
    assert "photo.png" in response.text and "Uploaded 1 of 2 files." in response.text
    assert len(client.get("/api/v1/documents").json()["documents"]) == 1


def test_a_document_that_fails_to_parse_shows_why(client: TestClient) -> None:
    made = client.post("/upload", files=[("files", ("scan.pdf", b"%PDF-1.4 garbage"))],
                       follow_redirects=False)
    assert made.status_code == 303  # kept at once; read after the answer
    doc = wait_until_read(client, client.get("/api/v1/documents").json()["documents"][0]["id"])
    assert doc["status"] == "failed" and doc["error"]["code"].startswith("ingest.")
    page = client.get("/")
    assert "could not be read" in page.text and 'http-equiv="refresh"' not in page.text


def test_check_page_and_search(client: TestClient) -> None:
    client.post("/upload", files=[("files", ("agent-policy-weak.md",
                                             corpus("agent-policy-weak.md")))])
    doc = client.get("/api/v1/documents").json()["documents"][0]["id"]
    made = client.post("/checks", data={"document": doc}, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert page.status_code == 200 and "missing" in page.text
    assert client.get(made.headers["location"] + "/download?format=json").json()["controls"]
    md = client.get(made.headers["location"] + "/download?format=md")
    assert '.md"' in md.headers["content-disposition"] and "## Missing" in md.text
    assert "agent-policy-weak" in client.get("/?q=policy").text
    assert "No document matches" in client.get("/?q=nothing-like-this").text
    listed = client.get("/").text.split('id="checks"')[1].split("</ul>")[0]
    assert f'href="{made.headers["location"]}"' in listed  # the check can be found again


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post("/upload", files=[("files", (V1, corpus(V1)))],
                           headers={"Origin": "https://evil.example", "Sec-Fetch-Site":
                                    "cross-site"})
    assert response.status_code == 403 and "another site" in response.text
    assert client.get("/api/v1/documents").json()["documents"] == []


def test_with_keys_pages_ask_to_sign_in(client: TestClient, store: Store) -> None:
    key = store.create_key("legal")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    wrong = client.post("/login", data={"key": "tsk_nope"})
    assert wrong.status_code == 401 and "not known" in wrong.text
    signed = client.post("/login", data={"key": key}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "legal" in page.text and "Sign out" in page.text
    client.post("/logout")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_missing_pages_are_html_404(client: TestClient) -> None:
    page = client.get("/comparisons/cmp_0000000000000000")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no comparison" in page.text
    assert client.get("/no/such/page").status_code == 404


def test_delete_from_the_library(client: TestClient) -> None:
    _upload_pair(client)
    doc = client.get("/api/v1/documents").json()["documents"][0]
    page = client.get("/")
    assert f'formaction="/documents/{doc["id"]}/delete"' in page.text
    gone = client.post(f"/documents/{doc['id']}/delete", follow_redirects=False)
    assert gone.status_code == 303
    after = client.get(gone.headers["location"])
    assert f"Deleted {doc['filename']}" in after.text
    assert len(client.get("/api/v1/documents").json()["documents"]) == 1


def test_every_page_names_the_workspace_in_its_nav_bar(client: TestClient) -> None:
    for path in ("/documents/doc_ffffffffffffffff/original", "/no/such/page",
                 "/comparisons/cmp_ffffffffffffffff"):
        page = client.get(path)
        assert page.status_code == 404
        assert "Workspace: <b>local</b>" in page.text, path
        assert "WorkspaceRef" not in page.text


def test_signed_in_forms_posted_from_another_site_are_refused(client: TestClient,
                                                              store: Store) -> None:
    key = store.create_key("legal")
    assert client.post("/login", data={"key": key}).status_code == 200  # follows to /
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    response = client.post("/upload", files=[("files", (V1, corpus(V1)))], headers=evil)
    assert response.status_code == 403
    assert client.get("/api/v1/documents",
                      headers={"Authorization": f"Bearer {key}"}).json()["documents"] == []
    same_site = client.post("/upload", files=[("files", (V1, corpus(V1)))])
    assert same_site.status_code == 200  # redirected to the library
