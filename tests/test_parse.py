"""Parse stage: units, markers and positions from the fixture cases in fixtures/units.txt."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikigen.model import SourceFile
from wikigen.parse import _LINK_SOURCES, link_matches, parse_document, segment
from wikigen.parse.markers import parse_group, parse_items

FIXTURES = Path(__file__).parent / "fixtures"
FRONT = "---\ntitle: T\ntype: theory\n---\n"  # no summary: its units would precede the body's
OFFSET = FRONT.count("\n")


def _cases():
    text = (FIXTURES / "units.txt").read_text(encoding="utf-8")
    for block in text.split("\n=== ")[1:]:
        name, _, rest = block.partition("\n")
        body, _, expected = rest.partition("\n---\n")
        yield pytest.param(body + "\n", [line for line in expected.splitlines() if line], id=name)


def _describe(unit) -> str:
    line = f"{unit.kind} {unit.provenance} {unit.pos.line - OFFSET}:{unit.pos.column} {unit.text}"
    if unit.markers:
        line += " | " + " ".join(m.raw for m in unit.markers)
    elif unit.inherited:
        line += f" | (inherited {unit.inherited.raw})"
    return line


@pytest.mark.parametrize(("body", "expected"), list(_cases()))
def test_units(body: str, expected: list[str]) -> None:
    document = parse_document(SourceFile("content/case.md", FRONT + body, ""))
    found = [_describe(u) for u in document.sentences]
    found += [f"{d.code} {d.line - OFFSET}:{d.column}" for d in document.diagnostics]
    assert found == expected


@pytest.mark.parametrize(("text", "segmented"), [
    ("Dr. Moreau and Mrs. Lee agreed, as Marsh et al. (2012) found, e.g. in 40 vs. 12 cases .", False),
    ("Sleep improved vs. Controls waited .", False),  # a name after "vs.": the rules join
    ("It ended. Then more .", False),  # the rules split
    ("As J. G. Nicholls and Dr. Moreau argued .", False),
    ("Give 1 g i.v. Monitor the pressure .", False),
    ("Marsh et al. (See the review.) Then it stopped .", True),  # a bracketed sentence: syntok decides
    ("It ended. then more .", True),  # a lower-case word after an ordinary one
    ("Stop! no more .", True),
])
def test_syntok_runs_only_where_the_rules_defer(monkeypatch, text: str, segmented: bool) -> None:
    calls = []
    analyze = segment.syntok.analyze
    monkeypatch.setattr(segment.syntok, "analyze", lambda text: calls.append(text) or analyze(text))
    segment.split_sentences(text)
    assert bool(calls) is segmented


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(["](", "](<", "<", ">", ")", "]", "[a]", ":", "]:", "http:", "https://x.org/a",
                                 "mailto:b", "x", " ", "  ", "\t", "\n", "(", "#f"]), max_size=24).map("".join))
def test_links_are_found_as_the_whole_pattern_finds_them(body: str) -> None:
    def spans(matches):
        return [(m.start(), m.end(), m.lastgroup, m.group(m.lastgroup or "inline")) for m in matches]

    assert spans(link_matches(body)) == spans(_LINK_SOURCES.finditer(body))


def test_marker_positions_point_at_keys() -> None:
    document = parse_document(SourceFile("content/case.md", FRONT + "Claim [@alpha; @beta, p. 3].\n", ""))
    (marker,) = document.markers
    assert [(c.key, c.locator, c.pos.line - OFFSET, c.pos.column) for c in marker.citations] == [
        ("alpha", None, 1, 9),
        ("beta", "p. 3", 1, 17),
    ]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from([*"aZ9_é:.#$%&+?<>~/-@;, []\t", "llm", "LLM"]), max_size=12).map("".join),
       st.integers(0, 500))
def test_a_single_key_parses_as_any_group_does(key: str, offset: int) -> None:
    """`[@key]` takes a shortcut past the item-by-item parse: it must give the same marker."""
    text = f"[@{key}]"
    assert parse_group(text, offset) == parse_items(text, offset)


@pytest.mark.parametrize(
    ("group", "codes"),
    [
        ("[@a]", []),
        ("[@a, p. 12]", []),
        ("[@]", ["P003"]),
        ("[@ a]", ["P003"]),
        ("[@a; ]", ["P003"]),
        ("[@a b]", []),  # pandoc reads " b" as a suffix, and "-" as one
        ("[@a-]", []),
        ("[see @a, p. 3; -@b]", []),
        ("[@{Orlowski;2011}]", []),
        ("[@a, @b]", ["P003"]),  # pandoc reads ", @b" as a's suffix: b would never be cited
        ("[@a @b]", ["P003"]),
        ("[@{a b}]", ["P003"]),
        ("[-@llm]", ["P003"]),
        ("[see @llm]", ["P003"]),
        ("[@a; see]", ["P003"]),
        ("[@llm, p. 2]", ["P003"]),
        ("[@llm; @a]", ["P004"]),
    ],
)
def test_group_problems(group: str, codes: list[str]) -> None:
    assert [p[0] for p in parse_group(group, 0).problems] == codes


@pytest.mark.parametrize(("body", "codes"), [
    ("Claim [@a][@llm].", ["P004"]),
    ("Claim [@llm] [@a].", ["P004"]),
    ("Claim [@a] [@b].", []),
    ("Claim [@a]. Other [@llm].", []),
    ("Claim [@a] and more [@llm].", []),  # not adjacent: a sourced part and an LLM part
])
def test_adjacent_groups_mixing_keys_and_llm(body: str, codes: list[str]) -> None:
    document = parse_document(SourceFile("content/case.md", FRONT + body + "\n", ""))
    assert [code for marker in document.markers for code, _, _ in marker.problems] == codes


def test_sentence_ids_are_stable_and_unique() -> None:
    text = FRONT + "Same words [@a]. Same words [@a]. Other [@llm].\n"
    first = parse_document(SourceFile("content/a.md", text, ""))
    second = parse_document(SourceFile("content/a.md", text.replace("Other", "Changed"), ""))
    ids = [s.id for s in first.sentences]
    assert len(set(ids)) == 3
    assert ids[:2] == [s.id for s in second.sentences][:2]


@pytest.mark.parametrize(
    "edited",
    [
        "Mastery goals predict persistence, after failure in classrooms [@a].",  # a comma
        "Mastery goals predict persistence after failure in most classrooms [@a].",  # a word inserted
        "Mastery goals predict persistence after failure in classrooms [@a; @b].",  # a citation added
        "Mastery goals predict persistence after failure in classrooms. [@a]",  # the marker moved
        "mastery goals predict persistence after failure in classrooms [@a]!",  # case and punctuation
    ],
)
def test_a_sentence_keeps_its_id_through_a_small_edit(edited: str) -> None:
    text = FRONT + "Mastery goals predict persistence after failure in classrooms [@a]. Other words here [@llm].\n"
    first = parse_document(SourceFile("content/a.md", text, ""))
    second = parse_document(SourceFile("content/a.md", text.replace(text.split("\n")[-2].split(". Other")[0] + ".",
                                                                    edited), ""))
    assert [s.id for s in first.sentences] == [s.id for s in second.sentences]


def test_colliding_ids_are_disambiguated_by_more_words_then_a_count() -> None:
    text = FRONT + "Goal one alpha [@a]. Goal one beta [@a]. Goal one alpha [@a]. Goal one alpha [@a].\n"
    ids = [s.id for s in parse_document(SourceFile("content/a.md", text, "")).sentences]
    assert len(set(ids)) == 4
    assert ids[3].endswith("-2") and not ids[2].endswith("-2")
    assert ids == [s.id for s in parse_document(SourceFile("content/b.md", text, "")).sentences]


def test_wrapping_balances_tokens() -> None:
    document = parse_document(SourceFile("content/a.md", FRONT + "A *b. C* d [@a]. [x. Y](https://e.org) z.\n", ""))
    inline = next(t for t in document.tokens if t.type == "inline")
    depth = 0
    for child in inline.children:
        depth += child.nesting
        assert depth >= 0
    assert depth == 0
    opened = [c.meta["unit"].id for c in inline.children if c.type in ("sentence_open", "sentence_anchor")]
    assert opened == [s.id for s in document.sentences]


markdownish = st.text(
    alphabet=st.sampled_from(list("ab .!?\n[]@;,*_`>-|:#\\()0123456789ÄøJ.e.g")), max_size=300
)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_random_text_never_crashes_and_positions_are_in_range(body: str) -> None:
    text = FRONT + body
    document = parse_document(SourceFile("content/r.md", text, ""))
    lines = text.split("\n")
    for unit in document.sentences:
        assert 1 <= unit.pos.line <= len(lines)
        assert 1 <= unit.pos.column <= len(lines[unit.pos.line - 1]) + 1
    for marker in document.markers:
        for citation in marker.citations:
            assert 1 <= citation.pos.line <= len(lines)


def test_summary_and_evidence_note_are_units_at_their_place_in_the_front_matter() -> None:
    text = ("---\ntitle: T\nsummary: Lithium needs monitoring [@a]. Check levels weekly.\ntype: theory\nevidence:\n"
            "  level: established\n  note: >-\n    Two trials [@b].\n---\nBody claim [@c].\n")
    document = parse_document(SourceFile("content/case.md", text, ""))
    described = [(u.kind, u.provenance, u.pos.line, u.pos.column, u.text) for u in document.sentences]
    assert described == [
        ("summary", "sourced", 3, 10, "Lithium needs monitoring."),
        ("summary", "unmarked", 3, 41, "Check levels weekly."),
        ("note", "sourced", 8, 5, "Two trials."),
        ("sentence", "sourced", 10, 1, "Body claim."),
    ]
    assert [name for name, _ in document.front_tokens] == ["summary", "evidence.note"]


# ---------------------------------------------------------------- pandoc as the oracle for citation syntax

CITATIONS = FIXTURES / "citations"


def _plain(inlines: list) -> str:
    """pandoc's `stringify` of JSON inlines, spaces collapsed (pandoc puts a non-breaking one after `p.`)."""
    out = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Strikeout", "SmallCaps", "Underline", "Superscript", "Subscript"):
            out.append(_plain(content))
        elif kind == "Quoted":
            out.append(('"{}"' if content[0]["t"] == "DoubleQuote" else "'{}'").format(_plain(content[1])))
        elif kind in ("Cite", "Span", "Link"):
            out.append(_plain(content[1]))
        elif kind == "Code":
            out.append(content[1])
    return " ".join("".join(out).replace("\u00a0", " ").split())


def _pandoc_citations(groups: list[str]) -> list[list[dict] | None]:
    """For each group, pandoc's citations (None where pandoc reads no citation group), each with the locator
    its citeproc splits off the suffix."""
    import pypandoc  # the test extra's pandoc binary

    source = "\n\n".join(f"Text {group}" for group in groups)
    blocks = json.loads(pypandoc.convert_text(source, "json", format="markdown"))["blocks"]
    found: list[list[dict] | None] = []
    keys: dict[str, None] = {}
    for block in blocks:
        cites = [inline["c"][0] for inline in block["c"] if inline["t"] == "Cite"]
        citations = [c for group in cites for c in group if c["citationMode"]["t"] != "AuthorInText"]
        found.append(citations or None)
        keys.update((c["citationId"], None) for c in citations)
    references = [{"id": key, "type": "book", "title": key} for key in keys]
    with tempfile.TemporaryDirectory() as folder:
        bib = Path(folder) / "refs.json"
        bib.write_text(json.dumps(references), encoding="utf-8")
        rendered = pypandoc.convert_text(source, "plain", format="markdown", extra_args=[
            "--citeproc", f"--csl={CITATIONS / 'probe.csl'}", f"--bibliography={bib}", "--wrap=none",
            "--metadata=suppress-bibliography=true"])
    paragraphs = [p for p in rendered.split("\n\n") if p.strip()]
    for citations, paragraph in zip(found, paragraphs, strict=True):
        if citations is None:
            continue
        items = paragraph[paragraph.index("⟦") + 1 : paragraph.rindex("⟧")].split("⁂")
        for citation, item in zip(citations, items, strict=True):
            value = re.search(r"⟨(.*?)⟩", item)
            citation["locator"] = value[1].replace("–", "-") if value else None
    return found


def _groups() -> tuple[list[str], list[str]]:
    lines = (CITATIONS / "cases.txt").read_text(encoding="utf-8").split("\n# not groups\n")
    read = [[line for line in part.splitlines() if line and not line.startswith("#")] for part in lines]
    return read[0], read[1]


def test_citations_read_as_pandoc_reads_them() -> None:
    groups, not_groups = _groups()
    oracle = _pandoc_citations(groups + not_groups)
    mine = [parse_group(group, 0) for group in groups]
    # wikigen keeps a prefix as written: pandoc reads each one (`*see*`) as it reads the prefix in the group
    probes = iter(_pandoc_citations([f"[{c.prefix} @x]" if c.prefix else "[@x]" for m in mine for c in m.citations]))
    for group, marker, expected in zip(groups, mine, oracle, strict=False):
        assert expected is not None, f"pandoc reads no citation in {group}"
        assert marker.problems == (), group
        assert [c.key for c in marker.citations] == [c["citationId"] for c in expected], group
        assert [c.suppress_author for c in marker.citations] == [
            c["citationMode"]["t"] == "SuppressAuthor" for c in expected], group
        for citation, wanted in zip(marker.citations, expected, strict=True):
            assert _plain(next(probes)[0]["citationPrefix"]) == _plain(wanted["citationPrefix"]), group
            # pandoc keeps the locator in the suffix: the two together hold the same text, commas and spaces aside
            together = " ".join(part for part in (citation.locator, citation.suffix) if part)
            assert re.sub(r"[\s,*]", "", together) == re.sub(r"[\s,{}]", "", _plain(wanted["citationSuffix"])), group
            # the locator as written: its label (if any) and the value pandoc's citeproc splits off
            if wanted["locator"] is None:
                assert citation.locator is None, group
            else:
                assert citation.locator and citation.locator.replace("–", "-").endswith(wanted["locator"]), group
    for group, expected in zip(not_groups, oracle[len(groups):], strict=True):
        assert expected is None, group
        assert "P003" in [code for code, _, _ in parse_group(group, 0).problems], group


# ---------------------------------------------------------------- a published segmentation benchmark

GOLDEN_RULES = json.loads((FIXTURES / "golden_rules" / "english.json").read_text(encoding="utf-8"))
# Rules whose gold sentences wikigen does not reproduce exactly (see the README's known limits). Each is an
# extra split (tolerated) but 42, a list of lower-case lines without punctuation: one sentence for wikigen.
INEXACT = {18: "split", 42: "merge", 43: "split", 50: "split", 51: "split"}


def _collapse(text: str) -> str:
    return " ".join(text.replace("\\n", "\n").replace('\\"', '"').split())


@pytest.mark.parametrize("rule", GOLDEN_RULES, ids=lambda rule: f"{rule['rule']}-{rule['title']}")
def test_golden_rules(rule: dict) -> None:
    text, gold = _collapse(rule["text"]), [_collapse(s) for s in rule["sentences"]]
    doubts: list[tuple[int, int]] = []
    spans = segment.split_sentences(text, doubts)
    starts, at = [], 0
    for sentence in gold:
        at = text.index(sentence, at)
        starts.append(at)
        at += len(sentence)
    merged = []
    for start in starts[1:]:
        first_word = re.compile(r"\w").search(text, start).start()  # ". . . The practice" starts at "The" too
        if not any(start <= a <= first_word for a, _ in spans) and not any(start <= e <= first_word
                                                                           for _, e in doubts):
            merged.append(start)
    exact = [text[a:b] for a, b in spans] == gold
    outcome = "exact" if exact else "merge" if merged else "split"
    assert outcome == INEXACT.get(rule["rule"], "exact")



# ---------------------------------------------------------------- real prose with pandoc citations


def test_real_prose_has_no_false_alarm_and_no_hidden_sentence() -> None:
    """tests/fixtures/prose: two sections of a Manubot manuscript (CC BY) and clinical dosing notes of ours,
    one sentence per line. The figures before this parser: 45 false alarms and 5 hidden sentences."""
    spec = importlib.util.spec_from_file_location("prose_measure", FIXTURES / "prose" / "measure.py")
    measure = sys.modules.setdefault("prose_measure", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(measure)
    figures = measure.measure(measure.FILES)
    assert (figures.sentences, figures.cited) == (510, 218)
    assert (figures.false_alarms, figures.hidden, figures.doubts) == (0, 0, 1), figures.examples


# ---------------------------------------------------------------- two sentences under one marker

_ENDINGS = ["home", "1,000", "12%", "2", "b.i.d", "t.i.d", "q.d", "i.v", "p.o", "s.c", "p.r.n", "a.m", "P.M",
            "etc", "et al", "U.S", "vitamin D", "you and I", "Smith Jr", "Acme Inc", "no", "(2012)", "approx. 40",
            "Fig. 2", "e.g. this", "“stop", "the U.K"]
_OPENINGS = ["The", "Patients", "Reduce", "Monitor", "Mr. Smith", "Dr. Lee", "Monday", "Heparin", "Smith", "It",
             "A", "I", "Did", "“Stop", "Nicholls", "Give", "Doctors", "About", "Vancomycin", "However,", "J. Smith"]
_MIDDLE = st.lists(st.sampled_from(["the", "dose", "was", "given", "to", "10 mg", "patients", "daily", "in"]),
                   max_size=4).map(" ".join)


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_MIDDLE, st.sampled_from(_ENDINGS), st.sampled_from([".", "!", "?"]), st.sampled_from([" ", "  ", "\n", ""]),
       st.sampled_from(_OPENINGS), _MIDDLE)
def test_two_sentences_under_one_marker_are_split_or_reported(words, ending, mark, space, opening, rest) -> None:
    """The first of two sentences, the second marked at its end, is never published under that marker in
    silence: it is a unit of its own (P001, unmarked) or the boundary is reported (P008). Glued without a
    space, only after a lower-case letter or a digit and before a capitalised word ("1,000.The"; "U.S.The" and
"home.A" are known limits: "Ph.D" must stay one word)."""
    if space == "" and (mark != "." or not (ending[-1].islower() or ending[-1].isdigit())
                        or not re.match(r"[A-Z][a-z]", opening)):
        space = " "
    closer = "”" if ending.startswith("“") else ""
    first = " ".join(part for part in ("Then", words, ending) if part) + mark + closer
    body = f"{first}{space}{opening} {rest} returned [@a].".replace("  returned", " returned")
    document = parse_document(SourceFile("content/t.md", FRONT + body + "\n", ""))
    units = document.sentences
    split = len(units) >= 2 and units[0].provenance.value == "unmarked" and units[-1].markers
    doubted = any(d.code == "P008" for d in document.diagnostics)
    assert split or doubted, body
