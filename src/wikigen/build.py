"""The orchestrator: a build's phases in order, as mkdocs' `commands/build.py` has them: load, what is outdated,
check, render, write, index, record.

`check` (`gather`) is the build but for rendering, writing and indexing; `build` refuses to write when the check
found errors. What a run takes over from the last one, and under which names, is the incremental layer's
(`incremental.py`); each article's work runs in worker processes (`pool.py`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wikigen import cache as caching
from wikigen import incremental, partition, pool
from wikigen.check import check_site, support
from wikigen.check.evidence import stored_texts, years_of
from wikigen.check.links import linked_slugs
from wikigen.config import CONFIG_FILE, Config, load_config
from wikigen.incremental import Manifest
from wikigen.index import shard_pages
from wikigen.index import update as search_index
from wikigen.index.update import SearchIndex, SearchMode
from wikigen.load import load_sources, read_source
from wikigen.model import (
    Bibliography,
    CheckedDocument,
    CheckedSite,
    Diagnostic,
    OutputFile,
    Severity,
    Sources,
)
from wikigen.parse import slug_of
from wikigen.parse.bibliography import parse_bibliography
from wikigen.render import RenderedPage, SiteRenderer
from wikigen.render.body import bucketed
from wikigen.render.links import BrokenLinks
from wikigen.render.listings import listings
from wikigen.render.markdown import search_copy
from wikigen.render.references import format_references, load_style, reference_key
from wikigen.write import (
    link_files,
    output_folder,
    output_stats,
    prune,
    replaceable,
    staged,
    walk,
    write_files,
)


def _load(root: Path, selected: Iterable[Path] | None, use_cache: bool = True) -> tuple[Sources, caching.Cache]:
    """The site's sources and its cache. Loading the whole site lists unchanged articles unread (by the stamps
    the last load left in the cache) and leaves the stamps for the next."""
    loaded = load_config(root)
    config_problems = tuple(
        Diagnostic(CONFIG_FILE, p.line, p.column, p.code, Severity.ERROR, p.message) for p in loaded.problems
    )
    store = caching.Cache(loaded.config.path("cache"), use_cache)
    started = time.time_ns()
    if selected is not None:
        sources = load_sources(loaded.config, selected)
    else:
        at, known = incremental.stamps(store)
        sources = load_sources(loaded.config, None, known, incremental.settled_before(at))
        incremental.leave_stamps(store, started, sources, known)
    return dataclasses.replace(sources, diagnostics=config_problems + sources.diagnostics), store


Progress = pool.Progress


def _scorer_id(config: Config) -> str:
    """What a support score depends on besides its sentence and evidence: the scorer's code and its model, by
    the names, sizes and modification times of the model's files (hashing a model's bytes would cost seconds)."""
    files = []
    if config.support_model:
        for name, entry in sorted(walk(config.root / config.support_model)):
            info = entry.stat()
            files.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}")
    return caching.key(support.VERSION, config.support_model, *files)


def _support_model(config: Config, scoring: bool) -> tuple[support.EntailmentModel | None, Diagnostic | None]:
    """The entailment model `support_model` names, loaded before the workers fork (they share it), with the
    embeddings of the built-in scorer when there is scoring to do; or why the model cannot be used (then the
    built-in scorer is, and the error stands even when every check comes from the cache)."""
    if scoring:
        support.embeddings()
    if not config.support_model:
        return None, None
    try:
        return support.load_model(config.root / config.support_model), None
    except support.ModelError as exc:
        return None, Diagnostic(CONFIG_FILE, 1, 1, "S005", Severity.ERROR, f"support_model: {exc}")


def _bibliography(sources: Sources, store: caching.Cache) -> Bibliography:
    """Parsed once per content: bibtexparser takes a quarter of a millisecond an entry."""
    name = incremental.bibliography_name(sources)
    found = store.get(name) if name else None
    if isinstance(found, Bibliography):
        return found
    bibliography = parse_bibliography(sources.bibliography)
    if name:
        store.put(name, bibliography)
    return bibliography


def _check(
    sources: Sources, store: caching.Cache, progress: Progress = pool.quiet, bodies: bool = False
) -> tuple[CheckedSite, pool.Job]:
    """Check every article, from the cache where its check still holds, else in worker processes from its parsed
    document (cached by content hash, else parsed; for a build always parsed, and its body rendered from the
    tokens). Documents are slimmed once checked, so the orchestrator holds the site's metadata, not its text.
    With `check PATHS` only those articles are checked; the others count by their slugs. Returns the site and
    the job its articles were checked with (their bodies are rendered with it)."""
    config = sources.config
    slugs = frozenset(slug_of(s.path) for s in sources.articles)
    readable = [s for s in sources.articles if s.text is not None or s.unread]
    if sources.selected is not None:
        readable = [s for s in readable if s.path in sources.selected]
    bibliography = _bibliography(sources, store)
    keys = bibliography.entries
    stored, years = stored_texts(bibliography, sources.evidence), years_of(bibliography)
    scorer_id = _scorer_id(config)
    context = caching.key("check", repr(config), "\0".join(sorted(keys)), "\0".join(sorted(slugs)), scorer_id,
                          repr(sources.assets),  # figure checks look at the content folder's other files
                          repr(sorted(stored.items())), repr(sorted((k, sorted(v)) for k, v in years.items())))
    entries = {s.path: incremental.article_entries(context, s) for s in readable}
    pack = incremental.packed_checks(store)
    stale = incremental.outdated(entries, pack)
    results: dict[str, CheckedDocument] = dict(stale.held)
    for path in (*stale.added, *stale.changed):  # checked since the pack was written: an entry of its own
        cached = store.get(entries[path].check)
        if isinstance(cached, CheckedDocument) and cached.article.document.path == path:
            results[path] = cached
    unchecked = [s for s in readable if s.path not in results]
    fresh, changed = {}, set()  # changed: checked as read, but the text was no longer what its digest names
    model, problem = _support_model(config, bool(unchecked)) if stored else (None, None)
    job = pool.Job(config, store, keys, slugs, stored, years, scorer_id, model, bodies, entries,
                   bucketed(len(slugs), config))
    for done in pool.spread(pool.check_chunk, job, unchecked, config.workers, "check", progress):
        path = done.check.article.document.path
        results[path] = done.check
        if done.holds:
            fresh[path] = done.check
        else:
            changed.add(path)
    if sources.selected is None and stale.repack(len(readable)):
        store.put(incremental.CHECKS, {entries[s.path].check: results[s.path] for s in readable
                                       if s.path not in changed})
        store.discard(entries[path].check for path in (*stale.added, *stale.changed))  # in the pack now
    else:  # a few checks outside the pack cost less to read than the pack to rewrite
        for path, result in fresh.items():
            store.put(entries[path].check, result)
    for entry in entries.values():  # made here or in workers: the entries of every article as it is now
        store.keep(entry.names[1:])
    if problem:
        sources = dataclasses.replace(sources, diagnostics=(*sources.diagnostics, problem))
    linked = _linked(sources, results, job, context, pack)
    return check_site(sources, bibliography, [results[s.path] for s in readable], linked), job


def _linked(sources: Sources, results: dict[str, CheckedDocument], job: pool.Job, context: str,
            pack: dict[str, CheckedDocument]) -> list[CheckedDocument]:
    """For `check PATHS`: the checks of the other articles the named ones link to, from the cache or read and
    checked now (only to resolve the links: their own problems are not reported), so that a heading, a
    sentence or a draft is known without reading the whole site."""
    if sources.selected is None:
        return []
    wanted = set().union(*(linked_slugs(r.links) for r in results.values()))
    found = []
    for listed in sources.articles:
        if listed.path in results or slug_of(listed.path) not in wanted:
            continue
        source = read_source(sources.config, sources.config.root / listed.path, article=True)[0]
        if source.text is None:
            continue
        name = incremental.article_entries(context, source).check
        cached = pack.get(name) or job.store.get(name)
        if not (isinstance(cached, CheckedDocument) and cached.article.document.path == source.path):
            cached = pool.process(job, source).check  # checked as every article is, so it may be cached
            job.store.put(name, cached)
        found.append(cached)
    return found


def gather(root: Path, selected: Iterable[Path] | None = None, use_cache: bool = True) -> CheckedSite:
    """`wikigen check`: the build's phases but for rendering, writing and indexing."""
    # load: the sources (unchanged articles listed unread) and the cache
    sources, store = _load(root, selected, use_cache)
    # what is outdated, and check: the articles whose check no longer holds are checked again
    site = _check(sources, store)[0]
    # record: after a check of the whole site, the cache keeps what it used and what the next build takes over
    if sources.selected is None:
        store.keep([incremental.MANIFEST, *_reference_names(site).values()])
        store.prune()
    return site


@dataclass(frozen=True)
class BuildResult:
    site: CheckedSite | None  # None when nothing changed since the last build and nothing was redone
    published: bool
    diagnostics: tuple[Diagnostic, ...]
    articles: int
    output: str
    files: int = 0
    seconds: float = 0.0
    problems: tuple[Diagnostic, ...] = ()  # found after checking: broken internal links in the rendered pages
    rendered: int = 0  # article pages rendered
    reused: int = 0  # article pages kept from the previous build
    renderer: SiteRenderer | None = None  # the published site, for `preview`

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics) + len(self.problems)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def _reference_names(site: CheckedSite) -> dict[str, str]:
    """Each cited entry's cache name, from its content, in key order."""
    entries = site.bibliography.entries
    keys = sorted({key for article in site.articles for key in article.cited if key in entries})
    style = load_style(site.config)
    return {key: incremental.reference_name(reference_key(entries[key], style)) for key in keys}


def _references(site: CheckedSite, store: caching.Cache, progress: Progress) -> dict:
    """Formatted references for every cited entry: results are cached by entry content and style, and the rest
    are formatted in one pandoc run (its start costs more than a few hundred entries)."""
    entries = site.bibliography.entries
    names = _reference_names(site)
    found = {key: store.get(name) for key, name in names.items()}
    missing = [key for key in names if found[key] is None]
    progress("references", 0, len(missing))
    formatted = format_references([entries[k] for k in missing], load_style(site.config)) if missing else []
    progress("references", len(missing), len(missing))
    for key, reference in zip(missing, formatted, strict=True):
        found[key] = reference
        store.put(names[key], reference)
    return found


def _search_index(
    mode: SearchMode, output: Path, staging: Path, renderer: SiteRenderer, keys: dict[str, str],
    previous: Manifest | None, intact: Callable[[str], bool], progress: Progress,
) -> SearchIndex:
    """The search index as `mode` says: brought up to date (the shards whose pages changed indexed again, from
    the pages' search copies), carried over as the last build left it, or none."""
    bundles = previous.bundles if previous else {}
    if mode is SearchMode.OFF:
        return search_index.NONE
    if mode is SearchMode.KEEP:
        kept = search_index.kept(bundles, intact)
        link_files(output, staging, kept.files)
        return kept

    def prepare(site: Path, pages: Sequence[str]) -> None:
        write_files(site, [OutputFile(path, search_copy((staging / path).read_bytes())) for path in pages])

    index, files = search_index.update(
        staging, {renderer.article_path(slug): key for slug, key in keys.items()},
        shard_pages(len(keys), renderer.config),
        bundles, intact, renderer.sort_orders(), renderer.config.workers or os.cpu_count() or 1,
        lambda paths: link_files(output, staging, paths), prepare,
        lambda done, total: progress("search index", done, total),
    )
    return dataclasses.replace(index, files=(*write_files(staging, files), *index.files))


def build(
    root: Path, strict: bool = False, search: SearchMode = SearchMode.BUILD, use_cache: bool = True,
    progress: Progress = pool.quiet, drafts: bool = False,
) -> BuildResult:
    """With `SearchMode.KEEP` the previous search index is carried over unchanged: `serve` publishes an edit at
    once and brings the index up to date in a second build. Drafts are published only with `drafts` (`serve
    --drafts`)."""
    started = time.perf_counter()
    # load: the sources (unchanged articles listed unread), the cache, and what the last build left
    sources, store = _load(root, None, use_cache)
    config = sources.config
    output = output_folder(config)
    previous = incremental.previous_build(store, output)

    # what is outdated: nothing, when no input changed and the output is as the last build left it
    design = _design(config, drafts)
    inputs = incremental.inputs_key(design, search.value, sources)
    found = output_stats(output)
    if previous and previous.inputs == inputs and previous.stats == found:
        return BuildResult(None, True, previous.diagnostics, previous.articles, config.output,
                           seconds=time.perf_counter() - started, reused=previous.articles)
    intact = incremental.intact(previous, found)

    # check: the articles whose check no longer holds, each body rendered while its tokens are there
    site, job = _check(sources, store, progress, bodies=True)
    if site.errors or (strict and site.warnings):
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output)

    # render: the pages whose key changed (article pages in workers, straight into the staging folder), the
    # others carried over from the output
    renderer = SiteRenderer(site, _references(site, store, progress), drafts)
    keys = _page_keys(renderer, job, design)
    carried = incremental.carried_pages(previous, keys, intact)
    todo = [article for article in renderer.articles if article.slug not in carried]
    try:
        with staged(output, recycle=True) as staging:
            link_files(output, staging, [page.path for page in carried.values()])
            rendering = pool.RenderJob(job, renderer, {s.path: s for s in sources.articles}, staging)
            rendered = pool.spread(pool.render_chunk, rendering, todo, config.workers, "render", progress)
            pages = sorted([*carried.values(), *rendered], key=lambda page: page.path)
            published = _publish(renderer, pages, keys, search, previous, design, intact, output, staging, progress)
    except BrokenLinks as broken:
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output,
                           problems=tuple(broken.diagnostics))

    # record: the manifest for the next build, and the cache pruned to what this build used
    _record(store, Manifest(inputs, design, site.diagnostics, len(site.articles), published.stats,
                            _manifest_pages(renderer, keys, pages), renderer.listed, published.index.bundles))
    return BuildResult(site, True, site.diagnostics, len(site.articles), config.output,
                       len(pages) + published.files, time.perf_counter() - started, rendered=len(todo),
                       reused=len(carried), renderer=renderer)


def _design(config: Config, drafts: bool) -> str:
    return incremental.design_key(caching.code_fingerprint(), repr(config), caching.tree_digest(config.path("theme")),
                                  os.environ.get("SOURCE_DATE_EPOCH", ""), drafts)


def _page_keys(renderer: SiteRenderer, job: pool.Job, design: str) -> dict[str, str]:
    """Each article page's key, by slug: the design, and everything its template is given."""
    shown = {a.slug: renderer.article_page(a, job.entries[a.document.path].body) for a in renderer.articles}
    return {slug: incremental.page_key(design, renderer.page_key(page)) for slug, page in shown.items()}


@dataclass(frozen=True)
class _Published:
    """What publishing the article pages added to the staging folder."""

    files: int  # listing pages and site files
    index: SearchIndex
    stats: dict[str, tuple[int, int]]  # every file kept in the staging folder


def _publish(renderer: SiteRenderer, pages: list[RenderedPage], keys: dict[str, str], search: SearchMode,
             previous: Manifest | None, design: str, intact: Callable[[str], bool], output: Path, staging: Path,
             progress: Progress) -> _Published:
    """Everything but the article pages, once they are in the staging folder: the listing pages, the site files,
    the link check of everything the site holds (raising `BrokenLinks`), and the search index."""
    for page in pages:
        renderer.record(page)
    listings = _listing_pages(renderer, previous, design, intact, output, staging)

    # write: the sitemap, static files and media; then the link check of everything the site holds
    written = write_files(staging, renderer.site_files(pages))
    problems = renderer.broken_links()
    if problems:
        raise BrokenLinks(problems)  # the staging folder is discarded

    # index: the search index brought up to date, kept as it was, or none, as `search` says
    index = _search_index(search, output, staging, renderer, keys, previous, intact, progress)
    stats = prune(staging, {*(page.path for page in pages), *listings, *written, *index.files})
    return _Published(len(listings) + len(written), index, stats)


def _manifest_pages(renderer: SiteRenderer, keys: dict[str, str], pages: list[RenderedPage]
                    ) -> dict[str, tuple[str, RenderedPage]]:
    by_source = {page.source: page for page in pages}
    return {a.slug: (keys[a.slug], by_source[a.document.path]) for a in renderer.articles}


def _record(store: caching.Cache, manifest: Manifest) -> None:
    """The manifest for the next build (its stats are the staging folder's, now the output's: renaming changes
    no file's size or time), and the cache pruned to what this build used."""
    incremental.record(store, manifest)
    store.prune()


def _listing_pages(renderer: SiteRenderer, previous: Manifest | None, design: str, intact: Callable[[str], bool],
                   output: Path, staging: Path) -> list[str]:
    """Render the listing pages whose key changed and carry the others over; returns their paths."""
    paths = []
    for listing in listings(renderer):
        key = renderer.listing_key(listing)
        scanned = incremental.carried_listing(previous, design, listing.path, key, intact)
        if scanned:
            link_files(output, staging, [listing.path])
        else:
            file, scanned = renderer.render_listing(listing)
            write_files(staging, [file])
        renderer.record_listing(listing.path, key, scanned)
        paths.append(listing.path)
    return paths


# ---------------------------------------------------------------- partitioned builds

PARTS = "parts"  # under the site root: the partitions' default folders


def build_partition(root: Path, spec: partition.Spec, folder: Path | None = None, strict: bool = False,
                    use_cache: bool = True, progress: Progress = pool.quiet) -> BuildResult:
    """`wikigen build --partition I/N`: the whole site checked, as a build checks it, and the pages of the
    partition's articles rendered into `folder` (default `parts/I-of-N`), with the record a merge needs. The
    check renders no body: only the partition's articles are parsed for rendering."""
    started = time.perf_counter()
    # load and check: the whole site, so every page shows the whole site's backlinks, taxonomies and numbers
    sources, store = _load(root, None, use_cache)
    config = sources.config
    target = replaceable(config, (folder or root / PARTS / spec.folder).resolve(), "partition folder",
                         ("content", "theme", "bibliography", "evidence", "cache", "output"))
    design = _design(config, False)
    site, job = _check(sources, store, progress)  # a partition prunes nothing of the cache: it used only part
    if site.errors or (strict and site.warnings):
        return BuildResult(site, False, site.diagnostics, len(site.articles), str(target))

    # render: the partition's article pages, into its folder's `site/`, and the record
    renderer = SiteRenderer(site, _references(site, store, progress))
    keys = _page_keys(renderer, job, design)
    mine = [article for article in renderer.articles if partition.member(article.slug, spec.count) == spec.index]
    with staged(target) as staging:
        rendering = pool.RenderJob(job, renderer, {s.path: s for s in sources.articles}, staging / partition.SITE)
        rendered = pool.spread(pool.render_chunk, rendering, mine, config.workers, "render", progress)
        slugs = {article.document.path: article.slug for article in mine}
        pages = [partition.Page(slugs[page.source], keys[slugs[page.source]], page) for page in rendered]
        write_files(staging, [partition.record(spec, incremental.inputs_key(design, "", sources), pages, config.root)])
    return BuildResult(site, True, site.diagnostics, len(site.articles), str(target), len(rendered) + 1,
                       time.perf_counter() - started, rendered=len(rendered))


def merge(root: Path, folders: Sequence[Path], strict: bool = False, search: SearchMode = SearchMode.BUILD,
          use_cache: bool = True, progress: Progress = pool.quiet) -> BuildResult:
    """`wikigen merge PART...`: the partitions' pages and everything else a build writes (listing pages, site
    files, the link check, the search index) published as the output, equal to what one build would publish.
    The site is checked again for what the listing pages show; partitions that do not make up this site raise
    `PartitionError` before anything is written."""
    started = time.perf_counter()
    sources, store = _load(root, None, use_cache)
    config = sources.config
    output = output_folder(config)
    previous = incremental.previous_build(store, output)
    design = _design(config, False)
    parts = partition.whole([partition.read(folder, config.root) for folder in folders],
                            incremental.inputs_key(design, "", sources))

    site, job = _check(sources, store, progress)
    if site.errors or (strict and site.warnings):
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output)
    renderer = SiteRenderer(site, _references(site, store, progress))
    keys = _page_keys(renderer, job, design)
    placed = partition.pages(parts, keys)
    pages = [page for _, page in placed]
    intact = incremental.intact(previous, output_stats(output))
    try:
        with staged(output, recycle=True) as staging:
            for folder, page in placed:
                link_files(folder, staging, [page.path])
            published = _publish(renderer, pages, keys, search, previous, design, intact, output, staging, progress)
    except BrokenLinks as broken:
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output,
                           problems=tuple(broken.diagnostics))

    store.keep(entries.body for entries in job.entries.values())  # the partitions' bodies, in a shared cache
    _record(store, Manifest(incremental.inputs_key(design, search.value, sources), design, site.diagnostics,
                            len(site.articles), published.stats, _manifest_pages(renderer, keys, pages),
                            renderer.listed, published.index.bundles))
    return BuildResult(site, True, site.diagnostics, len(site.articles), config.output,
                       len(pages) + published.files, time.perf_counter() - started, renderer=renderer)


# ---------------------------------------------------------------- previews for `serve`

def site_renderer(root: Path, drafts: bool = False) -> SiteRenderer | None:
    """The site as published, from the cache, for previews after a build that changed nothing (and so made no
    renderer); None when the site has errors."""
    sources, store = _load(root, None)
    site = _check(sources, store)[0]
    return None if site.errors else SiteRenderer(site, _references(site, store, pool.quiet), drafts)


def preview(renderer: SiteRenderer, paths: Iterable[Path]) -> dict[str, bytes] | None:
    """Edited articles' pages rendered against the last published site, for `serve` to show while the build
    that publishes them runs: a page is quick to render, the whole build is not. None unless every path is an
    existing article that checks clean and cites only sources the site already cites; listing pages, the link
    check and the search index wait for the build."""
    config, site = renderer.config, renderer.site
    slugs = frozenset(slug_of(article.document.path) for article in site.articles)
    stored = stored_texts(site.bibliography, site.parsed.sources.evidence)
    job = pool.Job(config, caching.Cache(config.path("cache"), enabled=False), site.bibliography.entries, slugs,
                   stored, years_of(site.bibliography), "", None, True, {},
                   renderer.buckets)  # nothing cached, the built-in scorer
    pages = {}
    for path in paths:
        if not path.is_relative_to(config.path("content")):
            return None
        source, problem = read_source(config, path, article=True)
        if problem or source.text is None or slug_of(source.path) not in renderer.by_slug:
            return None
        done = pool.process(job, source)
        if done.body is None:  # front matter broken, or errors
            return None
        if not set(done.check.article.cited) <= renderer.references.keys():
            return None  # a newly cited source is formatted by the build
        page = renderer.render_article(done.check.article, done.body)
        pages[page.path] = page.content or b""
    return pages
