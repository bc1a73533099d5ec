"""Parse the bibliography (BibTeX or BibLaTeX, or CSL-JSON) into plain-text entries with names split as CSL
splits them.

bibtexparser only splits the file: its LaTeX and name middlewares cost many times the split, since
pylatexenc is slow on every value. Here plain values skip decoding, accents and escapes are decoded by a table,
and pylatexenc sees only the rest, once per distinct value. Every problem becomes a diagnostic, so one broken
entry (or one value pylatexenc cannot read) never hides the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import re
import unicodedata
import urllib.parse
from collections.abc import Mapping

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock, String
from bibtexparser.model import Entry as RawEntry
from pylatexenc import latex2text, latexwalker, macrospec
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec

from wikigen.model import TODO_TAG, Bibliography, Diagnostic, Entry, Person, Pos, Severity, SourceFile
from wikigen.parse.markers import parse_group

# bibtexparser logs every failed block; we report them as diagnostics, so keep them off stderr.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())

_VERBATIM = frozenset({"doi", "url", "eprint", "file", "pmid", "pmcid"})  # decoding would eat `%`, `_`, `--`
_NAME_FIELDS = ("author", "editor")
# BibLaTeX's default inheritance (biblatex manual, appendix B): fields a child never takes from its parent, and
# those it takes under another name. A parent's identifiers are not the child's: inheriting them would make every
# chapter a "duplicate".
_NOT_INHERITED = frozenset(
    {
        "crossref", "xref", "ids", "entryset", "entrysubtype", "execute", "label", "options", "presort", "related",
        "relatedoptions", "relatedstring", "relatedtype", "shorthand", "shorthandintro", "sortkey", "title",
        "subtitle", "titleaddon", "shorttitle", "sorttitle", "indextitle", "indexsorttitle", "doi", "url", "pmid",
        "pmcid", "eprint", "eprinttype", "archiveprefix",
    }
)
_IN_BOOK = frozenset(
    {"inbook", "bookinbook", "suppbook", "incollection", "suppcollection", "inproceedings", "conference",
     "inreference"}
)
_BOOK = frozenset({"book", "collection", "proceedings", "reference"})
_MULTIVOLUME = frozenset({"mvbook", "mvcollection", "mvproceedings", "mvreference"})
_RENAMED = (  # (parent types, child types, {parent field: child field})
    (_BOOK, _IN_BOOK, {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}),
    (_MULTIVOLUME, _BOOK | _IN_BOOK, {"title": "maintitle", "subtitle": "mainsubtitle",
                                      "titleaddon": "maintitleaddon"}),
    (frozenset({"periodical"}), frozenset({"article", "suppperiodical"}),
     {"title": "journaltitle", "subtitle": "journalsubtitle"}),
)
# Particles that exporters leave at the end of the given names ("{W.M.P. van der} Aalst") or glue to them with a
# hyphen ("Rossum, Gerhard Dohrn-van" for Dohrn-van Rossum). Only these words move: "Kim, Soo jin" keeps "jin".
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "des", "di", "da", "du", "dos", "das", "la", "le", "ten",
     "ter", "zu", "zum", "zur", "y", "d'", "l'", "af", "av", "op", "het", "'t"}
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"})
# Resolvers that exports write in front of a DOI; the DOI is what follows.
_DOI_LINK = re.compile(r"(?i)^\s*(?:(?:https?://)?(?:dx\.|www\.)?doi\.(?:org|acm\.org)/|doi:\s*)")
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


# Commands real exports contain that pylatexenc does not know: without these, `{\TeX}` and `\hyphen` vanish.
_EXTRA_MACROS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "BibTeX": "BibTeX", "hyphen": "-", "textless": "<", "textgreater": ">",
    "textunderscore": "_", "slash": "/", "textbackslash": "\\", "textbar": "|", "textasciitilde": "~",
    "textdegree": "°", "textmu": "µ", "textperthousand": "‰", "texttimes": "×", "textquotedbl": '"', "pounds": "£",
    "euro": "€", "ddag": "‡", "relax": "",
}
_EXTRA_WRAPPERS = {  # a command around one argument, and how the argument prints
    **dict.fromkeys(("mkbibquote", "enquote"), "\u201c%s\u201d"),
    **dict.fromkeys(
        ("mkbibemph", "mkbibitalic", "mkbibbold", "textsuperscript", "textsubscript", "mkbibsuperscript",
         "mkbibsubscript", "textnormal", "NoCaseChange", "mbox", "hbox", "textsf", "texttt", "textup", "nolinkurl",
         "uppercase", "MakeUppercase", "lowercase", "MakeLowercase"),
        "%s",
    ),
    "noopsort": "",  # BibTeX's sorting trick: `{\noopsort{a}}Title` sorts under "a" and prints nothing
}


def _decoder() -> LatexNodes2Text:
    context = latex2text.get_default_latex_context_db()
    macros = [MacroTextSpec("url", simplify_repl="%s"), MacroTextSpec("href", simplify_repl="%(2)s")]
    macros += [MacroTextSpec(name, simplify_repl=text.replace("%", "%%")) for name, text in _EXTRA_MACROS.items()]
    macros += [MacroTextSpec(name, simplify_repl=text) for name, text in _EXTRA_WRAPPERS.items()]
    context.add_context_category("wikigen", prepend=True, macros=macros)
    return LatexNodes2Text(latex_context=context, math_mode="text")


def _walker_context():
    """pylatexenc's parser must know how many arguments each command takes, or `\\href{url}{text}` fails."""
    context = latexwalker.get_default_latex_context_db()
    specs = [macrospec.MacroSpec("href", "{{"), macrospec.MacroSpec("url", "{")]
    specs += [macrospec.MacroSpec(name, "{") for name in _EXTRA_WRAPPERS]
    specs += [macrospec.MacroSpec(name, "") for name in _EXTRA_MACROS]
    context.add_context_category("wikigen", prepend=True, macros=specs)
    return context


_DECODER = _decoder()
_WALKER_CONTEXT = _walker_context()  # built once: pylatexenc rebuilds it on every call
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_KNOWN = frozenset(_EXTRA_MACROS) | frozenset(_EXTRA_WRAPPERS)


class Undecodable(ValueError):
    """A value pylatexenc cannot read; the message says why."""


@functools.lru_cache(maxsize=1 << 14)
def _latex_to_text(text: str) -> str:
    """pylatexenc is slow, so it runs only on real LaTeX, once per distinct value (names repeat)."""
    try:
        decoded = _DECODER.latex_to_text(_UNESCAPED_TEXT_SPECIALS.sub(r"\\\1", text), latex_context=_WALKER_CONTEXT)
    except RecursionError:  # pylatexenc recurses per brace level: a few hundred levels exhaust the stack
        return text.translate(_PLAIN)
    except Exception as exc:  # pylatexenc raises IndexError, KeyError, its own errors...: none may stop a check
        raise Undecodable(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    if "%s" in decoded and "%s" not in text:  # pylatexenc's stand-in for an argument that is not there
        raise Undecodable("a command lacks its argument in braces")
    return decoded


@functools.lru_cache(maxsize=1 << 12)
def _unknown_commands(text: str) -> tuple[str, ...]:
    """Commands in `text` that pylatexenc would drop with their meaning (`\\foo` that it has no rule for)."""
    return tuple(
        dict.fromkeys(
            name
            for name in _COMMAND.findall(text)
            if name not in _KNOWN and _DECODER.latex_context.get_macro_spec(name) is None
        )
    )


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


def _is_braced(text: str) -> bool:
    """Whether one brace group encloses all of `text`, as `{World Health Organization}`."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if depth == 0 and i < len(text) - 1:
            return False
    return True


@functools.lru_cache(maxsize=1 << 14)
def _person(name: str) -> Person:
    """One name as CSL splits it. Names repeat across entries, and splitting one costs as much as its entry."""
    name = name.strip()
    if _is_braced(name):  # exporters brace an organisation's name so that it is never inverted
        return Person("", _decode(name[1:-1]), literal=True)
    parts = parse_single_name_into_parts(name, strict=False)
    given = _decode(" ".join(parts.first)).split()
    family = _decode(" ".join(parts.last)).split()
    particle = _decode(" ".join(parts.von))
    suffix = _decode(" ".join(parts.jr))
    if not suffix and len(family) > 1 and family[-1].casefold() in _SUFFIXES:  # "King Jr., Martin Luther"
        suffix = family.pop()
    dropping: list[str] = []
    while len(given) > 1 and given[-1].casefold() in _PARTICLES:
        dropping.insert(0, given.pop())
    if given and (head := given[-1].rpartition("-"))[0] and head[2].casefold() in _PARTICLES:
        family.insert(0, given.pop())  # "Dohrn-van" belongs to the family name "Dohrn-van Rossum"
    if not family:
        family, given = given, []
    return Person(" ".join(given), " ".join(family), particle, " ".join(dropping), suffix)


def _persons(raw: str) -> tuple[tuple[Person, ...], bool]:
    """The names of a name field, and whether it ends in `and others`."""
    names = split_multiple_persons_names(raw)
    others = bool(names) and names[-1].strip().casefold() == "others"
    people = tuple(p for p in map(_person, names[:-1] if others else names) if p.given or p.family)
    return people, others


def _clean_doi(doi: str) -> str | None:
    """The DOI inside a resolver link or a `doi:` prefix (None when `doi` has neither)."""
    prefix = _DOI_LINK.match(doi)
    return urllib.parse.unquote(doi[prefix.end() :]).strip() if prefix else None


def _cites(group: str, key: str) -> bool:
    """Whether the citation group `group` cites `key` and nothing else (wikigen reads citations as pandoc does)."""
    marker = parse_group(group, 0)
    return not marker.problems and [c.key for c in marker.citations] == [key]


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

    def admit(self, key: str, pos: Pos, what: str) -> bool:
        """Whether an entry keyed `key` is taken: not the reserved key, not a duplicate; warns if uncitable."""
        if key.casefold() in ("llm", TODO_TAG):
            tag = {"llm": "the LLM tag", TODO_TAG: "the placeholders of drafts"}[key.casefold()]
            self.report(pos, "B007", f"key `{key.casefold()}` is reserved for {tag}; rename the entry and its "
                        "citations")
            return False
        if first := self.first_line.get(key.casefold()):
            spelled = "" if first[0] == key else f" as `{first[0]}` (keys ignore case)"
            self.report(
                pos,
                "B002",
                f"duplicate key `{key}`: first defined at line {first[1]}{spelled}; the first entry is used. "
                f"Merge the two {what} or rename one",
            )
            return False
        self.first_line[key.casefold()] = (key, pos.line)
        if not _cites(f"[@{key}]", key):
            braced = f"[@{{{key}}}]"
            how = f"cite it in braces, `{braced}`, or rename it" if _cites(braced, key) else "rename it"
            self.report(
                pos,
                "B103",
                f"key `{key}` cannot be cited as `[@{key}]`: {how} to letters, digits and inner "
                "`:.#$%&-+?<>~/` (in Zotero with Better BibTeX: change the citation key formula, or pin this "
                "item's key with a `Citation Key: newkey` line in its Extra field)",
                Severity.WARNING,
            )
        return True

    def normalise_doi(self, key: str, doi: str, pos: Pos) -> str:
        clean = _clean_doi(doi)
        if clean is None:
            return doi
        self.report(
            pos,
            "B104",
            f"doi of `{key}` is written as `{doi}`: read as `{clean}`; write `doi = {{{clean}}}` (the link is "
            "made from the DOI)",
            Severity.WARNING,
        )
        return clean

    def entry(self, block: RawEntry) -> None:
        pos = self.block_pos(block.start_line, block.raw)
        key = block.key
        if not key or (bad := _BAD_KEY_CHAR.search(key)):
            what = f"its key `{key}` contains {bad.group()!r}" if key and bad else "it has no key"
            self.report(pos, "B001", f"cannot parse entry: {what}; write `@{block.entry_type}{{key, ...`")
            return
        if not self.admit(key, pos, "entries"):
            return
        fields: dict[str, str] = {}
        people: dict[str, tuple[Person, ...]] = {}
        field_pos: dict[str, Pos] = {}
        others: set[str] = set()
        for field in block.fields:
            name = field.key.strip().lower()
            if not name:
                continue
            here = self.at(field.start_line, field.key.strip())
            if name in field_pos:
                self.report(
                    here,
                    "B006",
                    f"duplicate field `{name}` in `{key}`: first at line {field_pos[name].line}; the first value is "
                    "used. Remove one",
                )
                continue
            field_pos[name] = here
            raw, undefined = _resolve(field.value, self.macros)
            if undefined:
                self.report_undefined(here, undefined)
            try:
                if name in _NAME_FIELDS:  # rebuilt from the decoded names: a full list rarely repeats, its names do
                    people[name], etal = _persons(raw)
                    fields[name] = " and ".join(p.display for p in people[name])
                    if etal:
                        others.add(name)
                else:
                    fields[name] = _decode(raw, verbatim=name in _VERBATIM)
            except Undecodable as exc:
                self.report(
                    here,
                    "B009",
                    f"field `{name}` of `{key}` cannot be read as LaTeX ({exc}); it is left out. Write it as plain "
                    "text (a link as `url = {...}`)",
                )
                continue
            if "\\" in raw and name not in _VERBATIM and (unknown := _unknown_commands(raw)):
                commands = ", ".join(f"`\\{c}`" for c in unknown)
                self.report(
                    here,
                    "B105",
                    f"unknown LaTeX command {commands} in `{name}` of `{key}`: it is left out of the text; write "
                    "what it stands for in plain text",
                    Severity.WARNING,
                )
        if "doi" in fields:
            fields["doi"] = self.normalise_doi(key, fields["doi"], field_pos["doi"])
        self.entries[key] = Entry(
            key, block.entry_type, fields, people.get("author", ()), people.get("editor", ()), pos, field_pos,
            frozenset(others),
        )

    def crossrefs(self) -> None:
        """Give a crossref'd entry what it inherits from its parent (BibTeX puts the parent after the child),
        by BibLaTeX's default rules: a book's `title` is its chapter's `booktitle`, and so on."""
        by_folded = {key.casefold(): entry for key, entry in self.entries.items()}
        for key, entry in self.entries.items():
            target = entry.fields.get("crossref")
            if not target:
                continue
            parent = by_folded.get(target.casefold())
            if parent is None:
                self.report(
                    entry.at("crossref"),
                    "B008",
                    f"`{key}` has crossref `{target}`, which names no entry: add that entry or remove the crossref",
                    Severity.WARNING,
                )
                continue
            child_type, parent_type = entry.entry_type.lower(), parent.entry_type.lower()
            renamed = next((m for up, down, m in _RENAMED if parent_type in up and child_type in down), {})
            inherited = {renamed[k]: v for k, v in parent.fields.items() if k in renamed}
            inherited.update((k, v) for k, v in parent.fields.items() if k not in _NOT_INHERITED and k not in renamed)
            if not entry.title and parent.title:  # BibTeX's @inbook: the title is the book's, `pages` the part
                inherited["title"] = parent.title
                inherited.pop(renamed.get("title", ""), None)
            names = {"author": entry.authors, "editor": entry.editors}
            others = set(entry.others)
            for name, parent_names in (("author", parent.authors), ("editor", parent.editors)):
                if name not in entry.fields:
                    names[name] = parent_names
                    others |= {name} & parent.others
            self.entries[key] = dataclasses.replace(
                entry,
                fields={**inherited, **entry.fields},
                authors=names["author"],
                editors=names["editor"],
                others=frozenset(others),
            )


def _text(value: object) -> str:
    """A CSL-JSON value as text: numbers are allowed where strings are expected."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return " ".join(str(value).split())


def _csl_person(name: object) -> Person | None:
    if not isinstance(name, Mapping):
        return None
    if literal := _text(name.get("literal")):
        return Person("", literal, literal=True)
    person = Person(
        _text(name.get("given")),
        _text(name.get("family")),
        _text(name.get("non-dropping-particle")),
        _text(name.get("dropping-particle")),
        _text(name.get("suffix")),
    )
    return person if person.given or person.family else None


def _csl_year(date: object) -> str:
    if not isinstance(date, Mapping):
        return ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return _text(parts[0][0])
    return _text(date.get("raw") or date.get("literal"))


_CSL_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')
_TIER_LINE = re.compile(r"(?im)^\s*(?:tex\.)?tier\s*:\s*(\S+)\s*$")
_CSL_FIELDS = {  # what the checker and the tests read of an item, by the BibTeX name they know
    "title": "title", "doi": "DOI", "url": "URL", "pmid": "PMID", "pmcid": "PMCID", "journal": "container-title",
    "publisher": "publisher", "note": "note", "tier": "tier",
}


def _parse_csl_json(source: SourceFile) -> Bibliography:
    """A CSL-JSON array (Zotero's "CSL JSON" export): each item is formatted as it is, and also read into
    fields for the checker. Zotero writes the Extra field into `note`: a `tier: T1` line there is the tier."""
    path, text = source.path, source.text or ""
    parser = _Parser(path, text)
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        parser.report(Pos(exc.lineno, exc.colno), "B001", f"cannot parse CSL-JSON: {exc.msg}; fix the file or "
                      "export it again")
        return Bibliography(path, {}, tuple(parser.diagnostics))
    if not isinstance(items, list):
        parser.report(Pos(1, 1), "B001", "a CSL-JSON bibliography is an array of items, `[{\"id\": ...}, ...]`")
        return Bibliography(path, {}, tuple(parser.diagnostics))
    positions: dict[str, Pos] = {}  # an item's `"id"`: where its diagnostics point
    for match in _CSL_ID.finditer(text):
        with contextlib.suppress(json.JSONDecodeError):
            line_start = text.rfind("\n", 0, match.start()) + 1
            pos = Pos(text.count("\n", 0, match.start()) + 1, match.start() - line_start + 1)
            positions.setdefault(str(json.loads(match.group(1))), pos)
    for number, item in enumerate(items, 1):
        key = _text(item.get("id")) if isinstance(item, Mapping) else ""
        pos = positions.get(key, Pos(1, 1))
        if not key or _BAD_KEY_CHAR.search(key):
            what = "has no `id`" if not key else f"has the id `{key}`, with a space, brace, quote, comma or `#%\\`"
            parser.report(pos, "B001", f"cannot read CSL-JSON item {number}: it {what}; give it an `id` to cite")
            continue
        if not parser.admit(key, pos, "items"):
            continue
        item = dict(item)
        fields = {name: value for name, csl in _CSL_FIELDS.items() if (value := _text(item.get(csl)))}
        if "tier" not in fields and (tier := _TIER_LINE.search(str(item.get("note") or ""))):
            fields["tier"] = tier.group(1)
            if note := _TIER_LINE.sub("", str(item["note"])).strip():
                item["note"] = fields["note"] = note
            else:
                item.pop("note")
                fields.pop("note", None)
        if year := _csl_year(item.get("issued")):
            fields["year"] = year
        if "doi" in fields:
            item["DOI"] = fields["doi"] = parser.normalise_doi(key, fields["doi"], pos)
        people = {}
        for role in _NAME_FIELDS:
            names = item.get(role)
            people[role] = tuple(p for p in map(_csl_person, names if isinstance(names, list) else ()) if p)
            if people[role]:
                fields[role] = " and ".join(p.display for p in people[role])
        kind = _text(item.get("type")) or "document"
        parser.entries[key] = Entry(key, kind, fields, people["author"], people["editor"], pos, csl=item)
    return Bibliography(path, parser.entries, tuple(parser.diagnostics))


def parse_bibliography(source: SourceFile | None) -> Bibliography:
    """Entries by key (the first of duplicates wins) with their diagnostics; no file means an empty bibliography.
    A `.json` file is read as CSL-JSON, anything else as BibTeX or BibLaTeX."""
    if source is None or source.text is None:
        return Bibliography(source.path if source else "", {})
    if source.path.lower().endswith(".json"):
        return _parse_csl_json(source)
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
