"""What templates are given of articles and taxonomies: plain views, each with the digest of its fields, so a
page's key can stand a view in by its digest (`stand_ins`) and follows exactly what the page shows."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import math
import operator
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from wikigen.model import Article, Meta


def percent(part: int, whole: int) -> int:
    return math.floor(100 * part / whole + 0.5) if whole else 0


class Summary(NamedTuple):
    """An article in a list. Attributes, not a dict: Jinja looks `x.y` up as an attribute first, and a dict's
    failed attribute lookup costs an exception, once per field shown on every listing page. Made by `view`,
    once per article."""

    slug: str
    url: str
    title: str
    summary: str
    type: str
    sourced_pct: int
    sentences: int
    digest: bytes  # of the fields above: what a listing page's key hashes in place of the summary


class ArticleLink(NamedTuple):
    """An article where a page names it and nothing more (the sources page): its key then ignores the
    sentence counts an edit changes."""

    url: str
    title: str
    digest: bytes  # of the fields above


class ProvenanceRow(NamedTuple):
    """An article as the provenance dashboard shows it: its figures, so that the page's key changes only
    when one of them does."""

    url: str
    title: str
    type: str
    sentences: int
    sourced: int
    llm: int
    sourced_share: str  # as the report prints it
    llm_share: str
    sourced_rank: int  # the shares in ten-thousandths, for the sort script
    llm_rank: int
    weakest: str  # the least-sourced section with sentences, "" for none
    weakest_share: str
    tiers: tuple[int, ...]  # T1, T2, T3, untiered
    exempt_blocks: int
    generated: str
    review: str  # ReviewState's value
    review_text: str
    digest: bytes


VIEWS = (Summary, ArticleLink, ProvenanceRow)  # what listing pages show of an article
View = TypeVar("View", Summary, ArticleLink, ProvenanceRow)
DIGEST = operator.attrgetter("digest")


def meta_of(article: Article) -> Meta:
    """The front matter of an article of a rendered site: checked, so never missing."""
    assert article.meta is not None
    return article.meta


def view(kind: Callable[..., View], *fields: object) -> View:
    """A view with the digest of its fields: listing pages show each article many times over, and pickling
    each view in full for the pages' keys would dominate their cost."""
    return kind(*fields, hashlib.blake2b(pickle.dumps(fields), digest_size=8).digest())


def digest(value: object) -> str:
    """Hash of a page's inputs. Pickled without the memo, so equal values hash alike whether or not they are
    one object (a reference formatted now and one read from the cache)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(stream.getvalue()).hexdigest()


@dataclass(frozen=True, slots=True)
class Section:
    """A taxonomy as the navigation shows it."""

    key: str
    title: str
    singular: str


@dataclass(frozen=True, slots=True)
class TermView:
    """A taxonomy term as its pages show it: its articles by summary, so a page's key follows what it shows."""

    name: str
    slug: str
    articles: tuple[Summary, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyView(Section):
    """A taxonomy as its index page shows it."""

    terms: tuple[TermView, ...]


def stand_ins(value: object) -> object:
    """`value` with each article view in it replaced by its digest."""
    if isinstance(value, VIEWS):
        return value.digest
    if isinstance(value, list | tuple):
        if not value or isinstance(value[0], str | int | float | bool | None):  # plain values: as they are
            return value
        if isinstance(value[0], VIEWS):
            with contextlib.suppress(AttributeError):  # a list of views (only they have a digest), in C
                return list(map(DIGEST, value))
        return [stand_ins(item) for item in value]
    if isinstance(value, dict):
        return {name: stand_ins(item) for name, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(stand_ins(getattr(value, f.name)) for f in dataclasses.fields(value)))
    return value
