"""Index a built site's article pages again in another shard layout, into a copy, for bench/search.py.

    .venv/bin/python bench/reshard.py PUBLIC OUT --shard-pages 500 [--articles 10000]

OUT is PUBLIC hard-linked (nothing copied) without its `pagefind/`, then indexed as a build would index it
(`wikigen.index.update`: Pagefind on the pages' search copies, two runs at a time) with shards of
`--shard-pages`, over the first `--articles` article pages (in path order; all by default), the sort orders
taken from PUBLIC's. So one large built corpus gives the search page of a smaller wiki, or of another layout,
without building it again. Prints the shards, the time and the CPU of the Pagefind runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

from wikigen.index import INDEX_FOLDER, page_ids
from wikigen.index import update as search_index
from wikigen.model import OutputFile
from wikigen.render.markdown import search_copy
from wikigen.write import write_files


def sort_orders(public: Path) -> dict[str, list[str]]:
    """PUBLIC's sort orders as URLs (order.json holds its bundles' page ids)."""
    index = public / INDEX_FOLDER
    url_of = {pid: url for name in json.loads((index / "bundles.json").read_bytes())["bundles"]
              for url, pid in page_ids(index / name)}
    return {sort: [url_of[pid] for pid in ids] for sort, ids in json.loads((index / "order.json").read_bytes()).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("public", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shard-pages", type=int, default=500)
    parser.add_argument("--articles", type=int)
    args = parser.parse_args(argv)
    public, out = args.public.resolve(), args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["cp", "-al", str(public), str(out)], check=True)
    shutil.rmtree(out / INDEX_FOLDER)
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "articles").rglob("index.html"))[: args.articles]
    chosen = {"/" + path.removesuffix("index.html") for path in pages}
    orders = {sort: [url for url in urls if url in chosen] for sort, urls in sort_orders(public).items()}

    def prepare(site: Path, paths) -> None:
        write_files(site, [OutputFile(path, search_copy((out / path).read_bytes())) for path in paths])

    started = time.perf_counter()
    index, files = search_index.update(
        out, {path: "" for path in pages}, args.shard_pages, {}, lambda path: False, orders, os.cpu_count() or 1,
        lambda paths: None, prepare, lambda done, total: None,
    )
    write_files(out, files)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{len(pages)} pages in {len(index.bundles)} shards of {args.shard_pages}: "
          f"{time.perf_counter() - started:.1f} s, Pagefind CPU {children.ru_utime + children.ru_stime:.1f} s, "
          f"largest Pagefind process {children.ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
