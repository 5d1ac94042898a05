"""Every setting and limit in one place (environment variables with the TERMSHIFT_ prefix)."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "termshift"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TERMSHIFT_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    dask_scheduler: str | None = None
    dask_wait_seconds: float = Field(default=60.0, ge=0)  # for a first worker to join

    # Input limits: each breach names its setting (TERMSHIFT_MAX_BYTES, ...).
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 2000
    max_chars: int = 5_000_000
    max_inflated_bytes: int = 200 * 1024 * 1024  # DOCX zip members after decompression
    max_html_depth: int = Field(default=512, ge=1)  # element nesting in an HTML document
    max_html_elements: int = Field(default=1_000_000, ge=1)
    # Parse budgets: each read runs in a child process that is stopped after parse_seconds
    # (0: read in the calling process, no budgets) or when its memory passes parse_memory_mb
    # (0: no memory cap). A document interrupted max_parse_attempts times is not retried.
    parse_seconds: float = Field(default=60.0, ge=0)
    parse_memory_mb: int = Field(default=1536, ge=0)
    max_parse_attempts: int = Field(default=2, ge=1)

    # The server: processes that parse uploads (0: threads in the server process), the
    # largest request body, and the address `termshift serve` listens on by default.
    workers: int = Field(default=2, ge=0, le=64)
    worker_max_tasks: int = Field(default=50, ge=1)  # a worker process is renewed after these
    max_request_bytes: int = 200 * 1024 * 1024
    ready_timeout: float = Field(default=300.0, gt=0)  # how long a request waits for a parse
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Fair parsing: the parses one workspace may run at once (None: every worker while no
    # key exists, half the workers, at least one, once keys make several workspaces).
    workspace_parses: int | None = Field(default=None, ge=1, le=64)
    # Seconds `serve` lets requests finish after SIGINT/SIGTERM before cancelling them.
    shutdown_seconds: float = Field(default=3.0, ge=0, le=300)

    # Sign-in sessions of the pages: a session ends after session_idle_seconds without a
    # request, and session_max_seconds after sign-in whatever happens.
    session_idle_seconds: int = Field(default=2 * 3600, ge=60)
    session_max_seconds: int = Field(default=12 * 3600, ge=60)
    # Proxies whose X-Forwarded-Proto and X-Forwarded-For are believed: addresses or CIDR
    # ranges, comma-separated. Empty (the default): no proxy is trusted.
    trusted_proxies: str = ""

    # The trained category layer: a folder built by `termshift train` instead of the model
    # shipped in the package; rules_only leaves the trained layer out (the rules alone).
    model_dir: Path | None = None
    rules_only: bool = False
    # Use an installed English spaCy pipeline with a parser to refine candidates, if present.
    use_parser: bool = False
    # A rules folder laid out like the shipped rules/ (analyzer.rulebook), used instead of it.
    rules_dir: Path | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        parse_networks(value)  # a wrong entry stops the start, naming itself
        return value

    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return parse_networks(self.trusted_proxies)

    def parses_per_workspace(self, keyed: bool) -> int:
        """How many parses one workspace may run at once (TERMSHIFT_WORKSPACE_PARSES)."""
        capacity = self.workers if self.workers > 0 else THREAD_PARSERS
        if self.workspace_parses is not None:
            return min(self.workspace_parses, capacity)
        return max(1, capacity // 2) if keyed else capacity


THREAD_PARSERS = 4  # parses at once when TERMSHIFT_WORKERS=0 (threads in the server)


def parse_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """'10.0.0.1, 192.168.0.0/16' -> networks; a wrong entry is a ValueError naming it."""
    networks = []
    for item in value.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an address or "
                             "a CIDR range such as 10.0.0.0/8") from None
    return tuple(networks)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
