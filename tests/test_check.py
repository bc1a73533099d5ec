"""Check stage: invalid sites assert their exact diagnostics; the sample site checks clean.

Each fixtures/invalid/*.site file holds the files of a small site (`== path` headers; files not
named there come from DEFAULTS) and, under `== expected`, the exact report. Regenerate the
expected blocks after a deliberate message change with `WIKIGEN_UPDATE=1 pytest tests/test_check.py`,
then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikigen.build import gather
from wikigen.cli import main
from wikigen.report import text_line

REPO = Path(__file__).resolve().parents[1]

INVALID = Path(__file__).parent / "fixtures" / "invalid"
DEFAULTS = {
    "pyproject.toml": '[tool.wikigen]\ntitle = "Fixture"\n',
    "content/a.md": "---\ntitle: A\nsummary: S [@a].\ntype: theory\n---\nA claim [@a].\n",
    "bibliography.bib": "@article{a, title = {A}, year = 2001}\n",
}


def _split(text: str) -> tuple[dict[str, str], list[str]]:
    files: dict[str, str] = {}
    for block in text.split("== ")[1:]:
        name, _, body = block.partition("\n")
        files[name.strip()] = body
    expected = files.pop("expected", "")
    return files, [line for line in expected.splitlines() if line]


def make_site(root: Path, files: dict[str, str]) -> Path:
    for name, body in {**DEFAULTS, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(INVALID.glob("*.site")), ids=lambda p: p.stem)
def test_invalid_site(case: Path, tmp_path: Path) -> None:
    files, expected = _split(case.read_text(encoding="utf-8"))
    site = gather(make_site(tmp_path, files))
    actual = [text_line(d) for d in site.diagnostics]
    if os.environ.get("WIKIGEN_UPDATE"):
        head = case.read_text(encoding="utf-8").split("== expected")[0]
        case.write_text(head + "== expected\n" + "".join(line + "\n" for line in actual), encoding="utf-8")
        return
    assert actual == expected
    code = case.stem.split("-")[0]
    assert any(d.code == code for d in site.diagnostics), f"{case.stem} must produce {code}"


def test_sample_site_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(REPO), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"articles": len(report["articles"]), "errors": 0, "warnings": 0, "drafts": 0}
    assert len(report["articles"]) >= 4
    for article in report["articles"]:
        assert article["sourced"] + article["llm"] + article["unmarked"] + article["todo"] == article["sentences"] > 0
        assert article["unmarked"] == 0


def test_json_shape_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(tmp_path, {"content/a.md": DEFAULTS["content/a.md"] + "Unmarked [@zz]. Bare.\n"})
    assert main(["check", "--root", str(root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == 1
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in report["diagnostics"]] == [
        ("P002", 7, 12, "error"),
        ("P001", 7, 17, "error"),
    ]
    assert report["articles"] == [
        {"path": "content/a.md", "sentences": 4, "sourced": 3, "llm": 0, "unmarked": 1, "todo": 0, "exempt_blocks": 0,
         "draft": False}
    ]


def test_github_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(tmp_path, {"content/a.md": DEFAULTS["content/a.md"] + "Bare.\n"})
    assert main(["check", "--root", str(root), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::error file=content/a.md,line=7,col=1,title=P001::sentence has no marker")


def test_paths_restrict_reporting_but_not_resolution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(
        tmp_path,
        {
            "content/b.md": "---\ntitle: B\nsummary: S [@a].\ntype: theory\nsee_also: [a]\n---\nFine [@a].\n",
            "content/c.md": "---\ntitle: C\nsummary: S [@a].\ntype: theory\n---\nBroken.\n",
        },
    )
    assert main(["check", "--root", str(root), str(root / "content/b.md")]) == 0
    assert main(["check", "--root", str(root)]) == 1
    assert "content/c.md:6:1: P001" in capsys.readouterr().out


def test_strict_makes_warnings_fatal(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"bibliography.bib": DEFAULTS["bibliography.bib"] + "@book{b, title={B}}\n"})
    assert main(["check", "--root", str(root)]) == 0
    assert main(["check", "--root", str(root), "--strict"]) == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert main(["check", "--root", str(tmp_path / "missing")]) == 2
    root = make_site(tmp_path, {})
    assert main(["check", "--root", str(root), str(tmp_path.parent)]) == 2


words = st.sampled_from(["Claim", "e.g.", "J.", "[@a]", "[@llm]", "[@zz]", "[@", "]", ".", "\n", "- ", "| x |", ":::",
                        "[@todo]", "::: exempt", "::: Example", "[l](a.md#nowhere)", "[l](#x)"])


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(st.lists(words, max_size=60).map(" ".join))
def test_random_bodies_give_positioned_diagnostics(tmp_path: Path, body: str) -> None:
    root = make_site(tmp_path, {"content/a.md": DEFAULTS["content/a.md"] + body + "\n"})
    site = gather(root)
    for diagnostic in site.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.path and diagnostic.message
    counts = site.articles[0].counts
    assert counts.sourced + counts.llm + counts.unmarked + counts.todo == counts.sentences
    assert counts.unmarked == sum(d.code in ("P001", "P005") for d in site.diagnostics)
    codes = {d.code for d in site.diagnostics}
    assert counts.todo == 0 or "P009" in codes  # the article is no draft: a placeholder never passes
    assert "a.md#nowhere" not in body or "R001" in codes


# ---------------------------------------------------------------- the clinical review's digest

_WORDS = st.sampled_from(["dose", "risk", "goals", "mastery", "patients", "improved", "the", "of", "12", "mg"])
_KEYS = ["a", "b", "c", "d"]


def _article(sentences: list[tuple[list[str], list[str]]], gap: str = " ", join: str = "; ") -> str:
    body = gap.join(f"{' '.join(words).capitalize()} [{join.join('@' + k for k in keys)}]."
                    for words, keys in sentences)
    return DEFAULTS["content/a.md"].split("A claim")[0] + body + "\n"


def _digest(text: str) -> str:
    from wikigen.check.figures import figures
    from wikigen.model import SourceFile
    from wikigen.parse import parse_document

    return figures(parse_document(SourceFile("content/a.md", text, ""))).digest


_SENTENCES = st.lists(st.tuples(st.lists(_WORDS, min_size=1, max_size=8),
                                st.lists(st.sampled_from(_KEYS), min_size=1, max_size=3, unique=True)),
                      min_size=1, max_size=6)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(_SENTENCES, st.sampled_from([" ", "  ", "\n", " \n  "]), st.randoms(use_true_random=False))
def test_review_digest_ignores_whitespace_and_key_order(sentences, gap: str, rng) -> None:
    shuffled = [(words, rng.sample(keys, len(keys))) for words, keys in sentences]
    assert _digest(_article(sentences)) == _digest(_article(shuffled, gap=gap, join=";  "))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(_SENTENCES, st.data())
def test_review_digest_changes_under_an_edit_to_a_sentence(sentences, data) -> None:
    index = data.draw(st.integers(0, len(sentences) - 1))
    words, keys = sentences[index]
    edit = data.draw(st.sampled_from(["word", "source", "llm"]))
    if edit == "word":
        changed = ([*words, "not"], keys)
    elif edit == "source":
        changed = (words, sorted({*keys, "e"}))
    else:
        changed = (words, ["llm"])
    assert _digest(_article(sentences)) != _digest(_article([*sentences[:index], changed, *sentences[index + 1 :]]))


def test_summary_line_counts_in_the_singular_and_plural(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(tmp_path, {"content/a.md": DEFAULTS["content/a.md"] + "Bare.\n"})
    assert main(["check", "--root", str(root)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 article checked: 1 error, 0 warnings"
    (root / "content/b.md").write_text(DEFAULTS["content/a.md"] + "Bare. Also bare.\n", encoding="utf-8")
    assert main(["check", "--root", str(root)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "2 articles checked: 3 errors, 0 warnings"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"wikigen {version('wikigen')}\n"


def test_check_lists_the_drafts_in_its_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = "---\ntitle: D\ndraft: true\nsummary: \"TODO: a summary [@todo].\"\ntype: theory\n---\nTODO [@todo].\n"
    root = make_site(tmp_path, {"content/d.md": draft})
    assert main(["check", "--root", str(root), "--strict"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "1 draft (not published): content/d.md", "2 articles checked: 0 errors, 0 warnings"]
    assert main(["check", "--root", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["drafts"] == 1
    assert [(a["path"], a["draft"], a["todo"]) for a in report["articles"]] == [
        ("content/a.md", False, 0), ("content/d.md", True, 2)]


def test_check_paths_resolves_links_into_articles_it_does_not_report_on(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    b = "---\ntitle: B\nsummary: S [@a].\ntype: concept\n---\nBare.\n\n## Dosing\n\nClaim [@a].\n"
    a = DEFAULTS["content/a.md"] + "[x](b.md#dosing) [@a].\n"
    root = make_site(tmp_path, {"content/b.md": b, "content/a.md": a})
    assert main(["check", "--root", str(root), str(root / "content/a.md")]) == 0  # b's own P001 is not reported
    (root / "content/a.md").write_text(DEFAULTS["content/a.md"] + "[x](b.md#dose) [@a].\n", encoding="utf-8")
    assert main(["check", "--root", str(root), str(root / "content/a.md")]) == 1
    assert capsys.readouterr().out.splitlines()[-2] == (
        "content/a.md:7:5: R001 broken internal link `b.md#dose`: no heading or sentence `#dose` in `b` "
        "(did you mean `dosing`?)")


def test_aliases_and_trailing_punctuation_fold_spellings_into_one_term(tmp_path: Path) -> None:
    config = '[tool.wikigen]\ntitle = "Site"\n\n[tool.wikigen.aliases]\n"Uni students" = "University students"\n'
    article = "---\ntitle: B\nsummary: S [@a].\ntype: theory\npopulations: [{}]\nproblems: [{}]\n---\nA claim [@a].\n"
    site = gather(make_site(tmp_path, {
        "pyproject.toml": config,
        "content/a.md": article.format("Uni students, Adults.", "Perfectionism ,  Fear  of failure"),
    }))
    meta = site.articles[0].meta
    assert meta.populations == ("University students", "Adults")
    assert meta.problems == ("Perfectionism", "Fear of failure")
    assert [d.code for d in site.diagnostics] == []  # one spelling each: nothing to warn about
