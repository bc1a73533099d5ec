"""Check stage: invalid sites assert their exact diagnostics; the sample site checks clean.

Each fixtures/invalid/*.site file holds the files of a small site (`== path` headers; files not
named there come from DEFAULTS) and, under `== expected`, the exact report. Regenerate the
expected blocks after a deliberate message change with `WIKIGEN_UPDATE=1 pytest tests/test_check.py`,
then read the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikigen.build import gather
from wikigen.check import support
from wikigen.check.evidence import quote_in
from wikigen.check.numbers import numbers_in, stated
from wikigen.cli import main
from wikigen.model import Citation, Pos, quotes_of, remark_of
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
    summary = report["summary"]
    assert (summary["articles"], summary["errors"], summary["warnings"], summary["drafts"]) == (
        len(report["articles"]), 0, 0, 0)
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
    (article,) = report["articles"]
    assert {k: v for k, v in article.items() if k != "support"} == {
        "path": "content/a.md", "sentences": 4, "sourced": 3, "llm": 0, "unmarked": 1, "todo": 0, "exempt_blocks": 0,
        "draft": False, "quotes": 0, "quoted": 0, "supported": 0, "unsupported": 0, "not_checkable": 3,
    }
    assert [s["status"] for s in article["support"]] == ["not-checkable"] * 3


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


# ---------------------------------------------------------------- evidence

_WORDS = st.text(st.characters(categories=("L", "N"), max_codepoint=0x2FF), min_size=1, max_size=8)
_GAPS = st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0", "\n\n"])


@given(st.lists(_WORDS, min_size=1, max_size=30), st.data())
def test_a_quote_matches_the_text_it_was_cut_from(words: list[str], data: st.DataObject) -> None:
    """Whatever the source's whitespace and line breaks, and wherever a word is hyphenated at a line end."""
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    quote = " ".join(words[start:end])
    pieces = []
    for word in words:
        at = data.draw(st.integers(0, len(word)))
        hyphenated = 0 < at < len(word) and word[at - 1].isalpha() and word[at].isalpha() and data.draw(st.booleans())
        pieces.append(f"{word[:at]}-\n{word[at:]}" if hyphenated else word)
    source = "".join(piece + data.draw(_GAPS) for piece in pieces)
    assert quote_in(quote, source)
    assert quote_in(quote.replace(" ", "\n"), source)


@pytest.mark.parametrize(
    ("quote", "source", "found"),
    [
        ("“so-called” effect", '"so‑called" effect', True),  # curly quotes, a non-breaking hyphen
        ("well-known", "well-\nknown", True),
        ("the ﬁrst trial", "the first trial", True),  # a ligature from a PDF
        ("ages 10–20", "ages 10 - 20", True),
        ("it don't", "it don’t", True),
        ("ability is construed … two ways", "ability is construed in two ways", True),
        ("two ways … ability", "ability is construed in two ways", False),  # an ellipsis keeps the order
        ("three ways", "two ways", False),
    ],
)
def test_quote_normalisation(quote: str, source: str, found: bool) -> None:
    assert quote_in(quote, source) is found


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("10 mg daily for 12% of 1,000 patients in 2001", ["10", "12", "1000", "2001"]),
        ("1\u00a0000 or 1000, and 5.0 or 5", ["1000", "1000", "5", "5"]),
        ("OCT3/4, MEK 1/2, HER 2, IL-6, H1N1, CD4 and SARS-CoV-2", []),
        ("a 2-fold rise at 37 °C in the 2nd trial, 10mg", ["2", "37", "10"]),
        ("from 10–20 mg (p < 0.05)", ["10", "20", "0.05"]),
        ("in the 1980s, 2 groups of 50s", ["1980s", "2", "50s"]),
    ],
)
def test_numbers_a_sentence_states(text: str, numbers: list[str]) -> None:
    assert numbers_in(text) == numbers


def test_a_decade_is_stated_by_its_years() -> None:
    assert stated("1980s", {"1984"}) and stated("1980s", {"1980s"}) and stated("12", {"12"})
    assert not stated("1980s", {"1990", "198"}) and not stated("12", {"1.2"})


@pytest.mark.parametrize(
    ("suffix", "quotes", "remark"),
    [
        ('"ability is construed in two ways"', ("ability is construed in two ways",), ""),
        ("“curly, with a comma”", ("curly, with a comma",), ""),
        ('"one" and "two"', ("one", "two"), "and"),
        ('for a review, "a quote"', ("a quote",), "for a review"),
        ("", (), ""),
    ],
)
def test_quotes_in_a_citations_suffix(suffix: str, quotes: tuple[str, ...], remark: str) -> None:
    """The parser gives the suffix after the locator as Pandoc does; the quotes are read from it."""
    citation = Citation("k", "p. 330", Pos(1, 1), suffix=suffix)
    assert (quotes_of(citation), remark_of(citation)) == (quotes, remark)


def test_support_statuses_and_scores_cached_by_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each status once; a second check scores nothing again, an edited sentence alone is scored again."""
    body = (
        'Ability is construed in two ways [@n, "ability is construed in two ways"].\n'
        "Medical students with mastery goals studied more deeply [@g].\n"
        "Daily aspirin halves the risk of stroke in the elderly [@g].\n"
        "An unchecked claim [@a].\n"
    )
    root = make_site(tmp_path, {
        "content/a.md": DEFAULTS["content/a.md"] + body,
        "bibliography.bib": DEFAULTS["bibliography.bib"] + "@article{n, title={N}, abstract={Here ability is "
        "construed in two ways.}}\n@article{g, title={G}}\n",
        "evidence/g.md": "Medical students who held mastery goals used deeper study strategies than others.\n",
    })
    calls = []
    real = support.score

    def counting(sentence, evidence, model=None):
        calls.append(sentence)
        return real(sentence, evidence, model)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(support, "score", counting)
        site = gather(root)
        statuses = [(s.pos.line, str(s.status)) for s in site.articles[0].support]
        assert statuses == [
            (3, "not-checkable"), (6, "not-checkable"), (7, "quoted"), (8, "supported"), (9, "unsupported"),
            (10, "not-checkable"),
        ]
        assert [d.code for d in site.diagnostics] == ["S003"]
        counts = site.articles[0].counts
        assert (counts.quotes, counts.quoted, counts.supported, counts.unsupported, counts.not_checkable) == (
            1, 1, 1, 1, 3
        )
        first = len(calls)
        assert first > 0
        (root / "content/a.md").write_text(DEFAULTS["content/a.md"] + body.replace("halves", "cuts"))
        gather(root)
        assert set(calls[first:]) == {"Daily aspirin cuts the risk of stroke in the elderly."}


# ---------------------------------------------------------------- entailment backend

_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "mastery", "goals", "predict", "deep", "study", "aspirin", "stroke"]
_LABELS = {0: "contradiction", 1: "entailment", 2: "neutral"}


def _tiny_model(folder: Path, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """An NLI model in the layout `support_model` reads, built here with random weights: a mean of token
    embeddings (padding masked) and a linear layer to three logits. Returns its embedding and output weights."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    rng = np.random.default_rng(seed)
    embedding = rng.normal(size=(len(_VOCAB), 8)).astype(np.float32)
    output = rng.normal(size=(8, 3)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "last"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "tokens"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "tokens"], ["count"], keepdims=0),
        helper.make_node("Div", ["summed", "count"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "output"], ["logits"]),
    ]
    initializers = [numpy_helper.from_array(embedding, "embedding"), numpy_helper.from_array(output, "output"),
                    numpy_helper.from_array(np.array([2], np.int64), "last"),
                    numpy_helper.from_array(np.array([1], np.int64), "tokens")]
    graph = helper.make_graph(
        nodes, "tiny-nli",
        [helper.make_tensor_value_info(n, TensorProto.INT64, [1, None]) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 3])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    folder.mkdir(parents=True)
    (folder / "onnx").mkdir()
    onnx.save(model, str(folder / "onnx" / "model.onnx"))
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(_VOCAB)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "config.json").write_text(json.dumps({"id2label": {str(k): v for k, v in _LABELS.items()}}))
    return embedding, output


def test_an_entailment_model_is_loaded_and_run_as_built(tmp_path: Path) -> None:
    embedding, output = _tiny_model(tmp_path / "nli")
    model = support.load_model(tmp_path / "nli")
    premise, hypothesis = "mastery goals predict deep study", "aspirin stroke"
    ids = [2] + [_VOCAB.index(w) for w in premise.split()] + [3] + [_VOCAB.index(w) for w in hypothesis.split()] + [3]
    logits = embedding[ids].mean(axis=0) @ output
    expected = np.exp(logits - logits.max())
    assert model.entailment(premise, hypothesis) == pytest.approx(expected[1] / expected.sum(), rel=1e-5)
    unknown = model.entailment("words it never saw", "nor these")
    assert 0.0 < unknown < 1.0
    scored = support.score(hypothesis, premise, model)
    assert scored.threshold == support.ENTAILED
    assert scored.score == pytest.approx(expected[1] / expected.sum(), abs=1e-4)


def test_a_site_with_an_entailment_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The model replaces the built-in score (its own threshold); a broken model folder is an error, also when
    every check comes from the cache; changing the model scores again."""
    root = make_site(tmp_path / "site", {
        "pyproject.toml": '[tool.wikigen]\ntitle = "Fixture"\nsupport_model = "nli"\n',
        "content/a.md": DEFAULTS["content/a.md"] + "Mastery goals predict deep study [@g].\n",
        "bibliography.bib": DEFAULTS["bibliography.bib"] + "@article{g, title={G}, abstract={Mastery goals "
        "predict deep study.}}\n",
    })
    _tiny_model(root / "nli")
    site = gather(root)
    assert site.errors == 0
    (status,) = [s for s in site.articles[0].support if s.score is not None]
    model = support.load_model(root / "nli")
    assert status.score == pytest.approx(model.entailment("Mastery goals predict deep study.",
                                                          "Mastery goals predict deep study."), abs=1e-4)
    assert str(status.status) == ("supported" if status.score >= support.ENTAILED else "unsupported")
    shutil.rmtree(root / "nli")
    _tiny_model(root / "nli", seed=8)  # another model: the sentence is scored again
    support.load_model.cache_clear()
    (again,) = [s for s in gather(root).articles[0].support if s.score is not None]
    assert again.score != status.score
    (root / "nli" / "config.json").write_text('{"id2label": {"0": "yes", "1": "no"}}')
    support.load_model.cache_clear()
    for _ in range(2):  # the second time, the article's check comes from the cache
        site = gather(root)
        assert [(d.code, d.path) for d in site.diagnostics if d.severity == "error"] == [("S005", "pyproject.toml")]
        assert "no entailment class" in site.diagnostics[0].message


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
    tail = "sourced sentences: 0 quoted, 0 supported, 0 unsupported"
    assert capsys.readouterr().out.splitlines()[-1] == f"1 article checked: 1 error, 0 warnings, 0 notices; {tail}, " \
        "2 not checkable"
    (root / "content/b.md").write_text(DEFAULTS["content/a.md"] + "Bare. Also bare.\n", encoding="utf-8")
    assert main(["check", "--root", str(root)]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"2 articles checked: 3 errors, 0 warnings, 0 notices; {tail}, 4 not checkable"


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
        "1 draft (not published): content/d.md", "2 articles checked: 0 errors, 0 warnings, 0 notices; sourced "
        "sentences: 0 quoted, 0 supported, 0 unsupported, 2 not checkable"]
    assert main(["check", "--root", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["drafts"] == 1
    assert [(a["path"], a["draft"], a["todo"]) for a in report["articles"]] == [
        ("content/a.md", False, 0), ("content/d.md", True, 2)]


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
