"""Taxonomy terms (types, disciplines, populations, problems): grouping, deterministic slugs, collisions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wikigen.model import Article

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug or "term"


def _fold(term: str) -> str:
    return " ".join(term.split()).casefold()


@dataclass(frozen=True)
class Term:
    name: str  # display form
    slug: str
    articles: tuple[Article, ...]  # sorted by title


@dataclass(frozen=True)
class Taxonomy:
    key: str  # "types", "disciplines", ...
    title: str  # "Types"
    singular: str  # "type"
    filter: str  # pagefind filter name
    terms: tuple[Term, ...]  # sorted by name
    by_name: dict[str, Term]  # folded name -> term

    def term(self, name: str) -> Term:
        return self.by_name[_fold(name)]

    def url(self, name: str) -> str:
        return f"/{self.key}/{self.term(name).slug}/"


TAXONOMIES = (
    ("types", "Types", "type", "type"),
    ("disciplines", "Disciplines", "discipline", "discipline"),
    ("populations", "Populations", "population", "population"),
    ("problems", "Problems", "problem", "problem"),
)


def values(article: Article, key: str) -> tuple[str, ...]:
    meta = article.meta
    if meta is None:
        return ()
    if key == "types":
        return (meta.type,) if meta.type else ()
    if key == "disciplines":
        return (meta.discipline,) if meta.discipline else ()
    return meta.populations if key == "populations" else meta.problems


def article_sort_key(article: Article) -> tuple[str, str]:
    title = article.meta.title if article.meta else article.slug
    return (title.casefold(), article.slug)


def build_taxonomy(key: str, title: str, singular: str, filter_name: str, articles: tuple[Article, ...]) -> Taxonomy:
    """A term lists its articles in the order of `articles`: pass them sorted by `article_sort_key`."""
    spellings: dict[str, dict[str, int]] = {}  # plain dicts: Counter's Python-level += was half the time
    members: dict[str, dict[str, Article]] = {}
    for article in articles:
        for value in values(article, key):
            spelled = " ".join(value.split())
            folded = spelled.casefold()
            counts = spellings.get(folded)
            if counts is None:
                counts = spellings[folded] = {}
                members[folded] = {}
            counts[spelled] = counts.get(spelled, 0) + 1
            members[folded][article.slug] = article
    # The most used spelling names the term; ties go to the first in sort order.
    names = {f: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for f, c in spellings.items()}
    used: set[str] = set()
    terms = []
    by_name = {}
    for folded in sorted(names, key=lambda f: (slugify(names[f]), f)):
        base = slugify(names[folded])
        slug, number = base, 2
        while slug in used:
            slug, number = f"{base}-{number}", number + 1
        used.add(slug)
        listed = tuple(members[folded].values())  # in the order of `articles`, sorted once for all terms
        term = Term(names[folded], slug, listed)
        terms.append(term)
        by_name[folded] = term
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    return Taxonomy(key, title, singular, filter_name, tuple(terms), by_name)


def build_taxonomies(articles: tuple[Article, ...]) -> dict[str, Taxonomy]:
    ordered = tuple(sorted(articles, key=article_sort_key))
    return {key: build_taxonomy(key, title, singular, name, ordered) for key, title, singular, name in TAXONOMIES}
