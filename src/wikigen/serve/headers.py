"""The production headers of `netlify.toml`, matched like Netlify, so the preview runs under the same policy.

Header rules match paths as @netlify/headers-parser does (`for_regexp`); every matching rule applies, and a
header set by several matching rules gets their values joined with a comma. The dev server sends them on
every response, changed only where its live reload needs it (`for_dev`): the reload script and its event
stream must be allowed, and `upgrade-insecure-requests` would send every request of a page served over
plain HTTP to an https:// the dev server does not speak. Cache-Control stays the dev server's own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NETLIFY_FILE = "netlify.toml"
LIVE_PATHS = {"script-src": "live.js", "connect-src": ""}  # under the dev server's prefix: what live.js uses
_DROPPED = {"upgrade-insecure-requests", "block-all-mixed-content"}  # meaningless over plain HTTP


@dataclass(frozen=True)
class HeaderRule:
    path: str
    pattern: re.Pattern[str]
    values: Mapping[str, str]


def _part_pattern(part: str) -> str:
    # Ported from @netlify/headers-parser (for_regexp.js).
    if part.startswith(":"):
        return "([^/]+)"
    if part == "*":
        return "?(.*)"
    if "*" in part:
        return "(.*)".join(re.escape(piece) for piece in part.split("*"))
    return re.escape(part)


def for_regexp(path: str) -> re.Pattern[str]:
    parts = [p.rstrip() for p in path.split("/") if p.rstrip()]
    return re.compile("^/" + "/".join(_part_pattern(p) for p in parts) + "/?$", re.IGNORECASE)


def load_netlify(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def header_rules(config: Mapping[str, Any]) -> tuple[HeaderRule, ...]:
    rules = []
    for rule in config.get("headers", []):
        values = {name.strip(): " ".join(str(value).split()) for name, value in rule.get("values", {}).items()}
        rules.append(HeaderRule(rule["for"], for_regexp(rule["for"]), values))
    return tuple(rules)


def headers_for(rules: Iterable[HeaderRule], url_path: str) -> dict[str, str]:
    """The headers Netlify adds to `url_path`: every matching rule, repeated names joined with a comma."""
    merged: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for rule in rules:
        if rule.pattern.match(url_path):
            for name, value in rule.values.items():
                names.setdefault(name.lower(), name)
                merged.setdefault(name.lower(), []).append(value)
    return {names[key]: ", ".join(values) for key, values in merged.items()}


def _directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if words := part.split():
            found.setdefault(words[0].lower(), words[1:])  # a repeated directive is ignored by browsers
    return found


def dev_policy(policy: str, origin: str, prefix: str) -> str:
    """A Content-Security-Policy as the dev server sends it: the same, but allowing the reload script and its
    event stream (by their exact URLs, and only where the policy does not already allow the site's own
    origin) and without the directives that only make sense over HTTPS."""
    directives = _directives(policy)
    for name, path in LIVE_PATHS.items():
        sources = directives.get(name, directives.get("default-src"))
        if sources is None or "'self'" in sources or "*" in sources:
            continue
        directives[name] = [s for s in sources if s.lower() != "'none'"] + [f"{origin}{prefix}{path}"]
    return "; ".join(" ".join((name, *sources)) for name, sources in directives.items() if name not in _DROPPED)


def for_dev(headers: Mapping[str, str], origin: str, prefix: str) -> dict[str, str]:
    """Production headers for one response of the dev server (see the module's docstring)."""
    sent = {}
    for name, value in headers.items():
        if name.lower() == "cache-control":
            continue
        if name.lower() == "content-security-policy":
            value = ", ".join(dev_policy(policy, origin, prefix) for policy in value.split(","))
        sent[name] = value
    return sent


# Where a site has no netlify.toml (or one that cannot be read), the strict policy wikigen's theme is built for.
DEFAULT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:"
DEFAULT_RULES = header_rules({"headers": [{"for": "/*", "values": {
    "Content-Security-Policy": DEFAULT_CSP, "X-Content-Type-Options": "nosniff"}}]})


def site_rules(root: Path) -> tuple[tuple[HeaderRule, ...], str | None]:
    """The site's header rules from its netlify.toml, and a note for the terminal when wikigen's strict
    default stands in (no file, or one that cannot be read: never no policy at all)."""
    path = root / NETLIFY_FILE
    if not path.is_file():
        return DEFAULT_RULES, f"no {NETLIFY_FILE} in {root}: serving with wikigen's default headers ({DEFAULT_CSP})"
    try:
        return header_rules(load_netlify(path)), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        return DEFAULT_RULES, f"{path}: cannot read its headers ({exc}); serving with wikigen's default headers"
