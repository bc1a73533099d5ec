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
    "404": "/no-such-page/",
}
BLOCKING = {"serious", "critical"}


def open_and_settle(watched: Any, name: str) -> Any:
    page, path = watched.page, PAGES[name]
    if name == "404":
        watched.log.expected_404.add(path)
    response = page.goto(path, wait_until="load")
    assert response is not None
    assert response.status == (404 if name == "404" else 200)
    if name == "search":
        expect(page.locator(".search-result").first).to_be_visible()
        page.get_by_label("Type", exact=True).select_option("theory")
        expect(page.locator(".search-status")).to_have_text("1 article for “goal”")
    if name == "article":  # exercise the scripts: a preview, the highlight control
        page.locator(".article-body .ref > a").first.hover()
        page.get_by_role("button", name="Highlight LLM sentences").click()
        page.mouse.move(1, 1)
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors_or_csp_violations(watched: Any, name: str) -> None:
    page = open_and_settle(watched, name)
    csp = page.evaluate("() => document.querySelectorAll('script:not([src]), style, [style]').length")
    assert csp == 0, "inline scripts or styles would be blocked by the Content-Security-Policy"
    assert watched.log.problems() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(open_page: Any, name: str, scheme: str) -> None:
    watched = open_page(color_scheme=scheme)
    page = open_and_settle(watched, name)
    results = Axe().run(page)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert blocking == []
    assert watched.log.problems() == []
