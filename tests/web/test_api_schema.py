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
        answer = client.get(path, params={"offset": 73091376666366844928})
        assert answer.status_code == 422, path
        assert answer.json()["error"]["code"] == "request.invalid"


def test_a_wrong_method_names_every_method_of_the_path(client: TestClient) -> None:
    for path, allowed in (("/api/v1/documents", "GET, POST"),
                          ("/api/v1/documents/doc_0000000000000000", "DELETE, GET"),
                          ("/api/v1/comparisons", "GET, POST"),
                          ("/api/v1/batches/bat_0000000000000000", "DELETE, GET")):
        answer = client.request("OPTIONS", path)
        assert answer.status_code == 405 and answer.headers["allow"] == allowed, path
        assert answer.json()["error"]["code"] == "http.405"
