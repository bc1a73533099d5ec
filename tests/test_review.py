"""`wikigen review`: the reviewed block is the only change to the file, and the check reads it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_check import make_site
from wikigen.build import gather
from wikigen.cli import main
from wikigen.model import ReviewState
from wikigen.review import ReviewError, insert_review, review

# Odd but valid formatting that a rewrite through a YAML dumper would lose: comments, a flow mapping, a
# quoted key, a folded scalar, trailing spaces, a date in quotes.
ODD_FRONT = (
    "---   \n"
    "# Reviewed by the paediatrics group\n"
    'title:   "Odd  Spacing"   # keep me\n'
    "summary: >\n"
    "  Folded\n"
    "  summary [@a].\n"
    "'type': therapy\n"
    "provenance: {model: m,   generated: '2026-01-02'}\n"
    "---\n"
)
BODY = "A claim [@a; @b].\n\nAnother claim [@llm].\n"
BIB = "@article{a, title = {A}, year = 2001}\n@article{b, title = {B}, year = 2002}\n"
BLOCK = 'reviewed:\n  by: "Dr Jane Doe, MD"\n  date: 2026-03-05\n  digest: "{digest}"\n'


def _site(tmp_path: Path, article: bytes) -> tuple[Path, Path]:
    root = make_site(tmp_path, {"bibliography.bib": BIB})
    (root / "content/a.md").unlink()
    path = root / "content/odd.md"
    path.write_bytes(article)
    return root, path


def _state(root: Path) -> ReviewState:
    (article,) = gather(root).articles
    return article.review


def test_insert_leaves_every_other_byte_alone(tmp_path: Path) -> None:
    original = (ODD_FRONT + BODY).encode()
    root, path = _site(tmp_path, original)
    assert _state(root) is ReviewState.UNREVIEWED
    recorded = review(root, path, "Dr  Jane Doe, MD", "2026-03-05")
    block = BLOCK.replace("{digest}", recorded.digest).encode()
    head, tail = original.split(b"---\nA claim")
    assert path.read_bytes() == head + block + b"---\nA claim" + tail
    assert not recorded.replaced
    assert _state(root) is ReviewState.REVIEWED


def test_replace_keeps_crlf_bom_and_what_follows_the_block(tmp_path: Path) -> None:
    old = "reviewed: {by: Someone,\n  date: 2025-01-01, digest: x}\n\n# a comment after the block\n"
    text = ODD_FRONT[:-4] + old + "---\n" + BODY
    original = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    root, path = _site(tmp_path, original)
    assert _state(root) is ReviewState.CHANGED
    recorded = review(root, path, "Dr Jane Doe, MD", "2026-03-05")
    assert recorded.replaced
    block = BLOCK.replace("{digest}", recorded.digest).replace("\n", "\r\n").encode()
    old_bytes = old.split("\n\n")[0].replace("\n", "\r\n").encode() + b"\r\n"
    assert path.read_bytes() == original.replace(old_bytes, block)
    assert _state(root) is ReviewState.REVIEWED


def test_an_edit_to_a_sentence_outdates_the_review_and_whitespace_does_not(tmp_path: Path) -> None:
    root, path = _site(tmp_path, (ODD_FRONT + BODY).encode())
    review(root, path, "Dr Jane Doe, MD", "2026-03-05")
    reviewed = path.read_text(encoding="utf-8")
    path.write_text(reviewed.replace("A claim [@a; @b].", "A   claim\n[@b;   @a]."), encoding="utf-8")
    assert _state(root) is ReviewState.REVIEWED
    path.write_text(reviewed.replace("A claim", "A stronger claim"), encoding="utf-8")
    assert _state(root) is ReviewState.CHANGED
    (root / "pyproject.toml").write_text('[tool.wikigen]\n[tool.wikigen.by_type.therapy]\nrequire_review = true\n')
    (q002,) = [d for d in gather(root).diagnostics if d.code == "Q002"]
    assert (q002.line, q002.column) == (9, 1)
    assert q002.message.startswith("edited since its clinical review on 2026-03-05 by Dr Jane Doe, MD")


def test_refused_with_check_errors_and_without_front_matter(tmp_path: Path) -> None:
    root, path = _site(tmp_path, (ODD_FRONT + BODY + "Unmarked claim.\n").encode())
    before = path.read_bytes()
    with pytest.raises(ReviewError, match="P001"):
        review(root, path, "Dr Jane Doe, MD", "2026-03-05")
    assert path.read_bytes() == before
    with pytest.raises(ReviewError, match="no front matter"):
        insert_review("A claim [@a].\n", "X", "2026-03-05", "d")


def test_cli_review_then_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, path = _site(tmp_path, (ODD_FRONT + BODY).encode())
    assert main(["review", str(path), "--by", "Dr Jane Doe, MD", "--date", "2026-03-05", "--root", str(root)]) == 0
    assert "recorded the review in content/odd.md" in capsys.readouterr().out
    assert main(["report", "--root", str(root)]) == 0
    assert "Clinically reviewed by Dr Jane Doe, MD on 2026-03-05" in capsys.readouterr().out
    assert main(["review", str(path), "--by", " ", "--root", str(root)]) == 2
