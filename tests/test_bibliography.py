"""Parsing and checking of the BibTeX bibliography, on one fixture file per case."""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wikigen.check.bibliography import check_bibliography
from wikigen.model import Bibliography, Diagnostic, Person, Pos, Severity, SourceFile
from wikigen.parse.bibliography import _decode, _latex_to_text, parse_bibliography

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


def parse(name: str) -> Bibliography:
    return parse_bibliography(SourceFile(f"bib/{name}", (FIXTURES / name).read_text(encoding="utf-8"), ""))


def where(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in diagnostics]


def check(name: str, cited: set[str] | None = None) -> list[Diagnostic]:
    bib = parse(name)
    assert bib.diagnostics == ()
    return check_bibliography(bib, set(bib.entries) if cited is None else cited)


# ---------------------------------------------------------------- parse


def test_no_file_or_unreadable_file_gives_empty_bibliography():
    assert parse_bibliography(None) == Bibliography("", {})
    assert parse_bibliography(SourceFile("refs.bib", None, "")) == Bibliography("refs.bib", {})


def test_latex_is_decoded_and_verbatim_fields_are_kept():
    entry = parse("accents.bib").entries["accents"]
    assert entry.title == "Über 50% of COVID-19 cases & β-blockers"
    assert entry.fields["journal"] == "Café Medicine"
    assert entry.fields["pages"] == "10–20"
    assert entry.fields["note"] == "COVID-19: a 50% drop in “risk” — or not"
    assert entry.fields["url"] == "https://example.org/a_b%20c--d"
    assert entry.entry_type == "article"
    assert entry.pos == Pos(1, 1)


def test_persons_are_split_into_given_and_family():
    entry = parse("persons.bib").entries["persons"]
    assert entry.authors == (
        Person("Hans", "Müller"),
        Person("Vincent", "van Gogh"),
        Person("", "World Health Organization"),
        Person("Martin Luther", "King Jr."),
    )
    assert entry.editors == (Person("Jane", "Doe"), Person("Richard", "Roe"))
    assert entry.fields["author"] == (
        "Müller, Hans and van Gogh, Vincent and World Health Organization and King Jr., Martin Luther"
    )
    assert entry.fields["editor"] == "Doe, Jane and Roe, Richard"


def test_string_macros_concatenation_and_months():
    bib = parse("strings.bib")
    fields = bib.entries["strings"].fields
    assert fields["journal"] == "Journal of Medicine, Supplement"
    assert fields["publisher"] == "Elsevier"
    assert fields["month"] == "March"
    assert fields["year"] == "2021"
    assert fields["note"] == "undefinedmacro"
    assert where(bib.diagnostics) == [(10, 3, "B008")]
    assert bib.diagnostics[0].severity is Severity.WARNING
    assert "`undefinedmacro`" in bib.diagnostics[0].message


def test_comments_and_preamble_are_ignored():
    bib = parse("comments.bib")
    assert list(bib.entries) == ["visible"]
    assert bib.entries["visible"].pos == Pos(4, 1)
    assert bib.diagnostics == ()


def test_duplicate_key_keeps_the_first_and_reports_the_later():
    bib = parse("duplicate_key.bib")
    assert list(bib.entries) == ["smith2020"]
    assert bib.entries["smith2020"].title == "First"
    assert where(bib.diagnostics) == [(5, 1, "B002"), (8, 1, "B002")]
    assert bib.diagnostics[0].message.startswith(
        "duplicate key `smith2020`: first defined at line 1; the first entry is used"
    )
    assert "`Smith2020`: first defined at line 1 as `smith2020`" in bib.diagnostics[1].message


def test_unparseable_entry_is_reported_and_the_others_survive():
    bib = parse("unparseable.bib")
    assert list(bib.entries) == ["good1", "good2"]
    assert where(bib.diagnostics) == [(3, 1, "B001")]
    assert bib.diagnostics[0].message.startswith("cannot parse entry: ")


def test_unbalanced_braces_at_end_of_file():
    bib = parse("unbalanced_eof.bib")
    assert list(bib.entries) == ["good"]
    assert where(bib.diagnostics) == [(2, 1, "B001")]
    assert "end of file" in bib.diagnostics[0].message


def test_unbalanced_braces_before_another_entry():
    bib = parse("unbalanced_middle.bib")
    assert list(bib.entries) == ["after"]
    assert where(bib.diagnostics) == [(1, 1, "B001")]


def test_llm_key_is_reserved_whatever_its_case():
    bib = parse("llm_key.bib")
    assert list(bib.entries) == ["ok"]
    assert where(bib.diagnostics) == [(2, 1, "B007")]
    assert bib.diagnostics[0].message == "key `llm` is reserved for the LLM tag; rename the entry and its citations"


def test_todo_key_is_reserved_for_drafts():
    text = "@misc{ok, title = {Fine}}\n@misc{Todo, title = {Reserved}}\n"
    bib = parse_bibliography(SourceFile("bibliography.bib", text, ""))
    assert list(bib.entries) == ["ok"]
    assert where(bib.diagnostics) == [(2, 1, "B007")]
    assert bib.diagnostics[0].message == ("key `todo` is reserved for the placeholders of drafts; rename the entry "
                                          "and its citations")


def test_duplicate_field_keeps_the_entry_with_the_first_value():
    bib = parse("duplicate_field.bib")
    assert bib.entries["twice"].title == "First title"
    assert bib.entries["twice"].fields["year"] == "2020"
    assert where(bib.diagnostics) == [(3, 3, "B006")]
    assert "first at line 2" in bib.diagnostics[0].message


def test_crossref_inherits_missing_fields_but_not_the_identity():
    bib = parse("crossref.bib")
    chapter = bib.entries["chapter"]
    assert chapter.title == "A Chapter"
    assert chapter.fields["booktitle"] == "The Book"
    assert chapter.fields["publisher"] == "Press"
    assert chapter.fields["year"] == "2019"
    assert "doi" not in chapter.fields
    assert chapter.authors == (Person("Jane", "Doe"),)
    assert chapter.editors == (Person("Richard", "Roe"),)
    assert where(bib.diagnostics) == [(7, 1, "B008")]
    assert "`nowhere`" in bib.diagnostics[0].message


def test_positions_and_non_ascii_keys():
    bib = parse("positions.bib")
    assert {key: entry.pos for key, entry in bib.entries.items()} == {
        "müller2020": Pos(1, 1),
        "indented": Pos(2, 3),
        "second": Pos(2, 39),
    }
    assert bib.diagnostics == ()


def test_diagnostics_carry_the_source_path():
    bib = parse("llm_key.bib")
    assert {d.path for d in bib.diagnostics} == {"bib/llm_key.bib"}


# ---------------------------------------------------------------- check


def test_missing_or_blank_title():
    assert where(check("missing_title.bib")) == [(1, 1, "B003"), (4, 1, "B003")]


def test_tier_must_be_t1_t2_or_t3():
    diagnostics = check("tiers.bib")
    assert where(diagnostics) == [(3, 1, "B004"), (4, 1, "B004")]
    assert "tier `t1`" in diagnostics[0].message


def test_doi_and_url_must_be_well_formed():
    diagnostics = check("links.bib")
    assert where(diagnostics) == [(2, 1, "B005"), (3, 1, "B005"), (4, 1, "B005"), (5, 1, "B005"), (6, 1, "B005")]
    assert "drop the `https://doi.org/` prefix: write `doi = {10.1056/NEJMoa2034577}`" in diagnostics[0].message
    assert all(d.severity is Severity.ERROR for d in diagnostics)


def test_uncited_entry_is_a_warning():
    diagnostics = check("tiers.bib", cited={"t1", "t3", "lower", "t4"})
    assert [d for d in where(diagnostics) if d[2] == "B101"] == [(5, 1, "B101")]
    assert [d.severity for d in diagnostics if d.code == "B101"] == [Severity.WARNING]


def test_duplicate_doi_and_title_with_year_are_warnings_at_the_later_entry():
    diagnostics = check("duplicates.bib")
    assert where(diagnostics) == [(2, 1, "B102"), (3, 1, "B102")]
    assert "same DOI as `first` (line 1)" in diagnostics[0].message
    assert "same title and year as `first` (line 1)" in diagnostics[1].message
    assert all(d.severity is Severity.WARNING for d in diagnostics)


# ---------------------------------------------------------------- robustness


def test_deeply_nested_braces_fall_back_to_plain_text():
    depth = 500
    text = "@article{deep, title = {" + "\\textbf{" * depth + "Deep" + "}" * depth + "}}"
    title = parse_bibliography(SourceFile("refs.bib", text, "")).entries["deep"].title
    assert title is not None and title.endswith("Deep")


def test_an_undefined_macro_is_reported_once_per_field():
    text = "@article{x, title = {T}, note = nope # nope # nope}"
    assert where(parse_bibliography(SourceFile("refs.bib", text, "")).diagnostics) == [(1, 26, "B008")]


_BIBTEX_PIECES = st.sampled_from(
    ["@article", "@string", "@comment", "@preamble", "@", "{", "}", "(", ")", '"', ",", "=", "#", "%", "\\", "\\'",
     '{\\"u}', "$", "~", "\n", " ", "title", "author", "and", "key", "jan", "crossref", "ü", "llm", "--"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(st.text(), st.lists(_BIBTEX_PIECES, max_size=60).map("".join)))
def test_any_text_parses_and_checks_without_raising(text: str):
    bib = parse_bibliography(SourceFile("refs.bib", text, ""))
    diagnostics = [*bib.diagnostics, *check_bibliography(bib, set())]
    lines = text.count("\n") + 1
    assert all(1 <= d.line <= lines and d.column >= 1 for d in diagnostics)


_LATEX_PIECES = st.sampled_from(
    ['\\"', "\\'", "\\`", "\\^", "\\~", "\\=", "\\.", "\\v", "\\c", "\\ss", "\\o", "\\l", "\\aa", "\\i",
     "\\%", "\\&", "\\\\", "{", "}", "{}", "u", "e", "A", " ", "~", "-", "--", "'", "`", "50%"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_LATEX_PIECES, min_size=1, max_size=10).map("".join))
def test_the_fast_decoder_agrees_with_pylatexenc(latex: str):
    assume(latex.count("{") == latex.count("}"))
    assert _decode(latex) == " ".join(_latex_to_text(latex).split())
