"""Every kind of page, served with netlify.toml's headers: no console error, no CSP violation, no failed
request, and no serious or critical axe-core violation (axe's script ships inside axe-playwright-python)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "article": "/articles/achievement-goal-theory/",
    "search": "/search/?q=goal",
    "provenance": "/provenance/",
    "404": "/no-such-page/",
    "taxonomy": "/populations/",
    "term": "/populations/athletes/",
    "sources": "/sources/",
    "about": "/about/",
    "thanks": "/thanks/",
}
PHONE_PAGES = ("article", "search")  # the pages whose layout changes most on a phone
BLOCKING = {"serious", "critical"}


def open_and_settle(watched: Any, name: str, phone: bool = False) -> Any:
    page, path = watched.page, PAGES[name]
    if name == "404":
        watched.log.expected_404.add(path)
    response = page.goto(path, wait_until="load")
    assert response is not None
    assert response.status == (404 if name == "404" else 200)
    if name == "search":
        expect(page.locator(".search-result").first).to_be_visible()
        if phone:
            page.locator(".search-fold summary").click()
        page.get_by_label("Type", exact=True).select_option("theory")
        expect(page.locator(".search-status")).to_have_text("1 article for “goal”")
    if name == "article":  # exercise the scripts: a preview, the highlight control, the folds
        if phone:
            page.locator(".infobox summary").click()
            page.locator(".toc summary").click()
        page.locator(".article-body .ref > a").first.hover()
        page.get_by_role("button", name="Highlight LLM sentences").click()
        page.mouse.move(1, 1)
    if name == "provenance":  # exercise the sort script
        page.get_by_role("button", name="Sourced", exact=True).click()
        expect(page.locator("#prov-table th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors_or_csp_violations(watched: Any, name: str) -> None:
    page = open_and_settle(watched, name)
    csp = page.evaluate("() => document.querySelectorAll('script:not([src]), style, [style]').length")
    assert csp == 0, "inline scripts or styles would be blocked by the Content-Security-Policy"
    assert watched.log.problems() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "width"), [(name, 1280) for name in PAGES] + [(n, 375) for n in PHONE_PAGES])
def test_no_serious_accessibility_violations(open_page: Any, name: str, width: int, scheme: str) -> None:
    watched = open_page(width=width, color_scheme=scheme)
    page = open_and_settle(watched, name, phone=width < 640)
    results = Axe().run(page)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert blocking == []
    assert watched.log.problems() == []


def _column(page: Any, index: int) -> list[str]:
    return page.locator(f"#prov-table tbody tr > :nth-child({index})").all_inner_texts()


def test_dashboard_sorts_by_a_column_and_reverses(page: Any, page_log: Any) -> None:
    page.goto(PAGES["provenance"])
    printed = _column(page, 4)
    shares = [float(text.split("%")[0]) for text in printed]
    assert shares == sorted(shares) and len(shares) >= 4  # least sourced first, as printed
    page.get_by_role("button", name="Article", exact=True).click()
    titles = _column(page, 1)
    assert titles == sorted(titles, key=str.lower)
    expect(page.locator("#prov-table th[aria-sort]")).to_have_text("Article")
    page.get_by_role("button", name="Article", exact=True).click()
    assert _column(page, 1) == sorted(titles, key=str.lower, reverse=True)
    page.get_by_role("button", name="Sourced", exact=True).click()
    assert _column(page, 4) == printed
    assert page_log.problems() == []


def test_dashboard_chart_is_styled_by_the_stylesheet_in_both_schemes(open_page: Any) -> None:
    fills = {}
    for scheme in ("light", "dark"):
        watched = open_page(color_scheme=scheme)
        watched.page.goto(PAGES["provenance"])
        chart = watched.page.locator(".prov-chart svg")
        expect(chart).to_be_visible()
        assert chart.locator("[style]").count() == 0
        fills[scheme] = watched.page.evaluate(
            "() => ['.chart-sourced', '.chart-llm', '.chart-label'].map("
            "s => getComputedStyle(document.querySelector(s)).fill)")
        assert len(set(fills[scheme])) == 3  # sourced, LLM and the labels are told apart
        assert watched.log.problems() == []
    assert fills["light"] != fills["dark"]
