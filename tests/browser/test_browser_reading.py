"""Reading on every screen: a phone's first screen, tap previews, search state, sentence links, the kept
highlight and the printed page, in Chromium under netlify.toml's headers at 375 and 1280 px."""

from __future__ import annotations

import io
import re
import urllib.parse
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

ARTICLE = "/articles/achievement-goal-theory/"
OTHER = "/articles/mastery-approach-goals/"
BADGES = ".article-body .ref > a[href^='#src-']"
PHONE = {"width": 375, "height": 800}


def top(page: Any, selector: str) -> float:
    return page.evaluate(f"() => document.querySelector({selector!r}).getBoundingClientRect().top")


@pytest.mark.parametrize(("width", "height"), [(375, 800), (1280, 900)])
def test_the_first_body_sentence_is_on_the_first_screen(open_page: Any, width: int, height: int) -> None:
    watched = open_page(width=width, height=height)
    page = watched.page
    page.goto(ARTICLE)
    first = ".article-body .s"
    assert top(page, first) + 20 < height, "the first line of the first body sentence shows on the first screen"
    assert top(page, "h1") < top(page, ".lead") < top(page, first)
    infobox, toc = page.locator(".infobox details"), page.locator(".toc details")
    if width == 375:  # folded away; one tap opens them
        expect(page.locator(".infobox dl")).to_be_hidden()
        expect(page.locator(".toc ol")).to_be_hidden()
        page.locator(".toc summary").click()
        expect(page.locator(".toc ol")).to_be_visible()
        expect(page.locator(".toc ol a").first).to_be_in_viewport()
    else:  # shown, and open for assistive technology too
        expect(page.locator(".infobox dl")).to_be_visible()
        expect(page.locator(".toc ol")).to_be_visible()
        assert infobox.evaluate("d => d.open") and toc.evaluate("d => d.open")
    assert watched.log.problems() == []


def test_without_javascript_the_folds_still_open(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(ARTICLE)
        expect(page.locator(".infobox dl")).to_be_hidden()
        page.locator(".infobox summary").click()
        expect(page.locator(".infobox dl")).to_be_visible()
    finally:
        context.close()


def test_the_populations_label_does_not_run_into_its_terms(open_page: Any) -> None:
    page = open_page(**PHONE).page
    page.goto(ARTICLE)
    page.locator(".infobox summary").click()
    row = page.locator(".infobox dl > div", has=page.locator("dt", has_text="Populations"))
    label = row.locator("dt").evaluate("n => { const r = document.createRange(); r.selectNodeContents(n); "
                                       "return r.getBoundingClientRect().right; }")
    first_term = row.locator(".terms a").first.bounding_box()
    assert first_term and label < first_term["x"], (label, first_term)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_first_search_result_is_above_the_fold(open_page: Any, width: int) -> None:
    watched = open_page(width=width, height=800)
    page = watched.page
    page.goto("/search/?q=goal")
    result = page.locator(".search-result").first
    expect(result).to_be_visible()
    box = result.bounding_box()
    assert box and box["y"] + 60 < 800, box
    fold = page.locator("details.search-fold")
    assert fold.evaluate("d => d.open") is (width > 640), "the filters fold away on a narrow screen"
    if width == 375:
        page.locator(".search-fold summary").click()
        expect(page.get_by_label("Type", exact=True)).to_be_visible()
    assert watched.log.problems() == []


def preview_of(badge: Any) -> Any:
    return badge.locator("xpath=following-sibling::*[contains(@class, 'pv')]")


def test_a_tap_opens_the_preview_a_second_follows_and_escape_or_outside_closes(open_page: Any) -> None:
    watched = open_page(**PHONE, has_touch=True, is_mobile=True)
    page = watched.page
    page.goto(ARTICLE)
    badge = page.locator(BADGES).nth(1)
    badge.scroll_into_view_if_needed()
    badge.tap()
    preview = preview_of(badge)
    expect(preview).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "$"))  # the first tap did not jump
    box = preview.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 800

    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()

    badge.tap()
    expect(preview).to_be_visible()
    page.locator(".article-body p").nth(3).tap(position={"x": 5, "y": 5})  # outside: closes, no jump
    expect(preview).to_be_hidden()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "$"))

    badge.tap()
    expect(preview).to_be_visible()
    href = badge.get_attribute("href")
    badge.tap()  # the second tap follows the link, and the preview does not stay over the source list
    expect(page).to_have_url(re.compile(re.escape(ARTICLE + href) + "$"))
    expect(page.locator(href)).to_be_in_viewport()
    expect(preview).to_be_hidden()
    assert watched.log.problems() == []


def test_keyboard_previews_behave_as_taps(open_page: Any) -> None:
    page = open_page(**PHONE).page
    page.goto(ARTICLE)
    badge = page.locator(BADGES).nth(1)
    badge.focus()
    expect(preview_of(badge)).to_be_visible()
    page.keyboard.press("Escape")
    expect(preview_of(badge)).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(badge.get_attribute("href") or "") + "$"))


def test_long_urls_wrap_inside_the_preview(open_page: Any) -> None:
    page = open_page(**PHONE).page
    page.goto(ARTICLE)
    badges = page.locator(BADGES)
    for index in range(badges.count()):
        badge = badges.nth(index)
        badge.focus()
        preview = preview_of(badge)
        widths = preview.evaluate("p => [p.scrollWidth, p.clientWidth, p.getBoundingClientRect().right]")
        assert widths[0] <= widths[1] and widths[2] <= 375, (index, widths)
        page.keyboard.press("Escape")


def option_counts(page: Any, label: str) -> dict[str, int]:
    texts = page.get_by_label(label, exact=True).locator("option").all_inner_texts()
    return {m[1]: int(m[2]) for t in texts[1:] if (m := re.fullmatch(r"(.+) \((\d+)\)", t))}


def status(page: Any, pattern: str) -> None:
    expect(page.locator(".search-status")).to_have_text(re.compile(pattern))


def test_filter_counts_follow_the_query(page: Any, page_log: Any) -> None:
    page.goto("/search/")
    expect(page.locator("#search.search-ready")).to_be_attached()
    everything = option_counts(page, "Type")
    assert everything == {"concept": 3, "theory": 1}
    box = page.get_by_label("Search the wiki")
    box.fill("zzqqxx")
    status(page, r"^0 articles")
    expect(page.get_by_label("Type", exact=True).locator("option").nth(1)).to_have_text(re.compile(r"\(0\)$"))
    assert set(option_counts(page, "Type").values()) == {0}

    box.fill("efficacy")
    status(page, r"articles? for “efficacy”$")
    found = page.locator(".search-result").count()
    counts = option_counts(page, "Type")
    assert sum(counts.values()) == found < 4  # each article has one type: the counts add up to the results
    # A chosen filter's own options count without it: choosing one of them replaces it.
    page.get_by_label("Type", exact=True).select_option("concept")
    status(page, r"for “efficacy”$")
    assert option_counts(page, "Type") == counts
    assert sum(option_counts(page, "Evidence").values()) == page.locator(".search-result").count()
    assert page_log.problems() == []


def test_back_undoes_a_filter_change(page: Any, page_log: Any) -> None:
    page.goto("/search/?q=goal")
    status(page, r"^\d+ articles for “goal”$")
    everything = page.locator(".search-result").count()
    page.get_by_label("Type", exact=True).select_option("concept")
    status(page, r"for “goal”$")
    expect(page).to_have_url(re.compile(r"type=concept"))
    page.get_by_label("Main source tier").select_option("T3")
    expect(page).to_have_url(re.compile(r"tier=T3"))
    narrowed = page.locator(".search-result").count()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"tier="))
    expect(page.get_by_label("Main source tier")).to_have_value("")
    expect(page.get_by_label("Type", exact=True)).to_have_value("concept")
    status(page, r"for “goal”$")
    assert page.locator(".search-result").count() >= narrowed

    page.go_back()
    expect(page.get_by_label("Type", exact=True)).to_have_value("")
    expect(page.locator(".search-result")).to_have_count(everything)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"q": ["goal"]}
    page.go_forward()
    expect(page.get_by_label("Type", exact=True)).to_have_value("concept")
    assert page_log.problems() == []


@pytest.mark.parametrize("width", [375, 1280])
def test_copy_link_puts_the_sentence_url_on_the_clipboard(open_page: Any, base_url: str, width: int) -> None:
    watched = open_page(width=width, height=800, permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    page.goto(ARTICLE)
    badge = page.locator(BADGES).nth(2)
    sentence_id = badge.evaluate("a => a.closest('.s').id")
    badge.focus()
    page.keyboard.press("Tab")  # from the badge into its preview's button
    button = page.get_by_role("button", name="Copy link to this sentence")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".copy-status")).to_have_text(re.compile("Link to the sentence copied"))
    assert page.locator(".copy-status").get_attribute("aria-live") == "polite"
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}{ARTICLE}#{sentence_id}"
    page.goto(f"{ARTICLE}#{sentence_id}")  # and the link leads to the sentence
    assert page.evaluate("document.querySelector(':target').id") == sentence_id
    assert watched.log.problems() == []


def test_the_highlight_choice_is_kept_across_pages(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    page.get_by_role("button", name="Dim LLM sentences").click()
    page.goto(OTHER)
    expect(page.get_by_role("button", name="Dim LLM sentences")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#main")).to_have_class(re.compile(r"\bprov-dim\b"))
    assert page.locator(".prov-dim .s[data-prov='llm']").first.evaluate("n => getComputedStyle(n).opacity") == "0.5"
    page.get_by_role("button", name="Dim LLM sentences").click()  # off again, on this page and the next
    page.goto(ARTICLE)
    expect(page.get_by_role("button", name="Dim LLM sentences")).to_have_attribute("aria-pressed", "false")
    assert page_log.problems() == []


NO_STORAGE = ("Object.defineProperty(window, 'localStorage', "
              "{get() { throw new DOMException('denied', 'SecurityError'); }});")


def test_without_storage_the_highlight_works_for_the_page(open_page: Any) -> None:
    watched = open_page()
    page = watched.page
    page.context.add_init_script(NO_STORAGE)
    page.goto(ARTICLE)
    button = page.get_by_role("button", name="Highlight LLM sentences")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.goto(OTHER)
    expect(page.get_by_role("button", name="Highlight LLM sentences")).to_have_attribute("aria-pressed", "false")
    assert watched.log.problems() == []


def printed(page: Any) -> tuple[bytes, str]:
    page.goto(ARTICLE)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    return pdf, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_printed_article_has_sources_and_provenance_but_no_backlinks(page: Any) -> None:
    pdf, text = printed(page)
    assert "^" not in text
    words = text.split()
    # back-link letters would print as runs of single letters (a b c ...) before the references
    runs = [i for i in range(len(words) - 1) if re.fullmatch(r"[a-z]", words[i]) and words[i + 1] in "bcdefgh"]
    assert runs == [], [" ".join(words[i - 3 : i + 4]) for i in runs]
    squeezed = re.sub(r"\s+", "", text)
    assert "https://doi.org/10.1037/0022-3514.80.3.501" in squeezed  # the source list, with its DOIs
    assert "Provenance." in text and "sentences sourced" in text
    for absent in ("Highlight LLM sentences", "Suggest a revision", "Copy link"):
        assert absent not in text
    assert page.locator(".meter").evaluate("n => getComputedStyle(n).display") == "none"
    assert page.locator(".article-body h2").first.evaluate("n => getComputedStyle(n).breakAfter") == "avoid"
    assert page.locator(".infobox dl").is_visible()  # the fold opens for print
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 3
