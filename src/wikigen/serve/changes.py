"""What kind of change a changed path is, decided from the site's layout alone (zola's `detect_change_kind`).

Pure: no file is read, so every rule is tested without a watcher (tests/test_serve.py). The session decides
from the kinds what a batch of changes calls for (`session.Session.preview_for`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from wikigen.config import CONFIG_FILE, Config
from wikigen.serve.headers import NETLIFY_FILE


class ChangeKind(enum.Enum):
    ARTICLE = "article"  # a Markdown file under the content folder: the one kind a preview can show
    ASSET = "asset"  # any other file under the content folder (a figure)
    BIBLIOGRAPHY = "bibliography"  # the bibliography or an excerpt in the evidence folder: the sources changed
    THEME = "theme"  # templates and static files of the site's theme
    CONFIG = "config"  # pyproject.toml, netlify.toml, or the watched layout itself


class Change(NamedTuple):
    kind: ChangeKind
    path: Path
    exists: bool  # when it was seen: a path gone again is an editor's temporary file or a deletion


@dataclass(frozen=True)
class Layout:
    """The watched places of a site, from its configuration."""

    root: Path
    content: Path
    theme: Path
    bibliography: Path
    output: Path | None  # ignored: the dev server's own builds write there
    evidence: Path | None = None  # the sources' stored excerpts

    @classmethod
    def of(cls, config: Config, output: Path | None) -> Layout:
        return cls(config.root, config.path("content"), config.path("theme"), config.path("bibliography"), output,
                   config.path("evidence"))

    @property
    def folders(self) -> tuple[Path, ...]:
        """Watched recursively."""
        return (self.content, self.theme) + ((self.evidence,) if self.evidence else ())

    @property
    def files(self) -> frozenset[Path]:
        """Watched one by one (through their folders: editors replace files on save)."""
        return frozenset({self.bibliography, self.root / CONFIG_FILE, self.root / NETLIFY_FILE})


def detect_change_kind(path: Path, layout: Layout) -> ChangeKind | None:
    """The kind of a changed path, or None for one the site does not read (the output, an editor's swap file
    beside pyproject.toml)."""
    if layout.output is not None and path.is_relative_to(layout.output):
        return None
    if path == layout.bibliography or (layout.evidence is not None and path.is_relative_to(layout.evidence)):
        return ChangeKind.BIBLIOGRAPHY
    if path in layout.files or path == layout.root:
        return ChangeKind.CONFIG
    if path.is_relative_to(layout.content):
        return ChangeKind.ARTICLE if path.suffix == ".md" else ChangeKind.ASSET
    if path.is_relative_to(layout.theme):
        return ChangeKind.THEME
    return None
