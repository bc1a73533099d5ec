"""The editor's desk: an article's figures by section, the digest a clinical review signs, and the
publication thresholds over them (Q001, Q002). Figures are made here, once per check, so that the report,
the dashboard and the article page read them from the cached check instead of parsing again."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

from wikigen.config import Config
from wikigen.editorial import share
from wikigen.model import (
    Counts,
    Diagnostic,
    Document,
    Entry,
    Figures,
    Marker,
    Meta,
    Pos,
    Provenance,
    ReviewState,
    SectionCounts,
    Sentence,
    Severity,
)

DIGEST_PREFIX = "sha256:"


def _group(marker: Marker) -> str:
    """A marker group as the digest sees it: the order of its citations does not change what it claims."""
    if marker.llm:
        return "@llm"
    return "; ".join(sorted(f"@{c.key}" + (f", {' '.join(c.locator.split())}" if c.locator else "")
                            for c in marker.citations))


def text_digest(sentences: Sequence[Sentence]) -> str:
    """Digest of an article's checked text: each unit's words and its marker groups, in order. Whitespace
    and the order of keys within a group are not part of it; any edit to a unit's words or sources is."""
    digest = hashlib.sha256()
    for sentence in sentences:
        groups = sentence.markers or ((sentence.inherited,) if sentence.inherited else ())
        line = "\x1f".join([str(sentence.kind), " ".join(sentence.text.split()), *map(_group, groups)])
        digest.update(line.encode("utf-8") + b"\x1e")
    return DIGEST_PREFIX + digest.hexdigest()[:32]


def count_units(sentences: Sequence[Sentence]) -> Counts:
    tally = Counter(s.provenance for s in sentences)
    return Counts(len(sentences), tally[Provenance.SOURCED], tally[Provenance.LLM], tally[Provenance.UNMARKED],
                  tally[Provenance.TODO])


def _sections(document: Document) -> list[tuple[str, int, Pos, list[Sentence]]]:
    """(heading, level, position, units) of each section: the text before the first heading (if any, or if
    there is no heading), then each heading down to the next heading of its level or above."""
    units = document.sentences
    headings = [(h, h.pos) for h in document.headings if h.pos is not None]
    found: list[tuple[str, int, Pos, list[Sentence]]] = []
    lead = [s for s in units if not headings or s.pos.line < headings[0][1].line]
    if lead or not headings:
        found.append(("", 0, Pos(1, 1), lead))
    for index, (heading, pos) in enumerate(headings):
        end = next((p.line for h, p in headings[index + 1 :] if h.level <= heading.level), None)
        inside = [s for s in units if s.pos.line > pos.line and (end is None or s.pos.line < end)]
        found.append((heading.text, heading.level, pos, inside))
    return found


def figures(document: Document) -> Figures:
    """Sections by heading, the `[@llm]` sentences' positions and the text's digest."""
    sections = tuple(SectionCounts(text, level, pos.line, count_units(units))
                     for text, level, pos, units in _sections(document))
    llm = tuple(n for s in document.sentences if s.provenance is Provenance.LLM for n in (s.pos.line, s.pos.column))
    return Figures(sections, llm, text_digest(document.sentences))


def _cited(sentences: Sequence[Sentence], keys: Mapping[str, Entry]) -> list[str]:
    found: dict[str, None] = {}
    for sentence in sentences:
        for marker in sentence.markers or ((sentence.inherited,) if sentence.inherited else ()):
            for citation in marker.citations:
                if citation.key in keys:
                    found.setdefault(citation.key)
    return list(found)


def thresholds(
    document: Document, meta: Meta, counts: Counts, review: ReviewState, config: Config, keys: Mapping[str, Entry],
    reviewed_at: Pos,
) -> list[Diagnostic]:
    """Q001 where the article or one of its named sections misses a publication threshold, Q002 where its
    type requires a clinical review that it lacks or that an edit has outdated. A draft is not published, so
    no threshold applies to it yet."""
    path = document.path
    problems: list[Diagnostic] = []
    if meta.draft:
        return problems

    def q(pos: Pos, code: str, message: str) -> None:
        problems.append(Diagnostic(path, pos.line, pos.column, code, Severity.ERROR, message))

    rule = config.for_type(meta.type)
    assert rule.min_sourced_share is not None and rule.max_llm_share is not None  # for_type fills every field
    scope = f"for type `{meta.type}`" if meta.type in dict(config.by_type) else "site-wide"
    start = Pos(1, 1)
    if counts.sentences:
        if counts.sourced_share < rule.min_sourced_share:
            q(start, "Q001", f"sourced share {share(counts.sourced_share)} ({counts.sourced} of {counts.sentences} "
              f"sentences) is below the required {share(rule.min_sourced_share)} (min_sourced_share {scope}): "
              "source more sentences or lower the threshold")
        if counts.llm_share > rule.max_llm_share:
            q(start, "Q001", f"LLM share {share(counts.llm_share)} ({counts.llm} of {counts.sentences} sentences) "
              f"is above the allowed {share(rule.max_llm_share)} (max_llm_share {scope}): replace `[@llm]` "
              "sentences with sourced ones")
    for heading, _, pos, units in _sections(document) if config.by_section else ():
        own = config.for_section(heading) if heading else None
        if own is None:
            continue
        where, c = f"section “{heading}”", count_units(units)
        if c.sentences and own.min_sourced_share is not None and c.sourced_share < own.min_sourced_share:
            q(pos, "Q001", f"{where}: sourced share {share(c.sourced_share)} ({c.sourced} of {c.sentences} "
              f"sentences) is below the required {share(own.min_sourced_share)} (by_section min_sourced_share)")
        if c.sentences and own.max_llm_share is not None and c.llm_share > own.max_llm_share:
            q(pos, "Q001", f"{where}: LLM share {share(c.llm_share)} ({c.llm} of {c.sentences} sentences) "
              f"is above the allowed {share(own.max_llm_share)} (by_section max_llm_share)")
        if own.required_tiers is not None:
            cited = _cited(units, keys)
            outside = [f"`{k}` ({keys[k].tier or 'no tier'})" for k in cited if keys[k].tier not in own.required_tiers]
            if outside:
                q(pos, "Q001", f"{where} cites {len(outside)} of {len(cited)} sources outside "
                  f"{', '.join(own.required_tiers)}: {', '.join(outside)} (by_section required_tiers); cite a "
                  "higher-tier source or move the sentence")
    if rule.require_review and review is not ReviewState.REVIEWED:
        if review is ReviewState.UNREVIEWED:
            message = "not yet clinically reviewed"
        else:
            assert meta.reviewed is not None
            message = f"edited since its clinical review on {meta.reviewed.date} by {meta.reviewed.by}"
        q(reviewed_at, "Q002", f"{message}, and type `{meta.type}` requires one (require_review): have a clinician "
          f"read it, then run `wikigen review {path} --by \"Name, credentials\"`")
    return problems
