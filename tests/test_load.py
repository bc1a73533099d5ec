"""Load stage: text normalisation, unreadable files as diagnostics, nothing read outside the root."""

from __future__ import annotations

import os
from pathlib import Path

from wikigen.config import Config
from wikigen.load import load_sources


def _site(root: Path) -> Config:
    (root / "content").mkdir()
    (root / "bibliography.bib").write_text("", encoding="utf-8")
    return Config(root=root.resolve())


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    config = _site(tmp_path)
    (tmp_path / "content" / "a.md").write_bytes("\ufeff---\r\ntitle: A\r\n---\rtext\n".encode())
    (article,) = load_sources(config).articles
    assert article.text == "---\ntitle: A\n---\ntext\n"
    assert len(article.digest) == 64


def test_non_utf8_names_the_byte(tmp_path: Path) -> None:
    config = _site(tmp_path)
    (tmp_path / "content" / "a.md").write_bytes(b"line one\nab\xff\n")
    sources = load_sources(config)
    (problem,) = sources.diagnostics
    assert (problem.path, problem.line, problem.column, problem.code) == ("content/a.md", 2, 3, "E003")
    assert sources.articles[0].text is None


def test_symlink_outside_root_is_not_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    config = _site(site)
    secret = tmp_path / "secret.md"
    secret.write_text("secret", encoding="utf-8")
    os.symlink(secret, site / "content" / "leak.md")
    sources = load_sources(config)
    assert [d.code for d in sources.diagnostics] == ["E002"]
    assert sources.articles[0].text is None


def test_a_content_folder_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    """Files in a real folder are cleared by their own type alone; not those of a content folder that is itself
    a link out of the root."""
    outside, site = tmp_path / "outside", tmp_path / "site"
    outside.mkdir()
    (outside / "secret.md").write_text("secret\n", encoding="utf-8")
    site.mkdir()
    (site / "bibliography.bib").write_text("", encoding="utf-8")
    os.symlink(outside, site / "content")
    sources = load_sources(Config(root=site.resolve()))
    assert [(d.path, d.code) for d in sources.diagnostics] == [("content/secret.md", "E002")]
    assert [a.text for a in sources.articles] == [None]


def test_missing_bibliography_and_content_are_reported(tmp_path: Path) -> None:
    codes = sorted(d.code for d in load_sources(Config(root=tmp_path.resolve())).diagnostics)
    assert codes == ["E001", "E004"]


def test_checking_some_paths_reads_only_those(tmp_path: Path) -> None:
    """`check PATHS` costs the named files and the bibliography: the other articles are listed, not read."""
    config = _site(tmp_path)
    named = tmp_path / "content" / "named.md"
    named.write_text("named\n", encoding="utf-8")
    (tmp_path / "content" / "other.md").write_bytes(b"not \xff read\n")  # would be E003 if it were read
    sources = load_sources(config, [named])
    assert [(a.path, a.text) for a in sources.articles] == [("content/named.md", "named\n"), ("content/other.md", None)]
    assert sources.diagnostics == () and sources.selected == frozenset({"content/named.md"})


# ---------------------------------------------------------------- articles known by their stamps

HOUR_NS = 3600 * 10**9


def _known(config: Config) -> tuple[dict, int]:
    """Read the site once and return its stamps, and a time by which every file had settled."""
    sources = load_sources(config)
    known = {s.path: (s.stamp, s.digest) for s in sources.articles if s.stamp}
    return known, max(stamp[1] for stamp, _ in known.values()) + 1


def test_an_unchanged_article_is_listed_unread_with_its_digest(tmp_path: Path) -> None:
    config = _site(tmp_path)
    (tmp_path / "content" / "a.md").write_text("alpha", encoding="utf-8")
    (tmp_path / "content" / "b.md").write_text("beta", encoding="utf-8")
    known, settled = _known(config)
    a, b = load_sources(config, None, known, settled).articles
    assert (a.unread, a.text, a.digest) == (True, None, known["content/a.md"][1])
    assert b.unread and b.digest == known["content/b.md"][1]


def test_a_change_or_a_recent_stamp_means_reading_again(tmp_path: Path) -> None:
    config = _site(tmp_path)
    a, b = tmp_path / "content" / "a.md", tmp_path / "content" / "b.md"
    a.write_text("alpha", encoding="utf-8")
    b.write_text("beta", encoding="utf-8")
    known, settled = _known(config)
    info = a.stat()
    a.write_text("ALPHA", encoding="utf-8")  # the same size, and the modification time put back
    os.utime(a, ns=(info.st_atime_ns, info.st_mtime_ns))
    first, second = load_sources(config, None, known, settled).articles
    assert not first.unread and first.text == "ALPHA"  # its change time gave it away
    assert second.unread
    known, _ = _known(config)
    oldest = min(stamp[1] for stamp, _ in known.values())  # both changed too close to when they were stamped
    assert not any(s.unread for s in load_sources(config, None, known, oldest).articles)


def test_a_linked_article_is_always_read(tmp_path: Path) -> None:
    config = _site(tmp_path)
    (tmp_path / "elsewhere.md").write_text("real", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.md", tmp_path / "content" / "a.md")
    known, settled = _known(config)
    (article,) = load_sources(config, None, known, settled).articles
    assert not article.unread and article.text == "real"


def test_the_content_folder_is_walked_as_rglob_would_in_path_order(tmp_path: Path) -> None:
    """Articles in the order of their path's parts (a folder's before a sibling named like it with a dash), a
    folder named like an article entered, a linked folder not; every other regular file listed for the figure
    checks with its size and time, a pipe not."""
    config = _site(tmp_path)
    content = tmp_path / "content"
    for name in ("b.md", "a-b.md", "a/z.md", "a/c/d.md", "x.md/y.md", "a/figure.svg", "notes.txt"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("text\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hidden.md").write_text("text\n", encoding="utf-8")
    os.symlink(outside, content / "linked")
    os.mkfifo(content / "pipe")
    sources = load_sources(config)
    assert [s.path for s in sources.articles] == [
        "content/a/c/d.md", "content/a/z.md", "content/a-b.md", "content/b.md", "content/x.md/y.md"
    ]
    info = (content / "a" / "figure.svg").stat()
    assert sources.assets == (("a/figure.svg", info.st_size, info.st_mtime_ns),
                              ("notes.txt", 5, (content / "notes.txt").stat().st_mtime_ns))
