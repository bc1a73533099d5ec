"""The vote button and the revision form's scripts under the production CSP (netlify.toml's headers).

/.netlify/functions/votes is the real function, run in node over @netlify/blobs' BlobsServer by
tests/functions/harness.mjs, reached through the Netlify-like static server (netlify_site.py): nothing is
mocked on the way unless a test says so (the unreachable cases use Playwright's routing to fail the request).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTICLE = "/articles/achievement-goal-theory/"
OTHER = "/articles/mastery-approach-goals/"
VOTES = re.compile(r"/\.netlify/functions/votes")


def blocking_axe_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_vote_is_counted_once_under_the_production_csp(open_page: Any) -> None:
    watched = open_page()
    page = watched.page
    page.goto(ARTICLE)
    box = page.locator(".votes")
    expect(box).to_be_visible()
    count = box.locator(".votes-count")
    expect(count).to_have_text("0 clinicians found this useful")
    expect(count).to_have_attribute("aria-live", "polite")
    button = box.get_by_role("button")
    expect(button).to_have_text("I found this useful")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert blocking_axe_violations(page) == []

    button.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard votes too
    expect(count).to_have_text("1 clinician found this useful")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("You found this useful")
    expect(page.get_by_role("status")).to_have_text("Thank you: your vote is counted.")
    button.click()  # a second press is not a second vote
    expect(page.get_by_role("status")).to_have_text("Your vote is already counted. Thank you.")
    expect(count).to_have_text("1 clinician found this useful")
    assert blocking_axe_violations(page) == []

    page.reload()
    expect(count).to_have_text("1 clinician found this useful")
    expect(page.get_by_role("button", name="You found this useful")).to_have_attribute("aria-pressed", "true")
    page.goto(OTHER)  # a vote belongs to one article
    expect(page.locator(".votes-count")).to_have_text(re.compile(r"^0 clinicians"))
    csp = page.evaluate("() => document.querySelectorAll('script:not([src]), style, [style]').length")
    assert csp == 0
    assert watched.log.problems() == []


def test_the_votes_are_hidden_when_the_function_is_unreachable(page: Any, page_log: Any) -> None:
    page.route(VOTES, lambda route: route.abort("connectionrefused"))
    with page.expect_event("requestfailed", lambda request: VOTES.search(request.url) is not None):
        page.goto(ARTICLE)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".votes")).to_be_hidden()
    problems = page_log.problems()
    assert problems and all("/.netlify/functions/votes" in text for text in problems), problems


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (404, "text/html", "<!doctype html><title>Not found</title>"),  # a site deployed without the function
        (429, "text/plain", "Too Many Requests"),  # Netlify's rate limiter
        (503, "application/json", '{"error": "votes are not available on this site"}'),  # no salt set
    ],
)
def test_the_votes_are_hidden_when_the_function_answers_an_error(
    page: Any, page_log: Any, status: int, content_type: str, body: str
) -> None:
    page.route(VOTES, lambda route: route.fulfill(status=status, content_type=content_type, body=body))
    with page.expect_response(VOTES):
        page.goto(ARTICLE)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".votes")).to_be_hidden()
    assert all("/.netlify/functions/votes" in text for text in page_log.problems())


def test_a_rate_limited_vote_says_so_and_counts_nothing(page: Any, page_log: Any) -> None:
    def limit_posts(route: Any) -> None:
        if route.request.method == "POST":
            route.fulfill(status=429, content_type="text/plain", body="Too Many Requests")
        else:
            route.continue_()

    page.route(VOTES, limit_posts)
    page.goto(OTHER)
    count = page.locator(".votes-count")
    expect(count).to_have_text(re.compile(r"^\d+ clinicians? found this useful$"))
    before = count.text_content()
    page.locator(".votes-button").click()
    expect(page.locator(".votes-note")).to_have_text(re.compile("^Too many votes from your network"))
    expect(count).to_have_text(before or "")
    expect(page.locator(".votes-button")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".votes-button")).to_be_enabled()
    assert all("/.netlify/functions/votes" in text for text in page_log.problems())


def test_the_votes_are_hidden_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(ARTICLE)
        expect(page.locator(".votes")).to_be_hidden()
        expect(page.locator("form.revision-form")).to_be_visible()
    finally:
        context.close()


def test_a_selected_sentence_and_its_section_go_with_the_revision(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    sentence = page.locator("#article-body h2[id] ~ p .s[id]").first
    sentence_id = sentence.get_attribute("id")
    section_id = sentence.evaluate(
        "(s) => [...document.querySelectorAll('#article-body h2[id], #article-body h3[id]')]"
        ".filter((h) => h.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING).pop().id"
    )
    sentence.select_text()
    expect(page.locator("#rev-sentence")).to_be_visible()
    expect(page.locator("#rev-sentence")).to_contain_text("Your revision will link to the sentence you selected")
    assert page.locator('form.revision-form input[name="sentence"]').input_value() == sentence_id
    assert page.get_by_label("Section").input_value() == section_id
    assert page_log.problems() == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mrs Jane Smith, 45, of 12 High Street, improved.", "a name with a title"),
        ("Her file is #A1234567.", "a record number"),
        ("Seen on 2024-03-05.", "a full date"),
        ("See record A-99812.", "a record number"),
    ],
)
def test_the_widened_phi_warning_runs_in_the_page(page: Any, page_log: Any, text: str, kind: str) -> None:
    page.goto(ARTICLE)
    page.get_by_label(re.compile("^Email")).fill("reader@example.org")
    page.get_by_label(re.compile("^Your revision")).fill(text)
    page.locator("form.revision-form").get_by_role("button", name="Send revision").click()
    expect(page.locator("#phi-alert")).to_contain_text(kind)
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "$"))
    assert page_log.problems() == []
