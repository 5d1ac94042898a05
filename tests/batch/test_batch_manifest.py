"""Manifests with good and bad rows: bad rows are failed records, the batch finishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_docs import write_csv, write_pairs
from cli_support import run_cli

from analyzer.errors import InputError
from analyzer.jobs.manifest import read_manifest
from analyzer.jobs.runner import BatchOptions, run_batch


def ledger(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "index.jsonl").read_text("utf-8").splitlines()]


def test_good_and_bad_rows_each_get_one_record(tmp_path: Path) -> None:
    rows = write_pairs(tmp_path, 2)
    (tmp_path / "docs" / "unreadable.md").write_bytes(b"\x00\x01\x02 not a document" * 10)
    manifest = write_csv(tmp_path / "m.csv", [
        *rows,
        ("gone", "docs/missing.md", rows[0][2]),
        (rows[0][0], rows[1][1], rows[1][2]),  # duplicate id
        ("../escape", rows[0][1], rows[0][2]),  # would write outside OUT
        ("", "", rows[0][2]),  # no old
        ("index", rows[0][1], rows[0][2]),  # would overwrite the summary page
        ("binary", "docs/unreadable.md", rows[0][2]),
    ])
    pairs, bad = read_manifest(manifest)
    assert [p.id for p in pairs] == ["pair-000", "pair-001", "gone", "binary"]
    assert [b.id for b in bad] == ["row-4", "row-5", "row-6", "row-7"]
    out = tmp_path / "out"
    stats = run_batch(pairs, bad, BatchOptions(out=out, workers=1, chunk_size=1))
    records = {r["id"]: r for r in ledger(out)}
    assert len(records) == len(ledger(out)) == 8
    assert stats.ok == 2 and stats.failed == 6
    for ident in ("pair-000", "pair-001"):
        assert records[ident]["status"] == "ok"
        assert records[ident]["highest"] in ("high", "medium", "low", "info")
        report = json.loads((out / f"{ident}.json").read_text("utf-8"))
        assert report["summary"]["findings"] == records[ident]["counts"]
    assert "no such file" in str(records["gone"]["error"])
    assert "duplicate id 'pair-000'" in str(records["row-4"]["error"])
    assert "not a safe file name" in str(records["row-5"]["error"])
    assert "needs both" in str(records["row-6"]["error"])
    assert "not 'index'" in str(records["row-7"]["error"])
    assert records["binary"]["status"] == "failed" and records["binary"]["error"]
    assert "\n" not in str(records["binary"]["error"])
    assert not list(tmp_path.glob("escape*")) and not (tmp_path / "out" / ".part").exists()


def test_json_lines_manifest(tmp_path: Path) -> None:
    rows = write_pairs(tmp_path, 2)
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join([json.dumps({"old": rows[0][1], "new": rows[0][2]}),
                                   "",
                                   json.dumps({"id": "b", "old": rows[1][1], "new": rows[1][2]}),
                                   "[1, 2]"]) + "\n", "utf-8")
    pairs, bad = read_manifest(manifest)
    assert [p.id for p in pairs] == ["row-1", "b"]
    assert [b.id for b in bad] == ["row-3"]
    assert pairs[0].old_path == tmp_path / rows[0][1]


@pytest.mark.parametrize("text", ["just,some,columns\n1,2,3\n", '{"old": "a", "new"\n'])
def test_a_manifest_that_cannot_be_read_is_an_input_error(tmp_path: Path, text: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, "utf-8")
    with pytest.raises(InputError):
        read_manifest(manifest)


def test_cli_exit_codes(tmp_path: Path) -> None:
    missing = run_cli("batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out"))
    assert missing.returncode == 3
    assert missing.stderr.decode().count("\n") == 1
    assert b"no such manifest" in missing.stderr
    rows = write_pairs(tmp_path, 1)
    manifest = write_csv(tmp_path / "m.csv", [*rows, ("gone", "docs/none.md", rows[0][2])])
    out = tmp_path / "out"
    done = run_cli("batch", str(manifest), "-o", str(out), "--workers", "1", "-f", "json,md")
    assert done.returncode == 0, done.stderr
    assert b"1 ok, 1 failed of 2" in done.stderr
    assert b"\r" not in done.stderr  # no progress line when stderr is not a terminal
    assert (out / "pair-000.md").is_file() and (out / "index.html").is_file()
    strict = run_cli("batch", str(manifest), "-o", str(out), "--fail-on", "info")
    assert strict.returncode == 1, strict.stderr
    assert b"2 already done" in strict.stderr
    bad_format = run_cli("batch", str(manifest), "-o", str(out), "-f", "pdf")
    assert bad_format.returncode == 2
    (tmp_path / "a-file").write_text("x")
    unwritable = run_cli("batch", str(manifest), "-o", str(tmp_path / "a-file" / "out"))
    assert unwritable.returncode == 3, unwritable.stderr
    assert b"cannot write the results" in unwritable.stderr
    assert unwritable.stderr.decode().count("\n") == 1


def test_progress_line_counts_rate_and_eta() -> None:
    import io

    from analyzer.jobs.runner import Progress

    stream = io.StringIO()
    progress = Progress(total=4, already=1, enabled=True, stream=stream)
    for ok in (True, False, True):
        progress.update(ok)
    progress.close()
    shown = stream.getvalue()
    assert shown.startswith("\r") and "4/4 done, 1 failed" in shown and "pairs/s, ETA 0s" in shown
    quiet = io.StringIO()
    off = Progress(total=2, already=0, enabled=False, stream=quiet)
    off.update(True)
    off.close()
    assert quiet.getvalue() == ""


def test_pairs_that_share_documents_stay_on_one_worker() -> None:
    from analyzer.jobs.manifest import Pair
    from analyzer.jobs.runner import plan_lanes

    def pair(ident: str, old: str, new: str) -> tuple[Pair, str, str]:
        return Pair(ident, old, new, Path(old), Path(new)), old, new

    repeated = [pair(f"r{n}", "a", "b") for n in range(4)]  # one pair, four times
    history = [pair(f"h{n}", f"v{n}", f"v{n + 1}") for n in range(8)]  # nine versions
    single = [pair("s", "x", "y")]
    plan = plan_lanes([*repeated, *history, *single], lanes=2, size=3)
    lanes = [[t.id for chunk in lane for t in chunk] for lane in plan]
    assert sorted(i for lane in lanes for i in lane) == sorted(
        p.id for p, _, _ in [*repeated, *history, *single])
    assert all(len(chunk) <= 3 for lane in plan for chunk in lane)
    assert any({"r0", "r1", "r2", "r3"} <= set(lane) for lane in lanes)
    # The history (8 pairs) is longer than a worker's share (7): cut into consecutive parts.
    for lane in lanes:
        steps = [int(i[1:]) for i in lane if i.startswith("h")]
        assert steps == sorted(steps) and steps == list(range(steps[0], steps[-1] + 1))
    assert abs(len(lanes[0]) - len(lanes[1])) <= 2


def test_lanes_are_balanced_by_document_size_when_sizes_are_known() -> None:
    from analyzer.jobs.manifest import Pair
    from analyzer.jobs.runner import plan_lanes

    def pair(ident: str, old: str, new: str) -> tuple[Pair, str, str]:
        return Pair(ident, old, new, Path(old), Path(new)), old, new

    # One pair of long documents and six pairs of short ones, on two workers.
    ready = [pair("long", "L1", "L2"), *(pair(f"s{n}", f"a{n}", f"b{n}") for n in range(6))]
    sizes = {"L1": 60_000, "L2": 60_000, **{f"{k}{n}": 1_000 for k in "ab" for n in range(6)}}
    by_count = plan_lanes(ready, lanes=2, size=8)
    by_size = plan_lanes(ready, lanes=2, size=8, sizes=sizes)
    ids = [[t.id for chunk in lane for t in chunk] for lane in by_size]
    # Counting pairs puts the long pair beside short ones; by size it has a worker to itself.
    assert sorted(len(lane) for lane in ids) == [1, 6]
    assert ["long"] in ids
    assert sorted(len([t for c in lane for t in c]) for lane in by_count) == [3, 4]


def test_hashing_gives_each_document_its_size_once(tmp_path: Path) -> None:
    from analyzer.jobs.manifest import Pair
    from analyzer.jobs.runner import hash_documents
    from analyzer.settings import Settings

    short, long_, twin = tmp_path / "short.md", tmp_path / "long.md", tmp_path / "twin.md"
    short.write_text("We may end the service.\n")
    long_.write_text("You are solely responsible for your agents.\n" * 50)
    twin.write_text("We may end the service.\n")  # the same bytes as short.md
    pairs = [Pair("p1", "short.md", "long.md", short, long_),
             Pair("p2", "twin.md", "long.md", twin, long_)]
    ready, failed, paths, sizes = hash_documents(pairs, Settings())
    assert not failed and len(ready) == 2
    assert set(paths) == set(sizes) and len(sizes) == 2
    assert sizes[ready[0][1]] == short.stat().st_size
    assert sizes[ready[0][2]] == long_.stat().st_size
