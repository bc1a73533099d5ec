"""Front-matter schema: typed `Meta` out, one diagnostic per wrong field, all of them in one pass."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Collection
from pathlib import Path, PurePosixPath
from typing import Any

from wikigen.config import Config, strip_term, term_key
from wikigen.model import (
    Diagnostic,
    Evidence,
    Figure,
    FrontMatter,
    Meta,
    Pos,
    ProvenanceInfo,
    Review,
    Severity,
    Video,
)
from wikigen.report import did_you_mean

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
TERM_FIELDS = ("populations", "problems")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: control characters and whitespace are ignored, as browsers do."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f")
    head, sep, _ = cleaned.partition(":")
    if sep and head and head[0].isalpha() and all(c.isalnum() or c in "+.-" for c in head):
        return head.lower()
    return None


class _Fields:
    """Collects problems while reading fields so that a wrong field never hides the next one."""

    def __init__(self, path: str, front: FrontMatter):
        self.path, self.front = path, front
        self.diagnostics: list[Diagnostic] = []
        self.spellings: list[tuple[str, str, str, Pos]] = []  # (field, as written, the term, where)

    def problem(self, key: str, message: str, code: str = "F002") -> None:
        pos = self.front.lines.get(key, Pos(1, 1))
        self.diagnostics.append(Diagnostic(self.path, pos.line, pos.column, code, Severity.ERROR, message))

    def text(self, data: dict, key: str, prefix: str = "", required: bool = False) -> str | None:
        value = data.get(key)
        name = prefix + key
        if value is None:
            if required:
                self.problem(name, f"required field `{name}` is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
            self.problem(name, f"`{name}` must be a non-empty string, got {_kind(value)}")
            return None
        return str(value).strip()

    def texts(self, data: dict, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            items = ", ".join(part.strip() for part in value.split(",") if part.strip()) or "..."
            self.problem(key, f"`{key}` must be a list, got a string: write `{key}: [{items}]` (a string "
                         "would be one term, commas and all)")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad = next((v for v in value if not isinstance(v, str) or not v.strip()), None) if isinstance(
                value, list) else value
            got = _kind(value) if not isinstance(value, list) else f"an item that is {_kind(bad)}"
            self.problem(key, f"`{key}` must be a list of non-empty strings, got {got}")
            return ()
        return tuple(dict.fromkeys(v.strip() for v in value))

    def terms(self, data: dict, key: str, aliases: dict[str, str]) -> tuple[str, ...]:
        """A taxonomy's terms: whitespace collapsed, trailing punctuation dropped, `[tool.wikigen.aliases]`
        applied, repeats (by case) dropped. What was written is kept in `spellings` for the site-wide F006."""
        found: dict[str, str] = {}
        for number, written in enumerate(self.texts(data, key)):
            spelled = " ".join(written.split())
            term = aliases.get(term_key(spelled), strip_term(spelled))
            pos = self.front.lines.get(f"{key}.{number}", self.front.lines.get(key, Pos(1, 1)))
            self.spellings.append((key, term if term_key(spelled) in aliases else spelled, term, pos))
            found.setdefault(term.casefold(), term)
        return tuple(found.values())

    def mapping(self, data: dict, key: str, known: set[str]) -> dict | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"`{key}` must be a mapping with {', '.join(sorted(known))}, got {_kind(value)}")
            return None
        for sub in value:
            if sub not in known:
                self.problem(f"{key}.{sub}", f"unknown field `{key}.{sub}`; expected {', '.join(sorted(known))}")
        return value


def _kind(value: Any) -> str:
    """What a wrong value is, in the editor's terms: "an empty string", "a list", "int"."""
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else type(value).__name__.replace("NoneType", "null")


def _date(value: Any) -> str | None:
    """An ISO date, or an ISO date and time (the time is dropped); the loader keeps dates as written."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]+)?", text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


def _video_problem(url: str, hosts: tuple[str, ...]) -> str | None:
    """Why a video URL is refused: https only, an allowed host, and nothing a browser reads differently from
    Python (a backslash or a user name can move the host: `https://evil.example\\@www.youtube.com/`)."""
    allowed = f"video URL must be https on an allowed host ({', '.join(hosts)})"
    if _UNSAFE_URL_CHARS.search(url) or url_scheme(url) != "https" or not url.startswith("https://"):
        return allowed
    try:
        parsed = urllib.parse.urlsplit(url)
        port = parsed.port
    except ValueError:
        return allowed
    if "@" in parsed.netloc or port not in (None, 443) or parsed.hostname not in hosts:
        return allowed
    return None


def _figure_src(src: str, config: Config, fields: _Fields) -> bool:
    scheme = url_scheme(src)
    if scheme is not None:
        if scheme != "https":
            fields.problem("figure.src", f"figure source with scheme `{scheme}:` is refused: use https or a site file",
                           "L001")
            return False
        return True
    relative = PurePosixPath(src.lstrip("/"))
    if ".." in relative.parts or "\\" in src or _UNSAFE_URL_CHARS.search(src.replace(" ", "")):
        fields.problem("figure.src", f"figure source `{src}` must be a path inside {config.content}/ without `..` "
                       "or backslashes")
        return False
    content = config.path("content")
    target = (content / Path(*relative.parts)).resolve() if relative.parts else content
    if not target.is_relative_to(content) or not target.is_relative_to(config.root.resolve()):
        fields.problem("figure.src", f"figure source `{src}` points outside the site; keep images under "
                       f"{config.content}/ (a link that leads elsewhere is not followed)")
        return False
    if not target.is_file():
        fields.problem("figure.src", f"figure file `{src}` not found under {config.content}/")
        return False
    return True


KNOWN = {
    "title", "summary", "type", "subtype", "discipline", "evidence", "populations", "problems",
    "key_figures", "video", "figure", "see_also", "provenance", "reviewed", "ids", "draft",
}
_ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _aliases(data: dict, fields: _Fields) -> tuple[tuple[str, str], ...]:
    """`ids: {old-id: new-id}`: the sentence now called new-id also answers links to old-id."""
    value = data.get("ids")
    if value is None:
        return ()
    if not isinstance(value, dict):
        fields.problem("ids", f"`ids` must map old sentence ids to current ones, like `ids: {{s-c72e2e0f: s-d32ad275}}`"
                       f", got {_kind(value)}")
        return ()
    found = []
    for old, new in value.items():
        if not (isinstance(old, str) and isinstance(new, str) and _ANCHOR.fullmatch(old) and _ANCHOR.fullmatch(new)):
            fields.problem(f"ids.{old}", f"`ids.{old}` must map an id to an id (letters, digits, - and _), got "
                           f"{old!r}: {new!r}")
            continue
        found.append((old, new))
    return tuple(found)


def check_meta(
    path: str, front: FrontMatter, config: Config, slugs: Collection[str], uses_llm: bool,
    spellings: list[tuple[str, str, str, Pos]] | None = None,
) -> tuple[Meta | None, list[Diagnostic]]:
    """`spellings`, when given, receives each taxonomy term as written: (field, spelling, term, position)."""
    fields = _Fields(path, front)
    aliases = {term_key(spelling): term for spelling, term in config.aliases}
    data = dict(front.data)
    for key in data:
        if key not in KNOWN:
            fields.problem(key, f"unknown field `{key}`{did_you_mean(key, KNOWN)}; known fields: "
                           f"{', '.join(sorted(KNOWN))}")
    title = fields.text(data, "title", required=True)
    summary = fields.text(data, "summary", required=True)
    kind = fields.text(data, "type", required=True)
    if kind and kind not in config.types:
        fields.problem("type", f"type `{kind}` is not one of: {', '.join(config.types)}")
        kind = None

    evidence = None
    if (raw := fields.mapping(data, "evidence", {"level", "note"})) is not None:
        level = fields.text(raw, "level", "evidence.", required=True)
        if level and level not in config.evidence_levels:
            allowed = ", ".join(config.evidence_levels)
            fields.problem("evidence.level", f"evidence level `{level}` is not one of: {allowed}")
        elif level:
            evidence = Evidence(level, fields.text(raw, "note", "evidence."))

    video = None
    if (raw := fields.mapping(data, "video", {"title", "url"})) is not None:
        vtitle, url = fields.text(raw, "title", "video.", True), fields.text(raw, "url", "video.", True)
        if url:
            if problem := _video_problem(url, config.video_hosts):
                fields.problem("video.url", problem, "L001")
            elif vtitle:
                video = Video(vtitle, url)

    figure = None
    if (raw := fields.mapping(data, "figure", {"src", "alt", "caption"})) is not None:
        src, alt = fields.text(raw, "src", "figure.", True), fields.text(raw, "alt", "figure.", True)
        caption = fields.text(raw, "caption", "figure.")
        if src and _figure_src(src, config, fields) and alt:
            figure = Figure(src, alt, caption)

    see_also = fields.texts(data, "see_also")
    for number, slug in enumerate(see_also):
        if slug not in slugs:
            pos = front.lines.get(f"see_also.{number}", front.lines.get("see_also", Pos(1, 1)))
            message = (f"`see_also` names `{slug}`, which is no article{did_you_mean(slug, slugs)}: use the file name "
                       "of an article without .md")
            fields.diagnostics.append(Diagnostic(path, pos.line, pos.column, "F003", Severity.ERROR, message))

    provenance = ProvenanceInfo()
    if (raw := fields.mapping(data, "provenance", {"model", "version", "generated"})) is not None:
        generated = None
        if raw.get("generated") is not None:
            generated = _date(raw["generated"])
            if generated is None:
                fields.problem("provenance.generated", "`provenance.generated` must be a date like 2026-06-04")
        model = fields.text(raw, "model", "provenance.")
        provenance = ProvenanceInfo(model, fields.text(raw, "version", "provenance."), generated)
    if uses_llm and not provenance.model:
        where = "provenance" if "provenance" in data else ""
        fields.problem(where, "the article uses `[@llm]`, so `provenance.model` must name the model that wrote it")

    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        fields.problem("draft", f"`draft` must be true or false, got {_kind(draft)}")

    reviewed = None
    if (raw := fields.mapping(data, "reviewed", {"by", "date", "digest"})) is not None:
        by, digest = fields.text(raw, "by", "reviewed.", True), fields.text(raw, "digest", "reviewed.", True)
        date = _date(raw["date"]) if raw.get("date") is not None else None
        if date is None:
            fields.problem("reviewed.date" if "date" in raw else "reviewed",
                           "`reviewed.date` must be the date of the review, like 2026-06-04")
        if by and digest and date:
            reviewed = Review(by, date, digest)

    meta = Meta(
        draft=draft is True,
        title=title or "",
        summary=summary or "",
        type=kind or "",
        subtype=fields.text(data, "subtype"),
        discipline=fields.text(data, "discipline"),
        evidence=evidence,
        populations=fields.terms(data, "populations", aliases),
        problems=fields.terms(data, "problems", aliases),
        key_figures=fields.texts(data, "key_figures"),
        video=video,
        figure=figure,
        see_also=see_also,
        provenance=provenance,
        reviewed=reviewed,
        ids=_aliases(data, fields),
    )
    if spellings is not None:
        spellings.extend(fields.spellings)
    return (None if fields.diagnostics else meta), fields.diagnostics
