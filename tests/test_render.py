"""The render stage, through the whole build of a small fixture site, read back with a real HTML parser."""

from __future__ import annotations

import dataclasses
import re
import shutil
import urllib.parse
from pathlib import Path

import lxml.html
import pytest

from wikigen.build import SearchMode, build
from wikigen.model import Article, Citation, Document, Marker, Pos, Severity
from wikigen.render import SiteRenderer
from wikigen.render.links import LinkChecker
from wikigen.render.listings import listings as render_listings
from wikigen.render.markdown import ArticleContext, search_copy
from wikigen.render.references import format_reference, sanitise
from wikigen.render.taxonomy import slugify

FIXTURE = Path(__file__).parent / "sites" / "render"


def C(name: str) -> str:
    """XPath test for a class name (cssselect is not installed)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _copy(tmp_path: Path, name: str = "site") -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("public", ".wikigen-cache"))
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _copy(tmp_path_factory.mktemp("render"))
    result = build(root, search=SearchMode.OFF)
    assert result.published, [d for d in result.site.diagnostics if d.severity is Severity.ERROR]
    return root / "public", result


def _page(public: Path, url: str):
    path = public / url.strip("/") / "index.html" if not url.endswith(".html") else public / url.lstrip("/")
    return lxml.html.fromstring(path.read_bytes())


def _article(result, slug):
    return next(a for a in result.site.articles if a.slug == slug)


def test_every_page_exists(built):
    public, _ = built
    for path in (
        "index.html", "404.html", "about/index.html", "sources/index.html", "search/index.html",
        "thanks/index.html", "sitemap.xml", "robots.txt", "favicon.svg", "assets/site.css", "assets/site.js",
        "types/index.html", "disciplines/index.html", "populations/index.html", "problems/index.html",
        "articles/alpha-theory/index.html", "articles/beta-concept/index.html", "media/images/grid.svg",
    ):
        assert (public / path).is_file(), path


def test_sources_are_numbered_in_order_of_first_citation(built):
    public, result = built
    doc = _page(public, "/articles/alpha-theory/")
    links = doc.xpath(f"//sup[{C('cite')}]//a[starts-with(@href, '#src-')]")
    numbers = [int(a.get("href")[len("#src-") :]) for a in links]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(first_seen) + 1))
    article = _article(result, "alpha-theory")
    assert len(first_seen) == len(article.cited)
    # The lead (the summary) cites the handbook first, so it is source 1.
    assert article.cited[0] == "third1999"
    assert "Fixture Handbook" in doc.get_element_by_id("src-1").text_content()
    assert "Study of <Things>" in doc.get_element_by_id("src-2").text_content()


def test_a_group_renders_separate_linked_numbers(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    first = doc.xpath(f"//*[{C('article-body')}]/p")[0].xpath(f".//sup[{C('cite')}]")[0]
    links = first.xpath(f".//*[{C('ref')}]/a")
    assert [a.text_content() for a in links] == ["2", "1"]
    assert [a.get("href") for a in links] == ["#src-2", "#src-1"]
    assert re.sub(r"\s+", " ", "".join(first.itertext())).startswith("[2")
    assert "21" not in first.text_content().replace(" ", "")[:3]
    for a in links:  # described by the source list's entry: its reference and its tier
        assert a.get("id")
        reference, meta = (doc.get_element_by_id(i) for i in a.get("aria-describedby").split())
        assert reference.getparent().get("id") == a.get("href")[1:]
        assert re.search(r"\(\d{4}\)", reference.text_content())
        assert re.search(r"T[123]", meta.text_content())
    assert not doc.xpath(f"//*[{C('article-body')}]//*[{C('pv')}][not(ancestor::*[{C('cite-llm')}])]")  # no copies
    located = [a for a in doc.xpath(f"//sup[{C('cite')}]//*[{C('ref')}]/a") if "p. 12" in (a.get("aria-label") or "")]
    assert located and located[0].get("data-loc") == "p. 12"


@pytest.mark.parametrize(("citation", "shown", "quote"), [
    (Citation("a", "p. 3", Pos(1, 1), "see", "for a review"), "see p. 3, for a review", None),
    (Citation("a", None, Pos(1, 1), "", '"a quote"'), None, "a quote"),  # the preview shows a quote apart
    (Citation("a", "p. 3", Pos(1, 1), "", 'for a review, "a quote"'), "p. 3, for a review", "a quote"),
    (Citation("a", None, Pos(1, 1), "cf.", ""), "cf.", None),
])
def test_a_badge_shows_the_prefix_locator_and_suffix(citation: Citation, shown: str | None, quote: str | None) -> None:
    context = ArticleContext({"a": 1}, {}, "LLM", str, str)
    badge = lxml.html.fromstring(context.cite(Marker("[...]", Pos(1, 1), (citation,), False)))
    link = badge.xpath("//a")[0]
    label = "source 1" + (f", {shown}" if shown else "")
    assert (link.get("data-loc"), link.get("aria-label"), link.get("data-quote")) == (shown, label, quote)


def test_llm_badge_and_badges_are_not_indexed(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    badges = doc.xpath(f"//a[{C('badge-llm')}]")
    assert badges and all(b.text_content() == "LLM" for b in badges)
    assert all(b.get("aria-describedby") == "llm-note" for b in badges)
    assert doc.get_element_by_id("llm-note") is not None
    for sup in doc.xpath(f"//sup[{C('cite')}]"):
        assert sup.get("data-pagefind-ignore") is not None
    assert len(doc.xpath("//*[@data-pagefind-body]")) == 1


def test_back_links_point_to_the_citing_sentences(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    for item in doc.xpath(f"//ol[{C('source-list')}]/li"):
        number = item.get("id")
        targets = [a.get("href")[1:] for a in item.xpath(f".//*[{C('backlinks')}]//a")]
        assert targets and len(targets) == len(set(targets))
        citing = {
            s.get("id") for s in doc.xpath(f"//*[{C('s')}]")
            if s.xpath(f".//a[@href='#{number}']")
        }
        assert citing <= set(targets)
        for target in targets:
            element = doc.get_element_by_id(target)
            assert "s" in element.get("class").split(), target
            assert element.get("data-prov") == "sourced"
    multi = doc.get_element_by_id("src-2").xpath(f".//*[{C('backlinks')}]//a")
    assert [a.text_content() for a in multi][:3] == ["a", "b", "c"]


def test_every_sentence_carries_provenance_and_counts_match(built):
    public, result = built
    for slug in ("alpha-theory", "beta-concept"):
        doc = _page(public, f"/articles/{slug}/")
        units = doc.xpath(f"//*[{C('s')}]")
        assert all(u.get("data-prov") in ("sourced", "llm") for u in units)
        assert all(u.get("id", "").startswith("s-") for u in units)
        counts = _article(result, slug).counts
        assert len(units) == counts.sentences
        assert sum(u.get("data-prov") == "sourced" for u in units) == counts.sourced
        share = doc.xpath(f"//*[{C('provenance')}]//*[{C('prov-share')}]")[0]
        assert int(share.get("data-sentences")) == counts.sentences
        assert int(share.get("data-sourced")) == counts.sourced
        sourced_pct = round(100 * counts.sourced / counts.sentences)
        text = " ".join(share.text_content().split())
        assert text == f"{sourced_pct}% of {counts.sentences} sentences sourced · {100 - sourced_pct}% LLM"
    table_rows = _page(public, "/articles/alpha-theory/").xpath("//tbody/tr")
    assert [r.get("data-prov") for r in table_rows] == ["sourced", "llm"]


def test_article_page_parts(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    assert doc.xpath(f"//*[{C('banner')}]//a")[0].get("href") == "/about/"
    category = " ".join(doc.xpath(f"//*[{C('category')}]")[0].text_content().split())
    assert category == "theory · Test psychology · Fixture theory"
    assert doc.xpath("//figure//img")[0].get("alt").startswith("A two-by-two grid")
    assert doc.xpath(f"//figcaption//*[{C('s')}]//sup[{C('cite')}]")
    assert [a.get("href") for a in doc.xpath(f"//*[{C('toc')}]//a")][:2] == ["#core-principles", "#key-terms"]
    assert doc.xpath(f"//*[{C('callout-example')}]//*[{C('callout-title')}]")[0].text_content().startswith(
        "LLM-generated illustrative example (not a guideline)")
    assert doc.xpath(f"//*[{C('callout-framing')}]//*[{C('callout-title')}]//a[starts-with(@href, '#src-')]")
    exempt = _page(public, "/articles/beta-concept/").xpath(f"//*[{C('callout-exempt')}]")[0]
    assert exempt.xpath(f".//*[{C('callout-title')}]")[0].text_content() == "Not checked: links and code only"
    assert exempt.xpath(".//li/a[@href='https://example.org/beta']")
    infobox = doc.xpath(f"//*[{C('infobox')}]")[0]
    assert "1 min" in infobox.text_content()
    assert infobox.xpath(".//a[@href='/populations/students/']")
    assert infobox.xpath(".//a[starts-with(@href, 'https://www.youtube.com/')]")
    assert [a.get("href") for a in doc.xpath(f"//*[{C('see-also')}]//a")] == ["/articles/beta-concept/"]
    assert doc.xpath(f"//*[{C('article-body')}]//a[@href='/articles/beta-concept/']")  # the `beta-concept.md` body link
    cite = doc.get_element_by_id("cite")
    assert "https://fixture.example.org/articles/alpha-theory/" in cite.text_content()
    assert "Version 2.1" in cite.text_content() and "@misc{" in cite.text_content()
    footer = " ".join(doc.xpath(f"//*[{C('provenance')}]")[0].text_content().split())
    assert "test-model-1" in footer and "version 2.1" in footer and "2026-06-04" in footer
    assert "3 sources" in footer


def test_revision_form(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    form = doc.xpath(f"//form[{C('revision-form')}]")[0]
    assert form.get("name") == "fixture-revision"
    assert form.get("data-netlify") == "true" and form.get("netlify-honeypot") == "bot-field"
    assert form.get("method") == "post" and form.get("action") == "/thanks/"
    assert form.xpath(".//input[@type='hidden'][@name='form-name']")[0].get("value") == "fixture-revision"
    for name in ("name", "email", "bot-field"):
        assert form.xpath(f".//input[@name='{name}']")
    assert form.xpath(".//select[@name='credit']/option")
    assert form.xpath(".//textarea[@name='revision']")[0].get("required") is not None
    for control in form.xpath(".//input[not(@type='hidden')] | .//select | .//textarea"):
        if control.get("name") != "bot-field":
            assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")
    assert "protected health information" in doc.xpath(f"//*[{C('phi-warning')}]")[0].text_content()


def test_taxonomy_pages_list_the_right_articles(built):
    public, _ = built

    def listed(url):
        links = _page(public, url).xpath(f"//*[{C('article-list')}]//a[{C('article-link')}]")
        return sorted(a.get("href") for a in links)

    both = ["/articles/alpha-theory/", "/articles/beta-concept/"]
    assert listed("/populations/students/") == both  # "Students" and "students" are one term
    assert listed("/populations/athletes/") == ["/articles/beta-concept/"]
    assert listed("/types/theory/") == ["/articles/alpha-theory/"]
    assert listed("/types/concept/") == ["/articles/beta-concept/"]
    assert listed("/problems/fear-of-failure/") == ["/articles/alpha-theory/"]
    assert listed("/problems/perfectionism/") == both
    assert listed("/disciplines/test-psychology/") == both
    # "C" and "C++" both slugify to "c": one keeps it, the other gets a suffix.
    names = {_page(public, u).xpath("//h1")[0].text_content() for u in ("/populations/c/", "/populations/c-2/")}
    assert names == {"C", "C++"}
    index = [a.get("href") for a in _page(public, "/populations/").xpath(f"//*[{C('term-index')}]//a")]
    assert sorted(index) == sorted(["/populations/athletes/", "/populations/c/", "/populations/c-2/",
                                    "/populations/students/"])


def test_home_sources_about_pages(built):
    public, _ = built
    home = _page(public, "/")
    assert home.xpath(f"//*[{C('fixture-intro')}]")  # the site theme overrides the package partial
    assert [h.text_content() for h in home.xpath(f"//*[{C('type-group')}]/h2")] == ["Theory", "Concept"]
    assert home.xpath("//form[@role='search'][label[@for]]/input[@name='q']")
    sources = _page(public, "/sources/")
    items = sources.xpath(f"//*[{C('all-sources')}]/li")
    assert len(items) == 4
    first = sources.get_element_by_id("entry-first2001")
    assert {a.get("href") for a in first.xpath(f".//*[{C('cited-in')}]//a")} == {
        "/articles/alpha-theory/", "/articles/beta-concept/"}
    about = _page(public, "/about/")
    assert about.get_element_by_id("llm") is not None and about.xpath(f"//*[{C('tier-legend')}]")
    search = _page(public, "/search/")
    assert search.xpath("//label[@for='search-input']") and search.xpath("//*[@id='search'][@data-pagefind-search]")
    assert (public / "assets" / "fixture.txt").read_text().strip() == "fixture static override"
    sitemap = (public / "sitemap.xml").read_text()
    assert "https://fixture.example.org/articles/alpha-theory/" in sitemap
    assert "Sitemap: https://fixture.example.org/sitemap.xml" in (public / "robots.txt").read_text()


def test_pagefind_attributes(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    body = doc.xpath("//*[@data-pagefind-body]")[0]
    filters = [(e.get("data-pagefind-filter"), e.text_content()) for e in body.xpath(".//*[@data-pagefind-filter]")]
    assert ("type", "theory") in filters and ("discipline", "Test psychology") in filters
    assert ("population", "C++") in filters and ("problem", "Fear of failure") in filters
    # The tier filters, recounted from the page: each sentence by the best tier among the sources it cites.
    tier_of = {li.get("id"): (li.xpath(".//*[contains(@class, 'tier ')]") or [None])[0] for li in
               doc.xpath("//ol[@class='source-list']/li")}
    best = []
    for sentence in doc.xpath("//*[@data-pagefind-body]//*[contains(concat(' ', @class, ' '), ' s ')]"):
        tiers = [tier_of[a.get("href")[1:]].text for a in sentence.xpath(".//a[starts-with(@href, '#src-')]")
                 if tier_of.get(a.get("href")[1:]) is not None]
        best.append(min(tiers) if tiers else None)
    counted = {t: best.count(t) for t in ("T1", "T2", "T3")}
    dominant = max(counted, key=lambda t: (counted[t], -int(t[1])))
    share = (counted["T1"] + counted["T2"]) / len(best)
    assert [v for k, v in filters if k == "tier"] == [dominant]
    assert [v for k, v in filters if k == "t1t2"] == [f"at least {n}%" for n in (25, 50, 75) if share * 100 >= n]
    assert 0 < share < 1 and sum(counted.values()) > 0
    meta = {e.get("data-pagefind-meta"): e.text_content() for e in body.xpath(".//*[@data-pagefind-meta]")}
    assert meta["title"] == "Alpha Theory" and meta["sourced"] == "59%"  # the summary and note count too
    assert meta["summary"] == "Alpha Theory is a fixture theory used to test rendering."  # no marker syntax
    assert meta["generated"] == "2026-06-04"
    assert not body.xpath(".//*[@data-pagefind-sort]")  # sorting uses pagefind/order.json: shards lose it


def test_the_lead_and_evidence_note_carry_badges_and_cards_do_not(built):
    public, _ = built
    doc = _page(public, "/articles/alpha-theory/")
    lead = doc.xpath(f"//p[{C('lead')}]")[0]
    assert lead.xpath(f".//*[{C('s')}][@data-prov='sourced']//sup[{C('cite')}]//a[@href='#src-1']")
    assert "[@" not in lead.text_content()
    note = doc.xpath(f"//*[{C('evidence-note')}]")[0]
    assert note.xpath(f".//*[@data-prov='llm']//a[{C('badge-llm')}]")
    assert doc.xpath("//meta[@name='description']")[0].get("content") == (
        "Alpha Theory is a fixture theory used to test rendering.")
    card = next(li for li in _page(public, "/").xpath(f"//ul[{C('article-list')}]/li")
                if li.xpath(".//a[@href='/articles/alpha-theory/']"))
    assert card.xpath(".//p")[0].text_content() == "Alpha Theory is a fixture theory used to test rendering."
    assert not card.xpath(".//sup") and card.xpath(f".//*[{C('share')}]")[0].text_content() == "59% sourced"


def test_titles_and_references_are_escaped(built):
    public, _ = built
    doc = _page(public, "/articles/beta-concept/")
    assert doc.xpath("//h1")[0].text_content() == "Beta <script>alert(1)</script> Concept"
    raw = (public / "articles" / "beta-concept" / "index.html").read_text()
    assert "<script>alert" not in raw and "&lt;script&gt;alert(1)" in raw
    alpha = _page(public, "/articles/alpha-theory/")
    assert not alpha.xpath("//things")
    assert "A Study of <Things> & Stuff" in alpha.get_element_by_id("src-2-ref").text_content()


def test_no_inline_scripts_or_styles(built):
    public, _ = built
    for path in public.rglob("*.html"):
        doc = lxml.html.fromstring(path.read_bytes())
        assert all(s.get("src") for s in doc.iter("script")), path
        assert not list(doc.iter("style")), path
        assert not doc.xpath("//*[@style]"), path
        assert not doc.xpath("//*[@*[starts-with(name(), 'on')]]"), path
        assert doc.xpath("//link[@rel='icon'][@href='/favicon.svg']"), path
        assert doc.xpath("//header") and doc.xpath("//main[@id='main']") and doc.xpath(f"//footer[{C('site-footer')}]")
        assert doc.xpath(f"//a[{C('skip')}][@href='#main']"), path


def test_no_broken_internal_link(built):
    public, _ = built
    ids: dict[Path, set[str]] = {}
    pages = sorted(public.rglob("*.html"))
    for path in pages:
        ids[path] = set(lxml.html.fromstring(path.read_bytes()).xpath("//@id"))
    checked = 0
    for path in pages:
        doc = lxml.html.fromstring(path.read_bytes())
        url = "/" + path.relative_to(public).as_posix()
        for value in doc.xpath("//@href | //@src | //@action"):
            if re.match(r"^[a-z]+:", value) or value.startswith("//"):
                continue
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(url, value))
            target = public / urllib.parse.unquote(parts.path).lstrip("/")
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), (url, value)
            if parts.fragment:
                assert parts.fragment in ids[target], (url, value)
            checked += 1
    assert checked > 100


def test_rebuild_is_byte_identical(tmp_path):
    def snapshot(public: Path) -> dict[str, bytes]:
        return {p.relative_to(public).as_posix(): p.read_bytes() for p in sorted(public.rglob("*")) if p.is_file()}

    first_root, second_root = _copy(tmp_path, "one"), _copy(tmp_path, "two")
    assert build(first_root, search=SearchMode.OFF).published
    first = snapshot(first_root / "public")
    assert build(second_root, search=SearchMode.OFF).published
    assert build(first_root, search=SearchMode.OFF).published
    assert snapshot(first_root / "public") == first
    assert snapshot(second_root / "public") == first


def test_broken_internal_link_fails_the_build(tmp_path):
    root = _copy(tmp_path)
    article = root / "content" / "beta-concept.md"
    article.write_text(article.read_text() + "\nSee [nothing](/articles/missing/) here [@llm].\n")
    result = build(root, search=SearchMode.OFF)
    assert not result.published and not result.problems  # the check refuses it, before anything is rendered
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [(d.path, d.line, d.column, d.code) for d in errors] == [("content/beta-concept.md", 31, 15, "R001")]
    assert errors[0].message == "broken internal link `/articles/missing/`: no article `missing`"
    assert not (root / "public").exists()


def test_a_link_to_a_file_under_content_is_published_with_it(tmp_path):
    root = _copy(tmp_path)
    (root / "content" / "files").mkdir()
    (root / "content" / "files" / "dose chart.pdf").write_bytes(b"%PDF-1.4\n")
    article = root / "content" / "beta-concept.md"
    article.write_text(article.read_text() + "\nSee the [chart](files/dose%20chart.pdf) [@llm].\n")
    assert build(root, search=SearchMode.OFF).published
    page = _page(root / "public", "/articles/beta-concept/")
    assert page.xpath("//a[text()='chart']")[0].get("href") == "/media/files/dose%20chart.pdf"
    assert (root / "public" / "media" / "files" / "dose chart.pdf").read_bytes() == b"%PDF-1.4\n"


def test_broken_fragments_on_the_page_and_across_pages_fail_the_build(tmp_path):
    root = _copy(tmp_path)
    article = root / "content" / "beta-concept.md"
    article.write_text(article.read_text() + "\nSee [here](#nowhere), [there](alpha-theory.md#elsewhere) and"
                       " [fine](alpha-theory.md#sources) [@llm].\n")
    result = build(root, search=SearchMode.OFF)
    assert not result.published and not result.problems
    found = [(d.line, d.column, d.message) for d in result.diagnostics if d.code == "R001"]
    assert found == [
        (31, 12, "broken internal link `#nowhere`: no heading or sentence `#nowhere` in `beta-concept`"),
        (31, 31, "broken internal link `alpha-theory.md#elsewhere`: no heading or sentence `#elsewhere` in "
                 "`alpha-theory`"),
    ]  # `#sources` is the source list's: the build checks the template's ids in the rendered page


def _objects(value):
    yield value
    children = []
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list | tuple):
        children = list(value)
    elif dataclasses.is_dataclass(value):
        children = [getattr(value, f.name) for f in dataclasses.fields(value)]
    for child in children:
        yield from _objects(child)


def test_listing_pages_are_given_summaries_not_articles(built):
    """A listing page is kept while the hash of its template's inputs holds: an article object among them
    would tie the page to every detail of that article."""
    _, result = built
    renderer = SiteRenderer(result.site)
    listings = render_listings(renderer)
    assert {"index.html", "sources/index.html", "types/theory/index.html"} <= {x.path for x in listings}
    for listing in listings:
        inputs = [listing.context, renderer.common("/")]
        assert not [o for o in _objects(inputs) if isinstance(o, Article | Document)], listing.path
        assert renderer.listing_key(listing) == SiteRenderer(result.site).listing_key(listing)  # deterministic


def test_sanitise_keeps_only_italic_and_bold():
    raw = 'A <i>b</i> <span style="font-variant:small-caps;">c</span> <script>x</script> &amp; \ue000d\ue001'
    assert sanitise(raw) == "A <i>b</i> c x &amp; &lt;d&gt;"
    assert sanitise("<i>unbalanced") == "unbalanced"


def test_reference_format_has_doi_link_and_tier(built):
    _, result = built
    reference = format_reference(result.site.bibliography.entries["first2001"])
    assert reference.tier == "T1" and reference.kind == "Journal article"
    assert '<a href="https://doi.org/10.1000/fixture.1"' in reference.html
    assert "First, A., &amp; Second, B. (2001)." in reference.html
    assert "<i>12</i>(3), 10–20" in reference.html
    web = format_reference(result.site.bibliography.entries["webpage2020"])
    assert 'href="https://example.org/fixtures?a=1&amp;b=2"' in web.html
    assert web.html.count("A Web Page About Fixtures") == 1


def test_slugify_is_deterministic():
    assert slugify("Health professions students") == "health-professions-students"
    assert slugify("Émigrés & C++") == "emigres-c"
    assert slugify("!!!") == "term"


def test_the_search_copy_lacks_only_the_badges_and_the_sentence_ids(built):
    public, result = built
    for article in result.site.articles:
        page = (public / "articles" / article.slug / "index.html").read_bytes()
        copy = search_copy(page)
        tree, copied = lxml.html.fromstring(page), lxml.html.fromstring(copy)
        badges = tree.xpath(f"//sup[{C('cite')}][@data-pagefind-ignore]")
        assert badges and not copied.xpath(f"//sup[{C('cite')}]")
        inside = {i for badge in badges for i in badge.xpath(".//@id")}
        sentences = {i for i in tree.xpath("//*[@data-prov]/@id")}
        assert sentences and all(i.startswith("s-") for i in sentences)
        assert set(copied.xpath("//@id")) == set(tree.xpath("//@id")) - inside - sentences
        assert len(copied.xpath("//*[@data-prov]")) == len(tree.xpath("//*[@data-prov]"))
        for badge in badges:
            badge.drop_tree()
        assert copied.text_content() == tree.text_content()


def test_the_link_check_resolves_relative_links_from_their_page_and_reports_each_page():
    checker = LinkChecker()
    checker.add_scanned("articles/a/index.html", "content/a.md", "top", ("../b/", "/missing/", "#x", "../b/#x"))
    checker.add_scanned("articles/b/index.html", "content/b.md", "x\0y", ("../a/#nope", "/missing/", "/articles/a/"))
    checker.add_scanned("index.html", None, "", ("/articles/b/#y", "articles/a/#top"))
    assert [(d.path, d.message) for d in checker.problems()] == [
        ("content/a.md", "broken internal link `#x` on /articles/a/: no element with id `x`"),
        ("content/a.md", "broken internal link `/missing/` on /articles/a/: no such page or file"),
        ("content/b.md", "broken internal link `../a/#nope` on /articles/b/: no element with id `nope`"),
        ("content/b.md", "broken internal link `/missing/` on /articles/b/: no such page or file"),
    ]
