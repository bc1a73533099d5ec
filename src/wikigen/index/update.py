"""What a build does with the search index: bring it up to date shard by shard, carry it over unchanged, or
have none (`SearchMode`).

Only the shards whose pages changed are indexed again: a shard whose key is the one its bundle was made under,
and whose files the last build left intact, is carried over. The orchestrator supplies the file operations
(`carry`, linking the previous output's files into the staging folder, and `prepare`, filling a shard's folder
with its pages' search copies), so this stage touches only `pagefind/` and the shards' folders.
"""

from __future__ import annotations

import enum
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wikigen.index import INDEX_FOLDER, Bundle, bundle_files, index_folders, page_ids, plan
from wikigen.model import OutputFile


class SearchMode(enum.Enum):
    BUILD = "build"  # bring the search index up to date
    KEEP = "keep"  # carry the last build's index over as it is: `serve` publishes an edit at once, then indexes
    OFF = "off"  # no search index (`--no-search`)


@dataclass(frozen=True)
class SearchIndex:
    """The index a build leaves: its shards' bundles by name, and its files in the output."""

    bundles: Mapping[str, Bundle]
    files: tuple[str, ...]


NONE = SearchIndex({}, ())


def kept(previous: Mapping[str, Bundle], intact: Callable[[str], bool]) -> SearchIndex:
    """The last build's index, as that build recorded it (its files still intact), for `SearchMode.KEEP`."""
    if not previous:
        return NONE
    files = [*(path for bundle in previous.values() for path in bundle.files), *_top_files()]
    return SearchIndex(dict(previous), tuple(path for path in files if intact(path)))


def _top_files() -> tuple[str, ...]:
    return tuple(file.path for file in bundle_files([], {}, {}))


def update(
    staging: Path, page_keys: Mapping[str, str], pages_per_shard: int, previous: Mapping[str, Bundle],
    intact: Callable[[str], bool], order: Mapping[str, Sequence[str]], workers: int,
    carry: Callable[[Sequence[str]], None], prepare: Callable[[Path, Sequence[str]], None],
    progress: Callable[[int, int], None],
) -> tuple[SearchIndex, list[OutputFile]]:
    """Index the pages (output path -> the key their content is rendered from) in shards: a shard whose pages are
    unchanged and whose bundle is `intact` is carried over (`carry`), the others are indexed, each from a folder
    `prepare` fills with the search copies of its pages. Returns the index and the files naming its shards and
    sort orders, for the caller to write."""
    shards = plan(page_keys, pages_per_shard)
    bundles: dict[str, Bundle] = {}
    todo = []
    for shard in shards:
        old = previous.get(shard.name)
        if old and old.key == shard.key and all(map(intact, old.files)):
            carry(old.files)
            bundles[shard.name] = old
        else:
            shutil.rmtree(staging / INDEX_FOLDER / shard.name, ignore_errors=True)  # the recycled folder's
            todo.append(shard)
    jobs = [(staging / f".shard-{s.name}.tmp", staging / INDEX_FOLDER / s.name) for s in todo]
    pages = {site: shard.pages for (site, _), shard in zip(jobs, todo, strict=True)}
    progress(0, len(jobs))
    index_folders(jobs, workers, lambda done: progress(done, len(jobs)), lambda site: prepare(site, pages[site]))
    for shard, (site, bundle) in zip(todo, jobs, strict=True):
        shutil.rmtree(site)
        made = sorted(path.relative_to(staging).as_posix() for path in bundle.rglob("*") if path.is_file())
        bundles[shard.name] = Bundle(shard.key, tuple(made), page_ids(bundle))
    ids = dict(pair for shard in shards for pair in bundles[shard.name].ids)
    names = [shard.name for shard in shards]
    files = tuple(path for name in names for path in bundles[name].files)
    return SearchIndex({name: bundles[name] for name in names}, files), bundle_files(names, ids, order)
