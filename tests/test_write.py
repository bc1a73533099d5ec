"""Stage 5, writing: a build recycles the output before last as its staging folder, so nothing may be written
through the hard links that folder shares with the published site, and what the build did not place goes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import wikigen.build
from wikigen import write
from wikigen.build import SearchMode, build
from wikigen.model import OutputFile

RENDER_SITE = Path(__file__).parent / "sites" / "render"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def publish(output: Path, files: dict[str, bytes]) -> None:
    """A build that writes exactly `files` and recycles the spare."""
    with write.staged(output, recycle=True) as staging:
        placed = write.write_files(staging, [OutputFile(path, content) for path, content in files.items()])
        write.prune(staging, set(placed))


def test_the_published_files_are_never_written_through(tmp_path: Path) -> None:
    output = tmp_path / "public"
    publish(output, {"a.html": b"one", "b/index.html": b"b"})
    with write.staged(output, recycle=True) as staging:  # no spare yet: an empty folder
        write.link_files(output, staging, ["a.html", "b/index.html"])
    spare = tmp_path / ".public.spare"
    assert snapshot(spare) == snapshot(output)  # the old output, sharing every file with the new one
    with write.staged(output, recycle=True) as staging:
        assert (staging / "a.html").stat().st_ino == (output / "a.html").stat().st_ino
        write.write_files(staging, [OutputFile("a.html", b"two")])
        write.link_files(output, staging, ["b/index.html"])
        assert (output / "a.html").read_bytes() == b"one"  # still published as it was until the swap
        assert (staging / "a.html").read_bytes() == b"two"
        write.prune(staging, {"a.html", "b/index.html"})
    assert snapshot(output) == {"a.html": b"two", "b/index.html": b"b"}
    assert snapshot(spare) == {"a.html": b"one", "b/index.html": b"b"}


def test_a_file_the_spare_shares_is_kept_and_any_other_replaced(tmp_path: Path) -> None:
    output = tmp_path / "public"
    publish(output, {"same.html": b"s", "other.html": b"o"})
    publish(output, {"same.html": b"s", "other.html": b"o"})  # the spare now holds copies written afresh
    spare = tmp_path / ".public.spare"
    os.unlink(spare / "same.html")
    os.link(output / "same.html", spare / "same.html")
    shared = (output / "same.html").stat().st_ino
    with write.staged(output, recycle=True) as staging:
        write.link_files(output, staging, ["same.html", "other.html"])
        assert (staging / "same.html").stat().st_ino == shared  # left alone
        assert (staging / "other.html").stat().st_ino == (output / "other.html").stat().st_ino  # linked anew
        write.prune(staging, {"same.html", "other.html"})


def test_prune_removes_what_was_not_placed_and_empty_folders(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    for path in ("keep.html", "old.html", "gone/deep/x.html", "mixed/keep.html", "mixed/old.html"):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(path, encoding="utf-8")
    kept = write.prune(folder, {"keep.html", "mixed/keep.html"})
    assert sorted(snapshot(folder)) == sorted(kept) == ["keep.html", "mixed/keep.html"]
    info = (folder / "mixed" / "keep.html").stat()
    assert kept["mixed/keep.html"] == (info.st_size, info.st_mtime_ns)
    assert not (folder / "gone").exists()


def test_a_path_can_change_between_file_and_folder(tmp_path: Path) -> None:
    output = tmp_path / "public"
    publish(output, {"x": b"file", "y/index.html": b"in a folder"})
    publish(output, {"x": b"file", "y/index.html": b"in a folder"})
    publish(output, {"x/index.html": b"now a folder", "y": b"now a file"})
    assert snapshot(output) == {"x/index.html": b"now a folder", "y": b"now a file"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(RENDER_SITE, root)
    return root


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_recycled_build_equals_a_cold_one_and_relinks_nothing_unchanged(site: Path, tmp_path: Path) -> None:
    article = site / "content" / "alpha-theory.md"
    assert build(site, search=SearchMode.OFF).published
    _append(article, "\nA first addition [@llm].\n")
    assert build(site, search=SearchMode.OFF).published
    unchanged = site / "public" / "articles" / "beta-concept" / "index.html"
    inode = unchanged.stat().st_ino
    _append(article, "\nA second addition [@llm].\n")
    result = build(site, search=SearchMode.OFF)  # the first build with a spare to recycle
    assert result.published and (result.rendered, result.reused) == (1, 1)
    assert unchanged.stat().st_ino == inode
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".wikigen-cache", ".*.lock", ".*.spare"))
    assert build(fresh, search=SearchMode.OFF, use_cache=False).published
    assert snapshot(site / "public") == snapshot(fresh / "public")


def test_a_failed_recycled_build_leaves_the_published_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    article = site / "content" / "alpha-theory.md"
    assert build(site, search=SearchMode.OFF).published
    _append(article, "\nA first addition [@llm].\n")
    assert build(site, search=SearchMode.OFF).published
    assert (site / ".public.spare").is_dir()
    published = snapshot(site / "public")
    config = site / "pyproject.toml"  # a new site title: every page is written again, most through the spare
    config.write_text(config.read_text(encoding="utf-8").replace("Render Fixture Wiki", "Renamed Wiki"))

    def fail(folder: Path, keep: set[str]) -> int:
        raise RuntimeError("the build failed after writing every page")

    monkeypatch.setattr(wikigen.build, "prune", fail)
    with pytest.raises(RuntimeError):
        build(site, search=SearchMode.OFF)
    assert snapshot(site / "public") == published
    assert not list(site.glob(".public.*.tmp"))


def test_a_planted_spare_is_never_followed(tmp_path: Path) -> None:
    """`.public.spare` is only ever a folder this tool made; a link or file planted in its place is removed,
    not entered, and what it points to stays as it was."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.html").write_bytes(b"not ours")
    output = tmp_path / "public"
    publish(output, {"a.html": b"one"})
    spare = tmp_path / ".public.spare"
    os.symlink(outside, spare)
    publish(output, {"a.html": b"two"})
    assert snapshot(outside) == {"a.html": b"not ours"}
    assert snapshot(output) == {"a.html": b"two"} and spare.is_dir() and not spare.is_symlink()
    shutil.rmtree(spare)
    spare.write_bytes(b"a file")
    publish(output, {"a.html": b"three"})
    assert snapshot(output) == {"a.html": b"three"} and spare.is_dir()
