"""Time the phases of one build from its progress calls (first and last call of each step).

    .venv/bin/python bench/phases.py ROOT [--cold] [--no-search]

Runs the build as the CLI does (workers included); prints each step's wall-clock span and the total.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from wikigen.build import build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--cold", action="store_true", help="delete the output and the cache first")
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.cold:
        for name in ("public", ".public.spare", ".wikigen-cache"):
            shutil.rmtree(root / name, ignore_errors=True)
    spans: dict[str, list[float]] = {}
    start = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        now = time.perf_counter() - start
        spans.setdefault(step, [now, now])[1] = now

    build(root, search=not args.no_search, progress=progress)
    total = time.perf_counter() - start
    for step, (first, last) in spans.items():
        print(f"{step:<16} {first:7.2f} -> {last:7.2f}  {last - first:6.2f} s")
    print(f"{'total':<16} {total:7.2f} s")


if __name__ == "__main__":
    main()
