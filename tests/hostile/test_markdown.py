"""Markers in awkward places, deep nesting and big inputs: right answers in bounded time, never a crash."""

from __future__ import annotations

import pytest

from conftest import FRONT, codes, cpu_budget, where
from wikigen.parse.markers import parse_group


def _body(site, body: str, **files):
    return site({"content/a.md": FRONT + body, **files})


def test_marker_split_across_lines(site, checked) -> None:
    result = checked(_body(site, "A claim [@a;\n@zz].\nAnother [@a,\np. 12] here.\n"))
    assert where(result, "P002") == [("content/a.md", 7, 2)]
    assert "P001" not in codes(result) and "P003" not in codes(result)
    assert result.articles[0].counts.sourced == 2 + 1  # and the summary


def test_space_after_at_across_a_line_break(site, checked) -> None:
    result = checked(_body(site, "Another [@\na].\n"))
    assert where(result, "P003") == [("content/a.md", 6, 10)]


def test_nested_brackets(site, checked) -> None:
    result = checked(_body(site, "One [see [@a]].\nTwo [[@a]].\nThree [@a [x]].\n"))
    assert "P001" not in codes(result)
    assert where(result, "P003") == [("content/a.md", 8, 7)]  # `[@a [x]]` is not a group: unclosed `[@a`


def test_escaped_brackets_are_literal(site, checked) -> None:
    result = checked(_body(site, "Literal \\[@zz] text.\nB \\[@zz\\] [@a].\n"))
    assert where(result, "P001") == [("content/a.md", 6, 1)]
    assert "P002" not in codes(result)  # `zz` is never looked up
    assert result.articles[0].counts.sentences == 2 + 1  # and the summary


@pytest.mark.parametrize(
    "body",
    [
        "A [claim [@zz]](https://example.org) here.\n",
        "A [claim](https://example.org) [@zz].\n",
        "A *claim [@zz]*.\n",
        "A **claim [@zz]**.\n",
        "A _claim_ [@zz].\n",
        "A ~~claim~~ [@zz].\n",
    ],
)
def test_markers_inside_links_and_emphasis_count(site, checked, body: str) -> None:
    result = checked(_body(site, body))
    assert where(result, "P002") and "P001" not in codes(result)


@pytest.mark.parametrize(
    "body",
    ["A `[@zz]` claim [@a].\n", "```\n[@zz] bare\n```\n", "    [@zz] indented code\n", "## Heading [@zz]\n"],
)
def test_markers_in_code_are_not_markers(site, checked, body: str) -> None:
    result = checked(_body(site, body))
    assert "P002" not in codes(result) and "P001" not in codes(result)


@pytest.mark.parametrize("body", ["[@zz]\n", "- [@zz]\n", "[[[@zz]]]\n"])
def test_a_lonely_marker_is_still_checked(site, checked, body: str) -> None:
    result = checked(_body(site, body))
    assert where(result, "P002")


def test_text_beyond_the_nesting_limit_is_reported(site, checked) -> None:
    result = checked(_body(site, "Intro [@a].\n\n" + ">" * 21 + " Deep unmarked claim.\n"))
    assert [line for _, line, _ in where(result, "E005")] == [8]  # the deep line, not the file's first


@pytest.mark.parametrize(
    "body",
    [
        ">" * 10_000 + " Deep [@a].\n",
        "- " * 10_000 + "deep [@a]\n",
        "> - " * 5_000 + "deep [@a]\n",
        "".join("  " * i + "- item [@a]\n" for i in range(1_000)),  # indentation nesting grows quadratically
        "".join(">" * i + " line [@a]\n" for i in range(1, 1_000)),
        "::: example\n" * 2_000 + "Text [@a].\n" + ":::\n" * 2_000,
        "*" * 10_000 + "x [@a]" + "*" * 10_000 + "\n",
        "[" * 10_000 + "@a" + "]" * 10_000 + "\n",
        "[@" * 10_000 + "\n",
        "[x](" * 10_000 + "\n",
        "<" * 10_000 + "\n",
        "`" * 10_000 + "\n",
        "| a |\n|---|\n" + "| " * 10_000 + "\n",
    ],
    ids=["quotes", "lists", "quote-lists", "indented-lists", "quote-lines", "containers", "emphasis", "brackets",
         "open-markers", "open-links", "angles", "backticks", "table-pipes"],
)
def test_deep_nesting_is_bounded(site, checked, body: str) -> None:
    """10,000 levels: no RecursionError, no traceback, a few seconds at most."""
    with cpu_budget(10, "deep nesting"):
        result = checked(_body(site, body))
    assert all(path == "content/a.md" for path, _, _ in where(result, "E005"))  # positioned by `checked`


def _article(size: int) -> str:
    """Realistic hostile bulk: headings, cited paragraphs, lists, a table, code, abbreviations and decimals."""
    section = (
        "## Section heading\n\n"
        "Mastery goals predict persistence in learners who receive frequent formative feedback, e.g. after a failed "
        "attempt at a new clinical skill, and the effect holds across several health-professions programmes [@a]. "
        "Dr. J. G. Nicholls framed ability as either differentiated from effort or undifferentiated, a distinction "
        "that later work tied to how students interpret difficulty (Fig. 2, p < .05) [@a]. Effects in the pooled "
        "studies were modest, about 0.25 SD, and smaller where outcomes were measured by examiners [@a; @a, p. 3]."
        "\n\nUnsourced framing for the reader follows here, written to orient rather than to claim [@llm].\n\n"
        "- A listed claim about goal structures [@a]\n- Another listed claim, i.e. a second one [@a]\n\n"
        "| Goal | Objective |\n|---|---|\n| Mastery | Within 6 weeks the client will practise daily [@a] |\n\n"
        "```\ncode is exempt. It needs no markers.\n```\n\n"
    )
    return section * (size // len(section) + 1)


@pytest.mark.slow
def test_five_megabyte_article(site, checked) -> None:
    body = _article(5 * 1024 * 1024)
    front = "---\ntitle: A\nsummary: S [@a].\ntype: theory\nprovenance:\n  model: m\n---\n"
    root = site({"content/a.md": front + body})
    with cpu_budget(90, f"5 MB article ({len(body) / 1e6:.1f} MB)"):
        result = checked(root)
    assert codes(result) == []
    counts = result.articles[0].counts
    assert counts.unmarked == 0 and counts.sentences > 40_000


def test_parse_group_edge_cases() -> None:
    for text in ["[@]", "[@ a]", "[@a;]", "[;@a]", "[@a,]", "[@a;;@b]", "[@llm, p. 2]", "[@LLM]", "[@a b]",
                 "[@a-]", "[@\u00e9t\u00e9]", "[@a\x00]", "[" + "@a;" * 10_000 + "]"]:
        marker = parse_group(text, 0)
        for code, offset, message in marker.problems:
            assert code in ("P003", "P004") and 0 <= offset < len(text) and message
        for citation in marker.citations:
            assert text[citation.offset : citation.offset + len(citation.key)] == citation.key
