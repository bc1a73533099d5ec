"""Stage 4: HTML pages from the checked site (placeholder until the theme lands)."""

from __future__ import annotations

from collections.abc import Iterator

from wikigen.model import CheckedSite, OutputFile


def render_site(site: CheckedSite) -> Iterator[OutputFile]:
    raise NotImplementedError("render stage not written yet")
