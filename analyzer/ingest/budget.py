"""Run one parse in a child process with a wall-clock limit and a memory cap.

A hostile file (a nested flate bomb, a zip bomb) can make a reader run for ever or take all
the machine's memory. The reader therefore runs in a forked child: its address space is capped
with RLIMIT_AS (TERMSHIFT_PARSE_MEMORY_MB above what the process held when it forked) and the
parent kills it, by its own process id, once TERMSHIFT_PARSE_SECONDS have passed. Either way
the input is refused with a LimitExceeded naming the setting; the parent never grows.
TERMSHIFT_PARSE_SECONDS=0 reads in the calling process, without these budgets.

A child must not outlive its parent: a parent killed with SIGKILL cannot kill it, so the
child asks the kernel for SIGKILL when its parent dies (`die_with_parent`, used by the
server's parse workers too).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import pickle
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from analyzer.errors import InputError, LimitExceeded
from analyzer.settings import Settings

T = TypeVar("T")
_MB = 1024 * 1024
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _load_prctl() -> Any:
    """libc's prctl, looked up once here: after a fork only the call itself is safe."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()
# Reader children forked by this process and not yet reaped, so that a server stopping with
# parses in its own threads (TERMSHIFT_WORKERS=0) can end them at once (stop_readers).
_readers: set[int] = set()
_readers_lock = threading.Lock()


def die_with_parent(parent_pid: int) -> None:
    """End this process with SIGKILL when the process `parent_pid` (its parent) dies.

    On Linux the kernel does it (prctl PR_SET_PDEATHSIG): it works even while this process
    is stuck inside a C extension that holds the GIL, where no Python thread could run.
    Elsewhere a daemon thread polls the parent id twice a second."""
    if _prctl is not None and _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
        if os.getppid() != parent_pid:  # the parent died before the request took effect
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="termshift-parent-watch", daemon=True).start()


def stop_readers() -> int:
    """Kill every reader child this process has in flight (their parses fail as
    interrupted); returns how many. For a server stopping with parses in its threads."""
    with _readers_lock:
        pids = list(_readers)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # a child of this process, not yet reaped
    return len(pids)


def _address_space() -> int:
    """The bytes of address space this process holds now (0 when /proc is not there)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _pack_error(exc: BaseException) -> tuple[str, Any]:
    """An exception in a form that survives pickling (the project's errors take other
    arguments than their message, so they are rebuilt from their class and attributes)."""
    cause: BaseException | None = exc
    for _ in range(20):  # readers wrap a MemoryError in their own errors
        if cause is None:
            break
        if isinstance(cause, MemoryError):
            return "memory", None
        cause = cause.__cause__ or cause.__context__
    state = (type(exc), exc.args, dict(getattr(exc, "__dict__", {})))
    try:
        pickle.dumps(state)
    except Exception:
        return "crash", f"{type(exc).__name__}: {exc}"
    return "error", state


def _unpack_error(state: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]
                  ) -> BaseException:
    cls, args, attributes = state
    exc = cls.__new__(cls)
    BaseException.__init__(exc, *args)
    exc.__dict__.update(attributes)
    return exc


def _child(write_fd: int, limit_bytes: int, cpu_seconds: int, work: Callable[[], Any]) -> None:
    """In the forked child: cap its memory and CPU time, read, send the outcome, exit."""
    with contextlib.suppress(ValueError, OSError):
        if limit_bytes > 0:  # only the child's own address space is capped
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        # A child left behind by a parent that died ends itself once it has used the budget.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    try:
        message: tuple[str, Any] = ("ok", work())
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # everything goes back to the parent, nothing escapes
        payload = pickle.dumps(_pack_error(exc))
    with os.fdopen(write_fd, "wb") as out:
        out.write(payload)


def _over_time(source: str, seconds: float) -> LimitExceeded:
    exc = LimitExceeded("parse time", int(seconds), int(seconds), "TERMSHIFT_PARSE_SECONDS")
    exc.message = (f"{source}: reading it took longer than the parse time limit of "
                   f"{seconds:g} s and was stopped (raise it with TERMSHIFT_PARSE_SECONDS)")
    return exc


def _over_memory(source: str, settings: Settings) -> LimitExceeded:
    mb = settings.parse_memory_mb
    exc = LimitExceeded("parse memory", mb, mb, "TERMSHIFT_PARSE_MEMORY_MB")
    exc.message = (f"{source}: reading it needed more than the parse memory limit of "
                   f"{mb:,} MB and was stopped (raise it with TERMSHIFT_PARSE_MEMORY_MB)")
    return exc


def run_bounded(work: Callable[[], T], source: str, settings: Settings) -> T:
    """`work()` in a forked child under the parse budgets; its result or its error here.
    Over the time budget: LimitExceeded "parse time"; out of memory: "parse memory".
    os.fork rather than multiprocessing, which refuses children of daemonic processes
    (such as Dask's workers)."""
    seconds = settings.parse_seconds
    if seconds <= 0:
        return work()
    budget = settings.parse_memory_mb * _MB
    limit_bytes = _address_space() + budget if budget > 0 else 0
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    parent = os.getpid()
    with _readers_lock:  # registered before another thread can ask to stop it
        pid = os.fork()
        if pid:
            _readers.add(pid)
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(read_fd)
            die_with_parent(parent)
            # Ctrl-C in a terminal reaches the whole process group: the parent decides.
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            _child(write_fd, limit_bytes, math.ceil(seconds) + 1, work)
        except BaseException:
            status = 70
        finally:
            os._exit(status)
    os.close(write_fd)
    chunks: list[bytes] = []
    finished = False
    try:
        deadline = started + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _w, _x = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # only the child forked just above
        _pid, status = os.waitpid(pid, 0)
        with _readers_lock:
            _readers.discard(pid)
    exitcode = os.waitstatus_to_exitcode(status)
    payload = b"".join(chunks)
    if not finished or not payload:
        if not finished:
            raise _over_time(source, seconds)
        if exitcode in (-signal.SIGXCPU, -signal.SIGKILL) and time.monotonic() - started \
                >= seconds:
            raise _over_time(source, seconds)
        if budget > 0 and exitcode == -signal.SIGKILL:  # the kernel's out-of-memory killer
            raise _over_memory(source, settings)
        raise InputError(f"{source}: the reader stopped while reading this document "
                         f"(exit {exitcode}); it may be damaged, or need more memory than "
                         "TERMSHIFT_PARSE_MEMORY_MB", code="ingest.reader_crashed")
    kind, value = pickle.loads(payload)
    if kind == "ok":
        return value
    if kind == "memory":
        raise _over_memory(source, settings)
    if kind == "crash":
        raise InputError(f"{source}: the reader failed ({value})", code="ingest.reader_crashed")
    raise _unpack_error(value)
