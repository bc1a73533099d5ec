"""The repository's sample wiki copied for a test to build, with settings added to its config."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE_FILES = ("content", "bibliography.bib", "evidence", "theme", "pyproject.toml")


def copy_sample(target: Path, settings: str = "") -> Path:
    """`settings`: TOML lines added at the top of `[tool.wikigen]`."""
    target.mkdir(parents=True)
    for name in SITE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    if settings:
        config = target / "pyproject.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[tool.wikigen]", "[tool.wikigen]\n" + settings, 1), encoding="utf-8")
    return target
