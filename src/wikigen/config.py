"""Typed site configuration from `[tool.wikigen]` in the site's pyproject.toml.

Validation collects every problem before returning, so one run shows all typos at once.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

CONFIG_FILE = "pyproject.toml"


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")
    content: str = "content"
    bibliography: str = "bibliography.bib"
    theme: str = "theme"
    output: str = "public"
    cache: str = ".wikigen-cache"
    title: str = "Clinical Knowledge Wiki"
    description: str = "A clinical knowledge base in which every sentence carries its source or an LLM tag."
    base_url: str = "https://example.org/"
    language: str = "en"
    banner: str = (
        "LLM-generated — verify before clinical use. Sentences are marked with a source or an LLM tag."
    )
    types: tuple[str, ...] = ("theory", "therapy", "technique", "assessment", "concept", "condition")
    evidence_levels: tuple[str, ...] = ("established", "emerging", "preliminary", "contested")
    video_hosts: tuple[str, ...] = ("www.youtube.com", "youtube.com", "youtu.be", "vimeo.com", "player.vimeo.com")
    words_per_minute: int = 200
    form_name: str = "revision"
    allow_output_outside_root: bool = False
    workers: int = 0  # 0: one per core
    search_shard_pages: int = 500  # articles per search index shard: an edit re-indexes one shard

    def path(self, name: str) -> Path:
        """Absolute path of a configured location (content, bibliography, theme, output, cache)."""
        return (self.root / getattr(self, name)).resolve()


@dataclass(frozen=True)
class ConfigProblem:
    line: int
    column: int
    code: str
    message: str


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    problems: tuple[ConfigProblem, ...] = field(default=())


_HINTS = get_type_hints(Config)
_FIELDS = {f.name for f in dataclasses.fields(Config)} - {"root"}


def find_root(start: Path) -> Path | None:
    """The nearest ancestor with a pyproject.toml declaring [tool.wikigen], or a content/ folder."""
    for folder in (start, *start.parents):
        pyproject = folder / CONFIG_FILE
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                data = {}
            if "wikigen" in data.get("tool", {}):
                return folder
        if (folder / "content").is_dir():
            return folder
    return None


def _line_of(text: str, key: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(rf"\s*({re.escape(key)}|\"{re.escape(key)}\")\s*=", line)
        if match:
            return number, match.start(1) + 1
    return 1, 1


def _coerce(name: str, value: Any) -> tuple[Any, str | None]:
    hint = _HINTS[name]
    if hint == "str" or hint is str:
        return (value, None) if isinstance(value, str) and value.strip() else (None, "a non-empty string")
    if hint is bool:
        return (value, None) if isinstance(value, bool) else (None, "true or false")
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return (value, None) if ok else (None, "a whole number >= 0")
    ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)
    return (tuple(value), None) if ok else (None, "a non-empty list of strings")


def load_config(root: Path) -> LoadedConfig:
    """Read and validate `[tool.wikigen]`; a missing file or table gives the defaults."""
    root = root.resolve()
    pyproject = root / CONFIG_FILE
    if not pyproject.is_file():
        return LoadedConfig(Config(root=root))
    try:
        text = pyproject.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        return LoadedConfig(Config(root=root), (ConfigProblem(1, 1, "C001", f"not UTF-8: {exc.reason}"),))
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 keeps the position only in the message: "Invalid value (at line 2, column 9)".
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(where[1]), int(where[2])) if where else (1, 1)
        reason = re.sub(r"\s*\(at line .*\)$", "", str(exc))
        return LoadedConfig(Config(root=root), (ConfigProblem(line, col, "C001", f"invalid TOML: {reason}"),))
    table = data.get("tool", {}).get("wikigen", {})
    if not isinstance(table, dict):
        return LoadedConfig(Config(root=root), (ConfigProblem(1, 1, "C002", "[tool.wikigen] must be a table"),))
    values: dict[str, Any] = {}
    problems = []
    for key, value in table.items():
        line, col = _line_of(text, key)
        if key not in _FIELDS:
            close = [f for f in sorted(_FIELDS) if f.replace("_", "") == key.replace("_", "").replace("-", "")]
            hint = f" (did you mean `{close[0]}`?)" if close else f"; known keys: {', '.join(sorted(_FIELDS))}"
            problems.append(ConfigProblem(line, col, "C002", f"unknown key `{key}` in [tool.wikigen]{hint}"))
            continue
        coerced, expected = _coerce(key, value)
        if expected:
            problems.append(ConfigProblem(line, col, "C003", f"`{key}` must be {expected}, got {value!r}"))
        else:
            values[key] = coerced
    return LoadedConfig(Config(root=root, **values), tuple(problems))
