"""Stage 5: write the site into a staging folder and swap it into place only when everything succeeded.

A failed or killed build leaves the previous output untouched: on Linux the two folders are exchanged in
one atomic `renameat2(RENAME_EXCHANGE)`, so there is no moment without an output folder; elsewhere the old
one is renamed aside first and the next build puts it back if a kill fell between the two renames. A lock
keeps two builds of one site from interleaving, and the next build removes staging folders left by a kill.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import sys
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
        if not target.is_relative_to(base) or target == base:
            raise OutputError(f"refusing to write {item.path}: outside the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.content)
        count += 1
    return count


def link_files(source: Path, folder: Path, paths: Iterable[str]) -> None:
    """Carry files over from the previous output: hard links (cheap, and the old folder is deleted after the
    swap anyway), or copies where the file system has none."""
    made: set[Path] = set()  # a search index is a thousand files in a few folders: one mkdir a folder
    for path in paths:
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.link(source / path, target)
        except OSError:
            shutil.copy2(source / path, target)


@contextlib.contextmanager
def _lock(output: Path) -> Iterator[None]:
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _aside(output: Path) -> Path:
    return output.parent / f".{output.name}.old.tmp"


def _recover(output: Path) -> None:
    """Undo a kill between the two renames of the fallback swap, then remove what killed builds left."""
    aside = _aside(output)
    if aside.is_dir() and not os.path.lexists(output):
        os.replace(aside, output)
    for stale in output.parent.glob(f".{output.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # this kernel or file system cannot
        return False
    raise OSError(error, os.strerror(error), str(second))


def _swap(staging: Path, output: Path) -> None:
    """Put `staging` in place of `output`; afterwards `staging` holds the old output (or nothing)."""
    if not os.path.lexists(output):
        os.replace(staging, output)
    elif not _exchange(staging, output):
        aside = _aside(output)
        os.replace(output, aside)
        os.replace(staging, output)
        os.replace(aside, staging)


@contextlib.contextmanager
def staged(output: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `output`, on an exception it is removed."""
    if os.path.lexists(output) and (output.is_symlink() or not output.is_dir()):
        raise OutputError(f"output {output} exists and is not a folder; refusing to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    with _lock(output):
        _recover(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
        try:
            yield staging
            os.chmod(staging, 0o755)
            _swap(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
