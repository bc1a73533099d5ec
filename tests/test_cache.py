"""The cache's encoding: compressed payloads that read back as written, and damage that reads as missing."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from wikigen.cache import Cache


def _value() -> dict[str, object]:
    return {"sentences": [f"Sentence {n} of the article [@key{n % 7}]." for n in range(500)], "count": 500}


def test_an_entry_is_stored_compressed_and_reads_back(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("entry", _value())
    stored = (tmp_path / "entry").read_bytes()
    assert len(stored) < len(pickle.dumps(_value(), protocol=pickle.HIGHEST_PROTOCOL)) / 3
    assert Cache(tmp_path).get("entry") == _value()


def test_a_payload_that_is_not_zlib_is_rejected(tmp_path: Path) -> None:
    """An entry from before compression (a bare pickle under a valid checksum) is not trusted: it reads as missing."""
    cache = Cache(tmp_path)
    cache.put("entry", _value())
    path = tmp_path / "entry"
    data = path.read_bytes()
    header = data[: data.index(b"\n", data.index(b"\n") + 1) + 1]
    body = pickle.dumps(_value())
    path.write_bytes(header + hashlib.sha256(body).hexdigest().encode() + body)
    with_error = Cache(tmp_path)
    assert with_error.get("entry") is None and with_error.rejected == 1 and not path.exists()
