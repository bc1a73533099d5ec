"""Stage 6: the Pagefind search index, built from the written HTML by the binary that `pagefind[bin]` ships.

The binary (`python -m pagefind`, nothing downloaded) rather than Pagefind's Python API: the API is async
and drives the very same binary as a service over a pipe, and fed page by page it measured far slower
here. It writes into the staging folder, so a failed index leaves the published site untouched, and its
output, once `canonical` has put its filters in order, is byte-identical for the same pages.

The index is sharded. Pagefind cannot update an index, only rebuild it, and its time is linear in pages, so
one index would make every edit of a large wiki wait for a full re-index. Instead the article pages are spread
over shards of about `search_shard_pages` by a hash of their path (stable as the wiki grows, and each shard a
fair sample, so Pagefind's per-index scores stay comparable), each indexed by its own Pagefind run into
`pagefind/<shard>/`; a build re-indexes only the shards whose pages changed, and the browser merges the
bundles (Pagefind's `mergeIndex`: results by score, filter counts summed). Merging loses Pagefind's own sort
order, so sorting uses `pagefind/order.json` (page ids in title and in date order) instead of
`data-pagefind-sort`; `pagefind/bundles.json` names the shards for theme/static/assets/search.js.

What gets indexed is decided by the theme: only `data-pagefind-body` (the article) is indexed, badges and
boilerplate inside it carry `data-pagefind-ignore`, and `data-pagefind-filter/meta` supply the filters
(type, discipline, evidence, population, problem, tier) and the result's title, summary and sourced share.
Each shard's folder is filled by the caller (`prepare`): the orchestrator puts the render stage's search
copies of the pages there (`render.markdown.search_copy`), which Pagefind indexes in a quarter less time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from wikigen.config import Config
from wikigen.index.canonical import canonicalize
from wikigen.model import OutputFile

INDEX_FOLDER = "pagefind"  # in the output: each shard's bundle is pagefind/<shard>/
PAGEFIND = (sys.executable, "-m", "pagefind")


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


@dataclass(frozen=True)
class Shard:
    """The article pages one Pagefind run indexes: the same key, the same bundle."""

    name: str
    pages: tuple[str, ...]  # output paths
    key: str


def shard_pages(pages: int, config: Config) -> int:
    """Pages per shard for a site of `pages` articles. The search page loads every shard's entry, metadata and
    filter files when it opens, so a large wiki gets fewer, larger shards: `search_shard_pages` until that
    would make more than `search_max_shards`, then as many as fit that count, but never more than
    `search_shard_max_pages`, as one Pagefind run's memory grows with its pages (past that, more shards)."""
    smallest = config.search_shard_pages
    if not smallest:
        return 0
    return max(smallest, min(config.search_shard_max_pages, -(-pages // max(1, config.search_max_shards))))


def plan(page_keys: Mapping[str, str], pages_per_shard: int) -> tuple[Shard, ...]:
    """Spread pages (output path -> the key their content is rendered from) over shards of about
    `pages_per_shard` (0: one shard); empty ones are left out."""
    count = max(1, -(-len(page_keys) // pages_per_shard)) if pages_per_shard else 1
    width = max(2, len(str(count - 1)))
    buckets: list[list[str]] = [[] for _ in range(count)]
    for path in sorted(page_keys):
        buckets[int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big") % count].append(path)
    version = metadata.version("pagefind")
    shards = []
    for number, pages in enumerate(buckets):
        if pages:
            digest = hashlib.sha256(f"pagefind {version}\0{count}".encode())
            for path in pages:
                digest.update(f"\0{path}\0{page_keys[path]}".encode())
            shards.append(Shard(str(number).zfill(width), tuple(pages), digest.hexdigest()))
    return tuple(shards)


def index_folders(
    jobs: Sequence[tuple[Path, Path]], workers: int, done: Callable[[int], None], prepare: Callable[[Path], None],
) -> None:
    """Run Pagefind on each (site folder, bundle folder), `workers` at a time: one run uses more than a core
    but idles while it reads and writes, so two runs on two cores finish sooner than one run of both. Each site
    folder is filled by `prepare` while the runs before it are going. No run outlives this call."""
    running: list[tuple[subprocess.Popen, Path, Path]] = []
    failures: list[str] = []
    finished = 0

    def finish(process: subprocess.Popen, site: Path, bundle: Path) -> None:
        nonlocal finished
        out, err = process.communicate()
        if process.returncode != 0:
            failures.append((err or out).strip() or f"pagefind exited {process.returncode} on {site.name}")
        else:
            canonicalize(bundle)
        finished += 1
        done(finished)

    try:
        for site, bundle in jobs:
            prepare(site)
            while len(running) >= max(1, workers):
                finish(*running.pop(0))
            command = [*PAGEFIND, "--site", str(site), "--output-path", str(bundle), "--silent"]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            running.append((process, site, bundle))
        while running:
            finish(*running.pop(0))
    finally:
        for process, _, _ in running:  # left only when something went wrong
            process.kill()
            process.communicate()
    if failures:
        raise SearchIndexError("\n".join(failures))


@dataclass(frozen=True)
class Bundle:
    """A shard as indexed: its files (paths in the output), and Pagefind's id of each page by URL."""

    key: str
    files: tuple[str, ...]
    ids: tuple[tuple[str, str], ...]


def page_ids(bundle: Path) -> tuple[tuple[str, str], ...]:
    """(URL, Pagefind's id) of each page in a bundle: the id names the page's fragment file."""
    ids = []
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        ids.append((record["url"], fragment.name.removesuffix(".pf_fragment")))
    return tuple(sorted(ids))


def bundle_files(shards: Sequence[str], ids: Mapping[str, str], order: Mapping[str, Sequence[str]]) -> list[OutputFile]:
    """pagefind/bundles.json (the shards to load, the first one's pagefind.js driving the rest) and
    pagefind/order.json (for each sort, the page ids in ascending order; pages without the value left out)."""
    ranked = {sort: [ids[url] for url in urls if url in ids] for sort, urls in sorted(order.items())}
    return [
        OutputFile(f"{INDEX_FOLDER}/bundles.json", json.dumps({"bundles": list(shards)}).encode()),
        OutputFile(f"{INDEX_FOLDER}/order.json", json.dumps(ranked, separators=(",", ":")).encode()),
    ]
