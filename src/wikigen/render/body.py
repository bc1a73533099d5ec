"""An article's Markdown as HTML: the part of its page that needs the parse tokens.

It depends on the article, the config and which articles exist, never on other articles or on the
formatted references (a badge links to the source list, which the page template renders). So the build
renders it in the worker that parsed and checked the article, and keeps it in the cache, instead of
parsing every article a second time to render its page.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wikigen.config import Config
from wikigen.model import Article, Heading, Support
from wikigen.render.links import SCHEME
from wikigen.render.markdown import ArticleContext, link_resolver, render_tokens


@dataclass(frozen=True)
class Body:
    html: str
    caption: str | None  # the figure caption
    lead: str | None  # the summary, with its badges
    note: str | None  # evidence.note, with its badges
    backlinks: tuple[tuple[str, tuple[str, ...]], ...]  # citation key -> ids of the sentences citing it
    llm_badges: int
    media: tuple[tuple[str, str], ...]  # (output path, content file) of the images it shows
    headings: tuple[Heading, ...]  # those the table of contents lists


def bucketed(articles: int, config: Config) -> bool:
    """Whether a wiki of `articles` articles (drafts count) puts its pages in buckets: Netlify refuses a deploy
    with more than 54,000 files in one folder, and `articles/` holds a folder per article. A smaller wiki keeps
    its URLs; the switch is `article_buckets_from` (0: never)."""
    return 0 < config.article_buckets_from <= articles


def bucket(slug: str) -> str:
    """Two hex digits of the slug's hash: 256 folders, even in size, and a slug keeps its bucket as the wiki
    grows."""
    return hashlib.sha256(slug.encode("utf-8")).hexdigest()[:2]


def article_path(slug: str, buckets: bool = False) -> str:
    """An article page's file in the output: `articles/<slug>/`, or `articles/<bucket>/<slug>/`."""
    return f"articles/{bucket(slug)}/{slug}/index.html" if buckets else f"articles/{slug}/index.html"


def article_url(slug: str, buckets: bool = False) -> str:
    quoted = urllib.parse.quote(slug)
    return f"/articles/{bucket(slug)}/{quoted}/" if buckets else f"/articles/{quoted}/"


_OLD_URL = re.compile(r"/articles/([^/?#]+)/?(?:index\.html)?((?:[?#].*)?)")


def _to_buckets(resolve: Callable[[str], str], slugs: Collection[str]) -> Callable[[str], str]:
    """`resolve`, with a link written to an article's unbucketed URL sent to its bucket: the page there is
    gone (the redirect would answer, but the build's link check reads the output)."""

    def resolved(href: str) -> str:
        match = _OLD_URL.fullmatch(href)
        if match and (slug := urllib.parse.unquote(match.group(1))) in slugs:
            return article_url(slug, True) + match.group(2)
        return resolve(href)

    return resolved


def redirects(slugs: Collection[str]) -> bytes:
    """Netlify's `_redirects` for a bucketed wiki: each article's unbucketed URL, which it had until the wiki
    grew past `article_buckets_from` (and which links elsewhere still use), moved for good to its bucket. One
    line an article: Netlify's placeholders take whole path segments, so no rule can compute a bucket."""
    lines = (f"{article_url(slug)} {article_url(slug, True)} 301\n" for slug in sorted(slugs))
    return "".join(lines).encode("utf-8")


def media_url(config: Config, relative: str, found: dict[str, str]) -> str | None:
    """A content-relative file -> its URL, noted in `found` (output path -> file) for copying when it exists
    inside the site; None when the path would leave the content folder."""
    normal = posixpath.normpath(relative.lstrip("/"))
    if normal.startswith("..") or normal in (".", ""):
        return None
    path = config.path("content") / Path(*PurePosixPath(normal).parts)
    if path.is_file() and path.resolve().is_relative_to(config.root.resolve()):  # no symlink out
        found[f"media/{normal}"] = str(path)
    return "/media/" + urllib.parse.quote(normal)


def citation_numbers(article: Article, known: Collection[str]) -> dict[str, int]:
    """Citation key -> its number in the article's source list (first citation first)."""
    return {key: number for number, key in enumerate(article.cited, 1) if key in known}


def render_body(article: Article, config: Config, slugs: Collection[str], keys: Collection[str],
                buckets: bool = False) -> Body:
    """`slugs`: the site's articles, for links between them; `keys`: the bibliography's, for the numbers;
    `buckets`: whether the site's pages are bucketed (`bucketed`)."""
    meta = article.meta
    assert meta is not None
    media: dict[str, str] = {}
    folder = posixpath.dirname(posixpath.relpath(article.document.path, config.content))

    def resolve_image(src: str) -> str:
        if not src or src.startswith(("/", "#")) or SCHEME.match(src):
            return src
        path = posixpath.join(folder, urllib.parse.unquote(urllib.parse.urlsplit(src).path))
        return media_url(config, path, media) or src

    owners: dict[int, str] = {}
    for sentence in article.document.sentences:
        for marker in sentence.markers:
            owners.setdefault(id(marker), sentence.id)
    for sentence in article.document.sentences:  # a callout's marker: back-link to its first sentence
        if sentence.inherited is not None:
            owners.setdefault(id(sentence.inherited), sentence.id)
    model = meta.provenance.model or "a language model"
    resolve = link_resolver(article_url(article.slug, buckets),
                            lambda s: article_url(s, buckets) if s in slugs else None,
                            lambda path: media_url(config, posixpath.join(folder, path), media))
    context = ArticleContext(
        numbers=citation_numbers(article, keys),
        owners=owners,
        llm_title=f"LLM: written by {model} without a cited source. Verify before clinical use.",
        resolve_image=resolve_image,
        resolve_link=_to_buckets(resolve, slugs) if buckets else resolve,
        aliases={new: tuple(old for old, n in meta.ids if n == new) for _, new in meta.ids},
        # a closest sentence is shown only where it scored as support: a reader would take it for support
        matches={s.sentence: dict(s.best) for s in article.support if s.best and s.status is Support.SUPPORTED},
    )
    prose = {name: str(render_tokens(tokens, context)) for name, tokens in article.document.front_tokens}  # the
    # lead first: back-links follow the page's order
    caption_tokens = article.document.caption_tokens if meta.figure else ()
    caption = str(render_tokens(caption_tokens, context)) if caption_tokens else None
    html = str(render_tokens(article.document.tokens, context))
    return Body(
        html=html,
        caption=caption,
        lead=prose.get("summary"),
        note=prose.get("evidence.note"),
        backlinks=tuple((key, tuple(targets)) for key, targets in context.backlinks.items()),
        llm_badges=context.llm_badges,
        media=tuple(sorted((path, file) for path, file in media.items())),
        headings=tuple(h for h in article.document.headings if h.anchor and h.level in (2, 3)),
    )
