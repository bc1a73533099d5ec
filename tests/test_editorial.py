"""The editorial report: per-article figures worst first, in text, JSON and CSV, from the cached check."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import wikigen.pool
from test_check import make_site
from wikigen.cli import main

BIB = ("@article{a, title = {A}, year = 2001, tier = {T1}}\n@misc{w, title = {W}, year = 2020, tier = {T3}}\n"
       "@misc{n, title = {N}, year = 2019}\n")
WEAK = ("---\ntitle: Weak\nsummary: S [@llm].\ntype: therapy\nprovenance: {model: m, generated: 2026-02-03}\n---\n"
        "Lead claim [@llm].\n\n## Evidence Base\n\nOne [@a]. Two [@llm]. Three [@w].\n\n"
        "::: exempt\n- [A link](https://example.org)\n:::\n")
DRAFT = ("---\ntitle: Draft\nsummary: S [@a].\ntype: theory\ndraft: true\n---\nOne [@a]. To write [@todo]. "
         "Also to write [@todo].\n")
STRONG = ("---\ntitle: Strong\nsummary: S [@a].\ntype: theory\n---\nOne [@a]. Two [@n].\n\n## Practice\n\n"
          "Three [@a; @w].\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path, {"bibliography.bib": BIB, "content/weak.md": WEAK, "content/strong.md": STRONG,
                                 "content/draft.md": DRAFT})
    (root / "content/a.md").unlink()
    return root


def test_text_report_worst_first_with_llm_sentences(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--root", str(site)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("3 articles, 13 sentences: 8 sourced (61.5%), 3 LLM (23.1%), 0 unmarked, 2 [@todo]; 1 draft; "
                        "0 clinically reviewed, 0 edited since review, 3 not reviewed")
    assert lines[3] == "content/weak.md  therapy  40% sourced, 60% LLM, 0 unmarked, of 5 sentences"  # the summary too
    assert lines[4] == ("    sources: 1 T1, 0 T2, 1 T3, 0 untiered · evidence: 0 quoted, 0 supported, 0 unsupported, "
                        "2 not checkable · 1 exempt block · generated 2026-02-03 · "
                        "Not yet clinically reviewed")
    assert lines[5] == "    sections: (before the first heading) 0% of 2 · Evidence Base 66.7% of 3"
    assert lines[6] == "content/draft.md  theory  50% sourced, 0% LLM, 0 unmarked, of 4 sentences"
    assert lines[7].startswith("    sources: 1 T1, 0 T2, 0 T3, 0 untiered · evidence: 0 quoted, 0 supported, "
                               "0 unsupported, 2 not checkable · 0 exempt blocks · draft · 2 [@todo] · ")
    assert lines[9].startswith("content/strong.md  theory  100% sourced")
    assert lines[-4:] == ["Sentences still tagged [@llm] (3):", "content/weak.md:3:10: S [@llm].",
                          "content/weak.md:7:1: Lead claim [@llm].",
                          "content/weak.md:11:11: Two [@llm]. Three [@w]."]


def test_json_report(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--root", str(site), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["by_type"]["therapy"] == {
        "articles": 1, "sentences": 5, "sourced": 2, "llm": 3, "unmarked": 0, "todo": 0, "drafts": 0,
        "sourced_share": 0.4, "llm_share": 0.6}
    assert report["summary"]["reviews"] == {"reviewed": 0, "unreviewed": 3, "changed": 0}
    weak, draft, strong = report["articles"]
    assert (draft["draft"], draft["todo"], weak["draft"], weak["todo"]) == (True, 2, False, 0)
    assert (weak["path"], strong["path"]) == ("content/weak.md", "content/strong.md")
    assert weak["sources"] == {"T1": 1, "T2": 0, "T3": 1, "untiered": 0}
    assert strong["sources"] == {"T1": 1, "T2": 0, "T3": 1, "untiered": 1}
    assert [(s["heading"], s["line"], s["sourced"], s["sentences"]) for s in weak["sections"]] == [
        ("", 1, 0, 2), ("Evidence Base", 9, 2, 3)]
    assert weak["llm_sentences"] == [{"line": 3, "column": 10, "text": "S [@llm]."},
                                     {"line": 7, "column": 1, "text": "Lead claim [@llm]."},
                                     {"line": 11, "column": 11, "text": "Two [@llm]. Three [@w]."}]
    assert weak["review"] == {"status": "unreviewed", "by": None, "date": None, "text": "Not yet clinically reviewed"}
    assert (weak["exempt_blocks"], weak["generated"], strong["generated"]) == (1, "2026-02-03", None)
    assert weak["evidence"] == {"quotes": 0, "quoted": 0, "supported": 0, "unsupported": 0, "not_checkable": 2}


def test_csv_report(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--root", str(site), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["path"] for r in rows] == ["content/weak.md", "content/draft.md", "content/strong.md"]
    assert (rows[1]["draft"], rows[1]["todo"], rows[0]["draft"]) == ("true", "2", "false")
    weak = rows[0]
    assert (weak["sourced_share"], weak["t1"], weak["t3"], weak["untiered"], weak["llm_lines"]) == (
        "0.4000", "1", "1", "0", "3 7 11")
    assert weak["sections"] == "(before the first heading): 0/2 | Evidence Base: 2/3"
    assert weak["review"] == "unreviewed"


def test_report_reads_the_cached_check(site: Path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(site)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(wikigen.pool, "parse_document", lambda source, **_: pytest.fail(f"parsed {source.path}"))
    assert main(["report", "--root", str(site), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["articles"]) == 3


def test_report_of_named_articles(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--root", str(site), "--format", "csv", str(site / "content/strong.md")]) == 0
    assert [r["path"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == ["content/strong.md"]
