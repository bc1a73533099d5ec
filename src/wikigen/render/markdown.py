"""Article tokens -> HTML. The tokens come annotated by the parse stage; this module only renders them.

Special tokens: `citation` (badge group), `sentence_open`/`sentence_close`/`sentence_anchor` (provenance
spans), `tr_open` with a unit (a table row is a checked unit), `container_<name>_open/close` (callouts).
"""

from __future__ import annotations

import functools
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

from wikigen.model import Marker, Sentence, quotes_of, remark_of
from wikigen.render.links import SCHEME

CALLOUTS = {
    "example": "LLM-generated illustrative example (not a guideline)",
    "framing": "Therapeutic framing",
    "note": "Note",
    "exempt": "Not checked: links and code only",  # the checker refuses any claim in it (P007)
}
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def esc(text: str) -> str:
    return escapeHtml(text)


@dataclass
class ArticleContext:
    """Per-article state threaded through the renderer as markdown-it's `env`."""

    numbers: dict[str, int]  # citation key -> source number
    owners: dict[int, str]  # id(marker) -> id of the sentence it marks
    llm_title: str
    resolve_image: Callable[[str], str]  # content-relative src -> site URL
    resolve_link: Callable[[str], str]
    matches: dict[str, dict[str, str]] = field(default_factory=dict)  # sentence id -> key -> best source sentence
    sentence: list[str] = field(default_factory=list)
    rows: list[bool] = field(default_factory=list)
    occurrences: dict[str, int] = field(default_factory=dict)
    backlinks: dict[str, dict[str, None]] = field(default_factory=dict)
    llm_badges: int = 0
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sentence id -> its old ids (`ids:`)

    def cite(self, marker: Marker) -> str:
        """A badge group: `[1, 3]` as separate links to the source list, or the LLM badge."""
        if marker.llm and not marker.citations:
            self.llm_badges += 1
            return (
                '<sup class="cite cite-llm" data-pagefind-ignore>'
                f'<span class="ref"><a class="badge-llm" href="/about/#llm" aria-describedby="llm-note">LLM</a>'
                f'<span class="pv" role="tooltip" aria-hidden="true">{esc(self.llm_title)}</span></span></sup>'
            )
        parts = []
        for citation in marker.citations:
            number = self.numbers.get(citation.key)
            if number is None:
                continue
            count = self.occurrences.get(citation.key, 0) + 1
            self.occurrences[citation.key] = count
            anchor = f"ref-{number}-{count}"
            target = self.owners.get(id(marker)) or (self.sentence[-1] if self.sentence else anchor)
            self.backlinks.setdefault(citation.key, {}).setdefault(target, None)
            where = " ".join(part for part in (citation.prefix, citation.locator) if part)
            remark = remark_of(citation)  # the suffix but its quotes, which the preview shows apart
            where = ", ".join(part for part in (where, remark) if part)  # "see p. 3, for a review"
            label = f"source {number}" + (f", {where}" if where else "")
            located = f' data-loc="{esc(where)}"' if where else ""
            # The preview shows the source's words: the editor's quote, else the sentence of the stored text the
            # check found closest (site.js labels it as chosen automatically).
            if quotes := quotes_of(citation):
                located += f' data-quote="{esc(" … ".join(quotes))}"'
            elif match := self.matches.get(target, {}).get(citation.key):
                located += f' data-match="{esc(match)}"'
            # The reference is described by its entry in the source list (no copy per badge: previews were 40%
            # of a page); site.js shows that entry as a preview on hover and focus.
            parts.append(
                f'<span class="ref"><a href="#src-{number}" id="{anchor}" aria-label="{esc(label)}"{located}'
                f' aria-describedby="src-{number}-ref src-{number}-meta">{number}</a></span>'
            )
        if not parts:
            return ""
        return '<sup class="cite" data-pagefind-ignore>[' + ", ".join(parts) + "]</sup>"


def _env(env) -> ArticleContext:
    return env["article"]


def _citation(self, tokens, idx, options, env) -> str:
    marker = tokens[idx].meta.get("marker")
    return _env(env).cite(marker) if isinstance(marker, Marker) else ""


def _prov_attrs(unit: Sentence, css: str = "s") -> str:
    return f' class="{css}" id="{esc(unit.id)}" data-prov="{esc(str(unit.provenance))}"'


# What `search_copy` cuts, spelled as `cite` and `_prov_attrs` write it (sentence ids are "s-" and hex, "-2" on).
_BADGE = re.compile(rb'<sup class="cite(?: cite-llm)?" data-pagefind-ignore>.*?</sup>', re.S)
_SENTENCE_ID = re.compile(rb' id="s-[0-9a-f]+(?:-[0-9]+)?"(?= data-prov=)')


def search_copy(page: bytes) -> bytes:
    """The page as Pagefind is given it: without the badge groups, whose text it ignores but still parses, and
    without the sentences' ids, each of which it would record as an anchor (the search page uses none). It
    finds the same words, filters and metadata in it, in less time."""
    return _SENTENCE_ID.sub(b"", _BADGE.sub(b"", page))


def _sentence_open(self, tokens, idx, options, env) -> str:
    unit = tokens[idx].meta["unit"]
    context = _env(env)
    context.sentence.append(unit.id)
    old = "".join(f'<span class="s-alias" id="{esc(alias)}"></span>' for alias in context.aliases.get(unit.id, ()))
    return f"<span{_prov_attrs(unit)}>{old}"


def _sentence_close(self, tokens, idx, options, env) -> str:
    stack = _env(env).sentence
    if stack:
        stack.pop()
    return "</span>"


def _sentence_anchor(self, tokens, idx, options, env) -> str:
    return f'<span{_prov_attrs(tokens[idx].meta["unit"], "s s-anchor")}></span>'


def _tr_open(self, tokens, idx, options, env) -> str:
    unit = (tokens[idx].meta or {}).get("unit")
    context = _env(env)
    context.rows.append(isinstance(unit, Sentence))
    if isinstance(unit, Sentence):
        context.sentence.append(unit.id)
        return f"<tr{_prov_attrs(unit)}>\n"
    return "<tr>\n"


def _tr_close(self, tokens, idx, options, env) -> str:
    context = _env(env)
    if context.rows and context.rows.pop() and context.sentence:
        context.sentence.pop()
    return "</tr>\n"


def _cell(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    style = token.attrGet("style") or ""
    match = _ALIGN.search(str(style))
    css = f' class="align-{match.group(1)}"' if match else ""
    return f"<{token.tag}{css}>"


def _table_open(self, tokens, idx, options, env) -> str:
    return '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">\n<table>\n'


def _table_close(self, tokens, idx, options, env) -> str:
    return "</table>\n</div>\n"


def _container(name: str, nesting: int):
    label = CALLOUTS.get(name)

    def rule(self, tokens, idx, options, env) -> str:
        if nesting < 0:
            return "</div>\n</div>\n" if label else "</div>\n"
        if not label:
            return f'<div class="callout-{esc(name)}">\n'
        marker = (tokens[idx].meta or {}).get("marker")
        badge = _env(env).cite(marker) if isinstance(marker, Marker) else ""
        return (
            # role=note, not <aside>: two callouts of one kind would be duplicate landmarks.
            f'<div class="callout callout-{esc(name)}" role="note" aria-label="{esc(label)}">\n'
            f'<p class="callout-title"><span>{esc(label)}</span>{badge}</p>\n<div class="callout-body">\n'
        )

    return rule


def _link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    attrs = dict(token.attrs)
    href = str(attrs.get("href", ""))
    attrs["href"] = _env(env).resolve_link(href)
    if SCHEME.match(href) or href.startswith("//"):
        attrs["rel"] = "noopener"
        attrs["class"] = "external"
    return "<a" + "".join(f' {esc(k)}="{esc(str(v))}"' for k, v in attrs.items()) + ">"


def _image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    extra = f' title="{esc(str(title))}"' if title else ""
    return f'<img src="{esc(_env(env).resolve_image(src))}" alt="{esc(alt)}" loading="lazy"{extra}>'


@functools.cache
def renderer() -> MarkdownIt:
    """A renderer-only instance (raw HTML off). Parsing happened in the parse stage."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    rules: dict[str, Callable] = {
        "citation": _citation,
        "sentence_open": _sentence_open,
        "sentence_close": _sentence_close,
        "sentence_anchor": _sentence_anchor,
        "tr_open": _tr_open,
        "tr_close": _tr_close,
        "th_open": _cell,
        "td_open": _cell,
        "table_open": _table_open,
        "table_close": _table_close,
        "link_open": _link_open,
        "image": _image,
    }
    for name in ("example", "framing", "note", "exempt"):
        rules[f"container_{name}_open"] = _container(name, 1)
        rules[f"container_{name}_close"] = _container(name, -1)
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


def render_tokens(tokens, context: ArticleContext) -> Markup:
    md = renderer()
    return Markup(md.renderer.render(list(tokens), md.options, {"article": context}))


def link_resolver(page_url: str, article_url: Callable[[str], str | None],
                  file_url: Callable[[str], str | None] = lambda path: None) -> Callable[[str], str]:
    """Rewrite `other-article.md#x` to the article's pretty URL and a relative link to a file under content/
    (`files/dose-chart.pdf`) to its URL; everything else stays as written."""

    def resolve(href: str) -> str:
        if not href or href.startswith(("#", "/")) or SCHEME.match(href):
            return href
        parts = urllib.parse.urlsplit(href)
        path = urllib.parse.unquote(parts.path)
        if path.endswith(".md"):
            url = article_url(posixpath.basename(path)[: -len(".md")])
        else:
            url = file_url(path) if path else None
        if url:
            return url + (f"#{parts.fragment}" if parts.fragment else "")
        return href

    return resolve


def token_text(tokens: list[Token]) -> str:
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.children:
            out.append(token_text(token.children))
    return "".join(out)
