"""Check bibliography entries: what a reader needs to find the source, and sources listed twice or never used.

A problem of one field is reported where the field starts; the others at the entry's `@` (or its CSL-JSON `id`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wikigen.model import Bibliography, Diagnostic, Entry, Pos, Severity

_TIERS = ("T1", "T2", "T3")
_NOT_WORD = re.compile(r"[\W_]+")
# What each identifier looks like, and the hint for one that does not (the parser already took resolver links
# and `doi:` off DOIs).
_IDENTIFIERS = {
    "doi": (re.compile(r"10\.\d{4,9}/\S+"), "a DOI looks like `10.1000/xyz123`"),
    "pmid": (re.compile(r"[1-9]\d{0,8}"), "a PubMed id is a number such as `33301246`"),
    "pmcid": (re.compile(r"PMC\d{1,9}"), "a PubMed Central id looks like `PMC7745181`"),
    "arxiv": (
        re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"),
        "an arXiv id looks like `2101.00001` or `hep-th/9901001`",
    ),
}


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def _entry_problems(entry: Entry) -> list[tuple[Pos, str, str]]:
    problems = []
    if not (entry.title or "").strip():
        problems.append((entry.pos, "B003", f"entry `{entry.key}` has no title: add `title = {{...}}`"))
    if entry.tier is not None and entry.tier not in _TIERS:
        problems.append((entry.at("tier"), "B004",
                         f"entry `{entry.key}` has tier `{entry.tier}`: write tier = {{T1}}, {{T2}} or {{T3}}"))
    for name, value in entry.identifiers.items():
        shape, hint = _IDENTIFIERS[name]
        if not shape.fullmatch(value):
            where = entry.at("eprint" if name == "arxiv" or name not in entry.fields else name)
            problems.append((where, "B005", f"entry `{entry.key}` has an invalid {name} `{value}`: {hint}"))
    url = entry.fields.get("url")
    if url is not None and not _is_web_url(url):
        problems.append((entry.at("url"), "B005",
                         f"entry `{entry.key}` has an invalid url `{url}`: write a full address starting with https://"))
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
        for pos, code, message in _entry_problems(entry):
            diagnostics.append(Diagnostic(bib.path, pos.line, pos.column, code, Severity.ERROR, message))
        if entry.key not in cited:
            message = f"entry `{entry.key}` is cited by no article: cite it as [@{entry.key}] or remove it"
            diagnostics.append(Diagnostic(*here, "B101", Severity.WARNING, message))
        if same := _same_as(entry, by_doi, by_title):
            message = f"entry `{entry.key}` is likely a duplicate source: it {same}; keep one entry and cite its key"
            diagnostics.append(Diagnostic(*here, "B102", Severity.WARNING, message))
    return diagnostics
