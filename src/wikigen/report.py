"""Diagnostics as text (like ruff), GitHub workflow commands, or the versioned JSON document."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

from wikigen.model import CheckedSite, Diagnostic, Severity

FORMATS = ("text", "json", "github")


def plural(count: int, word: str) -> str:
    """"1 article", "2 articles", "0 errors"."""
    return f"{count} {word}{'s' * (count != 1)}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean `x`?)" for the closest of `choices` to a misspelt name, else "": one phrasing for every
    unknown name (containers, citation keys, slugs). A name differing only in case comes first."""
    known = sorted(choices)
    close = [c for c in known if c.casefold() == word.casefold()] or difflib.get_close_matches(word, known, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _drafts(site: CheckedSite) -> list[str]:
    return [a.document.path for a in site.articles if a.meta is not None and a.meta.draft]


def _summary(site: CheckedSite) -> str:
    drafts = _drafts(site)
    listed = f"{plural(len(drafts), 'draft')} (not published): {', '.join(drafts)}\n" if drafts else ""
    counts = support_counts(site)
    return (
        f"{listed}{plural(len(site.articles), 'article')} checked: {plural(site.errors, 'error')}, "
        f"{plural(site.warnings, 'warning')}, {plural(site.notices, 'notice')}; sourced sentences: "
        f"{counts['quoted']} quoted, {counts['supported']} supported, {counts['unsupported']} unsupported, "
        f"{counts['not_checkable']} not checkable"
    )


def support_counts(site: CheckedSite) -> dict[str, int]:
    """The support statuses of the reported articles' sourced sentences, summed."""
    selected = site.parsed.sources.selected
    articles = [a for a in site.articles if selected is None or a.document.path in selected]
    return {name: sum(getattr(a.counts, name) for a in articles) for name in SUPPORT_COUNTS}


SUPPORT_COUNTS = ("quotes", "quoted", "supported", "unsupported", "not_checkable")
_TAGS = {Severity.ERROR: "", Severity.WARNING: " (warning)", Severity.INFO: " (notice)"}


def text_line(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.code}{_TAGS[d.severity]} {d.message}"


def _github(d: Diagnostic) -> str:
    def escape(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[d.severity]
    return f"::{kind} file={escape(d.path, True)},line={d.line},col={d.column},title={d.code}::{escape(d.message)}"


def as_json(site: CheckedSite) -> str:
    selected = site.parsed.sources.selected
    document = {
        "version": 1,
        "diagnostics": [
            {"path": d.path, "line": d.line, "column": d.column, "code": d.code, "severity": str(d.severity),
             "message": d.message}
            for d in site.diagnostics
        ],
        "articles": [
            {"path": a.document.path, "sentences": a.counts.sentences, "sourced": a.counts.sourced,
             "llm": a.counts.llm, "unmarked": a.counts.unmarked, "todo": a.counts.todo,
             "exempt_blocks": a.document.exempt_blocks, "draft": a.meta is not None and a.meta.draft,
             **{name: getattr(a.counts, name) for name in SUPPORT_COUNTS},
             "support": [
                 {"sentence": s.sentence, "line": s.pos.line, "column": s.pos.column, "status": str(s.status),
                  "score": s.score}
                 for s in a.support
             ]}
            for a in site.articles
            if selected is None or a.document.path in selected
        ],
        "summary": {"articles": len(site.articles), "errors": site.errors, "warnings": site.warnings,
                    "drafts": len(_drafts(site)), "notices": site.notices, **support_counts(site)},
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_report(site: CheckedSite, fmt: str) -> str:
    if fmt == "json":
        return as_json(site)
    line = _github if fmt == "github" else text_line
    lines = [line(d) for d in site.diagnostics]
    return "\n".join([*lines, _summary(site)])
