"""Originals on disk, addressed by their SHA-256 and written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from analyzer.errors import StoreError


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """`root/ab/abcdef...`: the same bytes are kept once, whoever uploads them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise StoreError(f"not a SHA-256 digest: {digest[:80]!r}")
        return self.root / digest[:2] / digest

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Keep `data` (once) and return its digest; a crash never leaves a partial file."""
        digest = digest or sha256_of(data)
        target = self.path_of(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
                _sync_folder(target.parent)  # the rename itself survives a crash
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(
                f"cannot write an original under {self.root} ({exc.strerror}); "
                "check TERMSHIFT_DATA_DIR"
            ) from exc
        return digest

    def remove(self, digest: str) -> None:
        """Forget an original (a missing one is fine)."""
        try:
            self.path_of(digest).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot remove an original under {self.root} "
                             f"({exc.strerror})") from exc

    def get(self, digest: str) -> bytes:
        try:
            return self.path_of(digest).read_bytes()
        except OSError as exc:
            raise StoreError(f"the original {digest[:12]}... is missing from {self.root}") from exc


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # platforms without directory handles
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
