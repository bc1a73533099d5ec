"""CPU time of parsing one article, three ways, interleaved: what a build parses (markdown-it-py, tokens kept),
what a check parsed before the fast path (markdown-it-py, no tokens) and what it parses now (parse/fast.py).

    .venv/bin/python bench/parse.py CORPUS_ROOT [--articles 200] [--rounds 3]

CORPUS_ROOT is a site (bench/corpus.py writes one under OUT/wikigen). Prints milliseconds of CPU per article
for each way and round, their medians, and how many bodies the fast path left to markdown-it-py.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import wikigen.parse.fast as fast
from wikigen.model import SourceFile
from wikigen.parse import CONTAINERS, UNKNOWN, markdown, parse_document
from wikigen.parse.frontmatter import split


def _reference(*args):
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    paths = sorted((args.root / "content").rglob("*.md"))[: args.articles]
    sources = [SourceFile(str(p.relative_to(args.root)), p.read_text(encoding="utf-8"), "") for p in paths]
    fast_parse = fast.parse
    taken = 0
    for source in sources:
        body = split(source.text or "").body
        taken += fast_parse(markdown(), body, {"lines": body.split("\n")}, CONTAINERS, UNKNOWN) is not None

    def build() -> None:
        for source in sources:
            parse_document(source)

    def check_before() -> None:
        fast.parse = _reference
        try:
            for source in sources:
                parse_document(source, tokens=False)
        finally:
            fast.parse = fast_parse

    def check_now() -> None:
        for source in sources:
            parse_document(source, tokens=False)

    ways: dict[str, Callable[[], None]] = {"build (markdown-it-py, tokens)": build,
                                           "check, markdown-it-py": check_before, "check, fast path": check_now}
    times: dict[str, list[float]] = {name: [] for name in ways}
    check_now()  # warm: imports, caches
    for _ in range(args.rounds):
        for name, way in ways.items():
            start = time.process_time()
            way()
            times[name].append((time.process_time() - start) * 1000 / len(sources))
    print(f"{len(sources)} articles, {taken} of them on the fast path")
    for name, found in times.items():
        rounds = ", ".join(f"{t:.2f}" for t in found)
        print(f"{name:<32} {statistics.median(found):6.2f} ms/article  ({rounds})")


if __name__ == "__main__":
    main()
