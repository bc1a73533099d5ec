"""The orchestrator: incremental builds equal cold builds, exactly the affected pages are redone, the cache is
never trusted blindly, and parallel output equals serial output."""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import time
from pathlib import Path

import pytest

import wikigen.build
import wikigen.incremental
import wikigen.load
import wikigen.pool
from wikigen.build import SearchMode, build, gather, preview, site_renderer
from wikigen.cache import Cache
from wikigen.parse import parse_document

RENDER_SITE = Path(__file__).parent / "sites" / "render"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(RENDER_SITE, root)
    return root


def cold(root: Path, tmp_path: Path, name: str = "cold") -> dict[str, bytes]:
    """A build of the same input in a fresh folder with no cache: what an incremental build must equal."""
    fresh = tmp_path / name
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("public", ".wikigen-cache", ".*.lock", ".*.spare"))
    assert build(fresh, search=SearchMode.OFF, use_cache=False).published
    return snapshot(fresh / "public")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nothing_changed_means_nothing_redone(site: Path) -> None:
    first = build(site, search=SearchMode.OFF)
    assert first.published and first.rendered == 2 and first.reused == 0
    before = snapshot(site / "public")
    again = build(site, search=SearchMode.OFF)
    assert again.published and again.site is None and again.rendered == 0
    assert snapshot(site / "public") == before


def test_one_article_edit_rerenders_that_article_and_equals_a_cold_build(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    edit(site / "content" / "alpha-theory.md", "[@llm]", "[@llm]. A new sentence arrives [@llm]")
    result = build(site, search=SearchMode.OFF)
    assert (result.rendered, result.reused) == (1, 1)
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_a_title_change_rerenders_the_articles_that_show_it(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    edit(site / "content" / "alpha-theory.md", "title: Alpha", "title: Renamed Alpha")
    result = build(site, search=SearchMode.OFF)
    assert result.rendered == 2  # beta lists alpha in its see also
    assert snapshot(site / "public") == cold(site, tmp_path)


GAMMA = "---\ntitle: Gamma\nsummary: Gamma is standalone [@first2001].\ntype: theory\n---\nA claim [@first2001].\n"


def test_an_article_becoming_a_draft_and_back_equals_a_cold_build(site: Path, tmp_path: Path) -> None:
    gamma = site / "content" / "gamma.md"
    gamma.write_text(GAMMA, encoding="utf-8")
    public = site / "public"
    assert build(site, search=SearchMode.OFF).published and (public / "articles/gamma/index.html").is_file()
    edit(gamma, "title: Gamma\n", "title: Gamma\ndraft: true\n")
    result = build(site, search=SearchMode.OFF)
    assert result.published and not (public / "articles/gamma").exists()
    assert not any(b"gamma" in content for content in snapshot(public).values())  # no listing, sitemap or link
    assert snapshot(public) == cold(site, tmp_path, "cold-draft")
    edit(gamma, "draft: true\n", "")
    assert build(site, search=SearchMode.OFF).published and (public / "articles/gamma/index.html").is_file()
    assert snapshot(public) == cold(site, tmp_path, "cold-published")


def test_a_draft_has_no_search_entry_and_serve_drafts_shows_it_with_a_banner(site: Path) -> None:
    (site / "content" / "gamma.md").write_text(GAMMA.replace("title: Gamma\n", "title: Gamma\ndraft: true\n"))
    assert build(site).published
    index = b"".join(gzip.decompress(p.read_bytes()) for p in (site / "public/pagefind").rglob("*.pf_fragment"))
    assert b"/articles/alpha-theory/" in index and b"/articles/gamma/" not in index
    assert build(site, search=SearchMode.OFF, drafts=True).published
    page = (site / "public/articles/gamma/index.html").read_text(encoding="utf-8")
    assert '<p class="draft-banner" role="status" data-pagefind-ignore><strong>Draft</strong>' in page
    assert "draft-banner" not in (site / "public/articles/alpha-theory/index.html").read_text(encoding="utf-8")


def test_a_bibliography_change_rerenders_exactly_the_citing_articles(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    edit(site / "bibliography.bib", "title   = {Only Cited by Beta}", "title   = {Still Only Cited by Beta}")
    result = build(site, search=SearchMode.OFF)
    assert (result.rendered, result.reused) == (1, 1)
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_a_note_on_a_source_rerenders_the_citing_articles(site: Path, tmp_path: Path) -> None:
    """The source list shows an entry's note: a page's key covers every field of its references."""
    build(site, search=SearchMode.OFF)
    bibliography = site / "bibliography.bib"
    edit(bibliography, "title   = {Only Cited by Beta},", "title   = {Only Cited by Beta},\n  note = {Read it twice},")
    result = build(site, search=SearchMode.OFF)
    assert (result.rendered, result.reused) == (1, 1)
    assert "Read it twice" in (site / "public/articles/beta-concept/index.html").read_text(encoding="utf-8")
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_a_figure_added_or_removed_is_checked_again(site: Path) -> None:
    """The cached check of an article holds only while the content folder's other files are as they were."""
    figure = site / "content" / "images" / "grid.svg"
    kept = figure.read_bytes()
    figure.unlink()
    assert [d.code for d in gather(site).diagnostics if "grid.svg" in d.message] == ["F002"]
    figure.write_bytes(kept)
    assert not [d for d in gather(site).diagnostics if "grid.svg" in d.message]
    assert build(site, search=SearchMode.OFF).published


def test_a_template_change_rerenders_everything(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    templates = site / "theme" / "templates" / "partials"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "home_intro.html").write_text("<p>A new introduction.</p>\n", encoding="utf-8")
    result = build(site, search=SearchMode.OFF)
    assert (result.rendered, result.reused) == (2, 0)
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_a_preview_is_the_page_the_build_then_writes(site: Path) -> None:
    first = build(site, search=SearchMode.OFF)
    alpha = site / "content" / "alpha-theory.md"
    edit(alpha, "Clinicians like it", "Clinicians enjoy it")
    pages = preview(first.renderer, [alpha])
    assert pages is not None and list(pages) == ["articles/alpha-theory/index.html"]
    assert b"Clinicians enjoy it" in pages["articles/alpha-theory/index.html"]
    assert b"Clinicians like it" in (site / "public" / "articles" / "alpha-theory" / "index.html").read_bytes()
    build(site, search=SearchMode.OFF)
    assert (site / "public" / "articles" / "alpha-theory" / "index.html").read_bytes() == pages[
        "articles/alpha-theory/index.html"]
    edit(alpha, "Clinicians enjoy it", "Clinicians love it")
    assert preview(site_renderer(site), [alpha]) == preview(first.renderer, [alpha])  # the same site, from the cache


def test_no_preview_where_the_build_must_decide(site: Path) -> None:
    bib = site / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "@misc{spare2022,\n  title = {Spare},\n  year = {2022}\n}\n",
                   encoding="utf-8")
    renderer = build(site, search=SearchMode.OFF).renderer
    assert renderer is not None
    alpha = site / "content" / "alpha-theory.md"
    original = alpha.read_text(encoding="utf-8")
    new = site / "content" / "gamma.md"
    new.write_text(original, encoding="utf-8")
    assert preview(renderer, [new]) is None  # a new article changes the listings
    assert preview(renderer, [site / "bibliography.bib"]) is None  # not an article
    assert preview(renderer, [site / "content" / "gone.md"]) is None
    for change in ("Clinicians like it [@spare2022]", "Clinicians like it. No marker here [@llm]"):
        alpha.write_text(original.replace("Clinicians like it [@llm]", change), encoding="utf-8")
        assert preview(renderer, [alpha]) is None, change  # a source no page cites yet; an error
    assert site_renderer(site) is None  # the site has errors now: nothing to preview against


def _inodes(public: Path) -> dict[str, int]:
    return {p.relative_to(public).as_posix(): p.stat().st_ino for p in public.rglob("index.html")}


def test_listing_pages_are_redone_only_when_what_they_show_changed(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    before = _inodes(site / "public")
    edit(site / "content" / "alpha-theory.md", "Clinicians like it", "Clinicians enjoy it")  # no listed field
    build(site, search=SearchMode.OFF)
    after = _inodes(site / "public")
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {"articles/alpha-theory/index.html"}  # every listing page was carried over
    assert snapshot(site / "public") == cold(site, tmp_path, "cold-1")

    edit(site / "content" / "alpha-theory.md", "enjoy it [@llm].", "enjoy it [@llm]. One more [@llm].")
    build(site, search=SearchMode.OFF)
    counted = _inodes(site / "public")
    changed = {path for path in after if after[path] != counted[path]}
    assert {"articles/alpha-theory/index.html", "index.html", "types/theory/index.html",
            "provenance/index.html"} <= changed  # sourced %
    assert "sources/index.html" not in changed  # it names alpha, nothing it shows changed
    assert snapshot(site / "public") == cold(site, tmp_path, "cold-3")
    after = counted

    edit(site / "content" / "alpha-theory.md", "title: Alpha Theory", "title: Alpha Renamed")
    build(site, search=SearchMode.OFF)
    final = _inodes(site / "public")
    changed = {path for path in after if after[path] != final[path]}
    assert {"index.html", "types/theory/index.html", "populations/c/index.html", "sources/index.html",
            "articles/beta-concept/index.html"} <= changed  # the pages that list or show alpha's title
    assert not {"types/concept/index.html", "populations/athletes/index.html", "search/index.html"} & changed
    assert snapshot(site / "public") == cold(site, tmp_path, "cold-2")
    after = final

    edit(site / "content" / "beta-concept.md", "[@third1999, ch. 2]", "[@fourth2010]")  # third1999: alpha only now
    build(site, search=SearchMode.OFF)
    final = _inodes(site / "public")
    assert "sources/index.html" in {path for path in after if after[path] != final[path]}
    assert snapshot(site / "public") == cold(site, tmp_path, "cold-4")


def test_a_hand_edited_output_file_is_rebuilt(site: Path) -> None:
    build(site, search=SearchMode.OFF)
    before = snapshot(site / "public")
    page = site / "public" / "articles" / "alpha-theory" / "index.html"
    page.write_bytes(page.read_bytes() + b"<!-- tampered -->")
    result = build(site, search=SearchMode.OFF)
    assert result.site is not None and result.rendered == 1
    assert snapshot(site / "public") == before


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_corrupt_cache_is_detected_and_rebuilt(site: Path, tmp_path: Path, damage: bytes | None) -> None:
    build(site, search=SearchMode.OFF)
    entries = [p for p in (site / ".wikigen-cache").rglob("*") if p.is_file()]
    assert len(entries) >= 4  # documents, references and the manifest
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    edit(site / "content" / "beta-concept.md", "Nobody knows why", "Nobody yet knows why")
    result = build(site, search=SearchMode.OFF)
    assert result.published and result.rendered == 2  # the manifest was unreadable: nothing could be kept
    assert snapshot(site / "public") == cold(site, tmp_path)
    assert gather(site).errors == 0


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The articles the build parses (small sites are built in this process)."""
    calls: list[str] = []

    def counting(source, **options):
        calls.append(Path(source.path).name)
        return parse_document(source, **options)

    monkeypatch.setattr(wikigen.pool, "parse_document", counting)
    return calls


def _entries(root: Path) -> set[str]:
    return {p.name for p in (root / ".wikigen-cache").rglob("*") if p.is_file()}


def test_a_build_parses_each_article_once(site: Path, parses: list[str], tmp_path: Path) -> None:
    assert build(site, search=SearchMode.OFF).published
    assert sorted(parses) == ["alpha-theory.md", "beta-concept.md"]  # the check renders the bodies it parsed
    old = _entries(site)
    parses.clear()
    edit(site / "content" / "alpha-theory.md", "title: Alpha", "title: Renamed Alpha")
    result = build(site, search=SearchMode.OFF)
    assert result.rendered == 2 and parses == ["alpha-theory.md"]  # beta's page is redone from its cached body
    assert snapshot(site / "public") == cold(site, tmp_path)
    new = _entries(site)
    assert len(old - new) == len(new - old) == 3  # alpha's document, check and body replaced, the old ones deleted


def test_a_build_after_a_check_parses_again_for_the_bodies_once(site: Path, parses: list[str], tmp_path: Path) -> None:
    assert gather(site).errors == 0
    assert build(site, search=SearchMode.OFF).published  # the checks come from the cache; the pages need tokens
    assert sorted(parses) == ["alpha-theory.md", "alpha-theory.md", "beta-concept.md", "beta-concept.md"]
    assert snapshot(site / "public") == cold(site, tmp_path)
    parses.clear()
    templates = site / "theme" / "templates" / "partials"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "home_intro.html").write_text("<p>A new introduction.</p>\n", encoding="utf-8")
    result = build(site, search=SearchMode.OFF)  # every page again, from the bodies the last build cached
    assert result.published and result.rendered == 2 and parses == []


def test_the_cache_keeps_only_what_the_site_uses(site: Path) -> None:
    assert build(site, search=SearchMode.OFF).published
    built = _entries(site)
    (site / ".wikigen-cache" / ".tmp-killed").write_bytes(b"a write that never finished")
    beta = site / "content" / "beta-concept.md"
    edit(beta, "Nobody knows why", "Nobody yet knows why")
    assert gather(site, [beta]).errors == 0  # a check of some paths keeps every entry
    partial = _entries(site)
    assert built < partial and ".tmp-killed" in partial and len(partial - built) == 3  # + beta's document, check
    assert gather(site).errors == 0  # a check of the whole site deletes the rest
    checked = _entries(site)
    assert checked == partial - (built - checked) - {".tmp-killed"} and len(built - checked) == 3  # beta's old 3
    assert build(site, search=SearchMode.OFF).published
    assert len(_entries(site)) == len(built)  # and beta's new body: the site's size again
    assert Cache(site / ".wikigen-cache", enabled=False).prune() == 0


def test_checks_are_packed_in_one_entry_with_a_few_outside(
    site: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site's checks are one cache entry; checks made since it was written are entries of their own until
    there are more than the slack, when the entry is rewritten and they go."""
    checks = Cache(site / ".wikigen-cache").get
    monkeypatch.setattr(wikigen.incremental, "PACK_SLACK", 0)
    assert build(site, search=SearchMode.OFF).published
    packed = checks("checks")
    assert len(packed) == 2 and not any(checks(name) for name in packed)
    monkeypatch.setattr(wikigen.incremental, "PACK_SLACK", 1)
    edit(site / "content" / "alpha-theory.md", "[@llm]", "[@llm]. A new sentence arrives [@llm]")
    assert build(site, search=SearchMode.OFF).published
    assert checks("checks") == packed  # one check outside: the entry stays as it was
    loose = _entries(site)
    parses.clear()
    assert gather(site).errors == 0 and parses == []  # both checks found, in and outside the entry
    assert _entries(site) == loose
    edit(site / "content" / "beta-concept.md", "Nobody knows why", "Nobody yet knows why")
    assert build(site, search=SearchMode.OFF).published  # two outside: the entry is rewritten, the loose check deleted
    repacked = checks("checks")
    assert len(repacked) == 2 and not repacked.keys() & packed.keys()
    assert len(loose - _entries(site)) == 3  # the loose check, and beta's old document and body
    assert not any(checks(name) for name in repacked)


def test_the_check_reuses_parsed_documents(site: Path) -> None:
    first = gather(site)
    second = gather(site)
    assert [a.document for a in first.articles] == [a.document for a in second.articles]
    assert first.diagnostics == second.diagnostics


def _many_articles(root: Path, count: int) -> None:
    template = (root / "content" / "beta-concept.md").read_text(encoding="utf-8")
    for number in range(count):
        text = template.replace("title: Beta", f"title: Beta {number:03d}").replace(
            "It was tested twice", f"It was tested {number} times"
        )
        (root / "content" / f"beta-{number:03d}.md").write_text(text, encoding="utf-8")


def test_parallel_output_equals_serial_output(site: Path, tmp_path: Path) -> None:
    _many_articles(site, 60)  # enough to start worker processes
    serial = tmp_path / "serial"
    shutil.copytree(site, serial)
    with (serial / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write("workers = 1\n")
    assert build(serial, search=SearchMode.OFF, use_cache=False).published
    parallel = build(site, search=SearchMode.OFF, use_cache=False)
    assert parallel.published and parallel.rendered == 62
    assert snapshot(site / "public") == snapshot(serial / "public")


def test_checking_some_paths_parses_only_those(site: Path) -> None:
    gamma = "---\ntitle: G\nsummary: S [@first2001].\ntype: theory\n---\nUnmarked.\n"
    (site / "content" / "gamma.md").write_text(gamma)
    beta = site / "content" / "beta-concept.md"
    result = gather(site, [beta], use_cache=False)
    assert [a.document.path for a in result.articles] == ["content/beta-concept.md"]
    assert result.diagnostics == ()  # see_also [alpha-theory] resolves though alpha was not parsed
    # and the whole site: gamma's unmarked sentence, beta's `students` folded into alpha's `Students`, and
    # gamma's summary "S." not in first2001's abstract (S003)
    found = gather(site, use_cache=False).diagnostics
    assert sorted(d.code for d in found) == ["F006", "P001", "S003"]


# ---------------------------------------------------------------- articles known by their stamps


def _settle(root: Path) -> None:
    """Date every article an hour back: a stamp is trusted only for a file that had settled when stamped."""
    past = time.time_ns() - 3600 * 10**9
    for path in (root / "content").rglob("*.md"):
        os.utime(path, ns=(past, past))


def _forget_all_but_the_stamps(root: Path) -> None:
    shutil.rmtree(root / "public")
    for entry in (root / ".wikigen-cache").rglob("*"):
        if entry.is_file() and entry.name != wikigen.incremental.STAMPS:
            entry.unlink()


def test_unchanged_articles_are_not_read_again(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(site)
    assert build(site, search=SearchMode.OFF).published
    reads: list[str] = []
    real = wikigen.load.read_source
    monkeypatch.setattr(wikigen.load, "read_source", lambda config, path, **kw: reads.append(path.name)
                        or real(config, path, **kw))
    edit(site / "content" / "alpha-theory.md", "Clinicians like it", "Clinicians enjoy it")
    result = build(site, search=SearchMode.OFF)
    assert result.published and (result.rendered, result.reused) == (1, 1)
    assert sorted(reads) == ["alpha-theory.md", "bibliography.bib", "webpage2020.txt"]  # excerpts: read each time
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_an_unread_article_is_read_when_nothing_cached_holds_it(site: Path, tmp_path: Path) -> None:
    _settle(site)
    assert build(site, search=SearchMode.OFF).published
    _forget_all_but_the_stamps(site)
    result = build(site, search=SearchMode.OFF)  # both listed unread, then read to be checked and rendered
    assert result.published and result.rendered == 2
    assert snapshot(site / "public") == cold(site, tmp_path)


def test_an_article_changed_during_the_build_is_not_cached_as_its_old_self(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(site)
    assert build(site, search=SearchMode.OFF).published
    _forget_all_but_the_stamps(site)
    real = wikigen.pool.read_source

    def racing(config, path, **kw):  # the file changes between the listing and the reading
        source, problem = real(config, path, **kw)
        text = source.text.replace("Clinicians like it", "Clinicians race it")
        return dataclasses.replace(source, text=text, digest="0" * 64), problem

    monkeypatch.setattr(wikigen.pool, "read_source", racing)
    assert build(site, search=SearchMode.OFF).published
    monkeypatch.undo()
    shutil.rmtree(site / "public")
    assert build(site, search=SearchMode.OFF).published  # what the racing build read must not come back from the cache
    assert snapshot(site / "public") == cold(site, tmp_path)



def test_values_pickle_as_tuples_and_round_trip_equal() -> None:
    """`wikigen.pickling` changes how the cache and the workers pickle a value, never what comes back."""
    import pickle

    import wikigen.pickling  # noqa: F401  (the cache imports it, and with it the tuple states)
    from wikigen.model import SourceFile

    source = sorted((Path(__file__).parents[1] / "content").glob("*.md"))[0]
    document = parse_document(SourceFile(source.name, source.read_text("utf-8"), ""))
    assert document.sentences and type(document.sentences[0].__getstate__()) is tuple
    assert pickle.loads(pickle.dumps(document)) == document


def test_an_edit_after_the_review_shows_on_the_page_and_the_dashboard(site: Path, tmp_path: Path) -> None:
    build(site, search=SearchMode.OFF)
    public = site / "public"
    assert "Clinically reviewed by Dr Ana Lopes, MD on 2026-06-10" in (public / "articles/beta-concept/index.html"
                                                                       ).read_text(encoding="utf-8")
    before = _inodes(public)
    edit(site / "content" / "beta-concept.md", "It was tested twice", "It was tested three times")
    build(site, search=SearchMode.OFF)
    after = _inodes(public)
    assert {path for path in before if before[path] != after[path]} == {
        "articles/beta-concept/index.html", "provenance/index.html"}  # only the review's state changed
    for page in ("articles/beta-concept/index.html", "provenance/index.html"):
        assert "Edited since its review on 2026-06-10" in (public / page).read_text(encoding="utf-8")
    assert snapshot(public) == cold(site, tmp_path)
