"""Parse stage: units, markers and positions from the fixture cases in fixtures/units.txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikigen.model import SourceFile
from wikigen.parse import _LINK_SOURCES, link_matches, parse_document, segment
from wikigen.parse.markers import parse_group, parse_items

FIXTURES = Path(__file__).parent / "fixtures"
FRONT = "---\ntitle: T\nsummary: S\ntype: theory\n---\n"
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
    assert [_describe(u) for u in document.sentences] == expected


@pytest.mark.parametrize(("text", "segmented"), [
    ("Dr. Moreau and Mrs. Lee agreed, as Marsh et al. (2012) found, e.g. in 40 vs. 12 cases .", False),
    ("Marsh et al. (See the review.) Then it stopped .", True),
    ("Sleep improved vs. Controls waited .", True),
    ("It ended. Then more .", True),
    ("As J. G. Nicholls and Dr. Moreau argued .", False),  # initials and a title before names
    ("Mr. A was referred .", True),  # "A" starts sentences for syntok: it splits there
    ("It was plan B. It worked .", True),
    ("The dr. Moreau spelling .", True),  # syntok's abbreviations are case-sensitive
])
def test_the_segmenter_runs_only_where_it_could_split(monkeypatch, text: str, segmented: bool) -> None:
    calls = []
    analyze = segment.syntok.analyze
    monkeypatch.setattr(segment.syntok, "analyze", lambda text: calls.append(text) or analyze(text))
    segment.split_sentences(text)
    assert bool(calls) is segmented


_WORDS = ["S.", "J.", "A.", "I.", "É.", "x.", "B.", "It", "It's", "The", "Then", "then", "Eriksen", "Nicholls",
          "O'Neil", "McDonald", "Über", "A-level", "argued", "that", "Plan", "Dr.", "dr.", "Mr.", "mr.", "Ms.", "Prof.",
          "et", "al.", "al.,", "(2012)", "(See", "review.)", "e.g.", "vs.", "approx.", "Fig.", "No.", "p.", "U.S.",
          "D.C.", "40%", "3", "12.", "ii.", "IV.", "end.", "end!", ".", "…", "“Quoted”", "'S.'", "(R.)", "S.)"]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14), st.sampled_from([" ", "  ", "\n", " \n "]))
def test_text_that_skips_the_segmenter_has_no_boundary_it_would_find(words: list[str], space: str) -> None:
    """The shortcut's rules are claims about syntok: where they hold, syntok and the guard split at none of
    the candidate boundaries. (syntok also splits before some brackets, where no candidate is; text without a
    candidate is never segmented, so the shortcut does the same there.)"""
    text = space.join(words)
    if segment._continues(text, 0, len(text)):
        candidates = {match.end() - 1 for match in segment._CANDIDATE.finditer(text)}
        assert [start for start, _ in segment.segmented(text)[1:] if start in candidates] == []


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
        ("[@a b]", ["P003"]),
        ("[@a-]", ["P003"]),
        ("[@llm, p. 2]", ["P003"]),
        ("[@llm; @a]", ["P004"]),
    ],
)
def test_group_problems(group: str, codes: list[str]) -> None:
    assert [p[0] for p in parse_group(group, 0).problems] == codes


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
