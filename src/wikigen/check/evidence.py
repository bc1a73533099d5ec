"""Evidence rules: quotes in citations (S001), numbers (S002), support (S003), and each sentence's status.

A source's stored text is its BibTeX `abstract` and its excerpts in the evidence folder (`<key>.md` or
`<key>.txt`). A quote is compared with it after `normalise`, so a quote copied from a PDF (line breaks,
hyphenation, curly quotes, dashes, ligatures) still matches.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

from wikigen.check import support
from wikigen.check.numbers import numbers_in, stated
from wikigen.model import (
    Bibliography,
    Citation,
    Diagnostic,
    Document,
    Entry,
    Sentence,
    SentenceSupport,
    Severity,
    SourceFile,
    Support,
    quotes_of,
)

Scorer = Callable[[str, str], support.Scored]  # (sentence, evidence) -> score; the caller may cache it

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: None for c in "\"“”„‟″«»"})
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def normalise(text: str) -> str:
    """The form a quote and its source are compared in: NFKC, case folded, no quotation marks, one kind of dash
    without spaces around it, no hyphen between letters (so `hyphen-\\nation`, `hyphenation` and
    `well-known` / `well-\\nknown` meet), single spaces."""
    text = _HYPHEN.sub("", _DASHES.sub("-", text.translate(_INVISIBLE)))  # between letters as written: NFKC and
    # casefolding may turn a letter into a letter and a mark or a dot (`Ŀ` -> `l·`, `İ` -> `i̇`)
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES).casefold()
    text = _HYPHEN.sub("", _DASHES.sub("-", text))  # and the dashes NFKC makes of others
    return _SPACE.sub(" ", text).strip()


def quote_in(quote: str, text: str) -> bool:
    """Whether `quote` occurs in `text`; an ellipsis in the quote stands for words left out, in order."""
    haystack = normalise(text)
    at = 0
    for piece in _ELLIPSIS.split(quote):
        piece = normalise(piece).strip(" -")
        if not piece:
            continue
        found = haystack.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def abstract_of(entry: Entry) -> str | None:
    return entry.fields.get("abstract") or None


def stored_texts(bibliography: Bibliography, excerpts: Sequence[SourceFile]) -> dict[str, str]:
    """Each key's stored text: its abstract, then its excerpt files, in name order."""
    stored: dict[str, list[str]] = {}
    for key, entry in bibliography.entries.items():
        if abstract := abstract_of(entry):
            stored.setdefault(key, []).append(abstract)
    for source in excerpts:
        if source.text and source.text.strip():
            stored.setdefault(PurePosixPath(source.path).stem, []).append(source.text)
    return {key: "\n\n".join(parts) for key, parts in stored.items()}


def years_of(bibliography: Bibliography) -> dict[str, frozenset[str]]:
    """The numbers of each entry's year or date: a sentence may name the year of the work it cites."""
    found = {}
    for key, entry in bibliography.entries.items():
        numbers = numbers_in(" ".join(filter(None, (entry.fields.get("year"), entry.fields.get("date")))))
        if numbers:
            found[key] = frozenset(numbers)
    return found


def check_excerpts(excerpts: Sequence[SourceFile], bibliography: Bibliography) -> list[Diagnostic]:
    """S004: an excerpt whose file name is no key would be silently unused."""
    found = []
    for source in excerpts:
        name = PurePosixPath(source.path)
        if name.stem not in bibliography.entries:
            found.append(Diagnostic(source.path, 1, 1, "S004", Severity.WARNING, f"evidence file names no "
                                    f"bibliography entry `{name.stem}`: rename it `<key>{name.suffix}` after the "
                                    "source it is an excerpt of"))
    return found


@functools.lru_cache(maxsize=4096)
def _numbers_of(text: str) -> frozenset[str]:
    """A stored text's numbers, read once however many sentences cite it."""
    return frozenset(numbers_in(text))


def _names(keys: Sequence[str]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def check_sentence(
    document: Document,
    sentence: Sentence,
    stored: Mapping[str, str],
    years: Mapping[str, frozenset[str]],
    score: Scorer,
) -> tuple[SentenceSupport, list[Diagnostic]]:
    """The evidence rules for one sourced sentence, and its status."""
    citations: list[Citation] = [c for m in (sentence.markers or (sentence.inherited,)) if m for c in m.citations]
    found: list[Diagnostic] = []
    quotes: dict[str, list[str]] = {}
    verified = misquoted = False
    for citation in citations:
        for quote in quotes_of(citation):
            quotes.setdefault(citation.key, []).append(quote)
            text = stored.get(citation.key)
            if text is None:
                continue
            if quote_in(quote, text):
                verified = True
            else:
                misquoted = True
                shown = quote if len(quote) <= 60 else quote[:59].rstrip() + "…"
                found.append(Diagnostic(document.path, citation.pos.line, citation.pos.column, "S001",
                                        Severity.ERROR, f"quote “{shown}” is not in the stored text of "
                                        f"`{citation.key}` (its abstract or evidence file): copy the source's words "
                                        "exactly, or correct the stored text"))
    keys = list(dict.fromkeys(c.key for c in citations))
    evidence = {k: "\n\n".join(filter(None, (stored.get(k), *quotes.get(k, ())))) for k in keys}
    evidence = {k: v for k, v in evidence.items() if v}
    pos = sentence.pos
    if not evidence:
        return SentenceSupport(sentence.id, pos, Support.NOT_CHECKABLE), found
    known = {n for k in keys for n in years.get(k, ())}
    for text in evidence.values():
        known.update(_numbers_of(text))
    if missing := list(dict.fromkeys(n for n in numbers_in(sentence.text) if not stated(n, known))):
        found.append(Diagnostic(document.path, pos.line, pos.column, "S002", Severity.WARNING,
                                f"{', '.join(missing)}: in neither a quote nor the stored text of "
                                f"{_names(keys)}; check the figure against the source, or quote the passage "
                                "that states it"))
    joined = score(sentence.text, "\n\n".join(evidence.values()))
    best = tuple((k, score(sentence.text, v).best) for k, v in evidence.items() if k not in quotes)
    if misquoted:
        status = Support.UNSUPPORTED
    elif verified:
        status = Support.QUOTED
    elif joined.supported:
        status = Support.SUPPORTED
    else:
        status = Support.UNSUPPORTED
        found.append(Diagnostic(document.path, pos.line, pos.column, "S003", Severity.INFO,
                                f"the stored text of {_names(list(evidence))} does not appear to support this "
                                f"sentence (score {joined.score:.3f}, below {joined.threshold:.3f}): check it "
                                "against the source, quote the passage that backs it, or cite one that does"))
    if status is Support.SUPPORTED and len(evidence) > 1:  # citation precision: a key that adds nothing
        for key in evidence:
            rest = "\n\n".join(v for k, v in evidence.items() if k != key)
            if not score(sentence.text, evidence[key]).supported and score(sentence.text, rest).supported:
                citation = next(c for c in citations if c.key == key)
                found.append(Diagnostic(document.path, citation.pos.line, citation.pos.column, "S003",
                                        Severity.INFO, f"`{key}` adds nothing to this sentence's other sources: "
                                        "its stored text does not appear to support it; drop the citation or "
                                        "quote what it backs"))
    return SentenceSupport(sentence.id, pos, status, joined.score, best), found
