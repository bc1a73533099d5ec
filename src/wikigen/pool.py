"""Per-article work, and the worker processes it is spread over: one job for check, build and `serve`'s preview.

An article's work (`process`) is: read it if the load listed it unread, take its parsed document from the cache or
parse it (`document`: the one rule for cached documents), check it, and for a build render its body while the
tokens are there, so rendering its page needs no second parse. Only the slim check goes back to the
orchestrator: moving a parsed document between processes costs as much as parsing it. The parsed document, the
support scores and the body are cached by the worker that made them.

Workers are forked: they inherit the job (the config, the cache, the bibliography's keys, the site's slugs, for
rendering the renderer) as it stands when the pool starts, instead of receiving it pickled with every chunk.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import multiprocessing
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from wikigen.cache import Cache, key
from wikigen.check import check_document, support
from wikigen.check.evidence import Scorer
from wikigen.config import Config
from wikigen.incremental import ArticleEntries
from wikigen.load import read_source
from wikigen.model import Article, CheckedDocument, Document, Entry, OutputFile, SourceFile
from wikigen.parse import parse_document, worker_count
from wikigen.pickling import no_gc
from wikigen.render import RenderedPage, SiteRenderer
from wikigen.render.body import Body, render_body
from wikigen.write import write_files

Progress = Callable[[str, int, int], None]  # (step, done, total): the CLI draws a bar on a terminal


def quiet(step: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class Job:
    """What every article's work needs besides the article."""

    config: Config
    store: Cache  # a disabled one caches nothing (a preview)
    keys: Mapping[str, Entry]  # the bibliography's
    slugs: Collection[str]  # the site's articles, for links between them
    stored: Mapping[str, str]  # each source's stored text
    years: Mapping[str, frozenset[str]]
    scorer_id: str  # what a support score depends on besides its sentence and evidence
    model: support.EntailmentModel | None
    bodies: bool  # render each body (a build), else check only
    entries: Mapping[str, ArticleEntries]  # each article's cache entries, by path
    buckets: bool  # whether article pages are bucketed (`render.body.bucketed`), for links between them


@dataclass(frozen=True)
class Processed:
    check: CheckedDocument
    body: Body | None  # with `Job.bodies`, for an article that checks clean
    holds: bool  # what was read is what the source's digest names, so it may be cached under it


def read(source: SourceFile, config: Config) -> SourceFile:
    """An article listed unread, read now that its text is needed; a file that changed since the load comes
    back with its new digest, and the caller then caches nothing from it (the next build reads it anew)."""
    return read_source(config, config.root / source.path, article=True)[0] if source.unread else source


def document(job: Job, source: SourceFile, tokens: bool) -> tuple[Document, bool]:
    """The article parsed, and whether it is what the source's digest names. A cached document is slim (no
    tokens), so it serves only work that renders nothing; a document parsed here is cached, slimmed."""
    entry = job.entries.get(source.path)
    found = job.store.get(entry.document) if entry and not tokens else None
    if isinstance(found, Document) and found.path == source.path:
        return found, True
    text = read(source, job.config)
    holds = text.digest == source.digest
    with no_gc():
        parsed = parse_document(text, tokens=tokens)
    if entry and holds:
        job.store.put(entry.document, dataclasses.replace(parsed, tokens=(), caption_tokens=(), front_tokens=()))
    return parsed, holds


def process(job: Job, source: SourceFile) -> Processed:
    """Check one article (and render its body, for a build)."""
    entry = job.entries.get(source.path)
    parsed, holds = document(job, source, job.bodies)
    memo = job.store.get(entry.scores) if entry and holds else None
    score, used = memo_scorer(memo if isinstance(memo, dict) else {}, job.scorer_id, job.model)
    result = check_document(parsed, job.keys, job.slugs, job.config, False, job.stored, job.years, score)
    if entry and holds and used != memo:
        job.store.put(entry.scores, used)
    body = None
    if job.bodies and result.article.meta is not None and not result.errors:
        article = dataclasses.replace(result.article, document=parsed)
        body = render_body(article, job.config, job.slugs, job.keys, job.buckets)
        if entry and holds:
            job.store.put(entry.body, body)
    return Processed(result, body, holds)


def body(job: Job, article: Article, source: SourceFile) -> Body:
    """The body of a checked article: cached by its check, else rendered from the article parsed again for its
    tokens (after a `wikigen check`, which renders none) and cached."""
    entry = job.entries[source.path]
    found = job.store.get(entry.body)
    if isinstance(found, Body):
        return found
    parsed, holds = document(job, source, tokens=True)
    made = render_body(dataclasses.replace(article, document=parsed), job.config, job.slugs, job.keys, job.buckets)
    if holds:
        job.store.put(entry.body, made)
    return made


def memo_scorer(memo: dict, scorer_id: str, model: support.EntailmentModel | None) -> tuple[Scorer, dict]:
    """`support.score` remembering its results by the digest of (sentence, evidence, scorer), starting from an
    article's last scores: only the sentences (or evidence) that changed since are scored again. Returns the
    scorer and the scores it used, to cache for the next check."""
    used: dict = {}

    def score(sentence: str, evidence: str) -> support.Scored:
        name = key(scorer_id, sentence, evidence)
        found = used.get(name) or memo.get(name)
        if not isinstance(found, support.Scored):
            found = support.score(sentence, evidence, model)
        used[name] = found
        return found

    return score, used


def check_chunk(job: Job, sources: Sequence[SourceFile]) -> list[Processed]:
    """Worker: each article's work, the body dropped (it is cached; the page's render reads it back)."""
    return [dataclasses.replace(process(job, source), body=None) for source in sources]


@dataclass(frozen=True)
class RenderJob:
    """What rendering the article pages needs."""

    articles: Job
    renderer: SiteRenderer
    sources: Mapping[str, SourceFile]  # by path
    staging: Path


def render_chunk(job: RenderJob, articles: Sequence[Article]) -> list[RenderedPage]:
    """Worker: render each article page from its body and write it straight into the staging folder; only the
    page's scan goes back."""
    pages = []
    for article in articles:
        path = article.document.path
        page = job.renderer.render_article(article, body(job.articles, article, job.sources[path]))
        write_files(job.staging, [OutputFile(page.path, page.content or b"")])
        pages.append(dataclasses.replace(page, content=None))
    return pages


# ---------------------------------------------------------------- the worker processes

J = TypeVar("J")
T = TypeVar("T")
R = TypeVar("R")

_job: Any = None  # in a worker process: the job the pool was started with


def _install(job: object) -> None:
    global _job
    _job = job


def _call(function: Callable[[Any, Sequence[T]], list[R]], chunk: Sequence[T]) -> list[R]:
    return function(_job, chunk)


def spread(function: Callable[[J, Sequence[T]], list[R]], job: J, items: Sequence[T], workers: int, step: str,
           progress: Progress) -> list[R]:
    """`function(job, chunk)` over chunks of `items`, results in order, in forked worker processes when that pays
    (`workers`: the config's; not for small jobs, nor with threads running, in `serve`, where fork is unsafe).
    Forked workers get `job` by inheritance: a fork copies the process, so it is never pickled."""
    count = worker_count(workers, len(items))
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        count = 0
    size = max(4, -(-len(items) // (max(count, 1) * 16)))  # small chunks: an even load and a live progress bar
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results: list[R] = []
    progress(step, 0, len(items))
    # The site is millions of long-lived objects: freezing them keeps the cyclic GC from rescanning them after
    # every burst of allocations (a third of the render time) and keeps forked workers from copying them.
    gc.freeze()
    try:
        if not count:
            for chunk in chunks:
                results.extend(function(job, chunk))
                progress(step, len(results), len(items))
            return results
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_install,
                                 initargs=(job,)) as pool:
            for done in pool.map(functools.partial(_call, function), chunks):
                results.extend(done)
                progress(step, len(results), len(items))
        return results
    finally:
        gc.unfreeze()
