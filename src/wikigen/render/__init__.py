"""Stage 4: every file of the site (HTML pages, sitemap, robots, static files, figures) from the checked site.

Runs only when the check found no errors. Pages are rendered through Jinja templates, the site's own
`theme/templates` first, then the theme shipped with the package; static files likewise (site wins by
path). The orchestrator records every page rendered or kept, then asks for the internal links that point
nowhere (`broken_links`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import math
import operator
import os
import pickle
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from wikigen import editorial
from wikigen.config import TIERS as TIER_NAMES
from wikigen.config import Config
from wikigen.model import Article, CheckedSite, Diagnostic, Meta, OutputFile
from wikigen.render.body import Body, article_path, article_url, citation_numbers, media_url, render_body
from wikigen.render.links import SCHEME, LinkChecker, page_url, scan
from wikigen.render.references import TIERS, Reference, format_references, kind_label, load_style
from wikigen.render.taxonomy import article_sort_key, build_taxonomies, slugify

__all__ = ["RenderedPage", "SiteRenderer"]

PACKAGE_THEME = Path(__file__).resolve().parent.parent / "theme"
SEARCH_SCRIPT = "assets/search.js"
ARTICLE_TEMPLATE = "article.html"
UNLISTED = ("thanks/index.html", "404.html")  # listing pages the sitemap leaves out
WELL_SOURCED_STEPS = (25, 50, 75)  # the "T1/T2-sourced sentences" search filter: at least this percentage
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_^~])")


def percent(part: int, whole: int) -> int:
    return math.floor(100 * part / whole + 0.5) if whole else 0


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: Wikipedia-style back-link labels."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(97 + rest) + label
    return label


def _bibtex(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else "", value)


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
class SourceItem:
    number: int
    key: str
    reference: Reference
    backlinks: tuple[tuple[str, str], ...]  # (label, target id)
    entry_anchor: str  # id on /sources/
    cited_by: int  # articles citing it site-wide


class Cited(NamedTuple):
    """A source as an article page lists it, but for its back-links (they come from the body)."""

    number: int
    key: str
    reference: Reference
    anchor: str  # its entry's id on /sources/
    cited_by: int  # articles citing it site-wide


@dataclass(frozen=True)
class ArticlePage:
    """Everything an article page shows but its body. The template's context is made from this and the body
    alone (`article_context` is given nothing else), so the page's key is the digest of this page (`page_key`)
    and no input can be left out of it."""

    path: str
    url: str
    link: str  # the page's absolute URL
    article: Article
    identity: str  # names the article and its body: the digest of what both are made from (their cache entry)
    sources: tuple[Cited, ...]  # in citation order
    see_also: tuple[tuple[str, str, str], ...]  # (title, url, summary) of each see-also article published
    type_url: str
    discipline_url: str | None
    population_links: tuple[tuple[str, str], ...]  # (term, url)
    problem_links: tuple[tuple[str, str], ...]


class Summary(NamedTuple):
    """An article in a list. Attributes, not a dict: Jinja looks `x.y` up as an attribute first, and a dict's
    failed attribute lookup costs an exception, once per field shown on every listing page. Made by `_view`,
    once per article."""

    slug: str
    url: str
    title: str
    summary: str
    type: str
    sourced_pct: int
    sentences: int
    digest: bytes  # of the fields above: what a listing page's key hashes in place of the summary


class ArticleLink(NamedTuple):
    """An article where a page names it and nothing more (the sources page): its key then ignores the
    sentence counts an edit changes."""

    url: str
    title: str
    digest: bytes  # of the fields above


class ProvenanceRow(NamedTuple):
    """An article as the provenance dashboard shows it: its figures, so that the page's key changes only
    when one of them does."""

    url: str
    title: str
    type: str
    sentences: int
    sourced: int
    llm: int
    sourced_share: str  # as the report prints it
    llm_share: str
    sourced_rank: int  # the shares in ten-thousandths, for the sort script
    llm_rank: int
    weakest: str  # the least-sourced section with sentences, "" for none
    weakest_share: str
    tiers: tuple[int, ...]  # T1, T2, T3, untiered
    exempt_blocks: int
    generated: str
    review: str  # ReviewState's value
    review_text: str
    digest: bytes


_VIEWS = (Summary, ArticleLink, ProvenanceRow)  # what listing pages show of an article
_View = TypeVar("_View", Summary, ArticleLink, ProvenanceRow)
_DIGEST = operator.attrgetter("digest")


def _meta(article: Article) -> Meta:
    """The front matter of an article of a rendered site: checked, so never missing."""
    assert article.meta is not None
    return article.meta


def _view(kind: Callable[..., _View], *fields: object) -> _View:
    """A view with the digest of its fields: listing pages show each article many times over, and pickling
    each view in full for the pages' keys would dominate their cost."""
    return kind(*fields, hashlib.blake2b(pickle.dumps(fields), digest_size=8).digest())


@dataclass(frozen=True)
class Listing:
    """A page made from the site's metadata, before rendering: the key of its inputs decides whether the
    previous build's file can be kept."""

    path: str
    template: str
    context: dict


def _digest(value: object) -> str:
    """Hash of a page's inputs. Pickled without the memo, so equal values hash alike whether or not they are
    one object (a reference formatted now and one read from the cache)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(stream.getvalue()).hexdigest()


@dataclass(frozen=True, slots=True)
class Section:
    """A taxonomy as the navigation shows it."""

    key: str
    title: str
    singular: str


@dataclass(frozen=True, slots=True)
class TermView:
    """A taxonomy term as its pages show it: its articles by summary, so a page's key follows what it shows."""

    name: str
    slug: str
    articles: tuple[Summary, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyView(Section):
    """A taxonomy as its index page shows it."""

    terms: tuple[TermView, ...]


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


def citation(config: Config, article: Article, link: str) -> tuple[Markup, str]:
    """The page's own "cite this article": APA and BibTeX. The page's own reference has one fixed shape (the site
    as author, a date, a version, the URL), so it is written here in the APA form a CSL processor gives such a
    web page, without a pandoc run per article."""
    meta = _meta(article)
    generated = meta.provenance.generated
    date = "n.d."
    if generated:
        day = dt.date.fromisoformat(generated)
        date = f"{day.year}, {day.strftime('%B')} {day.day}"
    version = f" (Version {meta.provenance.version})" if meta.provenance.version else ""
    end = "" if not version and meta.title.endswith(("?", "!", ".")) else "."
    apa = Markup("{}. ({}). <i>{}</i>{}{} <a href=\"{}\" rel=\"noopener\">{}</a>").format(
        config.title, date, meta.title, version, end, link, link
    )
    lines = [
        f"@misc{{wikigen-{slugify(article.slug)},",
        f"  author       = {{{{{_bibtex(config.title)}}}}},",
        f"  title        = {{{_bibtex(meta.title)}}},",
    ]
    if generated:
        lines.append(f"  year         = {{{generated[:4]}}},")
        lines.append(f"  date         = {{{generated}}},")
    if meta.provenance.version:
        lines.append(f"  version      = {{{_bibtex(meta.provenance.version)}}},")
    lines.append(f"  howpublished = {{{_bibtex(config.title)}}},")
    lines.append(f"  url          = {{{link}}},")
    note = ["LLM-generated"]
    if meta.provenance.model:
        note.append(f"model {meta.provenance.model}")
    if generated:
        note.append(f"last generated {generated}")
    lines.append(f"  note         = {{{_bibtex(', '.join(note))}}}")
    lines.append("}")
    return apa, "\n".join(lines)


def tier_filters(sources: tuple[Cited, ...], backlinks: dict[str, tuple[str, ...]], sentences: int
                 ) -> tuple[str | None, list[str]]:
    """The search filters on an article's sources: the tier most of its sourced sentences cite (a sentence
    counts once, by the best tier among its sources; ties go to the better tier), and the thresholds its
    share of T1/T2-sourced sentences (of all its sentences) reaches."""
    tiers = {cited.key: cited.reference.tier for cited in sources}
    best: dict[str, str] = {}
    for key, targets in backlinks.items():
        tier = tiers.get(key)
        if tier:
            for target in targets:
                best[target] = min(best.get(target, tier), tier)
    tally: dict[str, int] = {}
    for tier in best.values():
        tally[tier] = tally.get(tier, 0) + 1
    dominant = min(tally, key=lambda tier: (-tally[tier], tier)) if tally else None
    share = sum(tier in ("T1", "T2") for tier in best.values()) / sentences if sentences else 0.0
    return dominant, [f"at least {step}%" for step in WELL_SOURCED_STEPS if share * 100 >= step]


def article_context(page: ArticlePage, body: Body, config: Config) -> tuple[dict, tuple[tuple[str, str], ...]]:
    """The article template's context, from the page and its body alone (and the config, which every page
    depends on), and the media the page shows (output path, source file)."""
    article = page.article
    meta = _meta(article)
    media = dict(body.media)
    figure = None
    if meta.figure:
        caption = Markup(body.caption) if body.caption else None
        src = meta.figure.src
        external = bool(SCHEME.match(src))
        figure = {
            "src": src if external else media_url(config, src, media),
            "external": external,
            "alt": meta.figure.alt,
            "caption": caption,
        }
    backlinks = dict(body.backlinks)
    sources = []
    for cited in page.sources:
        targets = backlinks.get(cited.key, ())
        sources.append(SourceItem(
            number=cited.number,
            key=cited.key,
            reference=cited.reference,
            backlinks=tuple((_letters(i), t) for i, t in enumerate(targets)),
            entry_anchor=cited.anchor,
            cited_by=cited.cited_by,
        ))
    counts = article.counts
    sourced_pct = percent(counts.sourced, counts.sentences)
    complete = counts.sentences and not counts.unmarked
    llm_pct = 100 - sourced_pct if complete else percent(counts.llm, counts.sentences)
    tiers_used = sorted({s.reference.tier for s in sources if s.reference.tier})
    dominant_tier, well_sourced = tier_filters(page.sources, backlinks, counts.sentences)
    apa, bibtex = citation(config, article, page.link)
    context = dict(
        article=article,
        meta=meta,
        counts=counts,
        url=page.url,
        body=Markup(body.html),
        lead=Markup(body.lead) if body.lead else meta.summary,
        evidence_note=Markup(body.note) if body.note else (meta.evidence.note if meta.evidence else None),
        figure=figure,
        headings=body.headings,
        sources=sources,
        tiers_used=tiers_used,
        dominant_tier=dominant_tier,
        well_sourced=well_sourced,
        see_also=[{"title": title, "url": url, "summary": summary} for title, url, summary in page.see_also],
        read_minutes=max(1, math.ceil(article.document.words / max(1, config.words_per_minute))),
        sourced_pct=sourced_pct,
        llm_pct=llm_pct,
        type_url=page.type_url,
        discipline_url=page.discipline_url,
        population_links=list(page.population_links),
        problem_links=list(page.problem_links),
        cite_apa=apa,
        cite_bibtex=bibtex,
        has_llm=body.llm_badges > 0,
        model=meta.provenance.model or "a language model",
        review=article.review.value,
        review_text=editorial.review_text(meta, article.review),
    )
    return context, tuple(sorted(media.items()))


class SiteRenderer:
    def __init__(self, site: CheckedSite, references: Mapping[str, Reference] | None = None, drafts: bool = False):
        """Drafts are left out (no page, listing, search entry or sitemap line) unless `drafts` (`serve
        --drafts`), which shows them with a banner."""
        self.site = site
        self.config = site.config
        self.articles = tuple(sorted((a for a in site.articles if a.meta is not None and (drafts or not a.meta.draft)),
                                     key=article_sort_key))
        self.by_slug = {a.slug: a for a in self.articles}
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
        self._reference_digests = {id(r): _digest(r) for r in self.references.values()}
        self.base_url = self.config.base_url.rstrip("/")
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        self.build_date = (
            dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat() if epoch.isdigit() else None
        )
        self._common = _digest(self.common(""))  # what every page is given, but its URL (a page key holds that)

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

    article_url = staticmethod(article_url)

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
            found = self._links[id(article)] = _view(ArticleLink, summary.url, summary.title)
        return found

    def _summary(self, article: Article) -> Summary:
        meta = _meta(article)
        counts = article.counts
        return _view(Summary, article.slug, self.article_url(article.slug), meta.title, meta.summary, meta.type,
                     percent(counts.sourced, counts.sentences), counts.sentences)

    def article_page(self, article: Article, identity: str = "") -> ArticlePage:
        """What the article's page shows besides its body. `identity` names the article and its body (for the
        page's key; a preview, which has no key, leaves it empty)."""
        meta = _meta(article)
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
            article_path(article.slug), url, self.absolute(url), article, identity, sources, see_also,
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
                value = tuple(tuple((known.get(id(v)) or _digest(v)) if isinstance(v, Reference) else v for v in c)
                              for c in value)
            fields.append(value)
        return _digest((ARTICLE_TEMPLATE, self._common, *fields))

    def record(self, page: RenderedPage) -> None:
        """Account for an article page rendered elsewhere (a worker) or kept from the previous build."""
        self.checker.add_scanned(page.path, page.source, page.ids, page.hrefs)
        self.media.update((path, Path(source)) for path, source in page.media)

    def body(self, article: Article) -> Body:
        """The article's Markdown rendered here, from its tokens: when the check did not render it."""
        return render_body(article, self.config, self.by_slug, self.site.bibliography.entries)

    def render_article(self, article: Article, body: Body) -> RenderedPage:
        page = self.article_page(article)
        context, media = article_context(page, body, self.config)
        text = self._text(page.path, ARTICLE_TEMPLATE, **context)
        ids, hrefs = scan(text)
        generated = article.meta.provenance.generated if article.meta else None
        return RenderedPage(page.path, article.document.path, text.encode("utf-8"), ids, hrefs, media, generated)

    # ------------------------------------------------------------ site pages

    def listings(self) -> list[Listing]:
        """Every page made from the site's metadata: home, sources, about, taxonomy and term pages, and the
        fixed pages."""
        totals = self.totals()
        groups = []
        for kind in (*self.config.types, *sorted({_meta(a).type for a in self.articles} - set(self.config.types))):
            members = [self.summary(a) for a in self.articles if _meta(a).type == kind]
            if members:
                groups.append({"type": kind, "url": self.taxonomies["types"].url(kind), "articles": members})
        pages = [
            Listing("index.html", "home.html", {"groups": groups, "totals": totals}),
            self._sources(),
            Listing("about/index.html", "about.html", {"totals": totals}),
            self._dashboard(),
            Listing("search/index.html", "search.html", {}),
            Listing("thanks/index.html", "thanks.html", {}),
        ]
        for taxonomy in self.taxonomies.values():
            terms = tuple(TermView(t.name, t.slug, tuple(self.summary(a) for a in t.articles)) for t in taxonomy.terms)
            view = TaxonomyView(taxonomy.key, taxonomy.title, taxonomy.singular, terms)
            pages.append(Listing(f"{taxonomy.key}/index.html", "taxonomy.html", {"taxonomy": view}))
            pages.extend(
                Listing(f"{taxonomy.key}/{term.slug}/index.html", "term.html",
                        {"taxonomy": self.sections[taxonomy.key], "term": term, "articles": list(term.articles)})
                for term in terms
            )
        pages.append(Listing("404.html", "404.html", {}))
        return pages

    def listing_key(self, listing: Listing) -> str:
        """Hash of the page, its template's name and everything the template is given (`common` included):
        summaries and views, never article objects, so it changes only with what the page can show."""
        inputs = self._stand_ins(listing.context)
        return _digest((listing.path, listing.template, inputs, self.common(page_url(listing.path))))

    def _stand_ins(self, value: object) -> object:
        """`value` with each article view in it replaced by its digest."""
        if isinstance(value, _VIEWS):
            return value.digest
        if isinstance(value, list | tuple):
            if not value or isinstance(value[0], str | int | float | bool | None):  # plain values: as they are
                return value
            if isinstance(value[0], _VIEWS):
                with contextlib.suppress(AttributeError):  # a list of views (only they have a digest), in C
                    return list(map(_DIGEST, value))
            return [self._stand_ins(item) for item in value]
        if isinstance(value, dict):
            return {name: self._stand_ins(item) for name, item in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (type(value).__name__, *(self._stand_ins(getattr(value, f.name)) for f in dataclasses.fields(value)))
        return value

    def totals(self) -> dict:
        sentences = sum(a.counts.sentences for a in self.articles)
        sourced = sum(a.counts.sourced for a in self.articles)
        llm = sum(a.counts.llm for a in self.articles)
        tiers: dict[str, int] = {}
        for reference in self.references.values():
            tier = reference.tier or "untiered"
            tiers[tier] = tiers.get(tier, 0) + 1
        return {
            "articles": len(self.articles),
            "sentences": sentences,
            "sourced": sourced,
            "llm": llm,
            "sourced_pct": percent(sourced, sentences),
            "llm_pct": percent(llm, sentences),
            "sources": len(self.references),
            "tiers": dict(sorted(tiers.items())),
            "models": sorted({m for a in self.articles if (m := _meta(a).provenance.model)}),
        }

    def _dashboard(self) -> Listing:
        """The provenance dashboard: every article's figures from the editorial report, worst first, and the
        site's shares by article type for its chart."""
        rows = editorial.rows(self.site, self.articles)
        views = []
        for row in rows:
            c = row.counts
            weakest = min((s for s in row.sections if s.counts.sentences and s.heading),
                          key=lambda s: s.counts.sourced_share, default=None)
            views.append(_view(
                ProvenanceRow, self.article_url(row.slug), row.title, row.type, c.sentences, c.sourced, c.llm,
                editorial.share(c.sourced_share), editorial.share(c.llm_share), round(10_000 * c.sourced_share),
                round(10_000 * c.llm_share),
                weakest.heading if weakest else "", editorial.share(weakest.counts.sourced_share) if weakest else "",
                tuple(n for _, n in row.tiers), row.exempt_blocks, row.generated or "", row.review.value,
                row.review_text,
            ))
        total = editorial.summary(rows)
        chart = []
        for kind, figures in total["by_type"].items():
            sourced, llm = round(100 * figures["sourced_share"], 1), round(100 * figures["llm_share"], 1)
            chart.append({"type": kind, "articles": figures["articles"], "sentences": figures["sentences"],
                          "sourced": sourced, "llm": llm, "sourced_text": editorial.share(figures["sourced_share"]),
                          "llm_text": editorial.share(figures["llm_share"])})
        summary = {
            "articles": total["articles"], "sentences": total["sentences"], "sourced": total["sourced"],
            "llm": total["llm"], "sourced_text": editorial.share(total["sourced_share"]),
            "llm_text": editorial.share(total["llm_share"]), "reviews": total["reviews"],
        }
        return Listing("provenance/index.html", "provenance.html",
                       {"rows": views, "summary": summary, "chart": chart, "tier_names": [*TIER_NAMES, "untiered"]})

    def _sources(self) -> Listing:
        entries = self.site.bibliography.entries
        items = []
        for key, reference in sorted(self.references.items(), key=lambda kv: (kv[1].text.casefold(), kv[0])):
            items.append({
                "key": key,
                "anchor": self.entry_anchors[key],
                "reference": reference,
                "kind": kind_label(entries[key]),
                "articles": list(map(self.link, self.citing[key])),
            })
        return Listing("sources/index.html", "sources.html", {"items": items})

    def sort_orders(self) -> dict[str, list[str]]:
        """For each way the search page sorts, the articles' URLs (as Pagefind records them) in ascending
        order, those without the value left out."""
        urls = [page_url(article_path(a.slug)) for a in self.articles]  # in title order
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
        for path, source in self.static.items():
            yield self.file(path, source.read_bytes())
        for path, source in sorted(self.media.items()):
            yield self.file(path, source.read_bytes())

    def broken_links(self) -> list[Diagnostic]:
        """The internal links of every page and file recorded that point nowhere (R001)."""
        return self.checker.problems()
