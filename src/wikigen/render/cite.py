"""The page's own "cite this article": APA and BibTeX, written here rather than by pandoc."""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

from wikigen.config import Config
from wikigen.model import Article
from wikigen.render.taxonomy import slugify
from wikigen.render.views import meta_of

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_^~])")


def _bibtex(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else "", value)


def citation(config: Config, article: Article, link: str) -> tuple[Markup, str]:
    """The page's own "cite this article": APA and BibTeX. The page's own reference has one fixed shape (the site
    as author, a date, a version, the URL), so it is written here in the APA form a CSL processor gives such a
    web page, without a pandoc run per article."""
    meta = meta_of(article)
    generated = meta.provenance.generated
    date = "n.d."
    if generated:
        day = dt.date.fromisoformat(generated)
        date = f"{day.year}, {day.strftime('%B')} {day.day}"
    version = f" (Version {meta.provenance.version})" if meta.provenance.version else ""
    end = "" if not version and meta.title.endswith(("?", "!", ".")) else "."
    apa = Markup("{}. ({}). <i>{}</i>{}{} <a href=\"{}\" rel=\"noopener\">{}</a>").format(
        config.title, date, meta.title, version, end, link, link
    )
    lines = [
        f"@misc{{wikigen-{slugify(article.slug)},",
        f"  author       = {{{{{_bibtex(config.title)}}}}},",
        f"  title        = {{{_bibtex(meta.title)}}},",
    ]
    if generated:
        lines.append(f"  year         = {{{generated[:4]}}},")
        lines.append(f"  date         = {{{generated}}},")
    if meta.provenance.version:
        lines.append(f"  version      = {{{_bibtex(meta.provenance.version)}}},")
    lines.append(f"  howpublished = {{{_bibtex(config.title)}}},")
    lines.append(f"  url          = {{{link}}},")
    note = ["LLM-generated"]
    if meta.provenance.model:
        note.append(f"model {meta.provenance.model}")
    if generated:
        note.append(f"last generated {generated}")
    lines.append(f"  note         = {{{_bibtex(', '.join(note))}}}")
    lines.append("}")
    return apa, "\n".join(lines)
