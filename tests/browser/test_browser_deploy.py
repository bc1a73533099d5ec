"""netlify.toml and the built site as Netlify would serve them (no browser needed: plain HTTP to the test server)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from netlify_site import HeaderRule, header_rules, headers_for

HASHED = re.compile(r"(^|[._])[0-9a-f]{7,}\.pf_[a-z]+$")  # Pagefind's content-hashed file names
IMMUTABLE = "public, max-age=31536000, immutable"


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def url_paths(site: Path) -> list[str]:
    paths = []
    for file in sorted(p for p in site.rglob("*") if p.is_file()):
        relative = file.relative_to(site).as_posix()
        paths.append("/" + relative.removesuffix("index.html"))
    return paths


def test_build_settings(netlify_config: dict[str, Any]) -> None:
    build = netlify_config["build"]
    assert "pip install ." in build["command"] and build["command"].endswith("wikigen build")
    assert build["publish"] == "public"
    assert build["environment"]["PYTHON_VERSION"] == "3.11"


def test_security_headers_on_every_path(netlify_config: dict[str, Any]) -> None:
    rules = header_rules(netlify_config)
    for path in ("/", "/articles/x/", "/pagefind/00/pagefind.js", "/assets/site.css", "/404.html"):
        headers = headers_for(rules, path)
        csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert csp["style-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_cache_rules_never_overlap_and_only_hashed_files_are_immutable(
    built_site: Path, netlify_config: dict[str, Any]
) -> None:
    rules = header_rules(netlify_config)
    immutable = []
    for path in url_paths(built_site):
        matching: list[HeaderRule] = [rule for rule in rules if rule.pattern.match(path)]
        names = [name.lower() for rule in matching for name in rule.values]
        assert len(names) == len(set(names)), f"{path}: one header set by two rules would be comma-joined"
        cache = headers_for(rules, path)["Cache-Control"]
        if "immutable" in cache:
            assert cache == IMMUTABLE
            assert HASHED.search(path), f"{path} is cached for a year but its name does not change with it"
            immutable.append(path)
        else:
            assert cache == "public, max-age=0, must-revalidate", path
        if path.endswith("/") or path.endswith(".html"):
            assert "max-age=0" in cache, f"HTML must be revalidated: {path}"
    assert any(re.match(r"/pagefind/\d+/index/", p) for p in immutable) and any("/fragment/" in p for p in immutable)
    assert any(p.endswith(".pf_meta") for p in immutable)


def test_served_headers_types_and_404(base_url: str, built_site: Path) -> None:
    status, headers, _ = fetch(base_url + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "wasm-unsafe-eval" in headers["content-security-policy"]

    status, headers, body = fetch(base_url + "/no/such/page/")
    assert status == 404
    assert body == (built_site / "404.html").read_bytes()
    assert "content-security-policy" in headers

    shard = json.loads((built_site / "pagefind" / "bundles.json").read_bytes())["bundles"][-1]
    expected = {
        f"/pagefind/{shard}/pagefind.js": "text/javascript",
        f"/pagefind/{shard}/wasm.en.pagefind": "application/octet-stream",
        "/pagefind/bundles.json": "application/json",
        "/pagefind/order.json": "application/json",
        "/assets/search.js": "text/javascript",
        "/assets/search.css": "text/css",
    }
    index = next((built_site / "pagefind" / shard / "index").iterdir()).name
    expected[f"/pagefind/{shard}/index/{index}"] = "application/octet-stream"
    for path, mime in expected.items():
        status, headers, _ = fetch(base_url + path)
        assert status == 200 and headers["content-type"].split(";")[0] == mime, path
    status, headers, _ = fetch(base_url + f"/pagefind/{shard}/index/{index}")
    assert headers["cache-control"] == IMMUTABLE
    status, headers, _ = fetch(base_url + "/pagefind/bundles.json")
    assert headers["cache-control"] == "public, max-age=0, must-revalidate"


def test_the_revision_form_is_a_netlify_form(built_site: Path) -> None:
    html = (built_site / "articles" / "achievement-goal-theory" / "index.html").read_text(encoding="utf-8")
    form = re.search(r"<form[^>]*class=\"revision-form\"[^>]*>", html)
    assert form, "no revision form"
    tag = form.group(0)
    assert 'data-netlify="true"' in tag and 'method="post"' in tag and 'netlify-honeypot="bot-field"' in tag
    name = re.search(r'name="([^"]+)"', tag)
    assert name and f'<input type="hidden" name="form-name" value="{name.group(1)}">' in html
    assert (built_site / "thanks" / "index.html").is_file()
