"""Stage 5: write the site into a staging folder and swap it into place only when everything succeeded.

A failed or killed build leaves the previous output untouched; a lock keeps two builds of one site
from interleaving their swaps.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from wikigen.model import OutputFile


class OutputError(Exception):
    """The output folder cannot be used (outside the site, not writable, locked)."""


def write_files(folder: Path, files: Iterable[OutputFile]) -> int:
    """Write each file under `folder`; paths are checked so no file lands outside it."""
    count = 0
    base = folder.resolve()
    for item in files:
        target = (base / item.path).resolve()
        if not target.is_relative_to(base):
            raise OutputError(f"refusing to write {item.path}: outside the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.content)
        count += 1
    return count


@contextlib.contextmanager
def _lock(output: Path) -> Iterator[None]:
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale(output: Path) -> None:
    """Staging folders left by killed builds."""
    for stale in output.parent.glob(f".{output.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staged(output: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `output`, on an exception it is removed."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with _lock(output):
        _remove_stale(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
        try:
            yield staging
            os.chmod(staging, 0o755)
            aside = output.parent / f".{output.name}.old.tmp"
            if output.exists():
                os.replace(output, aside)
            os.replace(staging, output)
            shutil.rmtree(aside, ignore_errors=True)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
