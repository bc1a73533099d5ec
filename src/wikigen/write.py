"""Stage 5: write the site into a staging folder and swap it into place only when everything succeeded.

A failed or killed build leaves the previous output untouched: on Linux the two folders are exchanged in
one atomic `renameat2(RENAME_EXCHANGE)`, so there is no moment without an output folder; elsewhere the old
one is renamed aside first and the next build puts it back if a kill fell between the two renames. A lock
keeps two builds of one site from interleaving, and the next build removes staging folders left by a kill.

An incremental build recycles the output it replaced (kept as `.public.spare`) as its staging folder instead
of linking every unchanged file into an empty one and deleting the old tree afterwards (that was most of a
one-article edit). The spare holds hard links to files still published, so nothing is written through it:
`write_files` and `link_files` replace what they find, a file the spare already shares with the output (the
same inode) is left as it is, and `prune` removes whatever the build did not write or link.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import functools
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from wikigen.config import Config
from wikigen.model import OutputFile


class OutputError(Exception):
    """The output folder cannot be used (outside the site, not writable, locked)."""


def _remove(path: Path) -> None:
    """Remove a file, link or folder (never write into what stands at a target: in a recycled folder it may
    be a hard link to a published file)."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(path.lstat().st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()


def _make_parents(target: Path, base: Path) -> None:
    """Create the folders between `base` and `target`, removing any file that stands where one must go."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in reversed(target.parents):
            if parent != base and parent.is_relative_to(base) and (parent.is_symlink() or parent.is_file()):
                parent.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)


def _place(target: Path, base: Path, make: Callable[[Path], None]) -> None:
    """`make(target)` creates a new file there; clear the way first where something stands in it."""
    try:
        make(target)
    except FileExistsError:
        _remove(target)
        make(target)
    except (FileNotFoundError, NotADirectoryError):
        _make_parents(target, base)
        make(target)


def write_files(folder: Path, files: Iterable[OutputFile]) -> list[str]:
    """Write each file under `folder`; paths are checked so no file lands outside it. Returns their paths."""
    written = []
    base = folder.resolve()
    for item in files:
        target = (base / item.path).resolve()
        if not target.is_relative_to(base) or target == base:
            raise OutputError(f"refusing to write {item.path}: outside the output folder")

        def create(path: Path, content: bytes = item.content) -> None:
            with open(path, "xb") as handle:
                handle.write(content)

        _place(target, base, create)
        written.append(item.path)
    return written


def link_files(source: Path, folder: Path, paths: Iterable[str]) -> None:
    """Carry files over from the previous output: hard links (cheap), or copies where the file system has
    none. A file `folder` already shares with `source` (a recycled folder's) stays as it is."""
    source_prefix, folder_prefix = f"{source}/", f"{folder}/"  # strings: pathlib costs more than the syscalls
    for path in paths:
        try:
            here = os.lstat(folder_prefix + path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        else:
            there = os.stat(source_prefix + path)
            if (here.st_ino, here.st_dev) == (there.st_ino, there.st_dev):
                continue
        origin, target = source / path, folder / path
        try:
            _place(target, folder, functools.partial(os.link, origin))
        except OSError:  # no hard links here (another file system): copy
            _remove(target)
            _make_parents(target, folder)
            shutil.copy2(origin, target)


def record(info: os.stat_result) -> tuple[int, int]:
    """What a build records of each output file, and compares with next time: its size and modification time."""
    return info.st_size, info.st_mtime_ns


def output_folder(config: Config) -> Path:
    output = config.path("output")
    if not output.is_relative_to(config.root) and not config.allow_output_outside_root:
        raise OutputError(
            f"output folder {output} is outside the site root; set allow_output_outside_root = true to allow it"
        )
    return replaceable(config, output, "output folder", ("content", "theme", "bibliography", "evidence", "cache"))


def replaceable(config: Config, folder: Path, what: str, guarded: tuple[str, ...]) -> Path:
    """`folder`, when a build may replace it whole: not the site itself, not a file or link, and not overlapping
    the configured locations named in `guarded`."""
    if folder == config.root or config.root.is_relative_to(folder):
        raise OutputError(f"{what} {folder} would replace the site itself")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(f"{what} {folder} exists and is not a folder; a build would replace it")
    for name in guarded:
        location = config.path(name)
        if folder == location or folder.is_relative_to(location) or location.is_relative_to(folder):
            raise OutputError(f"{what} {folder} overlaps the {name} ({location}); a build replaces it whole")
    return folder


def walk(folder: Path | str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to `folder`, entry) of everything under it but folders, links not followed: os.scandir,
    as pathlib's rglob is several times slower over a large output."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from walk(entry.path, f"{prefix}{entry.name}/")
            else:
                yield prefix + entry.name, entry


def output_stats(output: Path) -> dict[str, tuple[int, int]]:
    """The `record` of everything under `output` but folders (a link planted there counts too: it must go)."""
    return {name: record(entry.stat(follow_symlinks=False)) for name, entry in walk(output)}


def files_under(output: Path, folder: str) -> list[str]:
    """The files under `output/folder`, relative to `output` (none when it is missing or a link)."""
    if (output / folder).is_symlink():
        return []
    return sorted(f"{folder}/{name}" for name, entry in walk(output / folder) if entry.is_file(follow_symlinks=False))


def prune(folder: Path, keep: set[str]) -> dict[str, tuple[int, int]]:
    """Delete the files under `folder` not in `keep` (paths relative to it), and folders left empty. What a
    build did not write or link is left over from the output it recycled. Returns the `record` of each file
    kept, made in the same walk."""
    kept: dict[str, tuple[int, int]] = {}

    def walk(directory: str, prefix: str) -> bool:
        empty = True
        with os.scandir(directory) as entries:
            for entry in list(entries):
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if walk(entry.path, relative + "/"):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif relative in keep:
                    empty = False
                    kept[relative] = record(entry.stat(follow_symlinks=False))
                else:
                    os.unlink(entry.path)
        return empty

    walk(str(folder), "")
    return kept


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


def _spare(output: Path) -> Path:
    return output.parent / f".{output.name}.spare"


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
def staged(output: Path, recycle: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on normal exit it replaces `output`, on an exception it is removed. The folder
    is empty, or with `recycle` the output before last, which the caller must only change through
    `write_files`, `link_files` and `prune`; the output it replaces is then kept as the next spare."""
    if os.path.lexists(output) and (output.is_symlink() or not output.is_dir()):
        raise OutputError(f"output {output} exists and is not a folder; refusing to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    with _lock(output):
        _recover(output)
        spare = _spare(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
        if recycle and spare.is_dir() and not spare.is_symlink():
            os.rmdir(staging)
            os.replace(spare, staging)
        else:
            _remove(spare)
        try:
            yield staging
            os.chmod(staging, 0o755)
            _swap(staging, output)
            if recycle and staging.is_dir():
                os.replace(staging, spare)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
