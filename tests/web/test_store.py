"""The store on its own: migrations, content-addressed originals, stored analyses."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_support import corpus, store_at_revision

from analyzer.api import analyze
from analyzer.errors import NotFound, StoreError
from analyzer.settings import Settings
from analyzer.store import Store, open_store
from analyzer.store.blobs import BlobStore, sha256_of
from analyzer.store.codec import analysis_from_record, analysis_to_record


def test_opening_twice_keeps_the_data(settings: Settings) -> None:
    first = open_store(settings)
    ws = first.workspace("legal")
    data = corpus("assistant-terms-v1.md")
    doc, created = first.add_document(ws, data, analyze(data, name="a.md"),
                                     version="v", filename="a.md")
    first.close()
    second = open_store(settings)  # migrations run again: a no-op
    assert created and second.get_document(second.workspace("legal"), doc.id) == doc
    second.close()


@pytest.mark.parametrize("name", ["agent-network-terms-v2.md",
                                  "rendered/agent-network-terms-v2.pdf",
                                  "rendered/agent-network-terms-v2.docx",
                                  "rendered/agent-network-terms-v2.html"])
def test_a_stored_analysis_comes_back_equal(store: Store, name: str) -> None:
    data = corpus(name)
    analysis = analyze(data, name=Path(name).name)
    ws = store.workspace()
    doc, _ = store.add_document(ws, data, analysis, version="v",
                                filename=Path(name).name)
    assert store.load_analysis(ws, doc.id) == analysis
    assert analysis_from_record(analysis_to_record(analysis)) == analysis


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(Settings(data_dir=tmp_path))
    from sqlalchemy import text

    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert (tmp_path / "termshift.db").exists()
    store.close()


def test_originals_are_written_once_and_atomically(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    digest = blobs.put(b"hello")
    assert digest == sha256_of(b"hello") and blobs.get(digest) == b"hello"
    assert blobs.put(b"hello") == digest
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [blobs.path_of(digest)]  # no leftover temporary file
    with pytest.raises(StoreError):
        blobs.path_of("../../etc/passwd")


def test_unknown_ids_are_not_found(store: Store) -> None:
    ws = store.workspace()
    with pytest.raises(NotFound):
        store.get_document(ws, "doc_nope")
    with pytest.raises(NotFound):
        store.load_analysis(ws, "doc_nope")


def test_an_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path,
                        database_url="postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    with pytest.raises(StoreError) as caught:
        open_store(settings)
    assert "127.0.0.1" in str(caught.value) and "secret" not in str(caught.value)


def test_a_bad_database_url_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="TERMSHIFT_DATABASE_URL"):
        open_store(Settings(data_dir=tmp_path, database_url="nonsense://"))



def test_a_store_made_by_the_first_migration_upgrades_with_its_rows(settings: Settings
                                                                    ) -> None:
    from sqlalchemy import text

    with store_at_revision(settings, "0001") as conn:
        conn.execute(text("INSERT INTO workspaces (id, name, created_at) "
                          "VALUES (1, 'local', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO documents (id, workspace_id, sha256, name, filename, format, title, "
            "size, clause_count, analysis, created_at) VALUES ('doc_00000000000000aa', 1, "
            ":sha, 'terms', 'terms.md', 'markdown', 'Terms', 10, 3, '{}', CURRENT_TIMESTAMP)"),
            {"sha": "0" * 64})
    store = open_store(settings)
    doc = store.get_document(store.workspace(), "doc_00000000000000aa")
    store.close()
    assert (doc.status, doc.clause_count, doc.title) == ("ready", 3, "Terms")


def test_migration_0006_counts_the_medium_findings_of_stored_comparisons(settings: Settings
                                                                         ) -> None:
    from sqlalchemy import text

    with store_at_revision(settings, "0005") as conn:
        conn.execute(text("INSERT INTO workspaces (id, name, created_at) "
                          "VALUES (1, 'local', CURRENT_TIMESTAMP)"))
        for doc_id, sha in (("doc_00000000000000aa", "a" * 64), ("doc_00000000000000bb",
                                                                  "b" * 64)):
            conn.execute(text(
                "INSERT INTO documents (id, workspace_id, sha256, name, filename, format, "
                "title, size, status, clause_count, analysis, created_at) VALUES (:id, 1, "
                ":sha, 'terms', 'terms.md', 'markdown', 'Terms', 10, 'ready', 3, '{}', "
                "CURRENT_TIMESTAMP)"), {"id": doc_id, "sha": sha})
        for cid, old, new, result in (
                ("cmp_00000000000000c1", "aa", "bb",
                 '{\n  "summary": {"findings": {"high": 0, "medium": 2, "low": 1}}}'),
                ("cmp_00000000000000c2", "bb", "aa", "not json")):
            conn.execute(text(
                "INSERT INTO comparisons (id, workspace_id, old_id, new_id, report_version, "
                "result_json, html, markdown, high, created_at) VALUES (:id, 1, :old, :new, "
                "'old', :result, '', '', 0, CURRENT_TIMESTAMP)"),
                {"id": cid, "old": f"doc_00000000000000{old}",
                 "new": f"doc_00000000000000{new}", "result": result})
    store = open_store(settings)
    listed = {row[0]: row[4] for row in store.list_comparisons(store.workspace())}
    with store.engine.connect() as conn:
        triage_rows = conn.execute(text("SELECT COUNT(*) FROM finding_triage")).scalar()
    store.close()
    assert listed == {"cmp_00000000000000c1": 2, "cmp_00000000000000c2": 0}
    assert triage_rows == 0


def test_migration_0008_leaves_stored_analyses_to_be_read_again(settings: Settings) -> None:
    """Documents stored before 0008 have no reader version: the first use reads them again."""
    from sqlalchemy import text

    with store_at_revision(settings, "0007") as conn:
        conn.execute(text("INSERT INTO workspaces (id, name, created_at) "
                          "VALUES (1, 'local', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO documents (id, workspace_id, sha256, name, filename, format, title, "
            "size, status, clause_count, analysis, created_at) VALUES ('doc_00000000000000aa', "
            "1, :sha, 'terms', 'terms.md', 'markdown', 'Terms', 10, 'ready', 3, '{}', "
            "CURRENT_TIMESTAMP)"), {"sha": "0" * 64})
    store = open_store(settings)
    doc = store.get_document(store.workspace(), "doc_00000000000000aa")
    store.close()
    assert (doc.status, doc.clause_count, doc.analysis_version) == ("ready", 3, None)
