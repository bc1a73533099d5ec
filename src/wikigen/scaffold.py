"""`wikigen new`: a new article with complete front matter and the standard section skeleton.

The article is a draft (`draft: true`) and every placeholder sentence carries the reserved tag `[@todo]`, as
Hugo, Jekyll and Eleventy mark unfinished pages: the new file passes `wikigen check`, `wikigen build` does
not publish it, and `[@todo]` left in an article that is no longer a draft is an error (P009). Files are
created, never replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

from wikigen.config import Config

MAX_SLUG = 80
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class ScaffoldError(Exception):
    """The article cannot be created (bad title or type, slug taken, content folder unusable)."""


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Café Ökologie: A Primer" -> "cafe-okologie-a-primer"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug.strip("-")


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


TABLE = """\
| Goal | SMART objective (example) | Mechanism |
|---|---|---|
| TODO: a treatment goal | TODO: within N weeks, the client will do something measurable | TODO: the mechanism [@todo] |
"""

KEY_TERMS = """\
TODO: a key term
: TODO: its definition, with a source marker [@todo].
"""

# (heading, placeholder paragraph); each paragraph is exactly one sentence ending in a marker.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("Type & Discipline", "TODO: say what kind of approach this is and which discipline it comes from [@todo]."),
    ("Origins & History", "TODO: describe who created it, when, and how it developed [@todo]."),
    ("Core Principles", "TODO: state the core principles, one sourced sentence each [@todo]."),
    ("Interventions & Techniques", "TODO: list the interventions and techniques clinicians use [@todo]."),
    ("Evidence Base", "TODO: summarize the evidence, citing the strongest studies and reviews [@todo]."),
    ("Populations & Indications", "TODO: name the populations and indications the evidence covers [@todo]."),
    ("Problems-for-Work", "TODO: list the presenting problems this approach helps to work on [@todo]."),
    ("Contraindications, Cautions & Cultural Humility",
     "TODO: note contraindications, cautions and cultural considerations [@todo]."),
    ("Treatment-Plan Suggestions & SMART Objectives",
     "TODO: adapt the example objectives below, which are not prescriptions [@todo].\n\n" + TABLE),
    ("Common Misconceptions", "TODO: correct the common misconceptions, with sources [@todo]."),
    ("Training & Certification", "TODO: describe the available training and certification [@todo]."),
    ("Key Terms", KEY_TERMS),
    ("Resources & Further Reading", "TODO: list books, articles and videos for further reading [@todo]."),
    ("Reflective / Supervision Questions", "- TODO: a question for reflection or supervision [@todo]?"),
)


def article_text(
    config: Config,
    title: str,
    type_: str,
    *,
    subtype: str | None = None,
    discipline: str | None = None,
    evidence: str | None = None,
    model: str = "unspecified",
    today: dt.date | None = None,
) -> str:
    """The text `new_article` writes (no validation here)."""
    level = evidence or ("preliminary" if "preliminary" in config.evidence_levels else config.evidence_levels[0])
    generated = (today or dt.date.today()).isoformat()

    def optional(key: str, value: str | None) -> str:
        return f"{key}: {_q(value.strip())}" if value and value.strip() else f"{key}:"

    front = [
        "---",
        f"title: {_q(title.strip())}",
        "draft: true  # `wikigen build` publishes the article once this line is gone and no placeholder is left",
        f"summary: {_q('TODO: one or two plain sentences saying what this is and who it helps [@todo].')}",
        f"type: {_q(type_)}",
        optional("subtype", subtype),
        optional("discipline", discipline),
        "evidence:",
        f"  level: {_q(level)}",
        f"  note: {_q('TODO: say briefly why the evidence has this level [@todo].')}",
        "populations: []",
        "problems: []",
        "key_figures: []",
        "# video: {title: \"...\", url: \"https://www.youtube.com/watch?v=...\"}",
        "# figure: {src: images/....svg, alt: \"...\", caption: \"... [@key]\"}",
        "see_also: []",
        "provenance:",
        f"  model: {_q(model)}",
        '  version: "0.1"',
        f"  generated: {generated}",
        "---",
        "",
        "TODO: open with two or three sentences that introduce the topic for clinicians [@todo].",
        "",
    ]
    body = []
    for heading, placeholder in SECTIONS:
        body += [f"## {heading}", "", placeholder.rstrip("\n"), ""]
    return "\n".join(front + body)


def _taken(content: Path, slug: str) -> Path | None:
    if not content.is_dir():
        return None
    for path in content.rglob("*.md"):
        if path.stem.casefold() == slug.casefold():
            return path
    return None


def new_article(
    config: Config,
    title: str,
    type_: str,
    *,
    subtype: str | None = None,
    discipline: str | None = None,
    evidence: str | None = None,
    model: str = "unspecified",
    today: dt.date | None = None,
) -> Path:
    """Create content/<slug>.md and return its path. Raises ScaffoldError; never replaces a file."""
    if not title or not title.strip():
        raise ScaffoldError("the title is empty")
    if any(ch in title for ch in "\n\r\x00"):
        raise ScaffoldError("the title must be a single line")
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"title {title!r} gives an empty file name: use some ASCII letters or digits")
    if type_ not in config.types:
        raise ScaffoldError(f"type `{type_}` is not one of: {', '.join(config.types)}")
    if evidence is not None and evidence not in config.evidence_levels:
        raise ScaffoldError(f"evidence level `{evidence}` is not one of: {', '.join(config.evidence_levels)}")
    if not model.strip():
        raise ScaffoldError("the model name is empty")
    root = config.root.resolve()
    content = config.path("content")
    if not content.is_relative_to(root):
        raise ScaffoldError(f"the content folder {content} is outside the site root {root}; refusing to write there")
    if existing := _taken(content, slug):
        raise ScaffoldError(f"an article with the slug `{slug}` already exists: {existing}")
    text = article_text(config, title, type_, subtype=subtype, discipline=discipline, evidence=evidence,
                        model=model, today=today)
    content.mkdir(parents=True, exist_ok=True)
    target = content / f"{slug}.md"
    if not target.resolve().is_relative_to(content):  # e.g. a dangling symlink named like the slug
        raise ScaffoldError(f"{target} points outside the content folder; refusing to write")
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; it was not changed") from None
    return target
