"""Bucketed article pages: past `article_buckets_from` articles, pages move to `articles/<bucket>/<slug>/`
(Netlify refuses a deploy with more than 54,000 files in one folder), every link, the sitemap and the search
index follow, and `_redirects` sends each old URL to the new one, in Netlify's syntax and in `wikigen serve`."""

from __future__ import annotations

import collections
import hashlib
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from samplewiki import copy_sample
from wikigen.build import build
from wikigen.config import Config
from wikigen.index import page_ids
from wikigen.index.update import SearchMode
from wikigen.render.body import article_path, bucket, bucketed, redirects
from wikigen.serve import DevServer

REPO = Path(__file__).resolve().parents[1]
OLD_LINK = "The [theory itself](/articles/achievement-goal-theory/#core-principles) frames these goals [@llm]."
NETLIFY_LIMIT = 54_000  # files in one folder of a deploy (Netlify's "Site deploys" docs)


def slugs_of(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "content").rglob("*.md"))


def folder_sizes(folder: Path) -> dict[str, int]:
    """Entries (files and folders) directly in each folder of the tree."""
    return {p.relative_to(folder).as_posix() or ".": len(list(p.iterdir())) for p in [folder, *folder.rglob("*")]
            if p.is_dir()}


@pytest.fixture(scope="module")
def bucketed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample wiki with bucketing from 2 articles (it has 4), its search index in 2-page shards."""
    site = copy_sample(tmp_path_factory.mktemp("buckets") / "site", "article_buckets_from = 2\nsearch_shard_pages = 2")
    article = site / "content" / "mastery-approach-goals.md"  # a link written to an old URL, as before bucketing
    article.write_text(article.read_text(encoding="utf-8") + f"\n{OLD_LINK}\n", encoding="utf-8")
    assert build(site).published
    return site


def test_a_wiki_below_the_threshold_keeps_its_urls(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site", f"article_buckets_from = {len(slugs_of(REPO)) + 1}")
    assert build(site, search=SearchMode.OFF).published
    public = site / "public"
    assert all((public / "articles" / slug / "index.html").is_file() for slug in slugs_of(site))
    assert not (public / "_redirects").exists()


def test_pages_are_in_their_buckets_and_nothing_else_is_in_articles(bucketed_site: Path) -> None:
    public = bucketed_site / "public"
    for slug in slugs_of(bucketed_site):
        assert (public / "articles" / bucket(slug) / slug / "index.html").is_file()
        assert not (public / "articles" / slug).exists()
    assert all(re.fullmatch(r"[0-9a-f]{2}", p.name) for p in (public / "articles").iterdir())
    assert max(folder_sizes(public).values()) <= 256


def test_links_sitemap_and_search_point_at_the_bucketed_pages(bucketed_site: Path) -> None:
    public = bucketed_site / "public"
    urls = {f"/articles/{bucket(s)}/{s}/" for s in slugs_of(bucketed_site)}
    linked = set()
    for page in public.rglob("*.html"):
        for href in re.findall(r'href="(/articles/[^"#?]*)', page.read_text(encoding="utf-8")):
            linked.add(href)
            assert (public / href.lstrip("/") / "index.html").is_file(), f"{page}: {href}"
    assert linked == urls  # the home page and the listings link every article, by its new URL only
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    assert {u for u in re.findall(r"<loc>https?://[^/]+(/articles/[^<]*)</loc>", sitemap)} == urls
    shards = json.loads((public / "pagefind" / "bundles.json").read_bytes())["bundles"]
    indexed = {url for name in shards for url, _ in page_ids(public / "pagefind" / name)}
    assert len(shards) >= 2 and indexed == urls
    order = json.loads((public / "pagefind" / "order.json").read_bytes())
    ids = {pid for name in shards for _, pid in page_ids(public / "pagefind" / name)}
    assert order["title"] and set(order["title"]) <= ids


def test_a_link_written_to_an_old_url_goes_to_the_bucket(bucketed_site: Path) -> None:
    page = (bucketed_site / "public" / article_path("mastery-approach-goals", True)).read_text(encoding="utf-8")
    assert f'href="/articles/{bucket("achievement-goal-theory")}/achievement-goal-theory/#core-principles"' in page


def test_redirects_send_every_old_url_to_its_page(bucketed_site: Path) -> None:
    public = bucketed_site / "public"
    lines = (public / "_redirects").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(slugs_of(bucketed_site))
    for line in lines:
        source, target, status = line.split(" ")  # Netlify's `from to status`, literal paths only
        assert status == "301" and "*" not in source and ":" not in source
        slug = source.split("/")[2]
        assert source == f"/articles/{slug}/" and target == f"/articles/{bucket(slug)}/{slug}/"
        assert (public / target.lstrip("/") / "index.html").is_file()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_answers_old_urls_with_the_redirect(bucketed_site: Path) -> None:
    dev = DevServer(bucketed_site, port=0, search=False, log=lambda line: None)
    dev.start()
    try:
        opener = urllib.request.build_opener(NoRedirect)
        slug = slugs_of(bucketed_site)[0]
        for old in (f"/articles/{slug}/", f"/articles/{slug}", f"/articles/{slug}/?q=1"):
            with pytest.raises(urllib.error.HTTPError) as moved:
                opener.open(dev.url + old.lstrip("/"), timeout=5)
            expected = f"/articles/{bucket(slug)}/{slug}/" + ("?q=1" if "?" in old else "")
            assert moved.value.code == 301 and moved.value.headers["Location"] == expected
            moved.value.close()
        with urllib.request.urlopen(dev.url + f"articles/{bucket(slug)}/{slug}/", timeout=5) as page:
            assert page.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            opener.open(dev.url + "articles/no-such-article/", timeout=5)
        assert missing.value.code == 404
        missing.value.close()
    finally:
        dev.stop()


def test_at_100000_articles_no_folder_comes_near_netlify_s_limit() -> None:
    """The layout at the scale it is for, without building it: 256 buckets of a few hundred pages each."""
    slugs = [f"article-{hashlib.sha256(str(n).encode()).hexdigest()[:10]}-{n}" for n in range(100_000)]
    config = Config(root=Path("."))
    assert bucketed(len(slugs), config) and not bucketed(config.article_buckets_from - 1, config)
    assert not bucketed(10**9, Config(root=Path("."), article_buckets_from=0))
    sizes = collections.Counter(article_path(slug, True).split("/")[1] for slug in slugs)
    assert len(sizes) == 256 and max(sizes.values()) < 500 < NETLIFY_LIMIT
    text = redirects(slugs)
    assert text.count(b"\n") == 100_000 and len(text) < 10 * 1024 * 1024
