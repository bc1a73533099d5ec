"""Sentence boundaries: syntok, plus a guard that re-splits the merges syntok is known to make.

A merge is the dangerous failure (two sentences under one marker hide an uncited one), so the guard
splits after a period followed by a capitalised word unless the word before it is a known abbreviation
or an initial. Text without an inner boundary candidate skips the segmenter altogether.
"""

from __future__ import annotations

import re

import syntok.segmenter as syntok
from syntok._segmentation_states import State

_CLOSERS = re.escape("\"'”’)]»")
# A terminal mark followed by whitespace and more text: the only place a second sentence can start.
_CANDIDATE = re.compile(rf"[.!?…][{_CLOSERS}]*\s+\S")
# A period after a word and the next word's first character: "approx. 40%", "vs. performance".
_AFTER_PERIOD = re.compile(rf"(\S*?)\.[{_CLOSERS}]*\s+(\S)")
_GUARD = re.compile(rf"(?P<word>\S*?)[.!?…]+[{_CLOSERS}]*\s+(?=[\"“‘(\[]?[A-Z\u00C0-\u024F])")
_ABBREVIATIONS = (
    "dr mr mrs ms prof sr jr st fig figs eq eqs no nos vol vols pp p cf vs al e.g i.e approx ca dept est "
    "gen gov inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec mt ft"
)
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())
# Titles as syntok spells them in its abbreviations (which are case-sensitive: "Dr" but not "dr").
_TITLES = frozenset(title for title in ("Dr", "Mr", "Mrs", "Ms", "Prof") if title in State.abbreviations)
_WORD = re.compile(r"\w+")
_ET = re.compile(r"(?:^|\s)et\s+$")  # before "al.": syntok splits "al. (2012)" alone
_OPENERS = "(\"'“‘["  # before a word: not part of it


def _is_abbreviation(word: str) -> bool:
    word = word.lstrip(_OPENERS).rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isupper():  # an initial: J. G. Nicholls
        return True
    if "/" in word or "@" in word:  # a URL or an address ends a sentence like any word
        return False
    if "." in word:  # U.S., Ph.D, e.g
        return True
    return word.casefold() in ABBREVIATIONS


def _continues(text: str, start: int, end: int) -> bool:
    """Every boundary candidate is a period where neither syntok nor the guard ever splits: a listed
    abbreviation's before a lower-case word or a number, a title's or an initial's before a capitalised word
    syntok does not take for a sentence starter ("Dr. Moreau", "J. G. Nicholls", but not "Mr. A" nor "B. It"),
    or that of "et al." before a bracketed year. Such text skips the segmenter (tests/test_parse.py checks the
    rules against it on generated text)."""
    for match in _CANDIDATE.finditer(text, start, end):
        after = _AFTER_PERIOD.match(text, _word_start(text, match.start(), start))
        if after is None or after.end() != match.end():
            return False
        word, first = after.group(1).lstrip(_OPENERS), after.group(2)
        folded = word.casefold()
        if not (
            (folded in ABBREVIATIONS and first.islower())
            or (word in State.abbreviations and first.isdigit())
            or ((word in _TITLES or (len(word) == 1 and word.isupper())) and text[after.end(1) + 1].isspace()
                and _names(text, after.end() - 1))
            or (folded == "al" and first == "(" and text[after.end() : after.end() + 1].isdigit()
                and _ET.search(text, start, after.start()))
        ):
            return False
    return True


def _names(text: str, at: int) -> bool:
    """The word at `at` is capitalised, all letters, and not one of syntok's sentence starters (after which it
    splits even behind a title or an initial: "Mr. A", "Plan B. It")."""
    word = _WORD.match(text, at)
    if word is None:
        return False
    return word.group().isalpha() and word.group()[0].isupper() and word.group() not in State.starters


def _word_start(text: str, at: int, floor: int) -> int:
    while at > floor and not text[at - 1].isspace():
        at -= 1
    return at


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _guard(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for match in _GUARD.finditer(text, start, end):
        if not _is_abbreviation(match["word"]):
            cut = match.end() - len(match.group(0)) + len(match.group(0).rstrip())
            piece = _trim(text, start, cut)
            if piece:
                spans.append(piece)
            start = match.end()
    piece = _trim(text, start, end)
    if piece:
        spans.append(piece)
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`, whitespace trimmed."""
    whole = _trim(text, 0, len(text))
    if whole is None:
        return []
    if not _CANDIDATE.search(text, whole[0], whole[1]) or _continues(text, *whole):
        return [whole]
    return segmented(text)


def segmented(text: str) -> list[tuple[int, int]]:
    """What the segmenter and the guard make of `text`: `split_sentences` without the shortcuts."""
    spans: list[tuple[int, int]] = []
    for paragraph in syntok.analyze(text):
        for sentence in paragraph:
            if not sentence:
                continue
            first, last = sentence[0], sentence[-1]
            spans.extend(_guard(text, first.offset, last.offset + len(last.value)))
    return spans
