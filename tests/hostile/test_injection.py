"""Nothing leaks: unsafe URLs are refused by the checker (L001), and markup in any field reaches the HTML escaped.

The build tests parse every written page with lxml and look for what a payload would create (a script element,
an event-handler attribute, an unsafe URL, an injected element), not for strings, so they hold whatever the
templates look like.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import FRONT, codes, where
from wikigen.build import SearchMode, build
from wikigen.check.meta import url_scheme


def _body(site, body: str, **files):
    return site({"content/a.md": FRONT + body, **files})


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript&colon;alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](java&Tab;script:alert(1))",
        "[x](%6Aavascript:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](<javascript:alert(1)>)",
        "[x](\x01javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "<javascript:alert(1)>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x][r]\n\n[r]: <data:text/html,x> 'title'",
    ],
)
def test_unsafe_links_are_l001(site, checked, link: str) -> None:
    result = checked(_body(site, f"See {link} here [@a].\n"))
    assert where(result, "L001"), codes(result)
    assert where(result, "L001")[0][1] in (6, 8)


def test_unsafe_link_with_whitespace_in_angle_brackets(site, checked) -> None:
    assert where(checked(_body(site, "See [x](<java\tscript:alert(1)>) here [@a].\n")), "L001")


@pytest.mark.parametrize(
    "link",
    ["[x](https://example.org)", "[x](mailto:a@example.org)", "[x](/articles/a/)", "[x](#top)", "[x](other.md)",
     "<https://example.org>"],
)
def test_safe_links_pass(site, checked, link: str) -> None:
    assert "L001" not in codes(checked(_body(site, f"See {link} here [@a].\n")))


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.youtube.com/watch?v=x", True),
        ("https://youtu.be/x", True),
        ("http://www.youtube.com/watch?v=x", False),
        ("https://evil.example/watch", False),
        ("https://www.youtube.com.evil.example/x", False),
        ("https://www.youtube.com@evil.example/x", False),
        ("https://evil.example\\@www.youtube.com/x", False),  # browsers read the backslash as a slash
        ("https://evil.example%5C@www.youtube.com/x", False),
        ("https://www.youtube.com:8443/x", False),
        ("https://[::1/x", False),  # urlsplit raises on this
        ("https:\\\\evil.example/x", False),
        ("//www.youtube.com/x", False),
        ("javascript://www.youtube.com/%0aalert(1)", False),
        ("data:text/html,x", False),
        (" https://www.youtube.com/x", True),
        ("https://www.youtube.com/x y", False),
        ("https://WWW.YOUTUBE.COM/x", True),
    ],
)
def test_video_urls(site, checked, url: str, ok: bool) -> None:
    text = f"---\ntitle: A\nsummary: S [@a].\ntype: theory\nvideo:\n  title: V\n  url: '{url}'\n---\nF [@a].\n"
    result = checked(site({"content/a.md": text}))
    assert "F001" not in codes(result)
    assert where(result, "L001") == ([] if ok else [("content/a.md", 7, 3)])


def test_video_hosts_are_configurable(site, checked) -> None:
    text = "---\ntitle: A\nsummary: S [@a].\ntype: theory\nvideo: {title: V, url: 'https://media.example.org/v'}\n---\n"
    text += "F [@a].\n"
    root = site({"content/a.md": text,
                 "pyproject.toml": '[tool.wikigen]\nvideo_hosts = ["media.example.org"]\n'})
    assert codes(checked(root)) == []


@pytest.mark.parametrize(
    ("src", "code"),
    [
        ("http://example.org/x.png", "L001"),
        ("data:image/png;base64,iVBORw0KGgo=", "L001"),
        ("javascript:alert(1)", "L001"),
        ("JAVA\tSCRIPT:alert(1)", "L001"),
        ("vbscript:x", "L001"),
        ("file:///etc/passwd", "L001"),
        ("https://example.org/x.png", None),
        ("img/x.png", None),
        ("/img/x.png", None),
    ],
)
def test_figure_sources(site, checked, src: str, code: str | None) -> None:
    text = f"---\ntitle: A\nsummary: S [@a].\ntype: theory\nfigure:\n  src: '{src}'\n  alt: x\n---\nF [@a].\n"
    root = site({"content/a.md": text, "content/img/x.png": b"\x89PNG\r\n"})
    result = checked(root)
    assert [(d.code, d.line) for d in result.diagnostics] == ([(code, 6)] if code else [])


def test_url_scheme_sees_what_browsers_see() -> None:
    for url in ["javascript:x", " javascript:x", "java\tscript:x", "java\nscript:x", "JAVASCRIPT:x", "\x00javascript:"]:
        assert url_scheme(url) == "javascript", url
    for url in ["/a:b", "a/b:c", "#x:y", "1http:x", ""]:
        assert url_scheme(url) is None, url


# ---------------------------------------------------------------- rendered output

S = "<script>alert('PWN')</script>"
Q = "\"'><img src=x onerror=alert('PWN')>"
FIELDS = {
    "title": f"T {S} {Q}",
    "summary": f"S {S} {Q} [@h1]",
    "type": "theory",
    "subtype": Q,
    "discipline": f"D {S}",
    "evidence": {"level": "emerging", "note": f"N {S} {Q} [@h1]"},
    "populations": [S, Q, "../../etc"],
    "problems": [f"P {Q}"],
    "key_figures": [S],
    "video": {"title": f"V {S} {Q}", "url": "https://www.youtube.com/watch?v=x&quot;><script>alert('PWN')</script>"},
    "figure": {"src": "img/x.png", "alt": f"A {S} {Q}", "caption": f"C {S} {Q} [@h1]"},
    "see_also": ["b"],
    "provenance": {"model": f"M {S}", "version": f"1 {Q}", "generated": "2026-06-04"},
}
HOSTILE_FRONT = "---\n" + yaml.safe_dump(FIELDS, allow_unicode=True, sort_keys=False) + f"""---
Body {S} and {Q} text [@h1].

## Heading {S} {Q}

A [link](https://example.org/x "title {Q}") and ![alt {Q}](img/x.png "t {Q}") here [@h2].

| {S} | {Q} |
|---|---|
| {S} | {Q} [@h1] |

::: example {S} [@llm]
Example {S} text.
:::

Term {S}
: Definition {Q} [@h1].
"""
HOSTILE_BIB = r"""@article{h1,
  title = {Title <script>alert('PWN')</script> "'><img src=x onerror=alert('PWN')>},
  author = {<script>alert('PWN')</script>, Eve and Mallory, "'><b onmouseover=alert('PWN')>},
  journal = {J <script>alert('PWN')</script>},
  year = {2001},
  url = {https://example.org/"><script>alert('PWN')</script>},
  note = {Note <script>alert('PWN')</script> "'><img src=x onerror=alert('PWN')>},
  tier = {T1},
}
@book{h2,
  title = {\textit{Italic} <i>raw</i> <svg onload=alert('PWN')>},
  publisher = {P "'><iframe src=javascript:alert('PWN')>},
  year = {2002},
  doi = {10.1000/"><script>alert('PWN')</script>},
}
"""
UNSAFE = re.compile(r"^(javascript|vbscript|data):")


def _url_attributes(element) -> list[str]:
    values = []
    for name in ("href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset", "background"):
        value = element.get(name)
        if value is not None:
            values.append("".join(ch for ch in value if ch > " ").lower())
    return values


def _audit(public: Path) -> list[str]:
    """Everything a payload could have created in the written pages."""
    found = []
    for page in sorted(public.rglob("*.html")):
        rel = page.relative_to(public).as_posix()
        doc = lxml.html.fromstring(page.read_bytes())
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            tag = element.tag.lower()
            if tag == "script" and (not element.get("src") or not element.get("src").startswith("/")):
                found.append(f"{rel}: inline or foreign script {lxml.html.tostring(element)[:80]!r}")
            if tag in ("object", "embed", "base", "svg", "math", "style", "link") and "PWN" in (
                lxml.html.tostring(element, encoding="unicode")
            ):
                found.append(f"{rel}: injected <{tag}>")
            if tag == "img" and element.get("src") == "x":
                found.append(f"{rel}: injected <img src=x>")
            if tag == "iframe" and not (element.get("src") or "").startswith("https://www.youtube"):
                found.append(f"{rel}: iframe {element.get('src')!r}")
            for name in element.attrib:
                if name.lower().startswith("on"):
                    found.append(f"{rel}: event handler {name}= on <{tag}>")
            found.extend(f"{rel}: unsafe URL {value[:60]!r} on <{tag}>" for value in _url_attributes(element)
                         if UNSAFE.match(value))
    return found


@pytest.fixture
def hostile_build(site, tmp_path: Path):
    root = site({
        "content/a.md": HOSTILE_FRONT,
        "content/b.md": "---\ntitle: B\nsummary: S [@h1].\ntype: concept\n---\nPlain [@h1].\n",
        "content/img/x.png": b"\x89PNG\r\n\x1a\n",
        "bibliography.bib": HOSTILE_BIB,
    })
    result = build(root, search=SearchMode.OFF)
    return root, result


def test_hostile_site_checks_clean(hostile_build) -> None:
    _, result = hostile_build
    assert [d for d in result.site.diagnostics if d.severity == "error"] == []


def test_no_markup_from_any_field_reaches_the_html(hostile_build) -> None:
    root, result = hostile_build
    assert result.published, result.problems
    public = root / "public"
    assert sorted(public.rglob("*.html"))
    assert _audit(public) == []
    for page in public.rglob("*"):
        if page.is_file() and page.suffix in (".html", ".xml", ".svg", ".json"):  # what a browser may parse
            text = page.read_text(encoding="utf-8", errors="replace")
            for raw in ("<script>alert", "<img src=x", "<svg onload", "<iframe src=javascript", "<b onmouseover"):
                assert raw not in text, (page, raw)


def test_no_output_path_escapes(hostile_build) -> None:
    root, _ = hostile_build
    outside = {p for p in root.parent.rglob("*") if not p.is_relative_to(root)}
    assert all("PWN" not in p.name and p.name != "etc" for p in outside)
    for path in (root / "public").rglob("*"):
        assert path.resolve().is_relative_to((root / "public").resolve())


def test_the_audit_sees_payloads(tmp_path: Path) -> None:
    """The auditor itself: each planted payload is found."""
    (tmp_path / "p.html").write_text(
        "<html><body><script>alert(1)</script><a href=' JaVa\tscript:x'>a</a><img src=x onerror=alert(1)>"
        "<iframe src='https://evil.example/'></iframe><svg><a xlink:href='data:x'>PWN</a></svg></body></html>",
        encoding="utf-8",
    )
    found = _audit(tmp_path)
    assert len(found) == 7, found


def test_files_linked_from_outside_are_not_published(site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG SECRET-BYTES")
    root = site({"content/a.md": FRONT + "Look ![x](leak.png) here [@a].\n"})
    (root / "content" / "leak.png").symlink_to(secret)
    build(root, search=SearchMode.OFF)
    assert [p for p in (root / "public").rglob("*") if p.is_file() and b"SECRET-BYTES" in p.read_bytes()] == []
