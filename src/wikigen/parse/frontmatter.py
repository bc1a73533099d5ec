"""YAML front matter, parsed safely and with the line of every key kept for field-level diagnostics.

Only PyYAML's safe constructors run (a `!!python/object` tag is an error, never an object), and
anchors and aliases are refused outright: they have no use in front matter and enable "billion laughs".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from wikigen.model import FrontMatter, Pos

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_END = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
MAX_FRONT_MATTER = 256 * 1024
MAX_DEPTH = 32


class _Constructors(yaml.constructor.SafeConstructor):
    """Safe constructors that keep dates as written (the schema checks them, at the field's own line) and turn
    numbers too long for Python into a positioned error instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> str:  # type: ignore[override]
        return str(self.construct_scalar(node))

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(None, None, f"number {str(node.value)[:20]}… is too long: "
                                                    "quote it", node.start_mark) from exc


class _Loader(_Constructors, yaml.SafeLoader):
    """The pure-Python loader: slower, but its error messages are the ones editors see."""


# libyaml scans and parses about ten times faster; valid front matter gives the same data and marks.
_FastLoader: type[_Constructors] = type(
    "_FastLoader", (_Constructors, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {}
)

for _class in (_Loader, _FastLoader):
    # the stubs type a constructor by one loader class; these serve two
    _class.add_constructor("tag:yaml.org,2002:timestamp", _Constructors.construct_yaml_timestamp)  # type: ignore[type-var]
    _class.add_constructor("tag:yaml.org,2002:int", _Constructors.construct_yaml_int)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class Split:
    yaml_text: str | None
    body: str
    body_line: int  # 0-based line of the body's first line in the file
    problem: tuple[int, int, str] | None  # (line, column, message) for F001


def split(text: str) -> Split:
    if not _FENCE.match(text):
        return Split(None, text, 0, (1, 1, "no front matter: start the file with a `---` line, then YAML, then `---`"))
    end = _END.search(text, text.find("\n") + 1 if "\n" in text else len(text))
    if not end:
        return Split(None, "", 0, (1, 1, "front matter is not closed: add a `---` line after the YAML"))
    yaml_text = text[text.find("\n") + 1 : end.start()]
    body_start = text.find("\n", end.end())
    body = "" if body_start < 0 else text[body_start + 1 :]
    return Split(yaml_text, body, yaml_text.count("\n") + 2, None)


def _where(mark, first_line: int) -> tuple[int, int]:
    return (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)


def _key_lines(node: yaml.Node, prefix: str, first_line: int, out: dict[str, Pos], problems: list) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            path = f"{prefix}{name}"
            line, column = _where(key.start_mark, first_line)
            if name in seen:
                problems.append((line, column, f"duplicate key `{path}` (first at line {seen[name]}): keep one"))
            seen.setdefault(name, line)
            out.setdefault(path, Pos(line, column))
            _key_lines(value, f"{path}.", first_line, out, problems)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            out.setdefault(f"{prefix}{number}", Pos(*_where(item.start_mark, first_line)))
            _key_lines(item, f"{prefix}{number}.", first_line, out, problems)


_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
         yaml.BlockMappingStartToken)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _refused(yaml_text: str, first_line: int, loader: type) -> tuple[int, int, str, str] | None:
    """Anchors, aliases and deep nesting, found from the tokens before anything is built. PyYAML's scanner is
    quadratic in flow nesting and its composer recursive, so depth stops early."""
    depth = 0
    for token in yaml.scan(yaml_text, Loader=loader):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            line, column = _where(token.start_mark, first_line)
            return line, column, "F001", "YAML anchors and aliases (`&`, `*`) are not allowed here"
        depth += isinstance(token, _OPEN) - isinstance(token, _CLOSE)
        if depth > MAX_DEPTH:
            line, column = _where(token.start_mark, first_line)
            return line, column, "F001", f"front matter is nested more than {MAX_DEPTH} levels deep"
    return None


def _compose(yaml_text: str, first_line: int, loader_class: type):
    """(node, data, refusal) with one loader class; raises what the loader raises."""
    if refused := _refused(yaml_text, first_line, loader_class):
        return None, None, refused
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None), None
    finally:
        loader.dispose()


def parse_front_matter(yaml_text: str) -> tuple[FrontMatter | None, list[tuple[int, int, str, str]]]:
    """Returns the front matter and problems as (line, column, code, message); lines count the `---` line."""
    first_line = 2
    if len(yaml_text) > MAX_FRONT_MATTER:
        return None, [(1, 1, "F001", f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")]
    try:
        node, data, refused = _compose(yaml_text, first_line, _FastLoader)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        try:  # again with the Python loader, for its error message and position
            node, data, refused = _compose(yaml_text, first_line, _Loader)
        except yaml.MarkedYAMLError as exc:
            line, column = _where(exc.problem_mark or exc.context_mark, first_line)
            reason = exc.problem or exc.context or "invalid YAML"
            return None, [(line, column, "F001", f"front matter is not valid YAML: {reason}")]
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            return None, [(first_line, 1, "F001", f"front matter is not valid YAML: {exc}")]
    if refused:
        return None, [refused]
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return None, [(first_line, 1, "F001", f"front matter must be a mapping of fields, not {kind}")]
    lines: dict[str, Pos] = {}
    duplicates: list[tuple[int, int, str]] = []
    _key_lines(node, "", first_line, lines, duplicates)
    problems = [(line, column, "F002", message) for line, column, message in duplicates]
    return FrontMatter({str(k): v for k, v in data.items()}, lines), problems
