"""Parse the BibTeX bibliography into plain-text entries.

bibtexparser only splits the file: its LaTeX and name middlewares cost many times the split, since
pylatexenc is slow on every value. Here plain values skip decoding, accents and escapes are decoded by a table,
and pylatexenc sees only the rest, once per distinct value. Every problem becomes a diagnostic, so one broken
entry never hides the others.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import unicodedata

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock, String
from bibtexparser.model import Entry as RawEntry
from pylatexenc import latex2text, latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec

from wikigen.model import Bibliography, Diagnostic, Entry, Person, Pos, Severity, SourceFile

# bibtexparser logs every failed block; we report them as diagnostics, so keep them off stderr.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())

_VERBATIM = frozenset({"doi", "url", "eprint", "file"})  # LaTeX decoding would eat `%`, `_` and `--` in these
_NAME_FIELDS = ("author", "editor")
# A crossref'd book's identity is not the chapter's: inheriting it would make every chapter a "duplicate".
_NOT_INHERITED = frozenset({"crossref", "title", "doi", "url"})
_MONTHS = {
    name[:3].lower(): name
    for name in (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
}
_MARKUP = re.compile(r"[\\{}$~]|--|``|''")
_ESCAPED_TEXT = re.compile(r"\\([_%&#$])")
_ESCAPED_VERBATIM = re.compile(r"\\([_%&#$~])")
_UNESCAPED_TEXT_SPECIALS = re.compile(r"(?<!\\)([%&])")  # a bare `%` starts a LaTeX comment: "50% of" -> "50"
_PLAIN = str.maketrans({"{": None, "}": None, "~": " "})
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
# The accents and letters of names, most of the LaTeX in a bibliography, done without pylatexenc.
_ACCENT = re.compile(
    r"""(?<!\\)\\(?:(["'`^~=.])(?:\{([A-Za-z])\}|([A-Za-z]))|([uvHckr])\{([A-Za-z])\}"""
    r"""|(ss|aa|AA|ae|AE|oe|OE|[oOlL])(?![A-Za-z])(?:\{\}|\s+)?)"""
)
_COMBINING = dict(
    zip("\"'`^~=.uvHckr", "\u0308\u0301\u0300\u0302\u0303\u0304\u0307\u0306\u030c\u030b\u0327\u0328\u030a", strict=True)
)
_LETTERS = {
    "ss": "ß",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
}
_BAD_KEY_CHAR = re.compile(r'[\s{}",#%\\]')


def _decoder() -> LatexNodes2Text:
    context = latex2text.get_default_latex_context_db()
    context.add_context_category("wikigen", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")])
    return LatexNodes2Text(latex_context=context, math_mode="text")


_DECODER = _decoder()
_WALKER_CONTEXT = latexwalker.get_default_latex_context_db()  # built once: pylatexenc rebuilds it on every call


@functools.lru_cache(maxsize=1 << 14)
def _latex_to_text(text: str) -> str:
    """pylatexenc is slow, so it runs only on real LaTeX, once per distinct value (names repeat)."""
    try:
        return _DECODER.latex_to_text(_UNESCAPED_TEXT_SPECIALS.sub(r"\\\1", text), latex_context=_WALKER_CONTEXT)
    except RecursionError:  # pylatexenc recurses per brace level: a few hundred levels exhaust the stack
        return text.translate(_PLAIN)


def _accent(match: re.Match[str]) -> str:
    mark, braced, bare, letter_mark, letter, special = match.groups()
    if special:
        return _LETTERS[special]
    return (braced or bare or letter) + _COMBINING[mark or letter_mark]


def _decode(text: str, verbatim: bool = False) -> str:
    """Plain text of a value; accents, braces, `~`, `--`, `\\%` and the like are decoded without pylatexenc."""
    if verbatim:
        text = _ESCAPED_VERBATIM.sub(r"\1", text).replace("{", "").replace("}", "")
    elif _MARKUP.search(text):
        simple = _ACCENT.sub(_accent, text)
        if "\\" in (unescaped := _ESCAPED_TEXT.sub("", simple)) or "$" in unescaped:
            text = _latex_to_text(text)
        else:
            text = _ESCAPED_TEXT.sub(r"\1", simple)
            for latex, char in _LIGATURES:  # before the braces go: `-{}-` is no dash
                text = text.replace(latex, char)
            text = unicodedata.normalize("NFC", text.translate(_PLAIN))
    return " ".join(text.split())


def _split_concatenation(raw: str) -> list[str]:
    """Split `{a} # name # "b"` at the `#` outside braces and quotes."""
    if "#" not in raw:  # nearly every value: skip the character loop
        return [raw.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0 and (i == 0 or raw[i - 1] != "\\"):
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def _resolve(raw: str, macros: dict[str, str]) -> tuple[str, list[str]]:
    """The value with enclosing removed and `@string` macros expanded, and the names of undefined macros."""
    out, undefined = [], []
    for part in _split_concatenation(raw):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.isdigit() or not part:
            out.append(part)
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        elif part.lower() in _MONTHS:
            out.append(_MONTHS[part.lower()])
        else:
            out.append(part)
            undefined.append(part)
    return "".join(out), undefined


@functools.lru_cache(maxsize=1 << 14)
def _person(name: str) -> Person:
    """Names repeat across entries, and splitting one costs as much as splitting its whole entry."""
    parts = parse_single_name_into_parts(name, strict=False)
    return Person(_decode(" ".join(parts.first)), _decode(" ".join(parts.von + parts.last + parts.jr)))


def _persons(raw: str) -> tuple[Person, ...]:
    return tuple(p for p in map(_person, split_multiple_persons_names(raw)) if p.given or p.family)


class _Parser:
    """One pass over the blocks in file order, as BibTeX reads them (a macro is defined before its use)."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.split("\n")
        self.macros: dict[str, str] = {}
        self.entries: dict[str, Entry] = {}
        self.first_line: dict[str, tuple[str, int]] = {}  # casefolded key -> (key, line)
        self.diagnostics: list[Diagnostic] = []

    def at(self, start_line: int, text: str) -> Pos:
        """1-based position of `text` on a line bibtexparser counts from 0 (column 1 when not found)."""
        line = self.lines[start_line] if 0 <= start_line < len(self.lines) else ""
        return Pos(start_line + 1, line.find(text) + 1 or 1)

    def block_pos(self, start_line: int | None, raw: str | None) -> Pos:
        """The block's `@` (raw starts there; a block can follow another on its line). bibtexparser sets both
        on every block it splits off."""
        return self.at(start_line or 0, (raw or "").split("\n", 1)[0])

    def report(self, pos: Pos, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.diagnostics.append(Diagnostic(self.path, pos.line, pos.column, code, severity, message))

    def report_undefined(self, pos: Pos, names: list[str]) -> None:
        for name in dict.fromkeys(names):
            self.report(
                pos,
                "B008",
                f"undefined @string macro `{name}`: the name is used as text; define it above with "
                f"`@string{{{name} = {{...}}}}` or put the value in braces",
                Severity.WARNING,
            )

    def string(self, block: String) -> None:
        value, undefined = _resolve(block.value, self.macros)
        self.report_undefined(self.block_pos(block.start_line, block.raw), undefined)
        self.macros[block.key.lower()] = value  # a redefinition wins, as in BibTeX

    def failed(self, block: ParsingFailedBlock) -> None:
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        self.report(
            self.block_pos(block.start_line, block.raw),
            "B001",
            f"cannot parse entry: {reason.strip().rstrip('.')}. Check the braces, quotes and commas of this entry; "
            "it is skipped until fixed",
        )

    def entry(self, block: RawEntry) -> None:
        pos = self.block_pos(block.start_line, block.raw)
        key = block.key
        if not key or (bad := _BAD_KEY_CHAR.search(key)):
            what = f"its key `{key}` contains {bad.group()!r}" if key and bad else "it has no key"
            self.report(pos, "B001", f"cannot parse entry: {what}; write `@{block.entry_type}{{key, ...`")
            return
        if key.casefold() == "llm":
            self.report(pos, "B007", "key `llm` is reserved for the LLM tag; rename the entry and its citations")
            return
        if first := self.first_line.get(key.casefold()):
            spelled = "" if first[0] == key else f" as `{first[0]}` (keys ignore case)"
            self.report(
                pos,
                "B002",
                f"duplicate key `{key}`: first defined at line {first[1]}{spelled}; the first entry is used. "
                "Merge the two entries or rename one",
            )
            return
        self.first_line[key.casefold()] = (key, pos.line)
        fields: dict[str, str] = {}
        people: dict[str, tuple[Person, ...]] = {}
        field_lines: dict[str, int] = {}
        for field in block.fields:
            name = field.key.strip().lower()
            if not name:
                continue
            if name in fields:
                self.report(
                    self.at(field.start_line, field.key.strip()),
                    "B006",
                    f"duplicate field `{name}` in `{key}`: first at line {field_lines[name]}; the first value is "
                    "used. Remove one",
                )
                continue
            raw, undefined = _resolve(field.value, self.macros)
            if undefined:
                self.report_undefined(self.at(field.start_line, field.key.strip()), undefined)
            field_lines[name] = field.start_line + 1
            if name in _NAME_FIELDS:  # rebuilt from the decoded names: a full list rarely repeats, its names do
                people[name] = _persons(raw)
                fields[name] = " and ".join(", ".join(filter(None, (p.family, p.given))) for p in people[name])
            else:
                fields[name] = _decode(raw, verbatim=name in _VERBATIM)
        self.entries[key] = Entry(
            key, block.entry_type, fields, people.get("author", ()), people.get("editor", ()), pos
        )

    def crossrefs(self) -> None:
        """Give a crossref'd entry's missing fields to the entry (BibTeX puts the parent after the child)."""
        by_folded = {key.casefold(): entry for key, entry in self.entries.items()}
        for key, entry in self.entries.items():
            target = entry.fields.get("crossref")
            if not target:
                continue
            parent = by_folded.get(target.casefold())
            if parent is None:
                self.report(
                    entry.pos,
                    "B008",
                    f"`{key}` has crossref `{target}`, which names no entry: add that entry or remove the crossref",
                    Severity.WARNING,
                )
                continue
            inherited = {k: v for k, v in parent.fields.items() if k not in _NOT_INHERITED}
            if parent.title:
                inherited["booktitle"] = parent.title
            self.entries[key] = dataclasses.replace(
                entry,
                fields={**inherited, **entry.fields},
                authors=entry.authors if "author" in entry.fields else parent.authors,
                editors=entry.editors if "editor" in entry.fields else parent.editors,
            )


def parse_bibliography(source: SourceFile | None) -> Bibliography:
    """Entries by key (the first of duplicates wins) with their diagnostics; no file means an empty bibliography."""
    if source is None or source.text is None:
        return Bibliography(source.path if source else "", {})
    parser = _Parser(source.path, source.text)
    for block in bibtexparser.parse_string(source.text, parse_stack=[]).blocks:
        match block:
            case DuplicateBlockKeyBlock(ignore_error_block=String() as string):
                parser.string(string)
            case DuplicateBlockKeyBlock(ignore_error_block=RawEntry() as entry):
                parser.entry(entry)  # reported as B002 there, with keys that differ only in case
            case DuplicateFieldKeyBlock(ignore_error_block=RawEntry() as entry):
                parser.entry(entry)  # reported as B006 there, with names that differ only in case
            case ParsingFailedBlock():
                parser.failed(block)
            case String():
                parser.string(block)
            case RawEntry():
                parser.entry(block)
    parser.crossrefs()
    return Bibliography(source.path, parser.entries, tuple(parser.diagnostics))
