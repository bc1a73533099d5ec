"""The article page in a real browser: source badges, previews, back-links, the LLM highlight, the revision form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTICLE = "/articles/achievement-goal-theory/"
SOURCE_BADGES = ".article-body .ref > a[href^='#src-']"
STYLE_PROPS = ("background-color", "opacity", "box-shadow", "color", "outline-style", "font-weight", "filter")


def target_id(page: Any) -> str | None:
    return page.evaluate("() => { const t = document.querySelector(':target'); return t && t.id; }")


def test_clicking_a_source_badge_moves_to_the_source_entry(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    badge = page.locator(SOURCE_BADGES).nth(2)
    href = badge.get_attribute("href")
    assert href and re.fullmatch(r"#src-\d+", href)
    badge.click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE + href) + "$"))
    assert target_id(page) == href[1:]
    entry = page.locator(href)
    expect(entry).to_be_in_viewport()
    expect(entry.locator(".reference")).not_to_be_empty()
    assert page_log.problems() == []


def test_hovering_and_focusing_a_badge_shows_the_reference(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    badges = page.locator(SOURCE_BADGES)
    first, second = badges.nth(0), badges.nth(1)
    for badge in (first, second):  # announced without the preview: described by the source list's entry
        described = (badge.get_attribute("aria-describedby") or "").split()
        assert len(described) == 2, "aria-describedby names the entry's reference and its tier line"
        expect(page.locator(f"#{described[0]}")).to_contain_text(re.compile(r"\(\d{4}|n\.d\.\)"))
        expect(page.locator(f"#{described[1]}")).to_contain_text(re.compile(r"T[123]"))
    sibling = "xpath=following-sibling::*[contains(@class, 'pv')]"
    preview_of = {badge: badge.locator(sibling) for badge in (first, second)}
    expect(preview_of[first]).to_have_count(0)  # built on demand from the source list

    first.hover()
    preview = preview_of[first]
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(re.compile(r"\(\d{4}|n\.d\.\)"))  # a formatted reference: (year)
    expect(preview).to_contain_text(re.compile(r"T[123]"))  # names the source's tier
    # not announced twice: the reference text is hidden; the copy-link button is not
    expect(preview.locator(".pv-text")).to_have_attribute("aria-hidden", "true")
    expect(preview.get_by_role("button", name="Copy link to this sentence")).to_be_visible()

    page.mouse.move(1, 1)
    expect(preview).to_be_hidden()

    page.locator("h1").click()  # put the keyboard focus in the article, then tab to the second badge
    second.focus()
    expect(second).to_be_focused()
    expect(preview_of[second]).to_be_visible()
    expect(preview_of[first]).to_be_hidden()

    page.keyboard.press("Escape")  # WCAG 1.4.13: dismissible without moving focus
    expect(preview_of[second]).to_be_hidden()
    expect(second).to_be_focused()
    assert page_log.problems() == []


def test_a_located_citation_shows_its_page_in_the_preview(page: Any) -> None:
    page.goto(ARTICLE)
    assert page.locator(f"{SOURCE_BADGES}[data-loc]").count() > 0  # the sample article cites p. 328
    located = page.locator(f"{SOURCE_BADGES}[data-loc]").first
    located.hover()
    expect(located.locator("xpath=following-sibling::*[contains(@class, 'pv')]")).to_contain_text(
        located.get_attribute("data-loc") or "")


def test_the_preview_shows_the_sources_words(page: Any, page_log: Any) -> None:
    """The editor's quote, labelled as the source's; else the closest stored sentence, labelled as automatic."""
    page.goto(ARTICLE)
    quoted = page.locator(f"{SOURCE_BADGES}[data-quote]").first
    quoted.hover()
    preview = quoted.locator("xpath=following-sibling::*[contains(@class, 'pv')]")
    expect(preview.locator(".pv-quote")).to_have_text(
        "From the source: \u201ctheir orientation can be different in different circumstances and courses\u201d")
    page.goto("/articles/mastery-approach-goals/")
    matched = page.locator(f"{SOURCE_BADGES}[data-match]").first
    matched.hover()
    shown = matched.locator("xpath=following-sibling::*[contains(@class, 'pv')]").locator(".pv-auto")
    expect(shown).to_contain_text("chosen automatically")
    expect(shown).to_contain_text(matched.get_attribute("data-match") or "-")
    expect(page.locator(".prov-quotes")).to_contain_text(re.compile(r"^\d+ of \d+ sourced sentences carry a quote"))
    assert page_log.problems() == []


def test_the_llm_badge_explains_itself_on_hover_and_focus(page: Any) -> None:
    page.goto(ARTICLE)
    badge = page.locator(".article-body .ref > a.badge-llm").first
    explanation = badge.locator("xpath=following-sibling::*[contains(@class, 'pv')]")
    expect(explanation).to_be_hidden()
    badge.hover()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("LLM")
    page.mouse.move(1, 1)
    badge.focus()
    expect(explanation).to_be_visible()
    described = badge.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").inner_text(), "the LLM note is announced"


def test_the_back_link_returns_to_the_sentence(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE + "#src-1")
    back = page.locator("#src-1 .backlinks a").first
    sentence_id = back.get_attribute("href")
    assert sentence_id and sentence_id.startswith("#")
    back.click()
    expect(page).to_have_url(re.compile(re.escape(sentence_id) + "$"))
    sentence = page.locator(sentence_id)
    assert target_id(page) == sentence_id[1:]
    expect(sentence).to_be_in_viewport()
    expect(sentence).to_have_attribute("data-prov", "sourced")
    expect(sentence.locator("a[href='#src-1']")).to_have_count(1)  # the sentence that cites source 1
    assert page_log.problems() == []


def computed_styles(page: Any, selector: str) -> list[dict[str, str]]:
    return page.evaluate(
        """([selector, props]) => Array.from(document.querySelectorAll(selector), (node) => {
            const style = getComputedStyle(node);
            return Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
        })""",
        [selector, list(STYLE_PROPS)],
    )


@pytest.mark.parametrize("button_name", ["Highlight LLM sentences", "Dim LLM sentences"])
def test_the_llm_control_changes_llm_sentences_and_nothing_else(page: Any, page_log: Any, button_name: str) -> None:
    page.goto(ARTICLE)
    llm, sourced = ".article-body .s[data-prov='llm']", ".s[data-prov='sourced']"
    others = "h1, .lead, .infobox, .toc, .source-list li, .article-body p, .article-body h2"
    assert page.locator(llm).count() > 0 and page.locator(sourced).count() > 0
    before = {name: computed_styles(page, selector) for name, selector in (("llm", llm), ("sourced", sourced))}
    before_others = computed_styles(page, others)

    button = page.get_by_role("button", name=button_name)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")

    after_llm = computed_styles(page, llm)
    assert all(a != b for a, b in zip(before["llm"], after_llm, strict=True)), "every LLM sentence must change"
    assert computed_styles(page, sourced) == before["sourced"], "sourced sentences must look the same"
    assert computed_styles(page, others) == before_others, "nothing but LLM sentences may change"

    button.click()  # and back
    expect(button).to_have_attribute("aria-pressed", "false")
    assert computed_styles(page, llm) == before["llm"]
    assert page_log.problems() == []


def test_the_revision_form_warns_about_phi_and_requires_the_revision(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    form = page.locator("form.revision-form")
    assert form.get_attribute("data-netlify") == "true"
    warning = page.locator(".phi-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(re.compile(r"client-identifying|PHI|protected health information"))

    text = page.get_by_label(re.compile("^Your revision"))
    expect(text).to_have_attribute("required", "")
    assert "phi-warning" in (text.get_attribute("aria-describedby") or "")
    page.get_by_label("Name").fill("A. Reader")
    page.get_by_label(re.compile("^Email")).fill("reader@example.org")

    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    form.get_by_role("button", name="Send revision").click()
    page.wait_for_timeout(300)
    assert navigations == [], "an empty revision must not be submitted"
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "$"))
    assert page.locator("#rev-text:invalid").count() == 1
    assert page.evaluate("document.getElementById('rev-text').validity.valueMissing") is True
    expect(text).to_be_focused()  # the browser points the reader at the missing field
    assert page_log.problems() == []


def test_identifiers_in_the_revision_are_flagged_before_submit(page: Any, page_log: Any) -> None:
    page.goto(ARTICLE)
    form = page.locator("form.revision-form")
    page.get_by_label(re.compile("^Email")).fill("reader@example.org")
    text = page.get_by_label(re.compile("^Your revision"))
    text.fill("My client (MRN 4471203, DOB 03/04/1987) improved after reframing [@elliot2001].")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    form.get_by_role("button", name="Send revision").click()
    alert = page.locator("#phi-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("a date of birth")
    expect(alert).to_contain_text("a record number")
    page.wait_for_timeout(200)
    assert navigations == []
    assert page_log.problems() == []


@pytest.mark.parametrize("path", ["/", ARTICLE])
def test_phone_width_has_no_horizontal_scroll(open_page: Any, path: str) -> None:
    watched = open_page(width=390, height=844)
    page = watched.page
    page.goto(path)
    sizes = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,"
        " wide: Array.from(document.querySelectorAll('body *')).filter((n) => n.getBoundingClientRect().right"
        " > window.innerWidth + 1 && getComputedStyle(n).position !== 'fixed').slice(0, 5).map((n) => n.outerHTML"
        ".slice(0, 120))})"
    )
    assert sizes["scroll"] <= sizes["inner"], sizes
    if path == ARTICLE:  # a preview opened on a phone stays on screen too
        page.locator(SOURCE_BADGES).first.focus()
        box = page.locator(SOURCE_BADGES).first.locator("xpath=following-sibling::*[contains(@class, 'pv')]")\
            .bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert watched.log.problems() == []
