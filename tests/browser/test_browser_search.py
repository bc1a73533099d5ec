"""Search: Pagefind's index driven by the site's own search UI (assets/search.js) under the site's CSP."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RESULT_TITLES = ".search-result-title a"


def titles(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(RESULT_TITLES).all_inner_texts()]


def wait_for_status(page: Any, pattern: str) -> None:
    expect(page.locator(".search-status")).to_have_text(re.compile(pattern))


def test_typing_a_term_finds_the_article(page: Any, page_log: Any) -> None:
    page.goto("/search/")
    expect(page.locator("#search.search-ready")).to_be_attached()
    box = page.get_by_label("Search the wiki")
    box.press_sequentially("efficacy", delay=15)
    expect(page.locator(RESULT_TITLES).first).to_have_text("Goal Orientation and Self-Efficacy")
    result = page.locator(".search-result").first
    expect(result.locator(".search-share")).to_contain_text(re.compile(r"\d+% of sentences sourced"))
    expect(result.locator(".search-summary")).not_to_be_empty()
    expect(result.locator(".search-excerpt mark").first).to_contain_text(re.compile("efficacy", re.IGNORECASE))
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"q": ["efficacy"]}
    page.locator(RESULT_TITLES).first.click()
    expect(page).to_have_url(re.compile(r"/articles/goal-orientation-and-self-efficacy/$"))
    assert page_log.problems() == []


def test_a_filter_narrows_the_results(page: Any, page_log: Any) -> None:
    page.goto("/search/?q=goal")
    wait_for_status(page, r"^\d+ articles for “goal”$")
    everything = titles(page)
    assert len(everything) >= 3 and "Achievement Goal Theory" in everything

    page.get_by_label("Type", exact=True).select_option("theory")
    wait_for_status(page, r"^1 article for “goal”$")
    assert titles(page) == ["Achievement Goal Theory"]
    assert "type=theory" in page.url

    page.get_by_label("Type", exact=True).select_option("")
    page.get_by_label("T1/T2-sourced sentences").select_option("at least 50%")
    wait_for_status(page, r"articles? for “goal”$")
    narrowed = titles(page)
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed) <= set(everything)
    assert page_log.problems() == []


def test_filters_cover_the_taxonomies_and_tiers(page: Any, built_site: Path) -> None:
    page.goto("/search/")
    expect(page.locator("#search.search-ready")).to_be_attached()
    for label in ("Type", "Discipline", "Evidence", "Population", "Problem", "Main source tier",
                  "T1/T2-sourced sentences"):
        options = page.get_by_label(label, exact=True).locator("option").all_inner_texts()
        assert options[0] == "Any" and len(options) > 1, label
    # The sample wiki: two articles cite mostly T1 sources, two mostly T3 (each sentence by its best source).
    tiers = page.get_by_label("Main source tier").locator("option").all_inner_texts()
    assert tiers[1:] == ["T1 (2)", "T3 (2)"]
    shares = page.get_by_label("T1/T2-sourced sentences").locator("option").all_inner_texts()
    assert shares[1:] == ["at least 25% (4)", "at least 50% (2)"]
    # Every article has one type, whichever shard indexed it: the merged counts add up to all of them.
    types = page.get_by_label("Type", exact=True).locator("option").all_inner_texts()[1:]
    articles = len(list((built_site / "articles").glob("*/index.html")))
    assert sum(int(re.search(r"\((\d+)\)$", t)[1]) for t in types) == articles > 1


def test_sort_by_title_and_by_date(page: Any) -> None:
    page.goto("/search/?q=goal&sort=title:asc")
    wait_for_status(page, r"articles for “goal”$")
    by_title = titles(page)
    assert by_title == sorted(by_title, key=str.casefold)
    page.get_by_label("Sort by").select_option("date:desc")
    expect(page).to_have_url(re.compile(r"sort=date%3Adesc"))
    wait_for_status(page, r"articles for “goal”$")
    assert sorted(titles(page)) == sorted(by_title)
    shares = page.locator(".search-share").all_inner_texts()
    dates = [re.search(r"last generated (\S+)", text)[1] for text in shares]
    assert len(dates) == len(by_title) and dates == sorted(dates, reverse=True)


def test_only_article_text_is_indexed(page: Any, built_site: Path) -> None:
    """Article bodies only: no badges, previews, tier legend, contents, citation box or form in the index;
    every article in it once, from whichever shard holds it (search.js has merged them all by now)."""
    page.goto("/search/")
    expect(page.locator("#search.search-ready")).to_be_attached()
    pages = page.evaluate(
        """async () => {
            const shards = (await (await fetch('/pagefind/bundles.json')).json()).bundles;
            const pagefind = await import(`/pagefind/${shards[0]}/pagefind.js`);
            const all = (await pagefind.search(null, {filters: {}})).results;
            return Promise.all(all.map(async (r) => { const d = await r.data(); return [d.url, d.content]; }));
        }"""
    )
    urls = sorted(url for url, _ in pages)
    assert urls == sorted(f"/articles/{p.parent.name}/" for p in (built_site / "articles").glob("*/index.html"))
    for url, content in pages:
        for boilerplate in (
            "without a cited source",  # the LLM badge's preview
            "Peer-reviewed primary",  # the tier legend
            "Cite this article",
            "Suggest a revision",
            "Leave this field empty",
            "Skip to main content",
            "How to read the markers",  # the site footer
            "Read time",  # the infobox: excerpts would glue its labels to its values
            "Key figures",
            "Source tiers",
            "Provenance.",  # the provenance footer
        ):
            assert boilerplate not in content, (url, boilerplate)
        assert not re.search(r"\[\d+(, \d+)*\]|\bLLM\]", content), url  # badge text


def test_the_home_page_search_box_submits_to_the_search_page(page: Any, page_log: Any) -> None:
    page.goto("/")
    page.locator("#home-search").fill("self-efficacy")
    page.locator("#home-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=self-efficacy$"))
    expect(page.get_by_label("Search the wiki")).to_have_value("self-efficacy")
    expect(page.locator(RESULT_TITLES).first).to_be_visible()
    assert "Goal Orientation and Self-Efficacy" in titles(page)
    assert page_log.problems() == []
