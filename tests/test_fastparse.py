"""The fast parse path (parse/fast.py) against markdown-it-py, the reference: the same document (units, markers,
positions, links, headings, diagnostics) for the bench corpus, every Markdown fixture and generated documents."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wikigen.parse.fast as fast
from wikigen.model import Document, SourceFile
from wikigen.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
FRONT = "---\ntitle: T\nsummary: A lead [@a].\ntype: theory\n---\n"


def _without_tokens(document: Document) -> Document:
    return dataclasses.replace(document, tokens=(), caption_tokens=(), front_tokens=())


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each body took the fast path (True) or fell back to markdown-it-py."""
    found: list[bool] = []
    parse = fast.parse

    def counting(*args):
        tokens = parse(*args)
        found.append(tokens is not None)
        return tokens

    monkeypatch.setattr(fast, "parse", counting)
    return found


def _same(path: str, text: str) -> None:
    source = SourceFile(path, text, "")
    reference = parse_document(source)  # markdown-it-py, tokens and all
    assert parse_document(source, tokens=False) == _without_tokens(reference), path


def _fixtures() -> list[tuple[str, str]]:
    """Every Markdown text kept in tests/ and content/: articles, golden sites, the invalid sites' articles and
    the parser cases' bodies."""
    found = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for folder in ("tests", "content") for p in sorted((ROOT / folder).rglob("*.md"))]
    for site in sorted((ROOT / "tests/fixtures/invalid").glob("*.site")):
        for part in site.read_text(encoding="utf-8").split("\n== ")[1:]:
            name, _, text = part.partition("\n")
            if name.endswith(".md"):
                found.append((f"{site.name}:{name}", text))
    units = (ROOT / "tests/fixtures/units.txt").read_text(encoding="utf-8")
    for block in units.split("\n=== ")[1:]:
        name, _, rest = block.partition("\n")
        found.append((f"units.txt:{name}", FRONT + rest.partition("\n---\n")[0] + "\n"))
    return found


def test_every_fixture_parses_the_same(taken: list[bool]) -> None:
    fixtures = _fixtures()
    assert len(fixtures) > 60
    for path, text in fixtures:
        _same(path, text)
    assert sum(taken) > len(taken) / 2  # most take the fast path: the comparison compares two parsers


def test_the_bench_corpus_parses_the_same(tmp_path: Path, taken: list[bool]) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/corpus.py"), str(tmp_path), "--articles", "20"], check=True,
                   capture_output=True)
    articles = sorted((tmp_path / "wikigen/content").glob("*.md"))
    assert len(articles) == 20
    for article in articles:
        _same(article.name, article.read_text(encoding="utf-8"))
    assert all(taken)  # every bench article is one the fast path vouches for


WORDS = ["The", "dose", "was", "given", "daily", "e.g.", "Dr.", "Smith", "et al.", "U.S.", "vs.", "1.", "(2012)",
         "p. 4", "é", "—", "10 mg", "i.v.", "Patients", "it", "ended.", "Then", "Fig.", "2", "a.m.", "&", "<", ">",
         "@a", "-", "*", "_", "#", "|", ":", ":::", "|", "]", "[", "!", "..."]
# Markers and Markdown the fast path reads itself, and what it must send back to markdown-it-py.
MARKS = ["[@a]", "[@a; @b, p. 3]", "[see @a, pp. 3-5, for a review]", "[@llm]", "[-@b]", "[@a][@llm]", "[@",
         "[@a [x]]", "[see [@a]]", "[@ a]", "[see @a](https://e.org)", "*em [@a]*", "**strong** [@b]",
         "`code [@x]`", "[link](https://e.org)", "[x][y]", "[@{a;b}]", "[@todo]", "[x]", "[see @a][x](https://e.org)",
         "[@a, p. 3, \"quoted\"]"]
RISKY = ["[@a](https://e.org)", "\\[@a]", "&amp;", "[@a, *p. 3*]", "<https://e.org>", "![img](a.png)", "[@a]:",
         "&#64;", "\\", "[@a\n@b]", "[see\n@a]", "[@a `x`]", "*a [@b* c]", "> quoted"]
PUNCTUATION = [".", "!", "?", ",", "\n", "  \n", " "]


@st.composite
def _line(draw, risky: bool) -> str:
    pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.sampled_from(PUNCTUATION),
                       *([st.sampled_from(RISKY)] if risky else []))
    return " ".join(draw(st.lists(pieces, min_size=1, max_size=14)))


@st.composite
def _block(draw, risky: bool) -> str:
    kind = draw(st.sampled_from(["para", "para", "list", "olist", "table", "deflist", "heading", "container",
                                 "hr", "nested"] + (["fence", "quote", "indented"] if risky else [])))
    line = draw(_line(risky))
    if kind == "list":
        items = draw(st.lists(_line(risky), min_size=1, max_size=3))
        sep = draw(st.sampled_from(["\n", "\n\n"]))
        return sep.join(f"- {item}" for item in items)
    if kind == "olist":
        items = draw(st.lists(_line(risky), min_size=1, max_size=3))
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    if kind == "nested":
        return f"- {line}\n  - {draw(_line(risky))}\n\n    {draw(_line(risky))}"
    if kind == "table":
        cells = draw(st.lists(st.lists(st.sampled_from(WORDS + MARKS[:6]), min_size=1, max_size=3), min_size=1,
                              max_size=3))
        return "| a | b |\n|---|---|\n" + "\n".join("| " + " | ".join(row) + " |" for row in cells)
    if kind == "deflist":
        return f"Term {draw(_line(risky))}\n: {line}\n\n  {draw(_line(risky))}"
    if kind == "heading":
        return f"{draw(st.sampled_from(['#', '##', '###']))} {line}"
    if kind == "container":
        name = draw(st.sampled_from(["example [@llm]", "note", "exempt", "framing [@a]", "Note", "bogus", ""]))
        close = draw(st.sampled_from([":::", "::::", "", "::: x"]))
        return f"::: {name}\n{line}\n{close}"
    if kind == "fence":
        return f"```\n{line}\n:::\n```"
    if kind == "quote":
        return f"> {line}"
    if kind == "indented":
        return f"    {line}"
    if kind == "hr":
        return "---"
    return line


@st.composite
def _document(draw) -> str:
    """Mostly what the fast path reads itself; a quarter of the documents also hold what it must not."""
    risky = draw(st.integers(0, 3)) == 0
    return draw(st.sampled_from(["\n\n", "\n"])).join(draw(st.lists(_block(risky), min_size=1, max_size=6)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_generated_documents_parse_the_same(body: str) -> None:
    _same("content/generated.md", FRONT + body + "\n")


@pytest.mark.parametrize("body", [
    "> a quote [@a].\n",  # block quotes
    "A [@a](https://e.org) link.\n",  # a group markdown-it-py reads before the link
    "Escaped \\[@a] text.\n",
    "A group [@a, *p. 3*] split by emphasis.\n",
    "A prefix [see @a][x](https://e.org) before a link.\n",  # the character after the group decides
    "A group [@a;\n@b] across lines.\n",
    "[@a]: https://e.org\n\nA definition [@a].\n",
    "- item\n\n  ::: note\n  text\n  :::\n",  # an indented container
    "::: note\n::: example\nnested\n:::\n:::\n",
    "::: note\n```\n:::\n```\n:::\n",  # a fence with a `:::` line
    "A &amp; entity [@a].\n",
    "*" * 3000 + "a" + "*" * 3000 + "\n",  # deep emphasis: the Rust parser recurses
    "- " * 200 + "deep\n",
])
def test_what_the_fast_path_cannot_vouch_for_falls_back(body: str, taken: list[bool]) -> None:
    _same("content/a.md", FRONT + body)
    assert taken == [False]
