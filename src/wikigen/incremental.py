"""The incremental layer: what a build or check may take over from the last one, and the names it keeps it under.

Its vocabulary, as Sphinx's `BuildEnvironment` has one: every cached value is named by the digest of what it is
made from (an article's parsed document by its path and source digest; its check by the check context, its
path and digest; its rendered body beside its check), so a name found in the cache holds without further
questions. The stamps let a load list unchanged articles unread; the checks pack holds every article's check in
one entry; `outdated` says which articles' checks no longer hold (added, changed) and which checks belong to
articles gone (removed); the manifest records the last build (the digest of its inputs, the size and time of
every file it left, each page's key). The cache itself records what a run read and wrote, so pruning it after a
run of the whole site needs no list of what is still in use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from wikigen.cache import Cache, key
from wikigen.index import Bundle
from wikigen.load import SETTLED_NS, Known
from wikigen.model import CheckedDocument, Diagnostic, SourceFile, Sources
from wikigen.render import RenderedPage

MANIFEST = "manifest"
STAMPS = "stamps"  # each article's stamp and digest when last read, so that an unchanged one is not read again
CHECKS = "checks"  # every article's check in one entry, by name (10,000 small entries took a second to read)
PACK_SLACK = 100  # checks made since that entry was written are entries of their own, up to this or 5% of the site


# ---------------------------------------------------------------- names of cache entries

def document_name(source: SourceFile) -> str:
    return key("document", source.path, source.digest)


def scores_name(path: str) -> str:
    """An article's last support scores, by path: a check starts from them, whatever changed since."""
    return key("support-scores", path)


def bibliography_name(sources: Sources) -> str | None:
    source = sources.bibliography
    return key("bibliography", source.path, source.digest) if source and source.text is not None else None


def reference_name(reference_key: str) -> str:
    return key("reference", reference_key)


@dataclass(frozen=True)
class ArticleEntries:
    """The cache entries made from one article as it is now."""

    check: str
    document: str
    body: str  # a rendered body depends on what the article's check does (its source, the config, the site's
    # slugs and keys), so it is named after the check
    scores: str

    @property
    def names(self) -> tuple[str, str, str, str]:
        return self.check, self.document, self.body, self.scores


def article_entries(context: str, source: SourceFile) -> ArticleEntries:
    """`context`: the digest of everything besides the article that its check depends on."""
    check = key(context, source.path, source.digest)
    return ArticleEntries(check, document_name(source), key(check, "body"), scores_name(source.path))


# ---------------------------------------------------------------- stamps

def stamps(store: Cache) -> tuple[int, Known]:
    """When the last load of the whole site began, and each article's stamp and digest it saw."""
    known = store.get(STAMPS)
    return known if isinstance(known, tuple) and len(known) == 2 else (0, {})


def settled_before(at: int) -> int:
    """A stamp is trusted only for a file whose last change was a second or more older than the stamp."""
    return at - SETTLED_NS


def leave_stamps(store: Cache, started: int, sources: Sources, known: Known) -> None:
    """Record the stamps of this load for the next one, unless they are what the cache already holds."""
    found = {s.path: (s.stamp, s.digest) for s in sources.articles if s.stamp}
    if found != known or not all(s.unread for s in sources.articles if s.stamp):  # else all still hold
        store.put(STAMPS, (started, found))


# ---------------------------------------------------------------- checks

@dataclass(frozen=True)
class Outdated:
    """The articles whose check in the pack no longer holds, as Sphinx's `get_outdated_files` says: `added` (no
    check packed), `changed` (packed under another name: its source or what its check depends on changed) and
    `removed` (packed, but not an article checked now); `held`, the packed checks that still hold, by path."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    held: Mapping[str, CheckedDocument]

    def repack(self, articles: int) -> bool:
        """Whether to write the pack again: once the checks it lacks or holds in vain pass the slack (the
        checks made since it was written are entries of their own meanwhile)."""
        slack = max(PACK_SLACK, articles // 20)
        return len(self.added) + len(self.changed) > slack or len(self.changed) + len(self.removed) > slack


def packed_checks(store: Cache) -> dict[str, CheckedDocument]:
    pack = store.get(CHECKS)
    return pack if isinstance(pack, dict) else {}


def outdated(entries: Mapping[str, ArticleEntries], pack: Mapping[str, CheckedDocument]) -> Outdated:
    """Compare the articles checked now (path -> their entries) with the packed checks."""
    packed = {check.article.document.path for check in pack.values() if isinstance(check, CheckedDocument)}
    held: dict[str, CheckedDocument] = {}
    added, changed = [], []
    for path, entry in entries.items():
        found = pack.get(entry.check)
        if isinstance(found, CheckedDocument) and found.article.document.path == path:
            held[path] = found
        elif path in packed:
            changed.append(path)
        else:
            added.append(path)
    return Outdated(tuple(added), tuple(changed), tuple(sorted(packed - entries.keys())), held)


# ---------------------------------------------------------------- the last build

@dataclass(frozen=True)
class Manifest:
    """What the last build left, for the next to compare with."""

    inputs: str  # digest of every input: equal, and the output as left, means nothing to redo
    design: str  # templates, theme, config, wikigen itself: listing keys hold only under the same
    diagnostics: tuple[Diagnostic, ...]
    articles: int
    stats: Mapping[str, tuple[int, int]]  # every output file's size and mtime
    pages: Mapping[str, tuple[str, RenderedPage]]  # article slug -> (page key, page as scanned)
    listings: Mapping[str, tuple[str, str, tuple[str, ...]]]  # listing path -> (key, ids, hrefs)
    bundles: Mapping[str, Bundle]  # the search index's shards, by name


def previous_build(store: Cache, output: Path) -> Manifest | None:
    """The last build's manifest; None when there is no output, or the manifest is missing, corrupt or from
    another version of wikigen: then there is no previous build to take anything from."""
    found = store.get(MANIFEST) if output.is_dir() else None
    return found if isinstance(found, Manifest) else None


def record(store: Cache, manifest: Manifest) -> None:
    store.put(MANIFEST, manifest)


def design_key(fingerprint: str, config: str, theme: str, epoch: str, drafts: bool) -> str:
    """What every page depends on: wikigen's code, the config, the site's theme, the build date, drafts shown."""
    return key(fingerprint, config, theme, epoch, str(drafts))


def inputs_key(design: str, search: str, sources: Sources) -> str:
    """Every input of a build: the design, the search mode, each article's path and digest, the bibliography's
    digest, and the problems found loading them."""
    return key(
        design,
        search,
        *(f"{s.path}\0{s.digest}" for s in sources.articles),
        sources.bibliography.digest if sources.bibliography else "",
        *(d.message for d in sources.diagnostics),
    )


def page_key(design: str, shown: str) -> str:
    """An article page's key: the design, and `shown`, the digest of everything its template is given
    (`SiteRenderer.page_key`)."""
    return key(design, shown)


def intact(previous: Manifest | None, found: Mapping[str, tuple[int, int]]) -> Callable[[str], bool]:
    """Whether an output file is as the last build left it (size and mtime): only such a file is carried over,
    so an output edited by hand is rebuilt."""
    left = previous.stats if previous else {}

    def holds(path: str) -> bool:
        return path in found and found[path] == left.get(path)

    return holds


def carried_pages(previous: Manifest | None, keys: Mapping[str, str], holds: Callable[[str], bool]
                  ) -> dict[str, RenderedPage]:
    """The article pages (by slug) whose key is the one the last build rendered them under, and whose file is
    intact: kept, not rendered."""
    kept: dict[str, RenderedPage] = {}
    for slug, page_key in keys.items():
        old = previous.pages.get(slug) if previous else None
        if old and old[0] == page_key and holds(old[1].path):
            kept[slug] = old[1]
    return kept


def carried_listing(previous: Manifest | None, design: str, path: str, listing_key: str,
                    holds: Callable[[str], bool]) -> tuple[str, tuple[str, ...]] | None:
    """A listing page's scan (ids, hrefs) when the last build left it under this key and design, intact."""
    old = previous.listings.get(path) if previous and previous.design == design else None
    if not old or old[0] != listing_key or not holds(path):
        return None
    return old[1], old[2]

