"""Hostile BibTeX and hostile file trees: positioned diagnostics, nothing read from outside the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import FRONT, codes, cpu_budget, where


def _bib(site, bib: str, body: str = "A claim [@a].\n", lead: str = "a"):
    """A site with its own bibliography; `lead` is the key the summary cites."""
    return site({"bibliography.bib": bib, "content/a.md": FRONT.replace("[@a]", f"[@{lead}]") + body})


@pytest.mark.parametrize(
    "bib",
    [
        "@article{a, title = {Unclosed\n@article{b, title = {B}}\n",
        "@article{a, title = {A}}\n@article{b, title = {Unclosed}\n",
        "@article{a, title = {A}}}}}}\n",
        "@article{a, title = " + "{" * 2_000 + "deep" + "}" * 2_000 + "}\n",
        "@article{a, title = {" + "{" * 5_000 + "}\n",
        "@article{a, title = \"quote never closed}\n",
        "@article{a title = {A}}\n",
        "@article{, title = {A}}\n",
        "@article{a, title = {A}, title = {B}, TITLE = {C}}\n",
        "@string{x = {X}}\n@string{x = x # x # x}\n@article{a, title = x # \" \" # y # {z}}\n",
        "@comment{a, title = {not an entry}}\n@comment{unbalanced\n@article{a, title = {A}}\n",
        "@preamble{\"\\newcommand{\\x}{y}\"}\n@article{a, title = {\\x{} \\undefinedmacro{z}}}\n",
        "@article{a, title = {A}, crossref = {a}}\n",
        "@article{a, title = {A}, crossref = {b}}\n@book{b, title = {B}, crossref = {a}}\n",
        "@article{caf\u00e9, title = {Caf\u00e9}}\n@article{a, title = {\\'{e}t\\'{e} \\\"o \\ss}}\n",
        "@article{\u0430, title = {Cyrillic a}}\n@article{a, title = {A}}\n",
        "@article{a, title = {A}, url = {javascript:alert(1)}, doi = {10.1/<script>}}\n",
        "@article{a, title = {$\\frac{1}{0}$ and $$ and \\ and %comment}}\n",
        "@" * 5_000 + "\n@article{a, title = {A}}\n",
        "\x00\x01@article{a, title = {A\x00}}\n",
        "@article{a,\r\n title = {A}}\r\n@article{a, title={dup}}\r\n",
    ],
)
def test_hostile_bibtex_never_crashes(site, checked, bib: str) -> None:
    with cpu_budget(10, "hostile bibtex"):
        result = checked(_bib(site, bib))
    for diagnostic in result.diagnostics:
        if diagnostic.path == "bibliography.bib":
            assert diagnostic.code.startswith("B") or diagnostic.code.startswith("E"), diagnostic


def test_unbalanced_braces_are_b001_at_the_entry(site, checked) -> None:
    result = checked(_bib(site, "@article{a, title = {A}}\n\n@article{b,\n  title = {Unclosed,\n}\n"
                               "@article{c, title = {C}}\n"))
    assert ("bibliography.bib", 3, 1) in where(result, "B001")
    assert "a" in result.bibliography.entries


def test_duplicate_field_and_key(site, checked) -> None:
    result = checked(_bib(site, "@article{a, title = {A},\n  title = {B}}\n@book{a, title = {Again}}\n"))
    assert result.bibliography.entries["a"].title == "A"
    assert "B002" in codes(result) and where(result, "B002") == [("bibliography.bib", 3, 1)]


def test_string_macros_and_comment(site, checked) -> None:
    bib = "@comment{x}\n@string{j = {Journal}}\n@article{a, title = {A}, journal = j # { of } # j}\n"
    result = checked(_bib(site, bib))
    assert result.bibliography.entries["a"].fields["journal"] == "Journal of Journal"
    assert [c for c in codes(result) if c.startswith("B0")] == []


def test_non_ascii_keys_resolve(site, checked) -> None:
    key = "m\u00fcller2020"
    result = checked(_bib(site, f"@article{{{key}, title = {{M}}}}\n", f"A claim [@{key}].\n", key))
    assert codes(result) == []


def _library(entries: int) -> str:
    """A shared reference library: plain, braced, accented, crossref'd and macro entries mixed."""
    parts = ["@string{jedu = {Journal of Education}}\n@book{parent, title = {Handbook}, year = {2001}}\n"]
    for i in range(entries):
        kind = i % 10
        if kind == 0:
            title = f"{{Achievement}} goals in {{DNA}} study {i}"
        elif kind == 1:
            title = f"\\'{{E}}tude num\\'ero {i}"
        else:
            title = f"Plain title of study number {i}"
        extra = ", crossref = {parent}" if kind == 2 else ", journal = jedu" if kind == 3 else ""
        parts.append(
            f"@article{{k{i},\n  title = {{{title}}},\n  author = {{Doe, Jane and Smith, John}},\n"
            f"  year = {{{1950 + i % 70}}},\n  doi = {{10.1000/x.{i}}}{extra}\n}}\n"
        )
    return "".join(parts)


@pytest.mark.slow
def test_twenty_thousand_entry_bibliography(site, checked) -> None:
    bib = _library(20_000)
    root = _bib(site, bib, "A claim [@k1] and [@k19999].\n", "k1")
    with cpu_budget(60, f"20,000-entry bibliography ({len(bib) / 1e6:.1f} MB)"):
        result = checked(root)
    assert len(result.bibliography.entries) == 20_001
    assert [c for c in codes(result) if c != "B101"] == []


# ---------------------------------------------------------------- file trees


def test_file_names_with_spaces_and_unicode(site, checked) -> None:
    root = site({
        "content/with space.md": FRONT + "Fine [@a].\n",
        "content/caf\u00e9 \u00fcber.md": FRONT + "Bare.\n",
        "content/\u65e5\u672c.md": FRONT + "Fine [@a].\n",
        "content/b.md": "---\ntitle: B\nsummary: S [@a].\ntype: theory\nsee_also: [with space, \u65e5\u672c]\n---\n"
                        "F [@a].\n",
    })
    result = checked(root)
    assert where(result, "P001") == [("content/caf\u00e9 \u00fcber.md", 6, 1)]
    assert "F003" not in codes(result)


def test_names_colliding_after_slugging(site, checked) -> None:
    root = site({"content/Alpha.md": FRONT + "F [@a].\n", "content/sub/alpha.md": FRONT + "F [@a].\n"})
    result = checked(root)
    assert len(where(result, "F004")) == 1


def test_names_colliding_after_normalisation(site, checked) -> None:
    root = site({"content/caf\u00e9.md": FRONT + "F [@a].\n", "content/cafe\u0301.md": FRONT + "F [@a].\n"})
    assert where(checked(root), "F004")


@pytest.mark.parametrize("name", ["...md", "..md", "sub/..md", " .md", "trailing .md", "%2e%2e.md", "a#b.md",
                                  "what?.md", "back\\slash.md"])
def test_names_that_cannot_be_page_addresses(site, checked, name: str) -> None:
    """The slug is the URL: `...md` would be written to `articles/../index.html`, over the home page."""
    result = checked(site({f"content/{name}": FRONT + "F [@a].\n"}))
    assert where(result, "E006") == [(f"content/{name}", 1, 1)]


def test_control_characters_and_bad_bytes_in_names(site, checked, tmp_path: Path) -> None:
    root = site({"content/tab\there.md": FRONT + "F [@a].\n"})
    (root / "content" / os.fsdecode(b"latin\xe9.md")).write_text(FRONT + "F [@a].\n", encoding="utf-8")
    result = checked(root)
    assert len(where(result, "E006")) == 2
    for diagnostic in result.diagnostics:
        diagnostic.path.encode("utf-8")  # printable in every report format


def test_symlinks_outside_the_site_are_not_read(site, checked, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(FRONT + "SECRET-CONTENT [@a].\n", encoding="utf-8")
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    (outside_dir / "x.md").write_text(FRONT + "SECRET-CONTENT [@a].\n", encoding="utf-8")
    root = site()
    os.symlink(secret, root / "content" / "leak.md")
    os.symlink(outside_dir, root / "content" / "linked-dir")
    os.symlink(root / "content" / "loop.md", root / "content" / "loop.md")
    os.symlink(root / "content" / "missing", root / "content" / "dangling.md")
    os.symlink("/dev/zero", root / "content" / "zero.md")
    os.symlink(root / "content", root / "content" / "folder.md")
    result = checked(root)
    assert where(result, "E002") == [("content/folder.md", 1, 1), ("content/leak.md", 1, 1),
                                     ("content/loop.md", 1, 1), ("content/zero.md", 1, 1)]
    assert where(result, "E001") == [("content/dangling.md", 1, 1)]
    assert all("SECRET" not in (s.text or "") for s in result.parsed.sources.articles)


def test_bibliography_symlinked_outside(site, checked, tmp_path: Path) -> None:
    outside = tmp_path / "outside.bib"
    outside.write_text("@article{a, title = {A}}\n", encoding="utf-8")
    root = site({"bibliography.bib": None})
    os.symlink(outside, root / "bibliography.bib")
    assert where(checked(root), "E002") == [("bibliography.bib", 1, 1)]


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("see_also: ['../a']", "F003"),
        ("see_also: ['../../etc/passwd']", "F003"),
        ("see_also: ['/a']", "F003"),
        ("figure: {src: ../pyproject.toml, alt: x}", "F002"),
        ("figure: {src: ../../../../etc/passwd, alt: x}", "F002"),
        ("figure: {src: /../pyproject.toml, alt: x}", "F002"),
        ("figure: {src: 'img\\\\..\\\\..\\\\x.png', alt: x}", "F002"),
        ("figure: {src: link.png, alt: x}", "F002"),  # a symlink to a file outside the site
        ("figure: {src: /etc/passwd, alt: x}", "F002"),
    ],
)
def test_paths_that_climb_out_are_refused(site, checked, tmp_path: Path, field: str, code: str) -> None:
    root = site({"content/a.md": f"---\ntitle: A\nsummary: S [@a].\ntype: theory\n{field}\n---\nF [@a].\n"})
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    os.symlink(secret, root / "content" / "link.png")
    result = checked(root)
    assert where(result, code) == [("content/a.md", 5, 12 if code == "F003" else 10)], codes(result)
    assert result.articles[0].meta is None
