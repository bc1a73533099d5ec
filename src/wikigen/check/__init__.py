"""Stage 3: every rule over the parsed site. `wikigen check` is the build stopped after this stage."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from wikigen.check import support
from wikigen.check.bibliography import check_bibliography
from wikigen.check.evidence import Scorer, check_excerpts, check_sentence
from wikigen.check.figures import count_units, figures, thresholds
from wikigen.check.links import anchors_of, internal_links, link_problems
from wikigen.check.meta import SAFE_SCHEMES, check_meta, url_scheme
from wikigen.config import Config, term_key
from wikigen.model import (
    TODO_TAG,
    Article,
    Bibliography,
    CheckedDocument,
    CheckedSite,
    Counts,
    Diagnostic,
    Document,
    Entry,
    Meta,
    ParsedSite,
    Pos,
    Provenance,
    SentenceSupport,
    Severity,
    Sources,
    Support,
    UnitKind,
    quotes_of,
)
from wikigen.report import did_you_mean


def _error(document: Document, pos, code: str, message: str) -> Diagnostic:
    return Diagnostic(document.path, pos.line, pos.column, code, Severity.ERROR, message)


def _units(document: Document, markers, keys, draft: bool) -> tuple[list[Diagnostic], Counts, tuple[str, ...]]:
    found: list[Diagnostic] = []
    cited: dict[str, None] = {}
    for sentence in document.sentences:
        if sentence.provenance is Provenance.UNMARKED:
            if sentence.kind is UnitKind.ROW:
                found.append(_error(document, sentence.pos, "P005", "table row has no marker: add `[@key]` or "
                                    "`[@llm]` in one of its cells"))
            else:
                unit = _UNIT_NAMES.get(sentence.kind, "sentence")
                hint = f"{unit} has no marker: end “{_short(sentence.text)}” with `[@key]` for its source"
                found.append(_error(document, sentence.pos, "P001", f"{hint} or `[@llm]` if it has none"))
    for marker in markers:
        for code, pos, message in marker.problems:
            found.append(_error(document, pos, code, message))
        for citation in marker.citations:
            if citation.key.casefold() == TODO_TAG:  # a placeholder, not a source
                if not draft:
                    found.append(_error(document, citation.pos, "P009", "`[@todo]` marks a placeholder still to "
                                        "write: write and mark the sentence, or keep `draft: true` in the front "
                                        "matter until it is done"))
                continue
            cited.setdefault(citation.key)
            if citation.key not in keys:
                hint = did_you_mean(citation.key, keys)
                found.append(_error(document, citation.pos, "P002", f"unknown citation key `{citation.key}`{hint}: "
                                    "add it to the bibliography or fix the spelling"))
    for marker in document.stray_markers:
        found.append(Diagnostic(document.path, marker.pos.line, marker.pos.column, "P006", Severity.WARNING,
                                f"`{marker.raw}` stands where there is no sentence to mark: put it after the "
                                "sentence it supports, in the same paragraph"))
    for link in document.links:
        scheme = url_scheme(link.url)
        if scheme is not None and scheme not in SAFE_SCHEMES:
            found.append(_error(document, link.pos, "L001", f"link with unsafe scheme `{scheme}:` is refused; "
                                "use http(s), mailto or a relative link"))
    return found, count_units(document.sentences), tuple(cited)


_UNIT_NAMES = {UnitKind.SUMMARY: "`summary` sentence", UnitKind.NOTE: "`evidence.note` sentence"}
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.!?,;:])")


def _without_markers(text: str, kind: UnitKind, sentences) -> str:
    """A front-matter text as cards, search results and the page's description show it: without its groups."""
    for sentence in sentences:
        if sentence.kind is kind:
            for marker in sentence.markers:
                text = text.replace(marker.raw, "", 1)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def _plain(meta: Meta, sentences) -> Meta:
    evidence = meta.evidence
    if evidence is not None and evidence.note:
        evidence = dataclasses.replace(evidence, note=_without_markers(evidence.note, UnitKind.NOTE, sentences))
    return dataclasses.replace(meta, summary=_without_markers(meta.summary, UnitKind.SUMMARY, sentences),
                               evidence=evidence)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slug_collisions(documents: tuple[Document, ...]) -> list[Diagnostic]:
    first: dict[str, Document] = {}
    found = []
    for document in documents:
        key = unicodedata.normalize("NFC", document.slug).casefold()
        if key in first:
            message = f"slug `{document.slug}` is also the slug of {first[key].path}: rename one of the files"
            found.append(_error(document, Pos(1, 1), "F004", message))
        else:
            first[key] = document
    return found


def _alias_problems(document: Document, aliases: tuple[tuple[str, str], ...]) -> list[Diagnostic]:
    """An alias must lead to a sentence of the article, and its old id must not be a sentence's id again."""
    ids = {sentence.id: sentence.kind for sentence in document.sentences}
    found = []
    for old, new in aliases:
        pos = document.front.lines.get(f"ids.{old}", Pos(1, 1)) if document.front else Pos(1, 1)
        if ids.get(new) is UnitKind.ROW:
            found.append(_error(document, pos, "F007", f"`ids` maps `{old}` to `{new}`, a table row: rows take no "
                                "alias (link to the table's heading instead)"))
        elif new not in ids:
            found.append(_error(document, pos, "F007", f"`ids` maps `{old}` to `{new}`, which no sentence of this "
                                "article has: use the id the sentence's “Copy link” gives on the published page"))
        elif old in ids:
            found.append(_error(document, pos, "F007", f"`ids` maps `{old}` to `{new}`, but `{old}` is again the id of "
                                "a sentence of this article: remove the alias"))
    return found


def _slim(document: Document) -> Document:
    """What later stages need of a checked document when they parse it again themselves: its identity."""
    return dataclasses.replace(document, front=None, tokens=(), caption_tokens=(), front_tokens=(), sentences=(),
                               links=(), headings=(), diagnostics=(), stray_markers=())


def _evidence(
    document: Document, stored: Mapping[str, str], years: Mapping[str, frozenset[str]], score: Scorer
) -> tuple[list[Diagnostic], tuple[SentenceSupport, ...], dict[str, int]]:
    """The evidence rules over every sourced sentence; their statuses and counts."""
    found: list[Diagnostic] = []
    statuses = []
    quotes = 0
    for sentence in document.sentences:
        if sentence.provenance is not Provenance.SOURCED:
            continue
        status, problems = check_sentence(document, sentence, stored, years, score)
        statuses.append(status)
        found.extend(problems)
        groups = sentence.markers or (sentence.inherited,)
        quotes += any(quotes_of(c) for m in groups if m for c in m.citations)
    tally = Counter(s.status for s in statuses)
    counts = {"quotes": quotes, "quoted": tally[Support.QUOTED], "supported": tally[Support.SUPPORTED],
              "unsupported": tally[Support.UNSUPPORTED], "not_checkable": tally[Support.NOT_CHECKABLE]}
    return found, tuple(statuses), counts


def check_document(
    document: Document,
    keys: Mapping[str, Entry],
    slugs: Collection[str],
    config: Config,
    keep: bool = True,
    stored: Mapping[str, str] | None = None,
    years: Mapping[str, frozenset[str]] | None = None,
    score: Scorer = support.score,
) -> CheckedDocument:
    """Every rule that needs only this document, the bibliography's keys, the site's slugs and its sources'
    stored text (`stored`, by key; `years`: the numbers of each entry's date). With `keep=False` the document
    is slimmed once checked, so a caller holding many keeps metadata, not text. `score` may be a cached
    `support.score`."""
    markers = document.markers  # a property that walks every sentence: once
    draft = document.front is not None and document.front.data.get("draft") is True
    found, counts, cited = _units(document, markers, keys, draft)
    found.extend(document.diagnostics)
    problems, statuses, tally = _evidence(document, stored or {}, years or {}, score)
    found.extend(problems)
    counts = dataclasses.replace(counts, **tally)
    meta = None
    terms: list[tuple[str, str, str, Pos]] = []
    if document.front is not None:
        uses_llm = any(m.llm for m in markers)
        meta, problems = check_meta(document.path, document.front, config, slugs, uses_llm, terms)
        found.extend(problems)
        if meta is not None:
            found.extend(_alias_problems(document, meta.ids))
        meta = _plain(meta, document.sentences) if meta is not None else None
    resolved = tuple(k for k in cited if k in keys)
    article = Article(document if keep else _slim(document), meta, counts, resolved, figures(document), statuses)
    if meta is not None:
        reviewed_at = document.front.lines.get("reviewed", Pos(1, 1)) if document.front else Pos(1, 1)
        found.extend(thresholds(document, meta, counts, article.review, config, keys, reviewed_at))
    return CheckedDocument(article, tuple(found), cited, tuple(terms), internal_links(document, meta),
                           anchors_of(document, meta))


def _spelling_variants(checked: Sequence[CheckedDocument]) -> list[Diagnostic]:
    """F006: spellings of one term that differ in case, whitespace or trailing punctuation are folded into
    one term; say so where each minority spelling is written, so the editor can make them agree."""
    spelled: dict[tuple[str, str], dict[str, list[tuple[str, Pos]]]] = {}
    for result in checked:
        for field_name, spelling, term, pos in result.terms:
            key = (field_name, term_key(term))
            spelled.setdefault(key, {}).setdefault(spelling, []).append((result.article.document.path, pos))
    found = []
    for (field_name, _), variants in spelled.items():
        if len(variants) < 2:
            continue
        ranked = sorted(variants, key=lambda s: (-len(variants[s]), s))
        for spelling in ranked[1:]:
            others = ", ".join(f"`{s}`" for s in ranked if s != spelling)
            for path, pos in variants[spelling]:
                found.append(Diagnostic(path, pos.line, pos.column, "F006", Severity.WARNING,
                                        f"`{spelling}` in `{field_name}` is read as the same term as {others}: "
                                        "use one spelling, or map it in [tool.wikigen.aliases]"))
    return found


def check_site(
    sources: Sources, bibliography: Bibliography, checked: Sequence[CheckedDocument],
    context: Sequence[CheckedDocument] = (),
) -> CheckedSite:
    """The whole-site rules (slug collisions, internal links, the bibliography, uncited entries) over checked
    documents; `context`: other articles that links may name, checked only for that (`check PATHS`)."""
    diagnostics = [*sources.diagnostics, *bibliography.diagnostics]
    for result in checked:
        diagnostics.extend(result.diagnostics)
    files = {path for path, _, _ in sources.assets}
    diagnostics.extend(link_problems(checked, context, sources.config.content, files))
    documents = tuple(result.article.document for result in checked)
    diagnostics.extend(_slug_collisions(documents))
    diagnostics.extend(_spelling_variants(checked))
    diagnostics.extend(check_bibliography(bibliography, {key for result in checked for key in result.cited}))
    diagnostics.extend(check_excerpts(sources.evidence, bibliography))
    selected = sources.selected
    if selected is not None:  # report on those articles; "cited by no article" is a whole-site judgement
        article_paths = {s.path for s in sources.articles}
        diagnostics = [
            d for d in diagnostics if (d.path in selected or d.path not in article_paths) and d.code != "B101"
        ]
    unique = sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.column, d.code, d.message))
    parsed = ParsedSite(sources, documents, bibliography)
    return CheckedSite(parsed, tuple(result.article for result in checked), tuple(unique))
