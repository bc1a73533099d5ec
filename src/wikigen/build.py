"""The orchestrator: gather everything (load, parse, check), then render, write and index.

`check` is `gather` alone; `build` refuses to write when gathering found errors. Both keep an on-disk
cache (`cache.py`): parsed documents and the bibliography by content hash, each article's check and
rendered body, formatted references by entry content, and a manifest of the last build, so an unchanged
site is not rebuilt, and a page (article or listing) whose inputs are unchanged is kept from the previous
output instead of being rendered again. Each article is parsed once, in a worker process.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wikigen import cache as caching
from wikigen import incremental
from wikigen.check import check_document, check_site, support
from wikigen.check.evidence import Scorer, stored_texts, years_of
from wikigen.check.links import linked_slugs
from wikigen.config import CONFIG_FILE, Config, load_config
from wikigen.incremental import ArticleEntries, Manifest
from wikigen.index import update as search_index
from wikigen.index.update import SearchIndex, SearchMode
from wikigen.load import load_sources, read_source
from wikigen.model import (
    Article,
    Bibliography,
    CheckedDocument,
    CheckedSite,
    Diagnostic,
    Document,
    OutputFile,
    Severity,
    SourceFile,
    Sources,
)
from wikigen.parse import parse_document, slug_of, worker_count
from wikigen.parse.bibliography import parse_bibliography
from wikigen.pickling import no_gc
from wikigen.render import RenderedPage, SiteRenderer
from wikigen.render.body import Body, article_path, render_body
from wikigen.render.links import BrokenLinks
from wikigen.render.markdown import search_copy
from wikigen.render.references import format_references, load_style, reference_key
from wikigen.write import (
    link_files,
    output_folder,
    output_stats,
    prune,
    staged,
    walk,
    write_files,
)

_JOB: dict = {}  # set before forking: workers inherit it instead of receiving it pickled


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


def _read(source: SourceFile, config: Config) -> SourceFile:
    """An article listed unread, read now that its text is needed; a file that changed since the load comes
    back with its new digest, and the caller then caches nothing from it (the next build reads it anew)."""
    return read_source(config, config.root / source.path, article=True)[0] if source.unread else source


Progress = Callable[[str, int, int], None]  # (step, done, total): the CLI draws a bar on a terminal


def _quiet(step: str, done: int, total: int) -> None:
    pass


def _check_chunk(sources: Sequence[SourceFile]) -> list[tuple[CheckedDocument, bool]]:
    """Worker: parse (or take from the cache) and check each article, and send back only the slim check (moving
    a parsed document between processes costs as much as parsing it), and whether it may be cached (what was
    read is what the source's digest names). For a build it also renders the article's body while it holds
    the tokens, so rendering the page needs no second parse; the parsed document and the body are cached here."""
    store, entries, keys, slugs, config = _JOB["store"], _JOB["entries"], _JOB["keys"], _JOB["slugs"], _JOB["config"]
    bodies, stored, years = _JOB["render_bodies"], _JOB["stored"], _JOB["years"]
    results = []
    for source in sources:
        entry: ArticleEntries = entries[source.path]
        document = None if bodies else store.get(entry.document)
        same = True  # what is checked is what the source's digest names
        if not isinstance(document, Document) or document.path != source.path:
            text = _read(source, config)
            same = text.digest == source.digest
            with no_gc():
                document = parse_document(text, tokens=bodies)
            if same:
                store.put(entry.document, dataclasses.replace(document, tokens=(), caption_tokens=(),
                                                                        front_tokens=()))
        memo = store.get(entry.scores) if same else None
        score, used = _memo_scorer(memo if isinstance(memo, dict) else {}, config)
        result = check_document(document, keys, slugs, config, False, stored, years, score)
        if same and used != memo:
            store.put(entry.scores, used)
        if same and bodies and result.article.meta is not None and not result.errors:
            article = dataclasses.replace(result.article, document=document)
            store.put(entry.body, render_body(article, config, slugs, keys))
        results.append((result, same))
    return results


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


def _memo_scorer(memo: dict, config: Config) -> tuple[Scorer, dict]:
    """`support.score` remembering its results by the digest of (sentence, evidence, scorer), starting from an
    article's last scores: only the sentences (or evidence) that changed since are scored again. Returns the
    scorer and the scores it used, to cache for the next check."""
    identity, model = _JOB["scorer_id"], _JOB["model"]
    used: dict = {}

    def score(sentence: str, evidence: str) -> support.Scored:
        name = caching.key(identity, sentence, evidence)
        found = used.get(name) or memo.get(name)
        if not isinstance(found, support.Scored):
            found = support.score(sentence, evidence, model)
        used[name] = found
        return found

    return score, used


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
    sources: Sources, store: caching.Cache, progress: Progress = _quiet, bodies: bool = False
) -> tuple[CheckedSite, dict[str, ArticleEntries]]:
    """Check every article, from the cache where its check still holds, else in worker processes from its parsed
    document (cached by content hash, else parsed; for a build always parsed, and its body rendered from the
    tokens). Documents are slimmed once checked, so the orchestrator holds the site's metadata, not its text.
    With `check PATHS` only those articles are checked; the others count by their slugs. Returns the site and
    each checked article's cache entries."""
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
    _JOB.update(store=store, keys=keys, slugs=slugs, config=config, entries=entries, render_bodies=bodies,
                stored=stored, years=years, model=model, scorer_id=scorer_id)
    try:
        for result, holds in _spread(_check_chunk, unchecked, config, "check", progress):
            path = result.article.document.path
            results[path] = result
            if holds:
                fresh[path] = result
            else:
                changed.add(path)
    finally:
        _JOB.clear()
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
    linked = _linked(sources, results, context, pack, store, keys, slugs)
    return check_site(sources, bibliography, [results[s.path] for s in readable], linked), entries


def _linked(sources: Sources, results: dict[str, CheckedDocument], context: str, pack: dict,
            store: caching.Cache, keys, slugs) -> list[CheckedDocument]:
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
        cached = pack.get(name) or store.get(name)
        if not (isinstance(cached, CheckedDocument) and cached.article.document.path == source.path):
            cached = check_document(parse_document(source, tokens=False), keys, slugs, sources.config, keep=False)
            store.put(name, cached)
        found.append(cached)
    return found


def gather(root: Path, selected: Iterable[Path] | None = None, use_cache: bool = True) -> CheckedSite:
    sources, store = _load(root, selected, use_cache)
    site = _check(sources, store)[0]
    if sources.selected is None:  # what the next build takes over stays: its manifest and formatted references
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


# ---------------------------------------------------------------- work spread over processes

def _spread(function: Callable, items: Sequence, config: Config, step: str, progress: Progress) -> list:
    """`function` over chunks of `items`, results in order, in forked worker processes when that pays: not for
    small jobs, nor with threads running (`serve`), where fork is unsafe."""
    workers = worker_count(config.workers, len(items))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        workers = 0
    size = max(4, -(-len(items) // (max(workers, 1) * 16)))  # small chunks: an even load and a live progress bar
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results: list = []
    progress(step, 0, len(items))
    # The site is millions of long-lived objects: freezing them keeps the cyclic GC from rescanning them after
    # every burst of allocations (a third of the render time) and keeps forked workers from copying them.
    gc.freeze()
    try:
        if not workers:
            for chunk in chunks:
                results.extend(function(chunk))
                progress(step, len(results), len(items))
            return results
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk in pool.map(function, chunks):
                results.extend(chunk)
                progress(step, len(results), len(items))
        return results
    finally:
        gc.unfreeze()


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
        staging, {article_path(slug): key for slug, key in keys.items()}, renderer.config.search_shard_pages,
        bundles, intact, renderer.sort_orders(), renderer.config.workers or os.cpu_count() or 1,
        lambda paths: link_files(output, staging, paths), prepare,
        lambda done, total: progress("search index", done, total),
    )
    return dataclasses.replace(index, files=(*write_files(staging, files), *index.files))


def _render_chunk(articles: Sequence[Article]) -> list[RenderedPage]:
    """Worker: render each article page from its body rendered by the check (else parse the article again for
    its tokens, only workers holding tokens, one article at a time, and cache the body) and write it straight
    into the staging folder."""
    renderer, sources, staging, store, bodies = (_JOB[k] for k in ("renderer", "sources", "staging", "store", "bodies"))
    pages = []
    for article in articles:
        path = article.document.path
        body = store.get(bodies[path])
        if not isinstance(body, Body):
            text = _read(sources[path], renderer.config)
            body = renderer.body(dataclasses.replace(article, document=parse_document(text)))
            if text.digest == sources[path].digest:
                store.put(bodies[path], body)
        page = renderer.render_article(article, body)
        write_files(staging, [OutputFile(page.path, page.content or b"")])
        pages.append(dataclasses.replace(page, content=None))
    return pages


def build(
    root: Path, strict: bool = False, search: SearchMode = SearchMode.BUILD, use_cache: bool = True,
    progress: Progress = _quiet, drafts: bool = False,
) -> BuildResult:
    """With `SearchMode.KEEP` the previous search index is carried over unchanged: `serve` publishes an edit at
    once and brings the index up to date in a second build. Drafts are published only with `drafts` (`serve
    --drafts`)."""
    started = time.perf_counter()
    sources, store = _load(root, None, use_cache)
    config = sources.config
    output = output_folder(config)
    design = incremental.design_key(caching.code_fingerprint(), repr(config), caching.tree_digest(config.path("theme")),
                                    os.environ.get("SOURCE_DATE_EPOCH", ""), drafts)
    inputs = incremental.inputs_key(design, search.value, sources)
    previous = incremental.previous_build(store, output)
    found = output_stats(output)
    intact = incremental.intact(previous, found)
    if previous and previous.inputs == inputs and previous.stats == found:
        return BuildResult(None, True, previous.diagnostics, previous.articles, config.output,
                           seconds=time.perf_counter() - started, reused=previous.articles)

    site, entries = _check(sources, store, progress, bodies=True)
    if site.errors or (strict and site.warnings):
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output)
    renderer = SiteRenderer(site, _references(site, store, progress), drafts)
    # an article page's key: its design (templates, theme), and everything its template is given
    keys = {a.slug: caching.key(design, renderer.page_key(renderer.article_page(a, entries[a.document.path].body)))
            for a in renderer.articles}
    carried = incremental.carried_pages(previous, keys, intact)
    kept = list(carried.values())
    todo = [article for article in renderer.articles if article.slug not in carried]
    try:
        with staged(output, recycle=True) as staging:
            link_files(output, staging, [page.path for page in kept])
            bodies = {path: entry.body for path, entry in entries.items()}
            _JOB.update(renderer=renderer, sources={s.path: s for s in sources.articles}, staging=staging,
                        store=store, bodies=bodies)
            try:
                rendered = _spread(_render_chunk, todo, config, "render", progress)
            finally:
                _JOB.clear()
            pages = sorted([*kept, *rendered], key=lambda page: page.path)
            for page in pages:
                renderer.record(page)
            kept_listings: list[str] = []
            written: list[str] = []
            for listing in renderer.listings():  # carried over like an article page when its key holds
                key = renderer.listing_key(listing)
                scanned = incremental.carried_listing(previous, design, listing.path, key, intact)
                if scanned:
                    link_files(output, staging, [listing.path])
                    kept_listings.append(listing.path)
                else:
                    file, scanned = renderer.render_listing(listing)
                    written += write_files(staging, [file])
                renderer.record_listing(listing.path, key, scanned)
            written += write_files(staging, renderer.site_files(pages))
            problems = renderer.broken_links()
            if problems:
                raise BrokenLinks(problems)  # the staging folder is discarded
            count = len(pages) + len(kept_listings) + len(written)
            index = _search_index(search, output, staging, renderer, keys, previous, intact, progress)
            stats = prune(staging, {*(page.path for page in pages), *kept_listings, *written, *index.files})
    except BrokenLinks as broken:
        return BuildResult(site, False, site.diagnostics, len(site.articles), config.output,
                           problems=tuple(broken.diagnostics))
    by_path = {page.path: page for page in pages}
    # stats: of the staging folder, now the output (renaming changes no file's size or time)
    incremental.record(store, Manifest(
        inputs, design, site.diagnostics, len(site.articles), stats,
        {a.slug: (keys[a.slug], by_path[article_path(a.slug)]) for a in renderer.articles}, renderer.listed,
        index.bundles,
    ))
    store.prune()
    return BuildResult(site, True, site.diagnostics, len(site.articles), config.output, count,
                       time.perf_counter() - started, rendered=len(todo), reused=len(kept), renderer=renderer)


# ---------------------------------------------------------------- previews for `serve`

def site_renderer(root: Path, drafts: bool = False) -> SiteRenderer | None:
    """The site as published, from the cache, for previews after a build that changed nothing (and so made no
    renderer); None when the site has errors."""
    sources, store = _load(root, None)
    site = _check(sources, store)[0]
    return None if site.errors else SiteRenderer(site, _references(site, store, _quiet), drafts)


def preview(renderer: SiteRenderer, paths: Iterable[Path]) -> dict[str, bytes] | None:
    """Edited articles' pages rendered against the last published site, for `serve` to show while the build
    that publishes them runs: a page is quick to render, the whole build is not. None unless every path is an
    existing article that checks clean and cites only sources the site already cites; listing pages, the link
    check and the search index wait for the build."""
    config, site = renderer.config, renderer.site
    keys = site.bibliography.entries
    slugs = frozenset(slug_of(article.document.path) for article in site.articles)
    pages = {}
    for path in paths:
        if not path.is_relative_to(config.path("content")):
            return None
        source, problem = read_source(config, path, article=True)
        if problem or source.text is None or slug_of(source.path) not in renderer.by_slug:
            return None
        stored = stored_texts(site.bibliography, renderer.site.parsed.sources.evidence)
        result = check_document(parse_document(source), keys, slugs, config, True, stored, years_of(site.bibliography))
        article = result.article
        if article.meta is None or result.errors:
            return None
        if not set(article.cited) <= renderer.references.keys():
            return None  # a newly cited source is formatted by the build
        page = renderer.render_article(article, render_body(article, config, slugs, keys))
        pages[page.path] = page.content or b""
    return pages
