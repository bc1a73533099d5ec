"""An article page: what it shows besides its body (`ArticlePage`), and the template's context, made from that
and the body alone (`article_context`), so that the page's key, the digest of the page, covers all of it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup

from wikigen import editorial
from wikigen.config import Config
from wikigen.model import Article
from wikigen.render.body import Body, media_url
from wikigen.render.cite import citation
from wikigen.render.links import SCHEME
from wikigen.render.references import Reference
from wikigen.render.views import meta_of, percent

ARTICLE_TEMPLATE = "article.html"
WELL_SOURCED_STEPS = (25, 50, 75)  # the "T1/T2-sourced sentences" search filter: at least this percentage


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: Wikipedia-style back-link labels."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(97 + rest) + label
    return label


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
    meta = meta_of(article)
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
