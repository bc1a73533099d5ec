"""Netlify's `_redirects` in the dev server, so that a bucketed wiki's old article URLs answer as on Netlify.

Only literal rules, as wikigen writes them (`/from /to 301`), are applied; a line with a splat, a placeholder,
query matching or conditions is one Netlify would evaluate and this server does not, and is ignored. As on
Netlify without `!`, a rule applies only where no file answers, and `/from` and `/from/` match alike.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

FILE = "_redirects"


@functools.lru_cache(maxsize=4)
def _rules(path: str, stamp: tuple[int, int]) -> dict[str, tuple[str, int]]:
    """Parsed once per file version (`stamp`: its size and modification time): a large wiki's file is megabytes."""
    rules: dict[str, tuple[str, int]] = {}
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            fields = line.split()
            if not fields or fields[0].startswith("#") or len(fields) not in (2, 3):
                continue
            source, target, status = fields[0], fields[1], fields[2] if len(fields) == 3 else "301"
            if "*" in source or ":" in source or not status.isdigit():
                continue
            rules.setdefault(source.rstrip("/") or "/", (target, int(status)))  # the first rule wins
    return rules


def redirect(output: Path, path: str) -> tuple[str, int] | None:
    """The (target, status) a literal rule of `output/_redirects` gives the URL path `path`, if any."""
    file = os.path.join(output, FILE)
    try:
        info = os.stat(file)
    except OSError:
        return None
    return _rules(file, (info.st_size, info.st_mtime_ns)).get(path.rstrip("/") or "/")
