"""The on-disk build cache: checksummed pickles that are rebuilt, never trusted, when anything is off.

Every file carries a magic line, the code fingerprint and a SHA-256 of its payload; a truncated,
corrupt, foreign or stale file reads as missing. The payload is a pickle compressed with zlib at its fastest
level: pickled parses are mostly repeated structure, and a cache kept between CI runs must stay within the
CI's cache quota for a large wiki (figures in bench/RESULTS.md). Writes go to a temporary file and are renamed into
place, so a killed build leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from wikigen.pickling import no_gc

MAGIC = b"wikigen-cache 2\n"  # 2: zlib-compressed pickles
LEVEL = 1  # zlib's fastest: most of the saving at the least time
PACKAGE = Path(__file__).resolve().parent


def tree_digest(folder: Path, suffixes: tuple[str, ...] | None = None) -> str:
    """Hash of the names and bytes of the files under `folder` (those with one of `suffixes`, if given)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (suffixes is None or path.suffix in suffixes):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def code_fingerprint() -> str:
    """Hash of wikigen's own code and default theme: an upgrade invalidates every cached result."""
    return tree_digest(PACKAGE, (".py", ".html", ".xml", ".css", ".js", ".svg", ".txt"))


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """A folder of named entries. A missing folder is created on first write; `enabled=False` stores nothing."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.rejected = 0  # entries found corrupt or stale, for the build summary and the tests
        self.used: set[str] = set()  # the entries this run read, wrote or kept: what `prune` leaves

    def _path(self, name: str) -> str:
        """A string: a build looks up some 10,000 entries, and pathlib costs more than reading them."""
        return f"{self.folder}/{name[:2]}/{name}" if len(name) > 16 else f"{self.folder}/{name}"

    def get(self, name: str) -> Any | None:
        if not self.enabled:
            return None
        self.used.add(name)
        path = self._path(name)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        header = MAGIC + code_fingerprint().encode() + b"\n"
        body = data[len(header) + 64 :]
        if data[: len(header)] != header or data[len(header) : len(header) + 64] != _sha(body):
            self._reject(path)
            return None
        try:
            with no_gc():
                return pickle.loads(zlib.decompress(body))
        except Exception:  # any decompression or unpickling failure means an entry not to trust
            self._reject(path)
            return None

    def put(self, name: str, value: Any) -> None:
        if not self.enabled:
            return
        self.used.add(name)
        path = self._path(name)
        with no_gc():
            body = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), LEVEL)
        data = MAGIC + code_fingerprint().encode() + b"\n" + _sha(body) + body
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except OSError:
            return  # a cache that cannot be written only costs time

    def keep(self, names: Iterable[str]) -> None:
        """Entries this run relies on without reading them (an unchanged article's body, when its page is kept):
        `prune` leaves them too."""
        self.used.update(names)

    def discard(self, names: Iterable[str]) -> None:
        """Delete entries this run has made redundant (checks now held in one entry with the others)."""
        if not self.enabled:
            return
        for name in names:
            self.used.discard(name)
            with contextlib.suppress(OSError):
                os.unlink(self._path(name))

    def prune(self) -> int:
        """After a run over the whole site, delete every entry it did not use, and the leftovers of killed
        writes: the old versions of edited articles, checks made under another configuration. A cache kept
        between CI runs stays the size of the site. Entries used in worker processes are kept by the caller.
        Returns how many files went."""
        if not self.enabled:
            return 0
        removed = 0
        for entry in _files(str(self.folder)):
            if entry.name not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
        return removed

    def _reject(self, path: str) -> None:
        self.rejected += 1
        with contextlib.suppress(OSError):
            os.unlink(path)


def _files(folder: str) -> Iterator[os.DirEntry]:
    """The files under `folder`."""
    try:
        with os.scandir(folder) as top:
            entries = list(top)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path)
        elif entry.is_file(follow_symlinks=False):
            yield entry


def _sha(body: bytes) -> bytes:
    return hashlib.sha256(body).hexdigest().encode()
