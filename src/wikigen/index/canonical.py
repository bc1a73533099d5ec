"""Make a Pagefind bundle a function of its pages alone.

Pagefind writes each filter's values, and the list of filters, in hash-map order, which changes from run to
run (Rust seeds its hash maps at random): two indexes of the same pages differ in their filter files, in the
metadata file that names them and in the entry file that names that. `canonicalize` sorts both lists and
renames the rewritten files the way Pagefind names them (a prefix of the SHA-1 of the decompressed content
after its signature), so the same pages always give the same bytes and the content-hashed names stay true.

The files are gzipped CBOR; the codec below covers what Pagefind writes (integers, strings, arrays, maps) and
passes anything else through as the bytes it read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class Raw(bytes):
    """A CBOR item this codec does not interpret (floats, simple values, tags), kept byte for byte."""


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    size = next(n for n in (1, 2, 4, 8) if value < 1 << (8 * n))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + value.to_bytes(size, "big")


def encode(item: Any) -> bytes:
    if isinstance(item, Raw):
        return bytes(item)
    if isinstance(item, bool) or item is None:
        raise TypeError(f"cannot encode {item!r}")
    if isinstance(item, int):
        return _head(0, item) if item >= 0 else _head(1, -1 - item)
    if isinstance(item, str):
        data = item.encode()
        return _head(3, len(data)) + data
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, list):
        return _head(4, len(item)) + b"".join(encode(i) for i in item)
    if isinstance(item, dict):
        return _head(5, len(item)) + b"".join(encode(k) + encode(v) for k, v in item.items())
    raise TypeError(f"cannot encode {item!r}")


def decode(data: bytes, start: int = 0) -> tuple[Any, int]:
    """The item at `start` and the offset after it."""
    major, info = data[start] >> 5, data[start] & 31
    at = start + 1
    if info < 24:
        value = info
    elif info < 28:
        size = 1 << (info - 24)
        value, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise ValueError(f"indefinite or reserved CBOR item at byte {start}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at : at + value]
        return (chunk.decode() if major == 3 else bytes(chunk)), at + value
    if major in (4, 5):
        items = []
        for _ in range(value * (major - 3)):
            item, at = decode(data, at)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2], strict=True))), at
    return Raw(data[start:at]), at


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    item, end = decode(data, len(SIGNATURE))
    if end != len(data):
        raise ValueError(f"{path.name} has bytes after its content")
    return item


def _renamed(path: Path, old: str, item: Any, files: dict[Path, bytes | None]) -> str:
    """Plan `item` in place of the file named by id `old` (language_hash); returns its new id."""
    body = encode(item)
    language, digest = old.split("_", 1)
    new = f"{language}_{hashlib.sha1(body).hexdigest()[: len(digest)]}"  # Pagefind's naming rule
    files[path] = None
    files[path.with_name(path.name.replace(old, new))] = gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0)
    return new


def _plan(bundle: Path) -> dict[Path, bytes | None]:
    """Every file to write (or, for None, to remove), worked out before anything changes."""
    files: dict[Path, bytes | None] = {}
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_bytes())
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for name, chunk in meta[3]:  # [version, pages, index chunks, filters, sorts, meta fields]
            path = bundle / "filter" / f"{chunk}.pf_filter"
            content = _read(path)  # [filter name, [[value, [page numbers]], ...]]
            content[1].sort(key=lambda value: value[0])
            filters.append([name, _renamed(path, chunk, content, files)])
        meta[3] = sorted(filters)
        language["hash"] = _renamed(meta_path, language["hash"], meta, files)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    files[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return files


def canonicalize(bundle: Path) -> bool:
    """Put a bundle's filters in order. A bundle it cannot read (a later Pagefind's format) is left as
    Pagefind wrote it, a working index whose bytes may differ between runs: returns False."""
    try:
        files = _plan(bundle)
    except (ValueError, KeyError, IndexError, TypeError, EOFError, gzip.BadGzipFile):
        return False
    for path in sorted(p for p, data in files.items() if data is None):
        path.unlink()
    for path, data in sorted((p, d) for p, d in files.items() if d is not None):
        path.write_bytes(data)
    return True
