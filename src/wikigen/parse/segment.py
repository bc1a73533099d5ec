"""Sentence boundaries: rules for the places a sentence can end, syntok for the cases the rules leave open.

A merge is the dangerous failure (two sentences under one marker hide an uncited one). Every place a
second sentence could start (a terminal mark followed by whitespace, or a period glued to a capitalised
word) gets a verdict from what stands before it (an ordinary word, an initial, a title, a dosing or time
abbreviation, a label like "Fig.") and what follows (a lower-case word, a number, a name, a word that starts
clauses). A verdict is SPLIT, JOIN, DOUBT (kept as one sentence but reported, P008, so the editor marks the
first part or confirms) or DEFER (syntok decides). A non-breaking space after the period is the editor's
confirmation that the sentence runs on: no boundary is looked for there.
"""

from __future__ import annotations

import re

import syntok.segmenter as syntok
from syntok._segmentation_states import State

SPLIT, JOIN, DOUBT, DEFER = range(4)
CLOSERS = "\"'”’)]»"
_OPENERS = "(\"'“‘[«"
_SPACE = r"[^\S\u00a0]"  # whitespace but the non-breaking space
# A terminal run and its closers, then whitespace (not a non-breaking space) or a capitalised word glued to a
# period after a digit or a lower-case letter ("1,000.The").
_CANDIDATE = re.compile(rf"[.!?…]+[{re.escape(CLOSERS)}]*(?:{_SPACE}+(?=\S)|"
                        rf"(?:(?<=[0-9a-z%]\.)|(?<=[0-9a-z%]\.[”’\")]))(?=[A-Z][a-z]))")
_NEXT_WORD = re.compile(r"[^\W\d_]+")
_NEXT_TOKEN = re.compile(r"[^\w\s]*\w")  # a token with a letter or digit in it
_DOTTED = re.compile(r"(?:[^\W\d_]+\.)+[^\W\d_]+")  # "U.S", "Ph.D", not "99.5)"
# An enumeration label at the start of an item: "1.) ", "2) ", "a. ", "• 9. ", before a capitalised word.
_ITEM = re.compile(r"(?:(?<=\s)|^)[•⁃-]?\s?(?P<label>(?:\d{1,3}|[a-z])(?:\.\)|\.|\)))\s+(?=[A-Z])")
_LABEL = re.compile(r"\(?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})")  # an enumeration label: "1.)", "(a.)", "iv."


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Before a name: "Dr. Moreau", "St. Louis". Never the end of a sentence before a capitalised word.
TITLES = _words("dr mr mrs ms messrs mme mlle prof rev hon st mt gen gov sen rep capt col lt sgt dept univ")
# Read on into what follows, a name included: "vs. Controls", "cf. Nicholls", "e.g. Paris".
CONTINUING = _words("cf vs v e.g i.e approx ca c viz esp incl resp")
# Labels of a number that follows ("Fig. 2", "p. 4", "Jan. 5"); before a capitalised word they end a sentence.
NUMBERED = _words(
    "fig figs eq eqs no nos vol vols pp p pg ch chap sec sect tab ref refs suppl art est ft nr "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Often the last word of a sentence: before a capitalised word they end it ("b.i.d. Reduce", "etc. Treatment").
ENDING = _words(
    "etc al inc ltd co corp jr sr bros "  # English and Latin
    "b.i.d t.i.d q.i.d q.d q.o.d q.h q.h.s q.4h q.6h q.8h q.12h h.s p.r.n i.v i.m p.o s.c s.q s.l "
    "i.p i.t p.r o.d o.s o.u a.c p.c stat "  # dosing, routes and times of clinical writing
    "a.m p.m"
)
_TIMES = _words("a.m p.m")
# After "a.m." or "p.m.", words that may continue the sentence: doubt rather than a split.
_AFTER_TIMES = _words(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December EST EDT CST CDT MST MDT PST PDT GMT UTC CET CEST BST"
)
# Words after which an initial starts a name ("and H. A. McGregor", "by J. Smith", "on J. G. Nicholls").
_BEFORE_NAMES = _words("and or by of with from to on in at for as than like about against between including via "
                       "per the & see cf")
ABBREVIATIONS = TITLES | CONTINUING | NUMBERED | ENDING
# Words that start clauses, never names: after any abbreviation they begin a new sentence.
STARTERS = frozenset(w for w in State.starters if w.isascii()) | _words(
    "A An The This That These Those It Its He She They We I You His Her Their Our My Your There Here Then "
    "But Or Nor If When While Though After Before During At From With Without By To Into Over Under Between "
    "Among Most Many Some Several Few Both Each Every None Neither Either Such Another Is Be Been Has Have Had "
    "Do Did Can Could Will Would Shall Should Might Must Not Only Even Finally First Second Third Next Last "
    "Later Earlier Now Today Who Which Whether Patients Treatment Doses Dosing Children Adults"
)


def _starts_clause(text: str, at: int) -> bool:
    word = _NEXT_WORD.match(text, at)
    if not word or word.group() not in STARTERS:
        return False
    # "A." is an initial, not the article
    return not (len(word.group()) == 1 and text[word.end() : word.end() + 1] == ".")


def verdict(text: str, word_start: int, mark: int, end: int, floor: int) -> int:
    """The verdict on a possible boundary: `text[word_start:mark]` is the word before the terminal mark at
    `mark`, `end` is where the next token starts, `floor` where the text (or the sentence before) starts."""
    word = text[word_start:mark].lstrip(_OPENERS)
    terminal = text[mark]
    first = text[end] if end < len(text) else ""
    at = end
    while at < len(text) and text[at] in _OPENERS[1:]:  # quotes and brackets, not "(": skip to the word
        at += 1
    letter = text[at : at + 1]
    if first == "(":
        return _parenthetical(text, end)
    if not _NEXT_TOKEN.match(text, end):
        return JOIN  # no word follows before the next space: the rest of a spaced ellipsis ". . .”"
    before = word_start - 1  # the last character before the word that is not a space
    while before >= floor and text[before].isspace():
        before -= 1
    if word and _LABEL.fullmatch(word) and (before < floor or text[before] in ":;"):
        return JOIN  # an enumeration label at the start: "1.) The first item"
    if letter in ",;:)":
        return JOIN  # no sentence starts so: "Lasko et al. [@x], combined"
    if not letter.isupper() or not letter.isalpha():
        if letter.islower() and (terminal == "…" or text[mark : mark + 3] == "..."):
            return JOIN  # an ellipsis inside a sentence: "Wait... really?"
        if not word or terminal != ".":
            return DEFER
        folded = word.casefold()
        known = folded in ABBREVIATIONS or (len(word) == 1 and word.isupper())
        if letter.islower() or letter == "":
            return JOIN if known else DEFER
        if letter.isdigit():
            return DOUBT if folded in ENDING else JOIN if known else DEFER
        return DEFER
    if terminal in "!?" or not word:
        return SPLIT
    if "/" in word or "@" in word:  # a URL or an address ends a sentence like any word
        return SPLIT
    folded = word.casefold()
    if len(word) == 1 and word.isupper():  # an initial, or the pronoun "I"
        if _starts_clause(text, at):
            return SPLIT
        previous = text[_word_start(text, before + 1, floor) : before + 1] if before >= floor else ""
        if word == "I" and previous[:1].islower():  # the pronoun ends "you and I."; "and I. M. Pei" may go on
            return DOUBT if text[at : at + 1].isupper() and text[at + 1 : at + 2] == "." else SPLIT
        if (before < floor or previous in _BEFORE_NAMES or previous.endswith(",")
                or (len(previous) == 2 and previous[0].isupper() and previous[1] == ".")
                or previous.rstrip(".").casefold() in TITLES):
            return JOIN  # "J. Smith found", "and H. A. McGregor", "on J. G. Nicholls", "Dr. J. Ng", "Boca, S. Joshua"
        return DOUBT  # "vitamin D. Patients", "vitamin D. J. Smith", "Brett K. Beaulieu-Jones"
    if _starts_clause(text, at):
        return SPLIT
    if folded in TITLES or folded in CONTINUING:
        return JOIN
    if folded in NUMBERED:
        word_after = re.match(r"\S+", text[at:])
        return JOIN if word_after and any(c.isdigit() for c in word_after.group()) else SPLIT
    if folded in ENDING:
        if folded in _TIMES and (_NEXT_WORD.match(text, at) or [""])[0] in _AFTER_TIMES:
            return DOUBT  # "8 a.m. Monday"
        return SPLIT
    if _DOTTED.fullmatch(word):  # an abbreviation not listed: "U.S. Army" or "U.S. Patients"
        return DOUBT
    return SPLIT


def _parenthetical(text: str, at: int) -> int:
    """A bracket after a terminal mark: "(Smith 2001, p. 4)." or "(2012) found" belongs to the sentence before
    it; "(Then she left.)" is a sentence of its own."""
    close = text.find(")", at, at + 200)
    if close < 0:
        return DEFER
    if text[close - 1] in ".!?…":
        return DEFER
    rest = text[close + 1 : close + 3].lstrip()
    if not rest or rest[0] in ".,;:!?" or rest[0].islower():
        return JOIN
    return DEFER


def _in_address(text: str, at: int) -> bool:
    """Whether the token around `at` is an e-mail address or a URL."""
    end = at
    while end < len(text) and not text[end].isspace():
        end += 1
    token = text[_word_start(text, at, 0) : end]
    return "@" in token or "/" in token


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


def split_sentences(text: str, doubts: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`, whitespace trimmed. Each boundary kept as one sentence
    though it may be a sentence end is added to `doubts` as (start of the word before, end of the boundary)."""
    whole = _trim(text, 0, len(text))
    if whole is None:
        return []
    cuts: list[int] = []
    deferred: list[int] = []
    floor = whole[0]
    labels: set[int] = set()
    if _ITEM.match(text, whole[0]):  # a list written inline: each label starts an item
        for item in _ITEM.finditer(text, whole[0], whole[1]):
            cuts.append(item.start())
            labels.update((item.start(), item.start("label")))
    for match in _CANDIDATE.finditer(text, whole[0], whole[1]):
        mark = match.start()
        start = _word_start(text, mark, floor)
        if start in labels or (not text[match.end() - 1].isspace() and _in_address(text, mark)):
            continue  # the label of an item, or "Jane.Doe@example.com"
        decided = verdict(text, start, mark, match.end(), floor)
        if decided == SPLIT:
            cuts.append(match.end())
            floor = match.end()
        elif decided == DOUBT:
            if doubts is not None:
                doubts.append((start, match.end()))
        elif decided == DEFER:
            deferred.append(match.end())
    if deferred:
        starts = _syntok_starts(text)
        cuts.extend(at for at in deferred if at in starts)
    cuts = sorted(set(cuts))
    spans = []
    for start, end in zip([whole[0], *cuts], [*cuts, whole[1]], strict=True):
        piece = _trim(text, start, end)
        if piece:
            spans.append(piece)
    return spans


def ends_sentence(text: str, floor: int, offset: int) -> bool:
    """Whether a group at `offset` stands after the end of a sentence: after terminal punctuation (and any
    closing quotes or brackets) that the segmenter would not read on from into the text after the group."""
    at = offset
    while at > floor and text[at - 1].isspace():
        at -= 1
    while at > floor and text[at - 1] in CLOSERS:
        at -= 1
    if at == floor or text[at - 1] not in ".!?…":
        return False
    mark = at - 1
    while mark > floor and text[mark - 1] in ".!?…":
        mark -= 1
    end = offset
    while end < len(text) and text[end].isspace():
        end += 1
    if end == len(text):
        return True
    return verdict(text, _word_start(text, mark, floor), mark, end, floor) != JOIN


def _syntok_starts(text: str) -> set[int]:
    """Where syntok starts a sentence in `text`."""
    return {sentence[0].offset for paragraph in syntok.analyze(text) for sentence in paragraph if sentence}
