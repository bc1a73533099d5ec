"""The orchestrator: gather everything (load, parse, check), then render, write and index.

`check` is `gather` alone; `build` refuses to write when gathering found errors.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wikigen.check import check_site
from wikigen.config import CONFIG_FILE, Config, load_config
from wikigen.index import index_site
from wikigen.load import load_sources
from wikigen.model import CheckedSite, Diagnostic, Severity
from wikigen.parse import parse_site
from wikigen.render import BrokenLinks, render_site
from wikigen.write import OutputError, staged, write_files


def gather(root: Path, selected: Iterable[Path] | None = None) -> CheckedSite:
    loaded = load_config(root)
    config_problems = tuple(
        Diagnostic(CONFIG_FILE, p.line, p.column, p.code, Severity.ERROR, p.message) for p in loaded.problems
    )
    sources = load_sources(loaded.config, selected)
    sources = dataclasses.replace(sources, diagnostics=config_problems + sources.diagnostics)
    return check_site(parse_site(sources))


@dataclass(frozen=True)
class BuildResult:
    site: CheckedSite
    published: bool
    files: int = 0
    seconds: float = 0.0
    problems: tuple[Diagnostic, ...] = ()  # found after checking: broken internal links in the rendered pages


def output_folder(config: Config) -> Path:
    output = config.path("output")
    if not output.is_relative_to(config.root) and not config.allow_output_outside_root:
        raise OutputError(
            f"output folder {output} is outside the site root; set allow_output_outside_root = true to allow it"
        )
    if output == config.root or config.root.is_relative_to(output):
        raise OutputError(f"output folder {output} would replace the site itself")
    for name in ("content", "theme", "bibliography", "cache"):  # a build replaces the output folder wholesale
        kept = config.path(name)
        if output.is_relative_to(kept) or kept.is_relative_to(output):
            raise OutputError(f"output folder {output} overlaps the {name} location {kept}; choose another `output`")
    return output


def build(root: Path, strict: bool = False, search: bool = True) -> BuildResult:
    started = time.perf_counter()
    site = gather(root)
    if site.errors or (strict and site.warnings):
        return BuildResult(site, False)
    output = output_folder(site.config)
    try:
        with staged(output) as staging:
            count = write_files(staging, render_site(site))
            if search:
                index_site(staging)
    except BrokenLinks as broken:
        return BuildResult(site, False, problems=tuple(broken.diagnostics))
    return BuildResult(site, True, count, time.perf_counter() - started)
