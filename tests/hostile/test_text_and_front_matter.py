"""Bytes and YAML that editors, tools and attackers produce: each gets a positioned diagnostic, never a crash."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import FRONT, codes, where


def test_empty_article_and_empty_bibliography(site, checked) -> None:
    result = checked(site({"content/a.md": "", "content/b.md": FRONT + "Fine [@a].\n", "bibliography.bib": ""}))
    assert where(result, "F001") == [("content/a.md", 1, 1)]
    assert where(result, "P002") == [("content/b.md", 3, 14), ("content/b.md", 6, 8)]  # the empty bibliography
    # resolves nothing, neither the summary's key nor the body's


def test_whitespace_only_article(site, checked) -> None:
    result = checked(site({"content/a.md": "\n\n   \n"}))
    assert where(result, "F001") == [("content/a.md", 1, 1)]


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"\xff" + FRONT.encode(), 1, 1),
        (FRONT.encode() + b"ok [@a].\nab\xe9c [@a].\n", 7, 3),  # Latin-1 e-acute
        (FRONT.encode() + "caf\u00e9 ".encode() + b"\x80 [@a].\n", 6, 6),  # the column counts characters
        (b"\xef\xbb\xbf" + FRONT.encode() + b"x\xc3", 6, 2),  # a truncated sequence at the end; BOM not counted
        (FRONT.replace("\n", "\r\n").encode() + b"ok\r\nab\xfe\r\n", 7, 3),  # CRLF
        (FRONT.replace("\n", "\r").encode() + b"ok\rab\xfe\r", 7, 3),  # old Mac CR
    ],
)
def test_non_utf8_reports_the_bad_byte(site, checked, raw: bytes, line: int, column: int) -> None:
    result = checked(site({"content/a.md": raw, "content/b.md": FRONT + "Fine [@a].\n"}))
    assert where(result, "E003") == [("content/a.md", line, column)]
    assert "UTF-8" in next(d.message for d in result.diagnostics if d.code == "E003")


def test_non_utf8_bibliography(site, checked) -> None:
    result = checked(site({"bibliography.bib": b"@article{a,\n  title = {Caf\xe9}}\n"}))
    assert where(result, "E003") == [("bibliography.bib", 2, 15)]


def test_utf8_bom_is_invisible(site, checked) -> None:
    result = checked(site({"content/a.md": b"\xef\xbb\xbf" + (FRONT + "Bare claim.\n").encode()}))
    assert where(result, "P001") == [("content/a.md", 6, 1)]
    assert "F001" not in codes(result)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"])
def test_line_endings_keep_positions(site, checked, newline: str) -> None:
    lines = ["---", "title: A", "summary: S [@a].", "type: theory", "bogus: 1", "---", "Sourced [@a].",
             "Bare. X [@zz]."]
    if newline == "mixed":
        text = "".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines))
    else:
        text = newline.join(lines) + newline
    result = checked(site({"content/a.md": text.encode()}))
    assert where(result, "F002") == [("content/a.md", 5, 1)]
    assert where(result, "P001") == [("content/a.md", 8, 1)]
    assert where(result, "P002") == [("content/a.md", 8, 11)]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("---\ntitle: A\nBare [@a].\n", "F001", 1),  # unterminated
        ("---", "F001", 1),
        ("---\n---\nFine [@a].\n", "F001", 2),  # empty
        ("---\n- a\n- b\n---\nFine [@a].\n", "F001", 2),  # a list
        ("---\njust text\n---\nFine [@a].\n", "F001", 2),  # a scalar
        ("---\ntitle: A\n\tsummary: S [@a].\ntype: theory\n---\nFine [@a].\n", "F001", 3),  # tab indent
        ("---\ntitle: [A\nsummary: S [@a].\n---\nFine [@a].\n", "F001", 3),  # unclosed flow sequence
        ("---\n? [a, b]\n: x\n---\nFine [@a].\n", "F001", 2),  # an unhashable key
        ("---\ntitle: " + "9" * 5000 + "\n---\nFine [@a].\n", "F001", 2),  # beyond int() digit limit
    ],
)
def test_broken_front_matter(site, checked, text: str, code: str, line: int) -> None:
    result = checked(site({"content/a.md": text}))
    assert (code, line) in [(d.code, d.line) for d in result.diagnostics if d.path == "content/a.md"], codes(result)


def test_duplicate_keys_are_reported_at_the_second(site, checked) -> None:
    text = "---\ntitle: A\nsummary: S [@a].\ntype: theory\ntitle: B\nevidence:\n  level: emerging\n  level: x\n---\n"
    text += "F [@a].\n"
    result = checked(site({"content/a.md": text}))
    assert ("content/a.md", 5, 1) in where(result, "F002")
    assert ("content/a.md", 8, 3) in where(result, "F002")


def test_tab_inside_a_value_is_fine(site, checked) -> None:
    result = checked(site({"content/a.md": "---\ntitle: 'A\tB'\nsummary: S [@a].\ntype: theory\n---\nFine [@a].\n"}))
    assert [c for c in codes(result) if c.startswith("F")] == []


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:pathlib.Path {{}}",
        "!custom {{x: 1}}",
    ],
)
def test_yaml_tags_are_never_constructed(site, checked, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    for text in (f"---\ntitle: {value}\nsummary: S [@a].\ntype: theory\n---\nFine [@a].\n",
                 f"---\ntitle: A\nsummary: S [@a].\ntype: theory\nevidence:\n  note: {value}\n---\nFine [@a].\n"):
        result = checked(site({"content/a.md": text}))
        assert "F001" in codes(result)
        assert not marker.exists()


def test_billion_laughs_is_refused_quickly(site, checked) -> None:
    levels = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for n in range(1, 10):
        name, prev = chr(ord("a") + n), chr(ord("a") + n - 1)
        levels.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(levels) + "\ntitle: A\nsummary: S [@a].\ntype: theory\n---\nFine [@a].\n"
    started = time.process_time()
    result = checked(site({"content/a.md": text}))
    assert time.process_time() - started < 2
    assert where(result, "F001") == [("content/a.md", 2, 4)]
    # a single harmless alias is refused too: anchors have no use in front matter
    result = checked(site({"content/a.md": "---\ntitle: &t A\nsummary: *t\ntype: theory\n---\nFine [@a].\n"}))
    assert where(result, "F001") == [("content/a.md", 2, 8)]


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000,
     "".join(f"\n{'  ' * (i + 1)}k{i}:" for i in range(300)) + " 1"],
    ids=["flow-sequences", "flow-mappings", "block-mappings"],
)
def test_deeply_nested_yaml_is_refused_quickly(site, checked, value: str) -> None:
    """PyYAML's scanner is quadratic in flow depth: 5,000 `[` took 27 s before the depth limit."""
    started = time.process_time()
    text = f"---\ntitle: A\nsummary: S [@a].\ntype: theory\nx: {value}\n---\nF [@a].\n"
    result = checked(site({"content/a.md": text}))
    assert time.process_time() - started < 2
    assert [d.line >= 5 for d in result.diagnostics if d.code == "F001"] == [True]


def test_huge_front_matter(site, checked) -> None:
    text = "---\ntitle: A\nsummary: S [@a].\ntype: theory\nkey_figures:\n" + "  - someone\n" * 40_000 + "---\nF [@a].\n"
    result = checked(site({"content/a.md": text}))
    assert where(result, "F001") == [("content/a.md", 1, 1)]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-06-04", True),
        ("'2026-06-04'", True),
        ("2026-06-04T10:00:00Z", True),
        ("2026-06-04 10:00:00", True),
        ("2026-06-04T10:00:00+02:00", True),
        ("2026-13-01", False),  # PyYAML itself raised "month must be in 1..12" at line 2
        ("2026-02-30", False),
        ("0000-01-01", False),
        ("2026-6-4", False),
        ("2026/06/04", False),
        ("04.06.2026", False),
        ("June 4, 2026", False),
        ("20260604", False),
        ("1e999", False),
        ("[2026, 6, 4]", False),
        ("yes", False),
    ],
)
def test_odd_dates(site, checked, value: str, ok: bool) -> None:
    text = (f"---\ntitle: A\nsummary: S [@a].\ntype: theory\nprovenance:\n  model: m\n  generated: {value}\n---\n"
            "F [@a].\n")
    result = checked(site({"content/a.md": text}))
    assert where(result, "F002") == ([] if ok else [("content/a.md", 7, 3)])
    assert "F001" not in codes(result)


def test_a_date_as_a_title_is_text(site, checked) -> None:
    result = checked(site({"content/a.md": "---\ntitle: 2026-06-04\nsummary: S [@a].\ntype: theory\n---\nF [@a].\n"}))
    assert [c for c in codes(result) if c.startswith("F")] == []
    assert result.articles[0].meta.title == "2026-06-04"


def test_front_matter_broken_still_checks_markers(site, checked) -> None:
    result = checked(site({"content/a.md": "---\n- a\n---\nBare.\nUnknown [@zz].\n"}))
    assert {"F001", "P001", "P002"} <= set(codes(result))
