"""Stage 4: every file of the site (HTML pages, sitemap, robots, static files, figures) from the checked site.

Runs only when the check found no errors. Pages are rendered through Jinja templates, the site's own
`theme/templates` first, then the theme shipped with the package; static files likewise (site wins by
path). The orchestrator records every page rendered or kept, then asks for the internal links that point
nowhere (`broken_links`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from wikigen.config import Config
from wikigen.model import Article, CheckedSite, Diagnostic, OutputFile
from wikigen.render.article import ARTICLE_TEMPLATE, ArticlePage, Cited, article_context
from wikigen.render.body import Body, article_path, article_url, bucketed, citation_numbers, redirects
from wikigen.render.links import LinkChecker, page_url, scan
from wikigen.render.listings import Listing
from wikigen.render.references import TIERS, Reference, format_references, load_style
from wikigen.render.taxonomy import article_sort_key, build_taxonomies, slugify
from wikigen.render.views import ArticleLink, Section, Summary, digest, meta_of, percent, stand_ins, view

__all__ = ["ArticlePage", "Cited", "RenderedPage", "SiteRenderer", "article_context"]

PACKAGE_THEME = Path(__file__).resolve().parent.parent / "theme"
SEARCH_SCRIPT = "assets/search.js"
UNLISTED = ("thanks/index.html", "404.html")  # listing pages the sitemap leaves out


def _static_files(folders: list[Path]) -> dict[str, Path]:
    """Output path -> file; later folders override earlier ones by path."""
    files: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
                if path.is_file() and not hidden and path.resolve().is_relative_to(folder.resolve()):
                    files[path.relative_to(folder).as_posix()] = path
    return dict(sorted(files.items()))


def environment(config: Config) -> Environment:
    loaders = []
    site_templates = config.path("theme") / "templates"
    if site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
    loaders.append(FileSystemLoader(str(PACKAGE_THEME / "templates")))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "xml", "svg"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = percent
    return env


@dataclass(frozen=True)
class RenderedPage:
    """An article page with what the link check and the media copy need, so it can be rendered in a worker
    process or kept from the previous build without rendering."""

    path: str
    source: str
    content: bytes | None  # None: the previous build's file is kept
    ids: str  # NUL-separated
    hrefs: tuple[str, ...]  # internal links but those to the page's own ids
    media: tuple[tuple[str, str], ...]  # (output path, source file)
    generated: str | None


class SiteRenderer:
    def __init__(self, site: CheckedSite, references: Mapping[str, Reference] | None = None, drafts: bool = False):
        """Drafts are left out (no page, listing, search entry or sitemap line) unless `drafts` (`serve
        --drafts`), which shows them with a banner."""
        self.site = site
        self.config = site.config
        self.articles = tuple(sorted((a for a in site.articles if a.meta is not None and (drafts or not a.meta.draft)),
                                     key=article_sort_key))
        self.by_slug = {a.slug: a for a in self.articles}
        self.buckets = bucketed(len(site.articles), self.config)
        self.env = environment(self.config)
        self.static = _static_files([PACKAGE_THEME / "static", self.config.path("theme") / "static"])
        self.taxonomies = build_taxonomies(self.articles)
        # What every page is given of the taxonomies (the navigation): names, not articles, so that a listing
        # page's key changes only with what it lists.
        self.sections = {key: Section(t.key, t.title, t.singular) for key, t in self.taxonomies.items()}
        self.checker = LinkChecker()
        self.media: dict[str, Path] = {}
        self._summaries: dict[int, Summary] = {}
        self._links: dict[int, ArticleLink] = {}
        self.listed: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # listing path -> (key, ids, hrefs)
        entries = site.bibliography.entries
        cited: dict[str, list[Article]] = {}
        for article in self.articles:
            for key in article.cited:
                if key in entries:
                    cited.setdefault(key, []).append(article)
        known = references or {}
        unknown = [key for key in sorted(cited) if key not in known]
        fresh = dict(zip(unknown, format_references([entries[k] for k in unknown], load_style(self.config)),
                         strict=True)) if unknown else {}
        self.references = {key: known.get(key) or fresh[key] for key in sorted(cited)}
        self.citing = {key: tuple(v) for key, v in cited.items()}
        self.entry_anchors = self._entry_anchors(sorted(cited))
        # Each reference hashed once, whole: an article's key names twenty of them.
        self._reference_digests = {id(r): digest(r) for r in self.references.values()}
        self.base_url = self.config.base_url.rstrip("/")
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        self.build_date = (
            dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat() if epoch.isdigit() else None
        )
        self._common = digest(self.common(""))  # what every page is given, but its URL (a page key holds that)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _entry_anchors(keys: list[str]) -> dict[str, str]:
        anchors, used = {}, set()
        for key in keys:
            base = "entry-" + slugify(key)
            anchor, number = base, 2
            while anchor in used:
                anchor, number = f"{base}-{number}", number + 1
            used.add(anchor)
            anchors[key] = anchor
        return anchors

    def article_path(self, slug: str) -> str:
        return article_path(slug, self.buckets)

    def article_url(self, slug: str) -> str:
        return article_url(slug, self.buckets)

    def absolute(self, url: str) -> str:
        return self.base_url + url

    def common(self, url: str) -> dict:
        return {
            "site": self.config,
            "page_url": url,
            "canonical": self.absolute(url),
            "has_search_js": SEARCH_SCRIPT in self.static,
            "taxonomies": self.sections,
            "tiers": TIERS,
        }

    def _text(self, path: str, template: str, **context) -> str:
        return self.env.get_template(template).render(**self.common(page_url(path)), **context)

    def file(self, path: str, content: bytes) -> OutputFile:
        self.checker.add_file(path)
        return OutputFile(path, content)

    # ------------------------------------------------------------ articles

    def summary(self, article: Article) -> Summary:
        """An article as listing pages show it: once per article, however many lists it is on."""
        found = self._summaries.get(id(article))  # the renderer holds every article: ids stay unique
        if found is None:
            found = self._summaries[id(article)] = self._summary(article)
        return found

    def link(self, article: Article) -> ArticleLink:
        """An article as the sources page names it: once per article, however many sources it cites."""
        found = self._links.get(id(article))
        if found is None:
            summary = self.summary(article)
            found = self._links[id(article)] = view(ArticleLink, summary.url, summary.title)
        return found

    def _summary(self, article: Article) -> Summary:
        meta = meta_of(article)
        counts = article.counts
        return view(Summary, article.slug, self.article_url(article.slug), meta.title, meta.summary, meta.type,
                     percent(counts.sourced, counts.sentences), counts.sentences)

    def article_page(self, article: Article, identity: str = "") -> ArticlePage:
        """What the article's page shows besides its body. `identity` names the article and its body (for the
        page's key; a preview, which has no key, leaves it empty)."""
        meta = meta_of(article)
        taxonomy = self.taxonomies
        url = self.article_url(article.slug)
        sources = tuple(
            Cited(number, key, self.references[key], self.entry_anchors[key], len(self.citing.get(key, ())))
            for key, number in citation_numbers(article, self.references).items()
        )
        see_also = tuple(
            (see.title, self.article_url(s), see.summary)
            for s in meta.see_also
            if s in self.by_slug and (see := self.by_slug[s].meta)
        )
        return ArticlePage(
            self.article_path(article.slug), url, self.absolute(url), article, identity, sources, see_also,
            taxonomy["types"].url(meta.type),
            taxonomy["disciplines"].url(meta.discipline) if meta.discipline else None,
            tuple((p, taxonomy["populations"].url(p)) for p in meta.populations),
            tuple((p, taxonomy["problems"].url(p)) for p in meta.problems),
        )

    def page_key(self, page: ArticlePage) -> str:
        """The digest of the template's name, what every page is given (`common`), and each field of the page:
        the article by its identity, each reference by the digest of what a page shows of it."""
        fields = []
        for field in dataclasses.fields(page):
            value = getattr(page, field.name)
            if field.name == "article":
                continue  # named by `identity`
            if field.name == "sources":
                known = self._reference_digests
                value = tuple(tuple((known.get(id(v)) or digest(v)) if isinstance(v, Reference) else v for v in c)
                              for c in value)
            fields.append(value)
        return digest((ARTICLE_TEMPLATE, self._common, *fields))

    def record(self, page: RenderedPage) -> None:
        """Account for an article page rendered elsewhere (a worker) or kept from the previous build."""
        self.checker.add_scanned(page.path, page.source, page.ids, page.hrefs)
        self.media.update((path, Path(source)) for path, source in page.media)

    def render_article(self, article: Article, body: Body) -> RenderedPage:
        page = self.article_page(article)
        context, media = article_context(page, body, self.config)
        text = self._text(page.path, ARTICLE_TEMPLATE, **context)
        ids, hrefs = scan(text)
        generated = article.meta.provenance.generated if article.meta else None
        return RenderedPage(page.path, article.document.path, text.encode("utf-8"), ids, hrefs, media, generated)

    # ------------------------------------------------------------ site pages

    def listing_key(self, listing: Listing) -> str:
        """Hash of the page, its template's name and everything the template is given (`common` included):
        summaries and views, never article objects, so it changes only with what the page can show."""
        inputs = stand_ins(listing.context)
        return digest((listing.path, listing.template, inputs, self.common(page_url(listing.path))))

    def sort_orders(self) -> dict[str, list[str]]:
        """For each way the search page sorts, the articles' URLs (as Pagefind records them) in ascending
        order, those without the value left out."""
        urls = [page_url(self.article_path(a.slug)) for a in self.articles]  # in title order
        dated = sorted(((a.meta.provenance.generated, url) for a, url in zip(self.articles, urls, strict=True)
                        if a.meta and a.meta.provenance.generated), key=lambda pair: pair[0])  # ties: by title
        return {"title": urls, "date": [url for _, url in dated]}

    def sitemap(self, urls: list[tuple[str, str | None]]) -> OutputFile:
        text = self.env.get_template("sitemap.xml").render(
            entries=[(self.absolute(url), lastmod) for url, lastmod in sorted(urls)]
        )
        return self.file("sitemap.xml", text.encode("utf-8"))

    def robots(self) -> OutputFile:
        text = f"User-agent: *\nAllow: /\n\nSitemap: {self.absolute('/sitemap.xml')}\n"
        return self.file("robots.txt", text.encode("utf-8"))

    # ------------------------------------------------------------ all

    def render_listing(self, listing: Listing) -> tuple[OutputFile, tuple[str, tuple[str, ...]]]:
        """A listing page, and its scan (ids, hrefs) for the link check."""
        text = self._text(listing.path, listing.template, **listing.context)
        return OutputFile(listing.path, text.encode("utf-8")), scan(text)

    def record_listing(self, path: str, key: str, scanned: tuple[str, tuple[str, ...]]) -> None:
        """Account for a listing page rendered or kept from the previous build: its key and scan end in
        `self.listed`, for the next build."""
        self.checker.add_scanned(path, None, *scanned)
        self.listed[path] = (key, *scanned)

    def site_files(self, articles: list[RenderedPage]) -> Iterator[OutputFile]:
        """Every file but the pages: the sitemap (of the article pages passed in and the listing pages
        recorded), robots.txt, the static files and the articles' media."""
        urls = [(page_url(page.path), page.generated or self.build_date) for page in articles]
        urls += [(page_url(path), self.build_date) for path in self.listed if path not in UNLISTED]
        yield self.sitemap(urls)
        yield self.robots()
        if self.buckets:
            yield self.file("_redirects", redirects(self.by_slug))
        for path, source in self.static.items():
            yield self.file(path, source.read_bytes())
        for path, source in sorted(self.media.items()):
            yield self.file(path, source.read_bytes())

    def broken_links(self) -> list[Diagnostic]:
        """The internal links of every page and file recorded that point nowhere (R001)."""
        return self.checker.problems()
