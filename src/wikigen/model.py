"""Immutable values passed between the stages: load -> parse -> check -> render -> write -> index.

Every stage reads only these types, never another stage's module, so the flow stays one way.
Positions are 1-based lines and columns in the original file.
"""

from __future__ import annotations

import dataclasses
import enum
import gc
import operator
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
    key: str
    locator: str | None
    pos: Pos


_QUOTE = re.compile(r'"([^"]+)"|“([^”]+)”')


def quotes_of(citation: Citation) -> tuple[str, ...]:
    """The source's own words an editor put in the citation, each in double quotes after the locator
    (`[@key, p. 330, "words of the source"]`): free text to Pandoc, which prints them after the locator."""
    return tuple(a or b for a, b in _QUOTE.findall(citation.locator or ""))


def locator_of(citation: Citation) -> str | None:
    """The locator without the quotes (`p. 330`), as a reader is shown it."""
    place = _QUOTE.sub("", citation.locator or "").strip(" ,;:")
    return " ".join(place.split()) or None


@dataclass(frozen=True, slots=True)
class Marker:
    """One `[@...]` group. A group with problems still marks its sentence (the problem is reported on its own)."""

    raw: str
    pos: Pos
    citations: tuple[Citation, ...]
    llm: bool
    problems: tuple[tuple[str, Pos, str], ...] = ()  # (code, position, message), e.g. P003, P004


class Provenance(enum.StrEnum):
    SOURCED = "sourced"
    LLM = "llm"
    UNMARKED = "unmarked"


class UnitKind(enum.StrEnum):
    SENTENCE = "sentence"
    ROW = "row"  # a table body row
    CAPTION = "caption"  # a sentence of the figure caption


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
    given: str
    family: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A bibliography entry with LaTeX decoded. Fields are lower-case names to plain strings."""

    key: str
    entry_type: str  # "article", "book", ...
    fields: Mapping[str, str]
    authors: tuple[Person, ...]
    editors: tuple[Person, ...]
    pos: Pos

    @property
    def title(self) -> str | None:
        return self.fields.get("title")

    @property
    def tier(self) -> str | None:
        return self.fields.get("tier")


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
    quotes: int = 0  # sourced sentences that carry a quote (checked or not)
    quoted: int = 0  # support statuses of the sourced sentences
    supported: int = 0
    unsupported: int = 0
    not_checkable: int = 0

    @property
    def sourced_share(self) -> float:
        return self.sourced / self.sentences if self.sentences else 0.0


@dataclass(frozen=True)
class Article:
    document: Document
    meta: Meta | None  # None when the front matter failed
    counts: Counts
    cited: tuple[str, ...]  # resolved keys in order of first citation
    support: tuple[SentenceSupport, ...] = ()  # one per sourced sentence, in order

    @property
    def slug(self) -> str:
        return self.document.slug


@dataclass(frozen=True)
class CheckedDocument:
    """One article's check, cacheable apart from the others: the site-wide rules need only these."""

    article: Article
    diagnostics: tuple[Diagnostic, ...]
    cited: tuple[str, ...]  # every key cited, known or not, in order of first citation

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


# ---------------------------------------------------------------- pickling


@contextmanager
def no_gc() -> Iterator[None]:
    """Parsing, pickling and unpickling make millions of objects that all stay alive: cyclic GC would rescan
    them again and again (a quarter of the parse time, half of reading 10,000 cached checks) and find nothing
    to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pickle_as_tuples(cls: type) -> None:
    """A frozen slotted dataclass pickles through dataclasses' `__getstate__`, which calls `fields()` for every
    object: a third of the time of caching a parsed document. The same state as a plain tuple is not."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    get = operator.attrgetter(*names)

    def getstate(self) -> tuple:
        return get(self) if len(names) > 1 else (get(self),)

    def setstate(self, state: tuple) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = getstate  # type: ignore[attr-defined]
    cls.__setstate__ = setstate  # type: ignore[attr-defined]


for _class in [v for v in globals().values() if isinstance(v, type) and dataclasses.is_dataclass(v)]:
    if "__slots__" in _class.__dict__:
        _pickle_as_tuples(_class)
del _class
