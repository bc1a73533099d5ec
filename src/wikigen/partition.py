"""Partitioned builds: which articles a partition renders, what it records of them, and the checks a merge makes
before it publishes anything.

A partition (`wikigen build --partition I/N`) checks the whole site, as a build does, so its pages show the whole
site's backlinks, taxonomies and numbering, but renders only the articles whose slug hashes to it (a digest, not
Python's `hash()`, which changes with every process). Its folder holds the pages under `site/` and `partition.json`:
the digest of the inputs it was built from, and each page's key and scan (ids, links, media) for the merge's link
check and sitemap. The merge (`wikigen merge PART...`) refuses parts that do not make one whole: a partition
missing or given twice, parts of different counts, or built from other inputs than each other or the site.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wikigen.model import OutputFile
from wikigen.render import RenderedPage

RECORD = "partition.json"
SITE = "site"  # the pages, as they are placed in the output
FORMAT = 1  # of the record: a merge reads only its own


class PartitionError(Exception):
    """Partitions that cannot be merged, or a partition that cannot be made; the message says which and why."""


@dataclass(frozen=True)
class Spec:
    index: int  # from 0
    count: int

    @property
    def name(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def folder(self) -> str:
        """The default folder's name, under `parts/`."""
        return f"{self.index}-of-{self.count}"


def parse_spec(text: str) -> Spec:
    """`I/N`: partition I (from 0) of N."""
    index, slash, count = text.partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise PartitionError(f"--partition {text}: write I/N, e.g. 0/4 (partitions are numbered from 0)")
    spec = Spec(int(index), int(count))
    if spec.count < 1:
        raise PartitionError(f"--partition {text}: N must be at least 1")
    if spec.index >= spec.count:
        raise PartitionError(f"--partition {text}: I must be less than N (they are numbered 0 to {spec.count - 1})")
    return spec


def member(slug: str, count: int) -> int:
    """The partition an article belongs to: the same for the same slug and count in every process and on every
    machine, and an even spread."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % count


@dataclass(frozen=True)
class Page:
    """An article page as a partition rendered it: its key (the digest of everything it is made from) and its
    scan, with media files named relative to the site root (a merge may run in another checkout)."""

    slug: str
    key: str
    page: RenderedPage


@dataclass(frozen=True)
class Part:
    folder: Path
    spec: Spec
    inputs: str  # the digest of every input a page depends on
    pages: tuple[Page, ...]


def record(spec: Spec, inputs: str, pages: Sequence[Page], root: Path) -> OutputFile:
    """The partition's `partition.json`."""
    data = {
        "format": FORMAT,
        "partition": spec.index,
        "partitions": spec.count,
        "inputs": inputs,
        "pages": [
            {"slug": p.slug, "key": p.key, "path": p.page.path, "source": p.page.source, "ids": p.page.ids,
             "hrefs": list(p.page.hrefs), "generated": p.page.generated,
             "media": [[path, Path(os.path.relpath(file, root)).as_posix()] for path, file in p.page.media]}
            for p in sorted(pages, key=lambda p: p.page.path)
        ],
    }
    return OutputFile(RECORD, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")


def read(folder: Path, root: Path) -> Part:
    """A partition folder's record, media resolved against `root`."""
    path = folder / RECORD
    if not folder.is_dir():
        raise PartitionError(f"{folder}: no such folder")
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise PartitionError(f"{folder}: not a partition (no {RECORD}); make one with `wikigen build --partition "
                             "I/N`") from None
    except (OSError, ValueError) as exc:
        raise PartitionError(f"{path}: unreadable ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PartitionError(f"{path}: made by another version of wikigen; build the partitions again")
    try:
        spec = Spec(int(data["partition"]), int(data["partitions"]))
        pages = tuple(
            Page(p["slug"], p["key"], RenderedPage(
                p["path"], p["source"], None, p["ids"], tuple(p["hrefs"]),
                tuple((out, str(root / file)) for out, file in p["media"]), p["generated"]))
            for p in data["pages"]
        )
        inputs = str(data["inputs"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PartitionError(f"{path}: malformed ({type(exc).__name__}: {exc})") from None
    for page in pages:
        if not (folder / SITE / page.page.path).is_file():
            raise PartitionError(f"{folder}: {SITE}/{page.page.path} is missing; copy the whole partition folder")
    return Part(folder, spec, inputs, pages)


def whole(parts: Sequence[Part], inputs: str) -> list[Part]:
    """The parts in order, when they are every partition of one count, each once, all built from `inputs`."""
    if not parts:
        raise PartitionError("no partitions to merge")
    counts = sorted({part.spec.count for part in parts})
    if len(counts) > 1:
        raise PartitionError(f"the parts are of different partitionings ({', '.join(f'N = {n}' for n in counts)}): "
                             f"{', '.join(f'{p.folder} is {p.spec.name}' for p in parts)}")
    count = counts[0]
    by_index: dict[int, Part] = {}
    for part in parts:
        if part.spec.index in by_index:
            raise PartitionError(f"partition {part.spec.name} is given twice: {by_index[part.spec.index].folder} "
                                 f"and {part.folder}")
        by_index[part.spec.index] = part
    missing = [f"{i}/{count}" for i in range(count) if i not in by_index]
    if missing:
        raise PartitionError(f"partition {', '.join(missing)} missing: pass all {count} part folders")
    ordered = [by_index[i] for i in range(count)]
    first = ordered[0]
    for part in ordered[1:]:
        if part.inputs != first.inputs:
            raise PartitionError(f"{first.folder} and {part.folder} were built from different inputs (content, "
                                 "bibliography, configuration, theme or wikigen itself); build every partition "
                                 "from the same commit")
    if first.inputs != inputs:
        raise PartitionError("the partitions were built from other inputs than this site's (content, bibliography, "
                             "configuration, theme or wikigen itself): build them again from this commit")
    return ordered


def pages(parts: Sequence[Part], keys: Mapping[str, str]) -> list[tuple[Path, RenderedPage]]:
    """(the folder holding it, the page) of every article page, in path order, when the parts hold exactly the
    pages the site has (slug -> page key), each under the key it has now."""
    found: dict[str, tuple[Part, Page]] = {}
    for part in parts:
        for page in part.pages:
            if page.slug in found:
                raise PartitionError(f"{found[page.slug][0].folder} and {part.folder} both hold the page of "
                                     f"{page.slug}: partitions of different sites")
            if keys.get(page.slug) != page.key:
                raise PartitionError(f"{part.folder}: the page of {page.slug} was rendered from other inputs than "
                                     "this site's: build the partitions again from this commit")
            found[page.slug] = part, page
    absent = sorted(keys.keys() - found.keys())
    if absent:
        raise PartitionError(f"no partition holds the page of {absent[0]}"
                             f"{f' (and {len(absent) - 1} more)' if len(absent) > 1 else ''}")
    return sorted(((part.folder / SITE, page.page) for part, page in found.values()), key=lambda f: f[1].path)
