"""The build cache's encoding: bytes per article and the time of writing and reading every entry.

    .venv/bin/python bench/cache.py SITE [--base CHECKOUT] [--rounds 3]

SITE is a built wiki (`wikigen build` ran there, so `.wikigen-cache/` is full). Each round times, in a fresh
process, `Cache.put` of every entry's value into an empty folder and then `Cache.get` of each, once with this
checkout's wikigen and once with the one at CHECKOUT (another worktree's `src/` put first on the path),
alternating which goes first. The values are read from SITE's entries with whichever encoding wrote them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def values(cache: Path) -> list[tuple[str, object]]:
    """(name, value) of every entry, whether its payload is compressed or not."""
    found = []
    for path in sorted(p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        body = data[data.index(b"\n", data.index(b"\n") + 1) + 1 + 64:]
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        found.append((path.name, pickle.loads(body)))
    return found


def one_side(site: Path) -> dict[str, float]:
    from wikigen.cache import Cache

    entries = values(site / ".wikigen-cache")
    with tempfile.TemporaryDirectory() as folder:
        cache = Cache(Path(folder))
        started = time.process_time()
        for name, value in entries:
            cache.put(name, value)
        put = time.process_time() - started
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
        started = time.process_time()
        for name, _ in entries:
            assert cache.get(name) is not None
        get = time.process_time() - started
    return {"put": put, "get": get, "bytes": size, "entries": len(entries)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--base", type=Path, help="another checkout of wikigen to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_side:
        print(json.dumps(one_side(args.site)))
        return 0
    articles = len(list((args.site / "content").rglob("*.md")))
    sides = {"new": HERE.parent / "src"} | ({"base": args.base / "src"} if args.base else {})
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for side in order:
            env = os.environ | {"PYTHONPATH": str(sides[side])}
            out = subprocess.run([sys.executable, __file__, str(args.site), "--one-side"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            results[side].append(json.loads(out))
            r = results[side][-1]
            print(f"round {round_ + 1} {side}: {r['bytes'] / articles / 1024:.1f} KB an article, put "
                  f"{r['put'] / articles * 1000:.2f} ms, get {r['get'] / articles * 1000:.2f} ms an article (CPU)",
                  flush=True)
    for side, runs in results.items():
        print(f"{side} medians: {statistics.median(r['bytes'] for r in runs) / articles / 1024:.1f} KB, put "
              f"{statistics.median(r['put'] for r in runs) / articles * 1000:.2f} ms, get "
              f"{statistics.median(r['get'] for r in runs) / articles * 1000:.2f} ms an article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
