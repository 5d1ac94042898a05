"""What the Schemathesis run found, pinned as plain tests: the published schema and the
answers agree (media types, paging bounds, the methods a path allows)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_media_type_served_is_declared(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def declared(path: str, method: str, status: str) -> set[str]:
        return set(paths[path][method]["responses"][status]["content"])

    assert declared("/api/v1/documents/{doc_id}/clauses", "get", "200") == {
        "application/json", "text/html"}
    assert declared("/api/v1/documents/{doc_id}/original", "get", "200") == {
        "application/octet-stream"}
    assert {"text/markdown", "application/pdf"} <= declared(
        "/api/v1/comparisons/{comparison_id}", "get", "200")
    assert "text/markdown" in declared("/api/v1/checks", "post", "201")
    assert declared("/api/v1/timelines", "post", "200") == {"application/json", "text/html"}


def test_an_offset_past_any_sql_integer_is_422(client: TestClient) -> None:
    for path in ("/api/v1/comparisons", "/api/v1/documents"):
        for offset in (9223372036854775808, 73091376666366844928):
            answer = client.get(path, params={"offset": offset})
            assert answer.status_code == 422, (path, offset)
            assert answer.json()["error"]["code"] == "request.invalid"


def test_markdown_is_neither_offered_nor_served_for_clauses_and_timelines(
        client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (("/api/v1/documents/{doc_id}/clauses", "get"),
                         ("/api/v1/timelines", "post")):
        (fmt,) = [p for p in paths[path][method]["parameters"] if p["name"] == "format"]
        assert "md" not in str(fmt["schema"]), path
    asked = client.get("/api/v1/documents/doc_0000000000000000/clauses?format=md")
    assert asked.status_code == 422 and asked.json()["error"]["code"] == "request.invalid"


def test_an_upload_with_several_file_parts_is_refused(client: TestClient) -> None:
    answer = client.post("/api/v1/documents", files=[
        ("file", ("a.md", b"# A\n\nYou agree.\n")), ("file", ("b.md", b"# B\n\nWe may.\n"))])
    assert answer.status_code == 400 and "one file per upload" in answer.json()["error"]["message"]
    assert client.get("/api/v1/documents").json()["documents"] == []


def test_a_wrong_method_names_every_method_of_the_path(client: TestClient) -> None:
    for path, allowed in (("/api/v1/documents", "GET, POST"),
                          ("/api/v1/documents/doc_0000000000000000", "DELETE, GET"),
                          ("/api/v1/comparisons", "GET, POST"),
                          ("/api/v1/batches/bat_0000000000000000", "DELETE, GET")):
        answer = client.request("OPTIONS", path)
        assert answer.status_code == 405 and answer.headers["allow"] == allowed, path
        assert answer.json()["error"]["code"] == "http.405"
