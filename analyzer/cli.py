"""The `termshift` command: one small function per command, each calling the library.

Errors the project raises on purpose end as one line on stderr and exit code 3
(2 for usage errors); a traceback only with --debug.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn, TypeVar

import typer

from analyzer.errors import TermshiftError, UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find where terms of service and AI-agent policies shift responsibility.",
    pretty_exceptions_enable=False,
)

_state = {"debug": False}
T = TypeVar("T")


class ReportFormat(StrEnum):
    html = "html"
    json = "json"
    md = "md"
    docx = "docx"  # compare only: the new version with tracked changes
    pdf = "pdf"  # compare only


class Severity(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


class ControlLevel(StrEnum):
    missing = "missing"
    partial = "partial"


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"termshift: error: {message}", err=True)
    raise typer.Exit(code)


def _run(action: Callable[[], T]) -> T:
    """Call into the library; its errors become one line and an exit code."""
    try:
        return action()
    except UsageError as exc:
        if _state["debug"]:
            raise
        _fail(str(exc), 2)
    except TermshiftError as exc:
        if _state["debug"]:
            raise
        _fail(str(exc), 3)
    except MemoryError:
        if _state["debug"]:
            raise
        _fail("out of memory while processing the input; try a smaller document", 3)


def _emit(text: str | bytes, output: Path | None) -> None:
    """Write a report to -o, or to stdout. A binary report (docx, pdf) goes to stdout only
    when it is redirected: on a terminal it would print as noise."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        if output.exists() and not output.is_file():
            # A device or a pipe ("-o /dev/null", a FIFO): write through it. Renaming a file
            # over it would replace the device itself.
            with output.open("wb") as sink:
                sink.write(data)
        else:
            tmp = output.with_name(output.name + ".part")
            tmp.write_bytes(data)
            tmp.replace(output)
    except OSError as exc:
        _fail(f"{output}: cannot write the report ({exc.strerror})", 3)
    typer.echo(f"wrote {output}", err=True)


def _only(fmt: ReportFormat, allowed: tuple[ReportFormat, ...], command: str) -> None:
    if fmt not in allowed:
        names = "|".join(f.value for f in allowed)
        _fail(f"{command} writes --format {names}, not {fmt.value}", 2)


_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
              ".docx": "docx", ".pdf": "pdf"}
_TEXT = (ReportFormat.json, ReportFormat.html, ReportFormat.md)


def _format(fmt: ReportFormat | None, output: Path | None) -> ReportFormat:
    """--format when given, else what the -o file's name says (report.html), else JSON."""
    if fmt is not None:
        return fmt
    by_name = _BY_SUFFIX.get(output.suffix.lower()) if output is not None else None
    return ReportFormat(by_name) if by_name else ReportFormat.json


FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option("--format", "-f", show_default=False,
                 help="json, html or md (compare: also docx, pdf); default: from the -o "
                 "file's name, else json"),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="write the report here, not to stdout")
]
RulesOnlyOpt = Annotated[
    bool,
    typer.Option("--rules-only", help="the rules alone, without the shipped trained models "
                 "(categories, and the check's control reader; or TERMSHIFT_RULES_ONLY=1)"),
]


def _rules_only(wanted: bool) -> None:
    """--rules-only as the setting, so worker processes started later read it too."""
    if wanted:
        from analyzer.settings import get_settings

        os.environ["TERMSHIFT_RULES_ONLY"] = "1"
        get_settings.cache_clear()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    _state["debug"] = debug


@app.command()
def analyze(
    doc: Annotated[str, typer.Argument(help="a .pdf, .html, .docx, .md or .txt file, or -")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """Extract and classify the clauses of one document."""
    _rules_only(rules_only)
    from analyzer.api import analyze as analyze_source
    from analyzer.report.render import render_analysis
    from analyzer.rulebook import default_rulebook

    fmt = _format(fmt, output)
    _only(fmt, (ReportFormat.json, ReportFormat.html), "analyze")
    rulebook = _run(default_rulebook)
    analysis = _run(lambda: analyze_source(doc, rulebook=rulebook))
    _emit(render_analysis(analysis, fmt.value), output)


@app.command()
def compare(
    old: Annotated[str, typer.Argument(help="the earlier version")],
    new: Annotated[str, typer.Argument(help="the later version")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="exit 1 if a finding is at least this severe"),
    ] = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """Compare two versions of one document and report what shifted."""
    _rules_only(rules_only)
    from analyzer.api import compare as compare_sources
    from analyzer.report.render import render_comparison
    from analyzer.rulebook import default_rulebook

    fmt = _format(fmt, output)
    if fmt not in _TEXT and output is None and sys.stdout.isatty():
        _fail(f"a {fmt.value} report is a binary file: write it with -o report.{fmt.value} "
              "or redirect standard output", 2)
    if old == "-" and new == "-":
        _fail("only one of OLD and NEW can be read from standard input", 2)
    rulebook = _run(default_rulebook)
    comparison = _run(lambda: compare_sources(old, new, rulebook=rulebook))
    _emit(render_comparison(comparison, fmt.value), output)
    if fail_on is not None:
        order = [s.value for s in Severity]
        worst = order.index(fail_on.value)
        if any(order.index(f.severity) <= worst for f in comparison.findings):
            raise typer.Exit(1)


@app.command()
def check(
    policy: Annotated[str, typer.Argument(help="an internal AI-agent policy")],
    controls: Annotated[
        Path | None, typer.Option("--controls", help="a control baseline YAML file")
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: Annotated[
        ControlLevel | None,
        typer.Option("--fail-on", help="exit 1 if a control is missing (or partial)"),
    ] = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """Check an AI-agent policy against a control baseline."""
    _rules_only(rules_only)
    from analyzer.api import check as check_source
    from analyzer.report.render import render_check
    from analyzer.rulebook import default_rulebook

    fmt = _format(fmt, output)
    _only(fmt, _TEXT, "check")
    rulebook = _run(default_rulebook)
    result = _run(lambda: check_source(policy, controls, rulebook=rulebook))
    _emit(render_check(result, fmt.value), output)
    if fail_on is not None:
        failing = {"missing"} if fail_on is ControlLevel.missing else {"missing", "partial"}
        if any(c.status in failing for c in result.controls):
            raise typer.Exit(1)


@app.command()
def timeline(
    sources: Annotated[
        list[str], typer.Argument(help="versions oldest first, or one folder / git repository")
    ],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    path_in_repo: Annotated[
        str | None, typer.Option("--file", help="in a git repository: the file to follow")
    ] = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """One document's history, version by version."""
    _rules_only(rules_only)
    from analyzer.api import timeline as timeline_sources
    from analyzer.report.render import render_timeline
    from analyzer.rulebook import default_rulebook

    fmt = _format(fmt, output)
    _only(fmt, (ReportFormat.json, ReportFormat.html), "timeline")
    rulebook = _run(default_rulebook)
    result = _run(lambda: timeline_sources(sources, path_in_repo=path_in_repo,
                                           rulebook=rulebook))
    _emit(render_timeline(result, fmt.value), output)


@app.command()
def train(
    data: Annotated[
        Path | None, typer.Argument(help="JSON Lines of {\"text\", \"labels\"}")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o",
                     help="folder for the model (with --recipe default: the shipped one)"),
    ] = None,
    recipe: Annotated[
        str | None,
        typer.Option("--recipe", help="rebuild a shipped model: 'default' (categories, from "
                     "real data) or 'controls' (the policy check's reader, from "
                     "corpora/control-statements)"),
    ] = None,
    realdata: Annotated[
        Path | None,
        typer.Option("--data", help="with --recipe: the realdata folder "
                     "(default ../shared/realdata beside the checkout)"),
    ] = None,
) -> None:
    """Build a trained classifier layer from labelled clauses you supply, or rebuild a
    shipped model with --recipe default (categories) or --recipe controls (the check's
    control reader)."""
    from analyzer.rulebook import default_rulebook
    from analyzer.train import train_classifier, train_recipe

    if recipe == "controls":
        if data is not None or realdata is not None:
            _fail("--recipe controls reads corpora/control-statements; give no DATA or --data",
                  2)
        from analyzer.control_reader import READER_DIR
        from analyzer.train import train_control_reader

        ids = [c.id for c in _run(default_rulebook).controls.controls]
        summary = _run(lambda: train_control_reader(output or READER_DIR, ids))
    elif recipe is not None:
        if data is not None:
            _fail("give DATA or --recipe, not both", 2)
        from analyzer.classifier import shipped_model_dir

        out = output or shipped_model_dir()
        reading = _run(default_rulebook).reading
        summary = _run(lambda: train_recipe(recipe, out, reading, realdata))
    else:
        if data is None or output is None:
            _fail("train needs DATA and -o DIR (or --recipe default, or --recipe controls)", 2)
        if realdata is not None:
            _fail("--data goes with --recipe", 2)
        reading = _run(default_rulebook).reading
        summary = _run(lambda: train_classifier(data, output, reading))
    typer.echo(summary)


@app.command()
def batch(
    manifest: Annotated[
        Path | None, typer.Argument(help="CSV or JSON Lines with old, new and optional id")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="the results folder")
    ] = None,
    ota: Annotated[
        Path | None,
        typer.Option("--ota", help="an Open Terms Archive folder: every consecutive pair"),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="carry on a batch killed in this folder")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="local processes (default: cores)")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="a Dask scheduler, tcp://HOST:PORT")
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="reports per pair: json,html,md")
    ] = "json",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress line")] = False,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="exit 1 if a pair has a finding this severe"),
    ] = None,
) -> None:
    """Many comparisons; results land in OUT as they finish, and a re-run resumes."""
    from analyzer.jobs import manifest as pairs_from
    from analyzer.jobs.runner import BatchOptions, run_batch

    if manifest is not None and ota is not None:
        _fail("give a MANIFEST or --ota PATH, not both", 2)
    if resume is not None and output is not None and resume != output:
        _fail("--resume names the results folder already; leave out -o", 2)
    out = resume or output
    if manifest is None and ota is None:
        if resume is None:
            _fail("give a MANIFEST, --ota PATH or --resume OUT", 2)
        manifest, ota = _run(lambda: pairs_from.recall_source(resume))
    if out is None:
        out = Path(f"{(manifest or ota or Path('batch')).stem}-batch")
    chosen = _run(lambda: pairs_from.parse_formats(formats))
    pairs, bad = _run(lambda: pairs_from.load_pairs(manifest, ota))
    from analyzer.rulebook import default_rulebook

    _run(default_rulebook)  # a broken rules folder stops the batch here, not in every pair
    options = BatchOptions(out=out, formats=chosen, workers=workers, scheduler=scheduler,
                           progress=not quiet and sys.stderr.isatty())
    try:
        _run(lambda: pairs_from.remember_source(out, manifest, ota))
        stats = _run(lambda: run_batch(pairs, bad, options))
    except KeyboardInterrupt:
        _fail(f"interrupted; the finished pairs are kept in {out}: run the same command "
              "again to resume", 130)
    except OSError as exc:
        _fail(f"{exc.filename or out}: cannot write the results ({exc.strerror})", 3)
    if not quiet:
        typer.echo(f"batch: {stats.ok} ok, {stats.failed} failed of {stats.total} "
                   f"({stats.resumed} already done) in {stats.seconds:.1f}s; "
                   f"summary {out / 'index.html'}", err=True)
    if fail_on is not None and stats.worst is not None:
        order = [s.value for s in Severity]
        if order.index(stats.worst) <= order.index(fail_on.value):
            raise typer.Exit(1)


keys_app = typer.Typer(no_args_is_help=True, help="API keys of the server's workspaces.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    workspace: Annotated[str, typer.Option("--workspace", help="the workspace the key opens")],
) -> None:
    """Create an API key for a workspace (created if new); the key is the last line."""
    from analyzer.settings import get_settings
    from analyzer.store import open_store

    def create() -> tuple[str, str]:
        store = open_store(get_settings())
        try:
            return store.create_key(workspace), store.url
        finally:
            store.close()

    key, where = _run(create)
    typer.echo(f"Created an API key for workspace {workspace!r} in {where}.")
    typer.echo("It is shown only this once; send it as 'Authorization: Bearer KEY'.")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """The keys of every workspace, by prefix (the keys themselves are not kept)."""
    from analyzer.settings import get_settings
    from analyzer.store import open_store

    def read() -> list[tuple[str, str, object]]:
        store = open_store(get_settings())
        try:
            return list(store.list_keys())
        finally:
            store.close()

    rows = _run(read)
    if not rows:
        typer.echo("No keys: `termshift serve` runs as one local workspace on loopback.")
    for workspace, prefix, created in rows:
        typer.echo(f"{prefix}...  {workspace}  created {created:%Y-%m-%d %H:%M} UTC")


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="the key, or its prefix from `keys list`")],
) -> None:
    """Delete a key at once: requests that send it are refused from then on."""
    from analyzer.settings import get_settings
    from analyzer.store import open_store

    def revoke() -> str:
        store = open_store(get_settings())
        try:
            return store.revoke_key(key)
        finally:
            store.close()

    workspace = _run(revoke)
    typer.echo(f"Revoked the key of workspace {workspace!r}.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="default 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option("--port", help="default 8000")] = None,
    samples: Annotated[
        list[Path] | None,
        typer.Option("--samples", help="load these documents or folders first (repeatable)"),
    ] = None,
    rules_only: RulesOnlyOpt = False,
) -> None:
    """The web app and HTTP API, on the embedded store unless TERMSHIFT_DATABASE_URL is set."""
    _rules_only(rules_only)
    import uvicorn

    from analyzer.rulebook import default_rulebook
    from analyzer.settings import get_settings
    from analyzer.store import open_store
    from analyzer.web.app import create_app
    from analyzer.web.auth import is_loopback
    from analyzer.web.service import load_samples

    settings = get_settings()
    host = host or settings.host
    port = settings.port if port is None else port
    _run(lambda: default_rulebook(settings))  # a broken rules folder stops it here, in one line
    store = _run(lambda: open_store(settings))
    if not is_loopback(host) and not _run(store.has_keys):
        _fail(f"refusing to listen on {host} with no API key configured: anyone who can "
              "reach it could read every document. Create a key first with "
              "`termshift keys create --workspace NAME`, or listen on 127.0.0.1", 2)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    if samples:
        typer.echo(f"Loading samples into the local workspace ({store.url}):")
        records = _run(lambda: load_samples(store, settings, samples, typer.echo))
        for record in records:
            typer.echo(f"  report: {base}/comparisons/{record.id}")
    typer.echo(f"termshift is serving on {base}/ (API at {base}/api/v1, docs at {base}/docs);"
               " stop it with Ctrl-C")
    web_app = create_app(settings, store, bind_host=host)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # SIGINT/SIGTERM: requests waiting on a parse are answered at once (the parse
            # resumes at the next start); the app's shutdown then ends the parse workers.
            super().handle_exit(sig, frame)
            web_app.state.service.stop_waiting()

    # Requests still running after shutdown_seconds are cancelled. Forwarded headers are
    # read by the app itself, from TERMSHIFT_TRUSTED_PROXIES only.
    Server(uvicorn.Config(web_app, host=host, port=port, log_level="warning",
                          proxy_headers=False,
                          timeout_graceful_shutdown=max(1, math.ceil(settings.shutdown_seconds)))
           ).run()
    store.close()


def main() -> None:
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as exc:  # a TERMSHIFT_ setting that cannot be used
        if _state["debug"]:
            raise
        problem = exc.errors()[0]
        name = "TERMSHIFT_" + ".".join(str(p) for p in problem.get("loc", ())).upper()
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        typer.echo(f"termshift: error: setting {name}: {message}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
