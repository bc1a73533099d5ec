"""Internal links, verified by `check` at the link's own line and column (R001), as the build will resolve them.

An article keeps what others may link to (its headings' anchors, its sentences' ids and their aliases) and
its own internal links (body links and `see_also`); the site-wide pass resolves each against those of the
article it names. So a broken link fails the pull request, not the build after the merge. Links to the
site's other pages (`/about/`, `/sources/`) are left to the build's check of the rendered pages.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Collection, Mapping, Sequence

from wikigen.check.meta import url_scheme
from wikigen.model import CheckedDocument, Diagnostic, Document, Link, Meta, Pos, Severity
from wikigen.report import did_you_mean

_ARTICLE_URL = re.compile(r"/articles/([^/]+)/?(?:index\.html)?")
# Ids the article template gives its own parts (the source list and its entries, see also, the citation box):
# verified by the build's check of the rendered pages, which knows the theme.
_TEMPLATE_ID = re.compile(r"(?:src|ref)-[0-9][0-9-]*|sources|see-also|cite|provenance|revise|article-body|main")


def anchors_of(document: Document, meta: Meta | None) -> str:
    """The ids a link into this article may name: headings, sentences, and the sentences' old ids."""
    found = {h.anchor for h in document.headings if h.anchor} | {s.id for s in document.sentences}
    return "\0".join(sorted(found | {old for old, _ in (meta.ids if meta else ())}))


def internal_links(document: Document, meta: Meta | None) -> tuple[Link, ...]:
    """The body's links within the site, and `see_also` as links to articles, at their positions."""
    found = [link for link in document.links
             if link.url and url_scheme(link.url) is None and not link.url.startswith("//")]
    lines = document.front.lines if document.front else {}
    for number, slug in enumerate(meta.see_also if meta else ()):
        pos = lines.get(f"see_also.{number}", lines.get("see_also", Pos(1, 1)))
        found.append(Link(f"{urllib.parse.quote(slug)}.md", pos))
    return tuple(found)


def _target(url: str) -> tuple[str, str | None, str]:
    """(path, the slug of the article it names or None, fragment); path "" is the page itself."""
    parts = urllib.parse.urlsplit(url)
    path, fragment = urllib.parse.unquote(parts.path), urllib.parse.unquote(parts.fragment)
    if path.endswith(".md") and not path.startswith("/"):
        return path, posixpath.basename(path)[: -len(".md")], fragment
    match = _ARTICLE_URL.fullmatch(path)
    return path, match.group(1) if match else None, fragment


def linked_slugs(links: Sequence[Link]) -> set[str]:
    """The articles these links name: what `check PATHS` must know of besides the articles it reads."""
    return {slug for link in links if (slug := _target(link.url)[1]) is not None}


def _problem(url: str, page: CheckedDocument, folder: str, articles: Mapping[str, CheckedDocument],
             files: Collection[str]) -> str | None:
    path, slug, fragment = _target(url)
    if not path:
        target = page
    elif path.startswith("/media/") or (not path.startswith("/") and slug is None):
        name = posixpath.normpath(path[len("/media/"):] if path.startswith("/") else posixpath.join(folder, path))
        return None if name in files else f"no file `{name}` under the content folder"
    elif slug is None:
        return None  # a page of the site's own: the build checks it in the rendered pages
    if slug is not None:
        found = articles.get(slug)
        if found is None:
            return f"no article `{slug}`{did_you_mean(slug, articles)}"
        meta, own = found.article.meta, page.article.meta
        if meta is not None and meta.draft and not (own is not None and own.draft):
            return (f"`{slug}` is a draft, which `wikigen build` does not publish: publish it (remove "
                    "`draft: true`) or remove the link")
        target = found
    if fragment and fragment not in target.anchors.split("\0") and not _TEMPLATE_ID.fullmatch(fragment):
        headings = [a for a in target.anchors.split("\0") if a and not a.startswith("s-")]
        return f"no heading or sentence `#{fragment}` in `{target.article.slug}`{did_you_mean(fragment, headings)}"
    return None


def link_problems(checked: Sequence[CheckedDocument], context: Sequence[CheckedDocument], content: str,
                  files: Collection[str]) -> list[Diagnostic]:
    """R001 for every link of `checked` that names no article, heading, sentence or file; `context` holds the
    other articles links may name (for `check PATHS`, those it read only to resolve them)."""
    articles = {r.article.slug: r for r in (*context, *checked)}
    found = []
    for result in checked:
        path = result.article.document.path
        folder = posixpath.dirname(posixpath.relpath(path, content))
        for link in result.links:
            if problem := _problem(link.url, result, folder, articles, files):
                found.append(Diagnostic(path, link.pos.line, link.pos.column, "R001", Severity.ERROR,
                                        f"broken internal link `{link.url}`: {problem}"))
    return found
