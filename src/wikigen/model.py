"""Immutable values passed between the stages: load -> parse -> check -> render -> write -> index.

Every stage reads only these types, never another stage's module, so the flow stays one way.
Positions are 1-based lines and columns in the original file.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wikigen.config import Config


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # shown and counted, never failing a build or `--strict`


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem, reported with the others rather than raised, so an editor sees all of them in one run."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    column: int


# ---------------------------------------------------------------- load


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file read as text: BOM removed, line endings normalised to LF. `text` is None when unreadable, for
    an article `check PATHS` does not name, which is listed (its slug counts) but not read, and for one
    `unread` because its stamp is the one it had when last read: its digest is known, its text is read only
    if something needs it (a check or body missing from the cache)."""

    path: str  # relative to the site root, "/"-separated
    text: str | None
    digest: str  # sha256 of the raw bytes, for caches
    stamp: tuple[int, ...] | None = None  # (size, mtime, ctime, inode, device) of the file read
    unread: bool = False


@dataclass(frozen=True, slots=True)
class Sources:
    config: Config
    articles: tuple[SourceFile, ...]
    bibliography: SourceFile | None
    diagnostics: tuple[Diagnostic, ...] = ()
    selected: frozenset[str] | None = None  # article paths to report on (check PATHS); None means all
    assets: tuple[tuple[str, int, int], ...] = ()  # the content folder's other files: (path in it, size, mtime)
    evidence: tuple[SourceFile, ...] = ()  # the evidence folder's excerpts, `<key>.md` or `<key>.txt`


# ---------------------------------------------------------------- parse


@dataclass(frozen=True, slots=True)
class Citation:
    """One item of a group, as pandoc reads it: `[see @key, p. 33, a note]` has the prefix "see", the locator
    "p. 33" and the suffix "a note" (the text after the locator, its leading comma dropped)."""

    key: str
    locator: str | None
    pos: Pos
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False  # `[-@key]`


_QUOTE = re.compile(r'"([^"]+)"|“([^”]+)”')


def quotes_of(citation: Citation) -> tuple[str, ...]:
    """The source's own words an editor put in the citation, in double quotes in its suffix, after the locator
    (`[@key, p. 330, "words of the source"]`): free text to Pandoc, which prints them after the locator."""
    return tuple(a or b for a, b in _QUOTE.findall(citation.suffix))


def remark_of(citation: Citation) -> str:
    """The suffix without its quotes (`for a review`), as a reader is shown it beside the locator."""
    return " ".join(_QUOTE.sub("", citation.suffix).strip(" ,;:").split())


@dataclass(frozen=True, slots=True)
class Marker:
    """One `[@...]` group. A group with problems still marks its sentence (the problem is reported on its own)."""

    raw: str
    pos: Pos
    citations: tuple[Citation, ...]
    llm: bool
    problems: tuple[tuple[str, Pos, str], ...] = ()  # (code, position, message), e.g. P003, P004


TODO_TAG = "todo"  # `[@todo]`: a placeholder still to write, allowed only in a draft (P009 elsewhere)


class Provenance(enum.StrEnum):
    SOURCED = "sourced"
    LLM = "llm"
    UNMARKED = "unmarked"
    TODO = "todo"  # marked `[@todo]`: unfinished, whatever else marks it


class UnitKind(enum.StrEnum):
    SENTENCE = "sentence"
    ROW = "row"  # a table body row
    CAPTION = "caption"  # a sentence of the figure caption
    SUMMARY = "summary"  # a sentence of the front matter's `summary`, the article's lead
    NOTE = "note"  # a sentence of `evidence.note`


@dataclass(frozen=True, slots=True)
class Sentence:
    """A checked unit: a prose sentence, a caption sentence or a table body row."""

    id: str  # stable anchor, derived from the text
    kind: UnitKind
    text: str
    pos: Pos
    markers: tuple[Marker, ...]
    inherited: Marker | None = None  # the marker of an enclosing `::: name [@...]` container

    @property
    def provenance(self) -> Provenance:
        groups = self.markers or ((self.inherited,) if self.inherited else ())
        if any(c.key.casefold() == TODO_TAG for m in groups for c in m.citations):
            return Provenance.TODO
        if any(m.citations for m in groups):
            return Provenance.SOURCED
        if groups:
            return Provenance.LLM
        return Provenance.UNMARKED


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str
    pos: Pos | None = None  # where the heading's line starts (a section threshold's diagnostic stands there)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Raw YAML mapping plus the line of every key path ("evidence.level"), for field-level positions."""

    data: Mapping[str, Any]
    lines: Mapping[str, Pos]


@dataclass(frozen=True)
class Document:
    """One parsed article. `tokens` are markdown-it tokens annotated by the parse plugins; treat them as read-only."""

    path: str
    slug: str
    front: FrontMatter | None
    tokens: tuple[Any, ...]
    caption_tokens: tuple[Any, ...]
    sentences: tuple[Sentence, ...]
    links: tuple[Link, ...]
    headings: tuple[Heading, ...]
    exempt_blocks: int
    words: int
    diagnostics: tuple[Diagnostic, ...] = ()
    stray_markers: tuple[Marker, ...] = ()  # groups standing where there is no sentence to mark
    front_tokens: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # ("summary" or "evidence.note", inline tokens)

    @property
    def markers(self) -> tuple[Marker, ...]:
        seen: dict[int, Marker] = {}
        for s in self.sentences:
            for m in (*s.markers, *((s.inherited,) if s.inherited else ())):
                seen.setdefault(id(m), m)
        for m in self.stray_markers:
            seen.setdefault(id(m), m)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Person:
    """One name, split as CSL splits it: `literal` for an organisation, whose name is never inverted or initialled."""

    given: str
    family: str
    particle: str = ""  # non-dropping: "van" in "van Gogh, Vincent", kept before the family name
    dropping: str = ""  # dropping: "van der" in "{W.M.P. van der} Aalst", shown after the given names
    suffix: str = ""  # "Jr.", "III"
    literal: bool = False

    @property
    def display(self) -> str:
        """"family, given" as a BibTeX author field writes it."""
        if self.literal:
            return self.family
        family = " ".join(filter(None, (self.particle, self.family)))
        given = " ".join(filter(None, (self.given, self.dropping)))
        return ", ".join(filter(None, (family, self.suffix, given)))


@dataclass(frozen=True, slots=True)
class Entry:
    """A bibliography entry with LaTeX decoded. Fields are lower-case names to plain strings; an entry read
    from CSL-JSON also keeps its item (`csl`), which is formatted as it is."""

    key: str
    entry_type: str  # "article", "book", ... (for CSL-JSON: the CSL type)
    fields: Mapping[str, str]
    authors: tuple[Person, ...]
    editors: tuple[Person, ...]
    pos: Pos
    field_pos: Mapping[str, Pos] = field(default_factory=dict)  # where each field starts, for diagnostics
    others: frozenset[str] = frozenset()  # name fields that end in `and others`: printed as the style's "et al."
    csl: Mapping[str, Any] | None = None

    @property
    def title(self) -> str | None:
        return self.fields.get("title")

    @property
    def tier(self) -> str | None:
        return self.fields.get("tier")

    def at(self, name: str) -> Pos:
        """Where field `name` starts, or the entry's `@` when unknown."""
        return self.field_pos.get(name, self.pos)

    @property
    def identifiers(self) -> dict[str, str]:
        """The DOI, PMID, PMCID and arXiv id, each of which is linked: an `eprint` of BibLaTeX's `eprinttype`
        arxiv or pubmed (or arXiv's own `archiveprefix`) counts."""
        f = self.fields
        found = {k: f[k].strip() for k in ("doi", "pmid", "pmcid") if f.get(k, "").strip()}
        kind = (f.get("eprinttype") or f.get("archiveprefix") or "").strip().lower()
        eprint = f.get("eprint", "").strip()
        if eprint and kind == "arxiv":
            found["arxiv"] = eprint.removeprefix("arXiv:").removeprefix("arxiv:")
        elif eprint and kind == "pubmed":
            found.setdefault("pmid", eprint)
        return found


@dataclass(frozen=True, slots=True)
class Bibliography:
    path: str
    entries: Mapping[str, Entry]  # first entry wins on duplicate keys
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class ParsedSite:
    sources: Sources
    documents: tuple[Document, ...]
    bibliography: Bibliography

    @property
    def config(self) -> Config:
        return self.sources.config


# ---------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class Evidence:
    level: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Video:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Figure:
    src: str
    alt: str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class ProvenanceInfo:
    model: str | None = None
    version: str | None = None
    generated: str | None = None  # ISO date


@dataclass(frozen=True, slots=True)
class Review:
    """A clinician's sign-off from the front matter: the digest is of the checked text they read."""

    by: str
    date: str  # ISO date
    digest: str


class ReviewState(enum.StrEnum):
    REVIEWED = "reviewed"
    UNREVIEWED = "unreviewed"
    CHANGED = "changed"  # edited since the review: the checked text's digest differs


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    summary: str
    type: str
    subtype: str | None = None
    discipline: str | None = None
    evidence: Evidence | None = None
    populations: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    key_figures: tuple[str, ...] = ()
    video: Video | None = None
    figure: Figure | None = None
    see_also: tuple[str, ...] = ()
    provenance: ProvenanceInfo = field(default_factory=ProvenanceInfo)
    reviewed: Review | None = None
    ids: tuple[tuple[str, str], ...] = ()  # (old sentence id, the sentence's id now), from the front matter
    draft: bool = False  # `draft: true`: checked, never published


class Support(enum.StrEnum):
    """What the check found of a sourced sentence's evidence (README: "Evidence")."""

    QUOTED = "quoted"  # carries a quote found in its source's stored text
    SUPPORTED = "supported"  # its sources' stored text scores as backing it
    UNSUPPORTED = "unsupported"  # it does not (S003), or a quote is not in the source (S001)
    NOT_CHECKABLE = "not-checkable"  # no source of its group holds stored text


@dataclass(frozen=True, slots=True)
class SentenceSupport:
    """A sourced sentence's evidence status and score (0-1, None when nothing was scored), and for each key
    without a quote the sentence of its stored text that matches best, for the badge preview."""

    sentence: str  # the sentence's id
    pos: Pos
    status: Support
    score: float | None = None
    best: tuple[tuple[str, str], ...] = ()  # (key, best-matching sentence of its stored text)


@dataclass(frozen=True, slots=True)
class Counts:
    sentences: int = 0
    sourced: int = 0
    llm: int = 0
    unmarked: int = 0
    todo: int = 0
    quotes: int = 0  # sourced sentences that carry a quote (checked or not)
    quoted: int = 0  # support statuses of the sourced sentences
    supported: int = 0
    unsupported: int = 0
    not_checkable: int = 0

    @property
    def sourced_share(self) -> float:
        return self.sourced / self.sentences if self.sentences else 0.0

    @property
    def llm_share(self) -> float:
        return self.llm / self.sentences if self.sentences else 0.0


@dataclass(frozen=True, slots=True)
class SectionCounts:
    """The checked units under a heading, down to the next heading of its level or above (its subsections
    included); the heading "" (level 0, line 1) is the text before the first heading."""

    heading: str
    level: int
    line: int
    counts: Counts


@dataclass(frozen=True, slots=True)
class Figures:
    """What the editorial report, the dashboard and the thresholds read of an article, made by the check so
    that they need neither its text nor a second parse. Kept small: every article's check is cached in one
    entry that every `check` reads."""

    sections: tuple[SectionCounts, ...] = ()
    llm: tuple[int, ...] = ()  # line, column, line, column, ...: where each `[@llm]` sentence starts
    digest: str = ""  # of the checked text, as a clinical review records it

    @property
    def llm_positions(self) -> tuple[Pos, ...]:
        return tuple(Pos(self.llm[i], self.llm[i + 1]) for i in range(0, len(self.llm), 2))


@dataclass(frozen=True)
class Article:
    document: Document
    meta: Meta | None  # None when the front matter failed
    counts: Counts
    cited: tuple[str, ...]  # resolved keys in order of first citation
    figures: Figures = Figures()
    support: tuple[SentenceSupport, ...] = ()  # one per sourced sentence, in order

    @property
    def slug(self) -> str:
        return self.document.slug

    @property
    def review(self) -> ReviewState:
        reviewed = self.meta.reviewed if self.meta else None
        if reviewed is None:
            return ReviewState.UNREVIEWED
        return ReviewState.REVIEWED if reviewed.digest == self.figures.digest else ReviewState.CHANGED


@dataclass(frozen=True)
class CheckedDocument:
    """One article's check, cacheable apart from the others: the site-wide rules need only these."""

    article: Article
    diagnostics: tuple[Diagnostic, ...]
    cited: tuple[str, ...]  # every key cited, known or not, in order of first citation
    terms: tuple[tuple[str, str, str, Pos], ...] = ()  # taxonomy terms as written: (field, spelling, term, where)
    links: tuple[Link, ...] = ()  # links within the site (body links and `see_also`), verified site-wide
    anchors: str = ""  # ids a link into the article may name (headings, sentences), NUL-separated: one string
    # an article, not a hundred, in the cache of a large site

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)


@dataclass(frozen=True)
class CheckedSite:
    parsed: ParsedSite
    articles: tuple[Article, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def config(self) -> Config:
        return self.parsed.config

    @property
    def bibliography(self) -> Bibliography:
        return self.parsed.bibliography

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def notices(self) -> int:
        return sum(d.severity is Severity.INFO for d in self.diagnostics)


# ---------------------------------------------------------------- render


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the site, relative to the output folder."""

    path: str
    content: bytes
