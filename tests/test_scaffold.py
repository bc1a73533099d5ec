"""`wikigen new`: the written article checks clean, nothing is overwritten, types and slugs are validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wikigen.build import SearchMode, gather
from wikigen.cli import main
from wikigen.config import load_config
from wikigen.scaffold import SECTIONS, ScaffoldError, new_article, slugify

SITE = Path(__file__).parent / "sites" / "scaffold"


@pytest.fixture
def site(copy_site) -> Path:
    return copy_site(SITE)


def _config(root: Path):
    loaded = load_config(root)
    assert not loaded.problems
    return loaded.config


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fixture_site_is_clean(site: Path) -> None:
    assert gather(site).diagnostics == ()  # a copy: the check writes its cache into the site


def test_new_article_passes_check(site: Path) -> None:
    path = new_article(_config(site), "Achievement Goal Theory: Mastery vs. Performance", "theory",
                       discipline="Educational psychology", subtype="Motivation theory", today=dt.date(2026, 6, 4))
    assert path == site / "content" / "achievement-goal-theory-mastery-vs-performance.md"
    checked = gather(site)
    assert checked.diagnostics == ()  # no errors and no warnings
    article = next(a for a in checked.articles if a.document.path == "content/" + path.name)
    meta = article.meta
    assert meta is not None
    assert meta.title == "Achievement Goal Theory: Mastery vs. Performance"
    assert (meta.type, meta.subtype, meta.discipline) == ("theory", "Motivation theory", "Educational psychology")
    assert meta.evidence is not None and meta.evidence.level == "preliminary"
    assert meta.see_also == () and meta.populations == () and meta.problems == () and meta.key_figures == ()
    assert (meta.provenance.model, meta.provenance.version, meta.provenance.generated) == (
        "unspecified", "0.1", "2026-06-04")
    assert article.counts.unmarked == 0 and article.counts.todo == article.counts.sentences > len(SECTIONS)
    assert meta.draft
    text = path.read_text(encoding="utf-8")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [heading for heading, _ in SECTIONS]
    assert "| Goal | SMART objective (example) | Mechanism |" in text
    assert "\n: TODO" in text  # a definition list under Key Terms
    assert not any(line != line.rstrip() for line in text.splitlines())


def test_title_with_yaml_and_markdown_characters(site: Path) -> None:
    title = '"Quoted" & *starred*: [@fake] #1 — Ökologie'
    path = new_article(_config(site), title, "concept")
    assert path.name == "quoted-starred-fake-1-okologie.md"
    checked = gather(site)
    assert checked.diagnostics == ()
    assert next(a for a in checked.articles if a.slug == path.stem).meta.title == title


def test_never_overwrites(site: Path) -> None:
    config = _config(site)
    path = new_article(config, "Goal Theory", "theory")
    path.write_text(path.read_text(encoding="utf-8") + "\nMy own words [@llm].\n", encoding="utf-8")
    before = _snapshot(site)
    with pytest.raises(ScaffoldError, match="already exists"):
        new_article(config, "Goal Theory", "theory")
    with pytest.raises(ScaffoldError, match="already exists"):
        new_article(config, "goal   THEORY!", "concept")  # same slug from another spelling
    assert _snapshot(site) == before


def test_refuses_a_slug_taken_in_a_subfolder(site: Path) -> None:
    (site / "content" / "deep").mkdir()
    (site / "content" / "deep" / "Goal-Theory.md").write_text("x", encoding="utf-8")
    before = _snapshot(site)
    with pytest.raises(ScaffoldError, match="goal-theory"):
        new_article(_config(site), "Goal Theory", "theory")
    assert _snapshot(site) == before


def test_rejects_bad_type_and_evidence(site: Path) -> None:
    before = _snapshot(site)
    with pytest.raises(ScaffoldError, match="type `bogus` is not one of: theory"):
        new_article(_config(site), "Something", "bogus")
    with pytest.raises(ScaffoldError, match="evidence level `strong`"):
        new_article(_config(site), "Something", "theory", evidence="strong")
    assert _snapshot(site) == before


def test_configured_types(site: Path) -> None:
    pyproject = site / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'types = ["model", "tool"]\n', encoding="utf-8")
    with pytest.raises(ScaffoldError, match="one of: model, tool"):
        new_article(_config(site), "Something", "theory")
    path = new_article(_config(site), "Something", "tool")
    assert [d for d in gather(site).diagnostics if d.path.endswith(path.name)] == []


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Achievement Goal Theory", "achievement-goal-theory"),
        ("  Mastery vs. Performance Goals  ", "mastery-vs-performance-goals"),
        ("Café Ökologie: A Primer", "cafe-okologie-a-primer"),
        ("2x2 Framework (Elliot & McGregor, 2001)", "2x2-framework-elliot-mcgregor-2001"),
        ("../../etc/passwd", "etc-passwd"),
        ("a" * 100, "a" * 80),
        ("word " * 30, ("word-" * 16).rstrip("-")),
        ("", ""),
        ("!!! ???", ""),
        ("日本語", ""),
    ],
)
def test_slug_rules(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["", "   ", "!!!", "日本語", "two\nlines"])
def test_rejects_titles_without_a_slug(site: Path, title: str) -> None:
    before = _snapshot(site)
    with pytest.raises(ScaffoldError):
        new_article(_config(site), title, "theory")
    assert _snapshot(site) == before


def test_writes_only_into_content(site: Path) -> None:
    path = new_article(_config(site), "../../../outside", "theory")
    assert path.parent == site / "content" and path.name == "outside.md"
    assert not (site.parent / "outside.md").exists()


def test_refuses_content_folder_outside_the_root(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pyproject = site / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'content = "../elsewhere"\n', encoding="utf-8")
    with pytest.raises(ScaffoldError, match="outside the site root"):
        new_article(_config(site), "Something", "theory")
    assert list(elsewhere.iterdir()) == []


def test_cli_new(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Goal Theory", "--type", "theory", "--root", str(site), "--discipline", "Psychology"]) == 0
    out = capsys.readouterr().out
    assert "goal-theory.md" in out
    assert main(["check", "--root", str(site)]) == 0
    capsys.readouterr()

    assert main(["new", "Goal Theory", "--type", "theory", "--root", str(site)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wikigen: an article with the slug `goal-theory` already exists")
    assert "Traceback" not in err

    assert main(["new", "Other", "--type", "bogus", "--root", str(site)]) == 2
    assert "type `bogus` is not one of" in capsys.readouterr().err
    assert not (site / "content" / "other.md").exists()

    with pytest.raises(SystemExit) as exit_info:
        main(["new", "Other", "--root", str(site)])  # --type is required
    assert exit_info.value.code == 2


def test_a_new_article_is_a_draft_until_its_placeholders_are_gone(site: Path) -> None:
    path = new_article(_config(site), "Self-Determination Theory", "theory", today=dt.date(2026, 6, 4))
    from wikigen.build import build

    assert build(site, search=SearchMode.OFF).published
    assert not (site / "public" / "articles" / path.stem).exists()  # a draft is not published
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    result = gather(site)
    assert {d.code for d in result.diagnostics} == {"P009"}  # every placeholder, the summary's included
    placeholders = path.read_text(encoding="utf-8").count("[@todo]")
    assert len(result.diagnostics) == placeholders > len(SECTIONS)
    assert not build(site, search=SearchMode.OFF, strict=True).published
