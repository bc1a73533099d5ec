"""Stage 6, the search index: article pages spread over Pagefind bundles by a stable hash, a build re-indexing
only the shards whose pages changed, and the result byte-identical to indexing everything afresh."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import samplewiki
import wikigen.index
from wikigen.build import build
from wikigen.config import Config
from wikigen.index import SearchIndexError, index_folders, page_ids, plan, shard_pages
from wikigen.index.canonical import SIGNATURE, canonicalize, decode, encode

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "content/mastery-approach-goals.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_sample(target: Path) -> Path:
    """The sample wiki with one article a shard: four articles, so several bundles."""
    return samplewiki.copy_sample(target, "search_shard_pages = 1")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "site")


def shards_of(public: Path) -> dict[str, set[str]]:
    names = json.loads((public / "pagefind" / "bundles.json").read_bytes())["bundles"]
    return {name: {url for url, _ in page_ids(public / "pagefind" / name)} for name in names}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- the plan

paths = st.sets(st.from_regex(r"articles/[a-z0-9-]{1,12}/index\.html", fullmatch=True), max_size=60)


@given(paths, st.integers(min_value=0, max_value=25))
def test_every_page_is_in_exactly_one_shard(pages: set[str], size: int) -> None:
    shards = plan({path: "key" for path in pages}, size)
    placed = [path for shard in shards for path in shard.pages]
    assert sorted(placed) == sorted(pages)
    count = max(1, math.ceil(len(pages) / size)) if size else 1
    assert len(shards) <= count and all(shard.pages for shard in shards)
    assert [shard.name for shard in shards] == sorted(shard.name for shard in shards)
    assert plan({path: "key" for path in pages}, size) == shards  # deterministic


@pytest.mark.parametrize(("pages", "expected"), [
    (10, 500), (10_000, 500), (20_000, 500), (30_000, 750), (100_000, 2500), (1_000_000, 2500),
])
def test_shards_grow_past_the_shard_count_up_to_their_memory_bound(pages: int, expected: int) -> None:
    """At the defaults a 10,000-article wiki keeps its 20 shards of 500; 30,000 get 40 of 750; 100,000 get 40 of
    2,500, and a larger wiki more shards of 2,500 rather than larger runs of Pagefind."""
    config = Config(root=Path("."))
    assert shard_pages(pages, config) == expected
    shards = -(-pages // expected)
    assert shards <= config.search_max_shards or expected == config.search_shard_max_pages
    assert shard_pages(pages, replace(config, search_shard_pages=0)) == 0  # one index stays one index


@given(paths.filter(lambda p: len(p) > 1), st.data())
def test_a_changed_page_changes_only_its_shards_key(pages: set[str], data: st.DataObject) -> None:
    keys = {path: "old" for path in pages}
    changed = data.draw(st.sampled_from(sorted(pages)))
    before = {shard.name: shard for shard in plan(keys, 3)}
    after = {shard.name: shard for shard in plan({**keys, changed: "new"}, 3)}
    assert before.keys() == after.keys()
    differ = [name for name in before if before[name].key != after[name].key]
    assert len(differ) == 1 and changed in after[differ[0]].pages


def test_pages_keep_their_shard_while_the_count_holds() -> None:
    pages = {f"articles/a{i}/index.html": "k" for i in range(40)}
    before = {path: shard.name for shard in plan(pages, 10) for path in shard.pages}
    grown = {**pages, "articles/new/index.html": "k"}  # 41 pages of 10: five shards instead of four
    same = {path: shard.name for shard in plan({**pages, "articles/a0/index.html": "x"}, 10) for path in shard.pages}
    assert same == before
    assert len(plan(grown, 10)) > len(plan(pages, 10))


# ---------------------------------------------------------------- builds


def test_the_bundles_hold_every_article_once_with_its_sort_order(site: Path) -> None:
    assert build(site).published
    public = site / "public"
    shards = shards_of(public)
    assert len(shards) > 1
    urls = [url for pages in shards.values() for url in pages]
    articles = sorted(f"/articles/{p.parent.name}/" for p in (public / "articles").glob("*/index.html"))
    assert sorted(urls) == articles
    ids = {url: page for name in shards for url, page in page_ids(public / "pagefind" / name)}
    by_id = {page: url for url, page in ids.items()}
    order = json.loads((public / "pagefind" / "order.json").read_bytes())
    titles = {url: _title(public, url) for url in articles}
    assert [by_id[i] for i in order["title"]] == sorted(articles, key=lambda u: titles[u].casefold())
    dates = [_generated(public, by_id[i]) for i in order["date"]]
    assert len(dates) == len(articles) and dates == sorted(dates)


def _title(public: Path, url: str) -> str:
    html = (public / url.strip("/") / "index.html").read_text(encoding="utf-8")
    return html.split('data-pagefind-meta="title">', 1)[1].split("<", 1)[0]


def _generated(public: Path, url: str) -> str:
    html = (public / url.strip("/") / "index.html").read_text(encoding="utf-8")
    return html.split('data-pagefind-meta="generated">', 1)[1].split("<", 1)[0]


def test_an_edit_reindexes_only_its_shard_and_equals_a_cold_index(site: Path, tmp_path: Path) -> None:
    assert build(site).published
    public = site / "public"
    url = "/articles/mastery-approach-goals/"
    edited = next(name for name, pages in shards_of(public).items() if url in pages)
    before = inodes(public / "pagefind")
    article = site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence about quokkas arrives [@llm].\n")
    assert build(site).published

    after = inodes(public / "pagefind")
    carried = {path for path in after if before.get(path) == after[path]}  # hard-linked from the last output
    others = {path for path in after if path.split("/")[0] not in (edited, "bundles.json", "order.json")}
    assert others and carried >= others
    assert not carried & {path for path in after if path.startswith(f"{edited}/fragment/")}
    fragments = (public / "pagefind" / edited / "fragment").glob("*")
    assert any(b"quokkas" in gzip.decompress(f.read_bytes()) for f in fragments)

    fresh = copy_sample(tmp_path / "fresh")
    shutil.copy2(article, fresh / ARTICLE)
    assert build(fresh, use_cache=False).published
    assert snapshot(public / "pagefind") == snapshot(fresh / "public" / "pagefind")


def _records(bundle: Path) -> dict[str, dict]:
    records = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[len(SIGNATURE):])
        records[record["url"]] = record
    return records


def test_pagefind_finds_in_the_search_copies_what_it_finds_in_the_pages(site: Path, tmp_path: Path) -> None:
    """The shards are indexed from search copies (badges and sentence ids cut); indexed from the pages
    themselves, every article has the same words, word count, filters and metadata, and more anchors: the
    sentences' and the badges'."""
    assert build(site).published
    public = site / "public"
    built = {url: record for name in shards_of(public) for url, record in _records(public / "pagefind" / name).items()}
    pages = tmp_path / "pages"
    shutil.copytree(public / "articles", pages / "articles")
    index_folders([(pages, tmp_path / "bundle")], 1, lambda done: None, lambda site: None)
    direct = _records(tmp_path / "bundle")
    assert sorted(built) == sorted(direct) and len(built) >= 4
    for url, record in direct.items():
        for field in ("content", "word_count", "filters", "meta"):
            assert built[url][field] == record[field], (url, field)
        kept = [a for a in record["anchors"] if not a["id"].startswith(("s-", "ref-"))]  # sentences, badges
        assert built[url]["anchors"] == kept and len(kept) < len(record["anchors"])


def test_a_damaged_bundle_is_indexed_again(site: Path) -> None:
    assert build(site).published
    index = site / "public" / "pagefind"
    intact = snapshot(index)
    fragment = next(index.glob("*/fragment/*"))
    fragment.unlink()
    assert build(site).published
    assert snapshot(index) == intact


def test_a_failed_index_leaves_the_published_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build(site).published
    published = snapshot(site / "public")
    article = site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence [@llm].\n")
    monkeypatch.setattr(wikigen.index, "PAGEFIND", ("/bin/false",))
    with pytest.raises(SearchIndexError, match=r"pagefind exited 1 on \.shard-\d+\.tmp"):
        build(site)
    assert snapshot(site / "public") == published
    assert not list(site.glob(".public.*.tmp"))


def _slow_pagefind(record: Path) -> tuple[str, ...]:
    """A stand-in for Pagefind that notes its pid in `record`, then takes a minute (and notes if it finished)."""
    code = (f"import os, time; open({str(record)!r} + '/' + str(os.getpid()), 'w').close(); time.sleep(60); "
            f"open({str(record)!r} + '/finished', 'w').close()")
    return (sys.executable, "-c", code)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_failure_kills_the_runs_going_and_none_outlives_the_call(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "runs"
    record.mkdir()
    monkeypatch.setattr(wikigen.index, "PAGEFIND", _slow_pagefind(record))
    jobs = [(tmp_path / f"site{n}", tmp_path / f"bundle{n}") for n in range(3)]

    def prepare(site: Path) -> None:
        if site.name == "site2":  # the third folder cannot be filled, while the first two runs go on
            while len(list(record.iterdir())) < 2:
                time.sleep(0.01)
            raise OSError("disk full")
        site.mkdir()

    with pytest.raises(OSError, match="disk full"):
        index_folders(jobs, 2, lambda done: None, prepare)
    pids = [int(path.name) for path in record.iterdir()]
    assert len(pids) == 2 and not any(map(_alive, pids))


def test_a_broken_link_fails_the_build_before_the_index_starts(site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The link check runs before the search index: a broken link fails the build with no Pagefind run."""
    assert build(site).published
    published = snapshot(site / "public")
    record = tmp_path / "runs"
    record.mkdir()
    monkeypatch.setattr(wikigen.index, "PAGEFIND", _slow_pagefind(record))
    article = site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nSee [the missing page](/missing/) [@llm].\n")
    result = build(site)
    assert not result.published
    assert [d.code for d in result.problems] == ["R001"]
    assert snapshot(site / "public") == published
    assert not list(site.glob(".public.*.tmp"))
    assert not list(record.iterdir())


def test_the_same_pages_index_to_the_same_bytes(tmp_path: Path) -> None:
    """Pagefind writes filters in a random hash-map order; after `canonicalize` two cold builds agree, and
    every name it gives is the SHA-1 of the content (what the year-long cache rules rely on)."""
    first, second = copy_sample(tmp_path / "first"), copy_sample(tmp_path / "second")
    assert build(first, use_cache=False).published and build(second, use_cache=False).published
    index = snapshot(first / "public" / "pagefind")
    assert index == snapshot(second / "public" / "pagefind")
    # The files `canonicalize` rewrites and renames. Pagefind's own index chunks are left as it named them: with
    # the sample wiki's summaries checked (one more paragraph a page), a 33 KB chunk's name is not the SHA-1 of
    # its content, which is Pagefind's affair, not this codec's.
    hashed = [name for name in index if name.endswith((".pf_filter", ".pf_meta"))]
    assert any(name.endswith(".pf_filter") for name in hashed) and any(name.endswith(".pf_meta") for name in hashed)
    for name in hashed:
        body = gzip.decompress(index[name])
        assert body.startswith(SIGNATURE)
        assert encode(decode(body, len(SIGNATURE))[0]) == body[len(SIGNATURE):]  # the codec loses nothing
        digest = name.rsplit("/", 1)[1].split("_", 1)[1].split(".")[0]
        full = hashlib.sha1(body[len(SIGNATURE):]).digest()  # Pagefind's own names print each byte unpadded
        assert full.hex().startswith(digest) or "".join(f"{b:x}" for b in full).startswith(digest), name
    entry = json.loads(index[f"{name.split('/')[0]}/pagefind-entry.json"])
    assert f"{name.split('/')[0]}/pagefind.{entry['languages']['en']['hash']}.pf_meta" in index


def test_a_bundle_it_cannot_read_is_left_as_pagefind_wrote_it(site: Path) -> None:
    assert build(site).published
    bundle = next(p for p in (site / "public" / "pagefind").iterdir() if p.is_dir())
    meta = next(bundle.glob("*.pf_meta"))
    meta.write_bytes(gzip.compress(SIGNATURE + b"\xff"))  # a format this codec does not know
    before = snapshot(bundle)
    assert canonicalize(bundle) is False
    assert snapshot(bundle) == before
