"""The pages made from the site's metadata (home, sources, about, the provenance dashboard, taxonomy and term
pages, the fixed pages), each a `Listing`: a template and its context, before rendering, so its key can be
compared with the last build's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wikigen import editorial
from wikigen.config import TIERS as TIER_NAMES
from wikigen.render.references import kind_label
from wikigen.render.views import ProvenanceRow, TaxonomyView, TermView, meta_of, percent, view

if TYPE_CHECKING:
    from wikigen.render import SiteRenderer


@dataclass(frozen=True)
class Listing:
    """A page made from the site's metadata, before rendering: the key of its inputs decides whether the
    previous build's file can be kept."""

    path: str
    template: str
    context: dict


def listings(renderer: SiteRenderer) -> list[Listing]:
    """Every page made from the site's metadata: home, sources, about, taxonomy and term pages, and the
    fixed pages."""
    figures = totals(renderer)
    types = renderer.config.types
    groups = []
    for kind in (*types, *sorted({meta_of(a).type for a in renderer.articles} - set(types))):
        members = [renderer.summary(a) for a in renderer.articles if meta_of(a).type == kind]
        if members:
            groups.append({"type": kind, "url": renderer.taxonomies["types"].url(kind), "articles": members})
    pages = [
        Listing("index.html", "home.html", {"groups": groups, "totals": figures}),
        _sources(renderer),
        Listing("about/index.html", "about.html", {"totals": figures}),
        _dashboard(renderer),
        Listing("search/index.html", "search.html", {}),
        Listing("thanks/index.html", "thanks.html", {}),
    ]
    for taxonomy in renderer.taxonomies.values():
        terms = tuple(TermView(t.name, t.slug, tuple(renderer.summary(a) for a in t.articles)) for t in taxonomy.terms)
        view = TaxonomyView(taxonomy.key, taxonomy.title, taxonomy.singular, terms)
        pages.append(Listing(f"{taxonomy.key}/index.html", "taxonomy.html", {"taxonomy": view}))
        pages.extend(
            Listing(f"{taxonomy.key}/{term.slug}/index.html", "term.html",
                    {"taxonomy": renderer.sections[taxonomy.key], "term": term, "articles": list(term.articles)})
            for term in terms
        )
    pages.append(Listing("404.html", "404.html", {}))
    return pages

def totals(renderer: SiteRenderer) -> dict:
    sentences = sum(a.counts.sentences for a in renderer.articles)
    sourced = sum(a.counts.sourced for a in renderer.articles)
    llm = sum(a.counts.llm for a in renderer.articles)
    tiers: dict[str, int] = {}
    for reference in renderer.references.values():
        tier = reference.tier or "untiered"
        tiers[tier] = tiers.get(tier, 0) + 1
    return {
        "articles": len(renderer.articles),
        "sentences": sentences,
        "sourced": sourced,
        "llm": llm,
        "sourced_pct": percent(sourced, sentences),
        "llm_pct": percent(llm, sentences),
        "sources": len(renderer.references),
        "tiers": dict(sorted(tiers.items())),
        "models": sorted({m for a in renderer.articles if (m := meta_of(a).provenance.model)}),
    }

def _dashboard(renderer: SiteRenderer) -> Listing:
    """The provenance dashboard: every article's figures from the editorial report, worst first, and the
    site's shares by article type for its chart."""
    rows = editorial.rows(renderer.site, renderer.articles)
    views = []
    for row in rows:
        c = row.counts
        weakest = min((s for s in row.sections if s.counts.sentences and s.heading),
                      key=lambda s: s.counts.sourced_share, default=None)
        views.append(view(
            ProvenanceRow, renderer.article_url(row.slug), row.title, row.type, c.sentences, c.sourced, c.llm,
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

def _sources(renderer: SiteRenderer) -> Listing:
    entries = renderer.site.bibliography.entries
    items = []
    for key, reference in sorted(renderer.references.items(), key=lambda kv: (kv[1].text.casefold(), kv[0])):
        items.append({
            "key": key,
            "anchor": renderer.entry_anchors[key],
            "reference": reference,
            "kind": kind_label(entries[key]),
            "articles": list(map(renderer.link, renderer.citing[key])),
        })
    return Listing("sources/index.html", "sources.html", {"items": items})
