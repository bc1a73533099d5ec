"""An article page's key is the digest of what its template is given: it changes whenever any of that changes,
and only then (tests/sites/render, built here)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from wikigen.build import SearchMode, build, site_renderer
from wikigen.load import read_source
from wikigen.parse import parse_document
from wikigen.render import ArticlePage, Cited, SiteRenderer, article_context
from wikigen.render.body import render_body
from wikigen.render.references import Reference

FIXTURE = Path(__file__).parent / "sites" / "render"


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> SiteRenderer:
    root = tmp_path_factory.mktemp("keys") / "site"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("public", ".wikigen-cache"))
    assert build(root, search=SearchMode.OFF).published
    found = site_renderer(root)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def page(renderer: SiteRenderer) -> ArticlePage:
    found = renderer.article_page(renderer.by_slug["alpha-theory"], "identity")
    # the fixture's alpha shows every kind of field: sources, see-also, discipline, populations, problems
    assert found.sources and found.see_also and found.discipline_url and found.population_links
    assert found.problem_links
    return found


def _other(value: object) -> object:
    """A value of the same kind as `value`, different from it."""
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return "x"
    if isinstance(value, int):
        return value + 1
    assert isinstance(value, tuple) and value, value
    return value[:-1]  # one item fewer


FIELDS = [f.name for f in dataclasses.fields(ArticlePage) if f.name != "article"]


def test_every_field_but_the_article_is_perturbed() -> None:
    assert set(FIELDS) | {"article"} == {f.name for f in dataclasses.fields(ArticlePage)}


@pytest.mark.parametrize("name", FIELDS)
def test_a_page_key_changes_with_each_field_the_page_shows(renderer: SiteRenderer, page: ArticlePage,
                                                           name: str) -> None:
    changed = dataclasses.replace(page, **{name: _other(getattr(page, name))})
    assert renderer.page_key(changed) != renderer.page_key(page)


@pytest.mark.parametrize("name", [n for n in Cited._fields if n != "reference"])
def test_a_page_key_changes_with_each_field_of_a_source(renderer: SiteRenderer, page: ArticlePage,
                                                        name: str) -> None:
    first = page.sources[0]
    sources = (first._replace(**{name: _other(getattr(first, name))}), *page.sources[1:])
    assert renderer.page_key(dataclasses.replace(page, sources=sources)) != renderer.page_key(page)


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Reference)])
def test_a_page_key_changes_with_each_field_of_a_reference(renderer: SiteRenderer, page: ArticlePage,
                                                           name: str) -> None:
    """What the page shows of a reference: its key names the whole reference by digest, so a renderer whose
    reference differs in any field gives another key."""
    first = page.sources[0]
    reference = first.reference
    other = dataclasses.replace(reference, **{name: _other(getattr(reference, name))})
    changed = SiteRenderer(renderer.site, {**renderer.references, first.key: other})
    assert changed.page_key(changed.article_page(page.article, page.identity)) != renderer.page_key(page)


def test_the_article_is_named_by_its_identity(renderer: SiteRenderer, page: ArticlePage) -> None:
    assert renderer.page_key(dataclasses.replace(page, identity="another")) != renderer.page_key(page)


def test_what_every_page_is_given_is_in_the_key(renderer: SiteRenderer, page: ArticlePage) -> None:
    parsed = renderer.site.parsed
    config = dataclasses.replace(renderer.config, title="Another title")
    sources = dataclasses.replace(parsed.sources, config=config)
    site = dataclasses.replace(renderer.site, parsed=dataclasses.replace(parsed, sources=sources))
    other = SiteRenderer(site, renderer.references)
    assert other.page_key(other.article_page(page.article, page.identity)) != renderer.page_key(page)


def test_an_unchanged_page_has_an_unchanged_key(renderer: SiteRenderer, page: ArticlePage) -> None:
    again = SiteRenderer(renderer.site, renderer.references)  # another renderer, its objects made anew
    same = again.article_page(page.article, page.identity)
    assert same is not page and same == page
    assert again.page_key(same) == renderer.page_key(page)


def test_the_context_is_made_from_the_page_and_its_body_alone(renderer: SiteRenderer, page: ArticlePage) -> None:
    """`article_context` takes the page, the body and the config, nothing else: so what the key hashes is what
    the template is given. Every field of the page reaches the context."""
    document = parse_document(read_source(renderer.config, renderer.config.root / page.article.document.path)[0])
    article = dataclasses.replace(page.article, document=document)
    body = render_body(article, renderer.config, renderer.by_slug, renderer.site.bibliography.entries)
    context, _ = article_context(page, body, renderer.config)
    shown = repr(context)
    for value in (page.url, page.link, page.type_url, page.discipline_url, *(t for t, _, _ in page.see_also),
                  *(url for _, url in page.population_links), *(url for _, url in page.problem_links)):
        assert value and str(value) in shown
    assert [item.entry_anchor for item in context["sources"]] == [cited.anchor for cited in page.sources]
