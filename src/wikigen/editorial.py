"""The editorial report (`wikigen report`): what an editor needs of each article to decide what to work on
next (how much of it is sourced, by section and by source tier, what is still LLM text, whether a clinician
reviewed it), worst first, as text, JSON or CSV. The dashboard page `/provenance/` shows the same rows.

Everything comes from the checked site, which `gather` reads from the check cache, so a report of an
unchanged wiki parses nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wikigen.config import TIERS
from wikigen.model import Article, CheckedSite, Counts, Figures, Meta, Pos, ReviewState, SectionCounts, Severity

FORMATS = ("text", "json", "csv")
UNTIERED = "untiered"
Excerpt = Callable[[str, Pos], str | None]  # (article path, position) -> the text there, for the LLM list


def share(part: float) -> str:
    """A share as a percentage that never rounds across a threshold: 79.6% is not shown as 80%."""
    return f"{100 * part:.1f}".removesuffix(".0") + "%"


def review_text(meta: Meta | None, state: ReviewState) -> str:
    """The review line an article page, the report and the dashboard all show."""
    reviewed = meta.reviewed if meta else None
    if state is ReviewState.REVIEWED and reviewed:
        return f"Clinically reviewed by {reviewed.by} on {reviewed.date}"
    if state is ReviewState.CHANGED and reviewed:
        return f"Edited since its review on {reviewed.date}"
    return "Not yet clinically reviewed"


@dataclass(frozen=True)
class Row:
    """One article's line of the report and the dashboard."""

    path: str
    slug: str
    title: str
    type: str
    counts: Counts
    tiers: tuple[tuple[str, int], ...]  # T1, T2, T3, untiered: distinct sources cited
    exempt_blocks: int
    draft: bool  # `draft: true`: checked, never published
    todo: int  # sentences marked `[@todo]`: placeholders still to write
    generated: str | None
    review: ReviewState
    review_text: str
    reviewed_by: str | None
    reviewed_date: str | None
    figures: Figures
    errors: int

    @property
    def sections(self) -> tuple[SectionCounts, ...]:
        return self.figures.sections

    @property
    def llm(self) -> tuple[Pos, ...]:
        """Made when asked for: the dashboard has no use for some 300,000 positions."""
        return self.figures.llm_positions

    @property
    def published(self) -> bool:
        return not self.errors


def _row(article: Article, tier_of: dict[str, str | None], errors: int) -> Row:
    meta = article.meta
    tally = dict.fromkeys((*TIERS, UNTIERED), 0)
    for key in article.cited:
        tier = tier_of.get(key)
        tally[tier if tier in TIERS else UNTIERED] += 1
    reviewed = meta.reviewed if meta else None
    state = article.review
    return Row(
        path=article.document.path,
        slug=article.slug,
        title=meta.title if meta else article.document.path,
        type=meta.type if meta else "",
        counts=article.counts,
        tiers=tuple(tally.items()),
        exempt_blocks=article.document.exempt_blocks,
        draft=bool(meta and meta.draft),
        todo=article.counts.todo,
        generated=meta.provenance.generated if meta else None,
        review=state,
        review_text=review_text(meta, state),
        reviewed_by=reviewed.by if reviewed else None,
        reviewed_date=reviewed.date if reviewed else None,
        figures=article.figures,
        errors=errors,
    )


def worst_first(row: Row) -> tuple:
    """Least sourced first; among equals, the most LLM text first."""
    return (row.counts.sourced_share, -row.counts.llm_share, -row.counts.unmarked, row.path)


def rows(site: CheckedSite, articles: Sequence[Article] | None = None) -> list[Row]:
    """The report's rows, worst first: those of `articles`, else of the articles the check reported on."""
    selected = site.parsed.sources.selected
    if articles is None:
        articles = [a for a in site.articles if selected is None or a.document.path in selected]
    tier_of = {key: entry.tier for key, entry in site.bibliography.entries.items()}
    errors: dict[str, int] = {}
    for d in site.diagnostics:
        if d.severity is Severity.ERROR:
            errors[d.path] = errors.get(d.path, 0) + 1
    return sorted((_row(a, tier_of, errors.get(a.document.path, 0)) for a in articles), key=worst_first)


def summary(found: Sequence[Row]) -> dict:
    """Site-wide figures: sentences by provenance, overall and by article type, and reviews by state."""
    def totals(group: Sequence[Row]) -> dict:
        sentences = sum(r.counts.sentences for r in group)
        sourced, llm = sum(r.counts.sourced for r in group), sum(r.counts.llm for r in group)
        return {"articles": len(group), "sentences": sentences, "sourced": sourced, "llm": llm,
                "unmarked": sum(r.counts.unmarked for r in group), "todo": sum(r.counts.todo for r in group),
                "drafts": sum(r.draft for r in group),
                "sourced_share": sourced / sentences if sentences else 0.0,
                "llm_share": llm / sentences if sentences else 0.0}

    types = sorted({r.type for r in found})
    return {
        **totals(found),
        "by_type": {kind: totals([r for r in found if r.type == kind]) for kind in types},
        "reviews": {state.value: sum(r.review is state for r in found) for state in ReviewState},
    }


def _section_name(section: SectionCounts) -> str:
    return section.heading or "(before the first heading)"


def _json_row(row: Row, excerpt: Excerpt | None) -> dict:
    c = row.counts
    return {
        "path": row.path, "title": row.title, "type": row.type,
        "sentences": c.sentences, "sourced": c.sourced, "llm": c.llm, "unmarked": c.unmarked, "todo": c.todo,
        "sourced_share": round(c.sourced_share, 4), "llm_share": round(c.llm_share, 4),
        "sections": [
            {"heading": s.heading, "level": s.level, "line": s.line, "sentences": s.counts.sentences,
             "sourced": s.counts.sourced, "llm": s.counts.llm, "sourced_share": round(s.counts.sourced_share, 4)}
            for s in row.sections
        ],
        "sources": dict(row.tiers),
        "evidence": {"quotes": c.quotes, "quoted": c.quoted, "supported": c.supported, "unsupported": c.unsupported,
                     "not_checkable": c.not_checkable},
        "exempt_blocks": row.exempt_blocks, "draft": row.draft,
        "generated": row.generated,
        "review": {"status": row.review.value, "by": row.reviewed_by, "date": row.reviewed_date,
                   "text": row.review_text},
        "errors": row.errors,
        "llm_sentences": [
            {"line": p.line, "column": p.column, **({"text": excerpt(row.path, p)} if excerpt else {})}
            for p in row.llm
        ],
    }


def as_json(found: Sequence[Row], excerpt: Excerpt | None = None) -> str:
    document = {"version": 1, "summary": summary(found), "articles": [_json_row(r, excerpt) for r in found]}
    return json.dumps(document, ensure_ascii=False)  # one line: with an indent, json encodes in pure Python


CSV_COLUMNS = (
    "path", "title", "type", "sentences", "sourced", "llm", "unmarked", "sourced_share", "llm_share",
    *(t.lower() for t in TIERS), UNTIERED, "exempt_blocks", "draft", "todo", "generated", "review", "reviewed_by",
    "reviewed_date", "errors", "sections", "llm_lines",
)


def as_csv(found: Sequence[Row]) -> str:
    """One line an article; `sections` is `heading: sourced/sentences` joined by ` | `, `llm_lines` the lines of
    the `[@llm]` sentences joined by spaces."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in found:
        c = r.counts
        sections = " | ".join(f"{_section_name(s)}: {s.counts.sourced}/{s.counts.sentences}" for s in r.sections)
        writer.writerow([
            r.path, r.title, r.type, c.sentences, c.sourced, c.llm, c.unmarked, f"{c.sourced_share:.4f}",
            f"{c.llm_share:.4f}", *(n for _, n in r.tiers), r.exempt_blocks,
            str(r.draft).lower(), r.todo, r.generated or "",
            r.review.value, r.reviewed_by or "", r.reviewed_date or "", r.errors, sections,
            " ".join(map(str, r.figures.llm[::2])),
        ])
    return stream.getvalue()


def as_text(found: Sequence[Row], excerpt: Excerpt | None = None) -> str:
    total = summary(found)
    reviews = total["reviews"]
    lines = [
        f"{total['articles']} articles, {total['sentences']} sentences: {total['sourced']} sourced "
        f"({share(total['sourced_share'])}), {total['llm']} LLM ({share(total['llm_share'])}), "
        f"{total['unmarked']} unmarked, {total['todo']} [@todo]; {total['drafts']} draft"
        f"{'s' * (total['drafts'] != 1)}; {reviews['reviewed']} clinically reviewed, {reviews['changed']} edited "
        f"since review, {reviews['unreviewed']} not reviewed",
        "",
        "Articles, least sourced first:",
    ]
    for r in found:
        c = r.counts
        sources = ", ".join(f"{n} {tier}" for tier, n in r.tiers)
        extra = [f"sources: {sources}", f"evidence: {c.quoted} quoted, {c.supported} supported, {c.unsupported} "
                 f"unsupported, {c.not_checkable} not checkable",
                 f"{r.exempt_blocks} exempt block{'s' * (r.exempt_blocks != 1)}"]
        if r.draft:
            extra.append("draft")
        if r.todo:
            extra.append(f"{r.todo} [@todo]")
        extra.append(f"generated {r.generated}" if r.generated else "no generation date")
        extra.append(r.review_text)
        if r.errors:
            extra.append(f"{r.errors} check error{'s' * (r.errors != 1)}")
        lines.append(f"{r.path}  {r.type or '?'}  {share(c.sourced_share)} sourced, {share(c.llm_share)} LLM, "
                     f"{c.unmarked} unmarked, of {c.sentences} sentences")
        lines.append("    " + " · ".join(extra))
        parts = [f"{_section_name(s)} {share(s.counts.sourced_share)} of {s.counts.sentences}"
                 for s in r.sections if s.counts.sentences]
        if parts:
            lines.append("    sections: " + " · ".join(parts))
    tagged = [(r.path, p) for r in found for p in r.llm]
    lines += ["", f"Sentences still tagged [@llm] ({len(tagged)}):"]
    for path, pos in sorted(tagged, key=lambda pair: (pair[0], pair[1].line, pair[1].column)):
        text = excerpt(path, pos) if excerpt else None
        lines.append(f"{path}:{pos.line}:{pos.column}" + (f": {text}" if text else ""))
    return "\n".join(lines)


def render(site: CheckedSite, fmt: str, excerpt: Excerpt | None = None) -> str:
    found = rows(site)
    if fmt == "json":
        return as_json(found, excerpt)
    if fmt == "csv":
        return as_csv(found)
    return as_text(found, excerpt)
