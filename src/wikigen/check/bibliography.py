"""Check bibliography entries: what a reader needs to find the source, and sources listed twice or never used.

Positions are the entry's `@` line: the model keeps no per-field positions.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wikigen.model import Bibliography, Diagnostic, Entry, Severity

_TIERS = ("T1", "T2", "T3")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"(?i)(?:https?://(?:dx\.)?doi\.org/|doi:\s*)")
_NOT_WORD = re.compile(r"[\W_]+")


def _doi_problem(doi: str) -> str | None:
    if _DOI.fullmatch(doi):
        return None
    if prefix := _DOI_PREFIX.match(doi):
        return f"drop the `{prefix.group()}` prefix: write `doi = {{{doi[prefix.end() :]}}}`"
    return "a DOI looks like `10.1000/xyz123`"


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def _entry_problems(entry: Entry) -> list[tuple[str, str]]:
    problems = []
    if not (entry.title or "").strip():
        problems.append(("B003", f"entry `{entry.key}` has no title: add `title = {{...}}`"))
    if entry.tier is not None and entry.tier not in _TIERS:
        problems.append(("B004", f"entry `{entry.key}` has tier `{entry.tier}`: write tier = {{T1}}, {{T2}} or {{T3}}"))
    doi = entry.fields.get("doi")
    if doi is not None and (hint := _doi_problem(doi)):
        problems.append(("B005", f"entry `{entry.key}` has an invalid doi `{doi}`: {hint}"))
    url = entry.fields.get("url")
    if url is not None and not _is_web_url(url):
        problems.append(
            ("B005", f"entry `{entry.key}` has an invalid url `{url}`: write a full address starting with https://")
        )
    return problems


def _same_as(entry: Entry, by_doi: dict[str, Entry], by_title: dict[tuple[str, str], Entry]) -> str | None:
    """How `entry` repeats an earlier entry, remembering it for the later ones."""
    doi = entry.fields.get("doi", "").casefold()
    title = _NOT_WORD.sub("", (entry.title or "").casefold())
    year = entry.fields.get("year", "")
    found = None
    if doi and (earlier := by_doi.get(doi)):
        found = f"has the same DOI as `{earlier.key}` (line {earlier.pos.line})"
    elif title and (earlier := by_title.get((title, year))):
        found = f"has the same title and year as `{earlier.key}` (line {earlier.pos.line})"
    if doi:
        by_doi.setdefault(doi, entry)
    if title:
        by_title.setdefault((title, year), entry)
    return found


def check_bibliography(bib: Bibliography, cited: set[str]) -> list[Diagnostic]:
    """Problems of the entries, in file order; `cited` holds the keys cited anywhere in the site."""
    diagnostics = []
    by_doi: dict[str, Entry] = {}
    by_title: dict[tuple[str, str], Entry] = {}
    for entry in sorted(bib.entries.values(), key=lambda e: (e.pos.line, e.pos.column)):
        here = (bib.path, entry.pos.line, entry.pos.column)
        for code, message in _entry_problems(entry):
            diagnostics.append(Diagnostic(*here, code, Severity.ERROR, message))
        if entry.key not in cited:
            message = f"entry `{entry.key}` is cited by no article: cite it as [@{entry.key}] or remove it"
            diagnostics.append(Diagnostic(*here, "B101", Severity.WARNING, message))
        if same := _same_as(entry, by_doi, by_title):
            message = f"entry `{entry.key}` is likely a duplicate source: it {same}; keep one entry and cite its key"
            diagnostics.append(Diagnostic(*here, "B102", Severity.WARNING, message))
    return diagnostics
