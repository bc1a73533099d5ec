"""Parsing and checking of the BibTeX bibliography, on one fixture file per case."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wikigen.check.bibliography import check_bibliography
from wikigen.config import Config, load_config
from wikigen.model import Bibliography, Diagnostic, Entry, Person, Pos, Severity, SourceFile
from wikigen.parse.bibliography import _decode, _latex_to_text, parse_bibliography
from wikigen.parse.markers import parse_group
from wikigen.render import references
from wikigen.render.references import Reference, format_references, load_style, to_csl

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
        Person("Vincent", "Gogh", particle="van"),
        Person("", "World Health Organization", literal=True),
        Person("Martin Luther", "King", suffix="Jr."),
    )
    assert entry.editors == (Person("Jane", "Doe"), Person("Richard", "Roe"))
    assert entry.fields["author"] == (
        "Müller, Hans and van Gogh, Vincent and World Health Organization and King, Jr., Martin Luther"
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
    assert where(bib.diagnostics) == [(7, 41, "B008")]  # at the crossref field
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
    assert where(diagnostics) == [(3, 30, "B004"), (4, 27, "B004")]  # at the tier field
    assert "tier `t1`" in diagnostics[0].message


def test_doi_and_url_must_be_well_formed():
    bib = parse("links.bib")
    assert where(bib.diagnostics) == [(2, 33, "B104")]  # a DOI written as a link is read, with a warning
    assert "read as `10.1056/NEJMoa2034577`; write `doi = {10.1056/NEJMoa2034577}`" in bib.diagnostics[0].message
    assert bib.entries["prefixed"].fields["doi"] == "10.1056/NEJMoa2034577"
    diagnostics = check_bibliography(bib, set(bib.entries))
    assert where(diagnostics) == [(2, 1, "B102"), (3, 13, "B005"), (4, 28, "B005"), (5, 31, "B005"), (6, 33, "B005")]
    assert "same DOI as `good`" in diagnostics[0].message  # once read, the DOI is the other entry's
    assert all(d.severity is Severity.ERROR for d in diagnostics[1:])


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


# ---------------------------------------------------------------- what real exports write (issue 15)


def one(bibtex: str, style: str = "apa") -> tuple[Bibliography, Reference]:
    """Parse one entry and format it with `style`."""
    bib = parse_bibliography(SourceFile("refs.bib", bibtex, ""))
    (entry,) = bib.entries.values()
    return bib, format_references([entry], load_style(Config(csl=style)))[0]


@pytest.mark.parametrize(
    ("author", "printed"),
    [
        ("Kim, Soo-jin", "Kim, S. (2020)"),  # hyphenated given names: one initial (name_HyphenatedFirstName)
        ("Katayama, Jun-ichi", "Katayama, J. (2020)"),
        ("Chun, Byung-Chul", "Chun, B.-C. (2020)"),  # a capital after the hyphen keeps its initial
        ("{W.M.P. van der} Aalst", "Aalst, W. M. P. van der. (2020)"),  # particle in the given names: dropping
        ("Rossum, Gerhard Dohrn-van", "Dohrn-van Rossum, G. (2020)"),  # "-van" glued to the given names
        ("van Gogh, Vincent", "van Gogh, V. (2020)"),  # BibTeX's von part: a non-dropping particle
        ("de la Fontaine, Jean", "de la Fontaine, J. (2020)"),
        ("Ludwig van Beethoven", "van Beethoven, L. (2020)"),
        ("King, Jr., Martin Luther", "King, M. L., Jr. (2020)"),  # suffix (name_LowercaseSurnameSuffix)
        ("King Jr., Martin Luther", "King, M. L., Jr. (2020)"),  # suffix left in the family name
        ("{World Health Organization}", "World Health Organization. (2020)"),  # literal (name_Institution)
        ("Aristotle", "Aristotle. (2020)"),  # family name only (name_OnlyFamilyname)
        ("O'Brien, Seán", "O’Brien, S. (2020)"),  # apostrophe (name_ApostropheInGivenName)
        ("Tr{\\aa}gardh, Lars", "Trågardh, L. (2020)"),
        ("{\\O}stergaard, S{\\o}ren", "Østergaard, S. (2020)"),
        ("Smith, John and others", "Smith, J., et al. (2020)"),  # `and others`: the style's et al.
        ("Smith, John and Jones, Ann and others", "Smith, J., Jones, A., et al. (2020)"),
    ],
)
def test_names_print_as_the_csl_test_suite_expects(author: str, printed: str):
    _, reference = one(f"@article{{x, author = {{{author}}}, title = {{T}}, journal = {{J}}, year = 2020}}")
    assert reference.text.startswith(printed), reference.text
    assert "others" not in reference.text


@pytest.mark.parametrize(
    ("author", "printed"),
    [
        ("Kim, Soo-jin and Katayama, Jun-ichi", "Kim S, Katayama J."),
        ("{W.M.P. van der} Aalst", "Aalst WMP van der."),
        ("King, Jr., Martin Luther", "King ML Jr."),
        ("A, B and C, D and E, F and G, H and I, J and K, L and M, N", "A B, C D, E F, G H, I J, K L, et al."),
        ("Smith, John and others", "Smith J, et al."),
    ],
)
def test_names_in_vancouver(author: str, printed: str):
    _, reference = one(f"@article{{x, author = {{{author}}}, title = {{T}}, journal = {{J}}, year = 2020}}",
                       "vancouver")
    assert reference.text.startswith(printed), reference.text


def test_names_become_csl_name_parts():
    bib = parse_bibliography(SourceFile("refs.bib", "@book{x, title = {T}, author = {{W.M.P. van der} Aalst and "
                                        "van Gogh, Vincent and King, Jr., Martin Luther and {World Health "
                                        "Organization} and others}}", ""))
    assert to_csl(bib.entries["x"])["author"] == [
        {"family": "Aalst", "given": "W.M.P.", "dropping-particle": "van der"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"literal": "World Health Organization"},
        {"literal": "\ue010"},  # `and others`, replaced by "et al." once formatted
    ]


@pytest.mark.parametrize(
    ("title", "printed"),
    [
        ("{{GaAs}}/{{AlGaAs}} quantum wells", "GaAs/AlGaAs quantum wells"),
        ("{\\TeX}: The Program", "TeX: The Program"),
        ("Non\\hyphen{}invasive ventilation", "Non-invasive ventilation"),
        ("The \\LaTeX{} companion", "The LaTeX companion"),
        ("Under 5\\textless{} years", "Under 5< years"),
        ("\\mkbibquote{Quoted} words", "“Quoted” words"),
        ("{\\noopsort{a}}Zeta functions", "Zeta functions"),
        ("Costs in \\pounds{} and \\mbox{per-patient} \\texttt{R} code", "Costs in £ and per-patient R code"),
    ],
)
def test_latex_left_in_titles_is_decoded(title: str, printed: str):
    bib, reference = one(f"@article{{x, title = {{{title}}}, journal = {{J}}, year = 2020}}")
    assert bib.diagnostics == ()
    assert printed in reference.text, reference.text


def test_href_in_a_field_is_read_and_a_broken_one_is_a_diagnostic():
    bib, reference = one("@misc{x, title = {T}, year = 2020,\n  howpublished = {\\href{https://example.org}{Site}}}")
    assert bib.diagnostics == () and "Site" in reference.text
    bib = parse_bibliography(SourceFile("refs.bib", "@misc{x, title = {T},\n  note = {\\href{https://example.org}}}",
                                        ""))
    assert where(bib.diagnostics) == [(2, 3, "B009")]
    assert "note" not in bib.entries["x"].fields


def test_an_unknown_command_is_a_warning_at_its_field():
    bib = parse_bibliography(SourceFile("refs.bib", "@misc{x, title = {T},\n  note = {\\frobnicate stuff}}", ""))
    assert where(bib.diagnostics) == [(2, 3, "B105")]
    assert "`\\frobnicate`" in bib.diagnostics[0].message


def test_biblatex_date_journaltitle_and_types():
    _, reference = one("@article{x, author = {Doe, Jane}, title = {T}, journaltitle = {The Lancet}, date = {2009-03}}")
    assert reference.text.startswith("Doe, J. (2009). T. The Lancet.")
    assert "<i>The Lancet</i>" in reference.html
    bib = parse_bibliography(SourceFile("refs.bib", """
@online{web, title = {W}, date = {2023-03-31}, urldate = {2024-05-02}, url = {https://example.org/w}}
@report{rep, title = {R}, institution = {NICE}, type = {Clinical guideline}, number = {CG123}, date = 2011,
  location = {London}}
@thesis{phd, title = {P}, institution = {Princeton University}, type = {phdthesis}, date = 1950}
@article{ser, title = {S}, journaltitle = {Mind}, series = {newseries}, date = {1950}}
@article{range, title = {Q}, journaltitle = {J}, date = {2009-03/2010-04}}
@article{odd, title = {Q}, journaltitle = {J}, date = {spring 2009}}
""", ""))
    csl = {key: to_csl(entry) for key, entry in bib.entries.items()}
    assert csl["web"]["type"] == "webpage" and csl["web"]["accessed"] == {"date-parts": [[2024, 5, 2]]}
    assert csl["web"]["issued"] == {"date-parts": [[2023, 3, 31]]}
    assert (csl["rep"]["type"], csl["rep"]["genre"], csl["rep"]["publisher-place"]) == ("report", "Clinical guideline",
                                                                                          "London")
    assert (csl["phd"]["type"], csl["phd"]["genre"], csl["phd"]["publisher"]) == (
        "thesis", "Doctoral dissertation", "Princeton University")
    assert csl["ser"]["collection-title"] == "new series"
    assert csl["range"]["issued"] == {"date-parts": [[2009, 3], [2010, 4]]}
    assert csl["odd"]["issued"] == {"literal": "spring 2009"}
    refs = dict(zip(bib.entries, format_references(list(bib.entries.values()), load_style()), strict=True))
    assert "[Doctoral dissertation]. Princeton University" in refs["phd"].text
    assert "(Clinical Guideline No. CG123)" in refs["rep"].text
    assert "Newseries" not in refs["ser"].text


def test_location_prints_in_a_style_that_shows_it():
    _, reference = one("@book{x, author = {Doe, Jane}, title = {B}, publisher = {P}, location = {London}, date = 2001}",
                       "vancouver")
    assert reference.text == "Doe J. B. London: P; 2001."


def test_a_crossref_child_inherits_by_biblatex_rules_and_its_parents_title():
    bib = parse_bibliography(SourceFile("refs.bib", """
@InBook{part, crossref = {whole}, pages = {1--10}}
@InCollection{chapter, title = {Chapter}, author = {Doe, Jane}, crossref = {whole}}
@Book{whole, title = {Whole}, subtitle = {A Book}, editor = {Roe, Rick}, publisher = {P}, year = 2001,
  doi = {10.1000/whole}}
@Article{paper, title = {Paper}, crossref = {issue}}
@Periodical{issue, title = {Journal of Things}, year = 2003, volume = 4}
""", ""))
    part, chapter, paper = (bib.entries[k] for k in ("part", "chapter", "paper"))
    assert part.title == "Whole" and "booktitle" not in part.fields  # BibTeX's @inbook: the book's own title
    assert (chapter.fields["booktitle"], chapter.fields["booksubtitle"]) == ("Whole", "A Book")
    assert "doi" not in chapter.fields and chapter.editors == (Person("Rick", "Roe"),)
    assert (paper.fields["journaltitle"], paper.fields["volume"]) == ("Journal of Things", "4")
    assert not [d for d in check_bibliography(bib, set(bib.entries)) if d.code == "B003"]
    reference = format_references([chapter], load_style())[0]
    assert reference.text == "Doe, J. (2001). Chapter. In R. Roe (Ed.), Whole: A Book. P."


@pytest.mark.parametrize(
    ("key", "citable"),
    [("Orlowski;2011", False), ("trailing.", False), ("key@x", False), ("RN12", True),
     ("doe:2020/a", True), ("müller2020", True)],
)
def test_keys_that_cannot_be_cited_bare_are_warned_about(key: str, citable: bool):
    bib = parse_bibliography(SourceFile("refs.bib", f"@misc{{{key}, title = {{T}}}}", ""))
    found = [d for d in bib.diagnostics if d.code == "B103"]
    assert bool(found) is not citable, bib.diagnostics
    if found:
        assert "rename it" in found[0].message and "Citation Key" in found[0].message
        assert found[0].severity is Severity.WARNING
        # the braces are offered only where the citation parser reads them
        braced = parse_group(f"[@{{{key}}}]", 0)
        offered = not braced.problems and [c.key for c in braced.citations] == [key]
        assert (f"`[@{{{key}}}]`" in found[0].message) is offered


@pytest.mark.parametrize(
    "written",
    ["https://doi.org/10.1000/xyz", "http://dx.doi.org/10.1000/xyz", "http://doi.acm.org/10.1000/xyz",
     "doi:10.1000/xyz", "https://doi.org/10.1000%2Fxyz"],
)
def test_dois_written_as_links_are_normalised_with_a_warning(written: str):
    bib, reference = one(f"@article{{x, title = {{T}}, journal = {{J}}, year = 2020,\n  doi = {{{written}}}}}")
    assert where(bib.diagnostics) == [(2, 3, "B104")]
    assert "`10.1000/xyz`" in bib.diagnostics[0].message
    assert bib.entries["x"].fields["doi"] == "10.1000/xyz"
    assert reference.html.count("<a ") == 1 and 'href="https://doi.org/10.1000/xyz"' in reference.html


@pytest.mark.parametrize(
    "url", ["https://doi.org/10.1000/xyz", "http://dx.doi.org/10.1000/xyz", "https://www.example.org/article/1"]
)
def test_doi_beside_a_url_is_one_link_never_nested(url: str):
    _, reference = one(f"@article{{x, title = {{T}}, journal = {{J}}, year = 2020, doi = {{10.1000/xyz}},"
                       f" url = {{{url}}}}}")
    assert_clean_html(str(reference.html))
    assert reference.html.count('href="https://doi.org/10.1000/xyz"') == 1
    assert reference.text.count("10.1000/xyz") == 1
    assert reference.html.count("<a ") == (1 if "doi" in url else 2)


def test_pmid_pmcid_and_arxiv_become_links_checked_like_dois():
    _, reference = one("@article{x, title = {T}, journal = {J}, year = 2021, doi = {10.1136/bmj.n71},"
                       " pmid = {33782057}, pmcid = {PMC8005924}}")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/33782057/"' in reference.html
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC8005924/"' in reference.html
    assert reference.html.count("<a ") == 3
    _, arxiv = one("@online{x, title = {T}, date = 2017, eprint = {1706.03762}, eprinttype = {arXiv},"
                   " url = {http://arxiv.org/abs/1706.03762}}")
    assert arxiv.html.count("<a ") == 1 and 'href="https://arxiv.org/abs/1706.03762"' in arxiv.html
    _, vancouver = one("@article{x, title = {T}, journal = {J}, year = 2021, pmid = {33782057}}", "vancouver")
    assert vancouver.html.count("<a ") == 1 and ">PMID: 33782057</a>" in vancouver.html  # the style's own text
    bib = parse_bibliography(SourceFile("refs.bib", "@article{x, title = {T},\n pmid = {PMID 123},\n"
                                        " pmcid = {8005924},\n eprint = {not-an-id}, eprinttype = {arxiv}}", ""))
    diagnostics = check_bibliography(bib, {"x"})
    assert where(diagnostics) == [(2, 2, "B005"), (3, 2, "B005"), (4, 2, "B005")]


def test_references_are_the_same_alone_or_in_a_batch_and_across_runs():
    bib = parse_bibliography(SourceFile("refs.bib", (REALWORLD / "zotero-bbt-bibtex.bib").read_text(), ""))
    entries = list(bib.entries.values())
    together = format_references(entries, load_style())
    references._FORMATTED.clear()
    alone = [format_references([entry], load_style())[0] for entry in entries]
    assert together == alone


def test_styles_by_name_alias_and_path(tmp_path: Path):
    ama = load_style(Config(csl="american-medical-association"))
    _, reference = one("@article{x, author = {Doe, Jane}, title = {T}, journal = {J}, year = 2020, volume = 3,"
                       " pages = {1--2}, doi = {10.1000/x}}", "ama")
    assert reference.text == "Doe J. T. J. 2020;3:1-2. doi:10.1000/x"
    assert ">doi:10.1000/x</a>" in reference.html
    (tmp_path / "my.csl").write_text(ama.xml, encoding="utf-8")
    assert load_style(Config(root=tmp_path, csl="my.csl")).xml == ama.xml


@pytest.mark.parametrize(
    ("value", "problem"),
    [("no-such-style", "names no style"), ("missing.csl", "cannot be read"), ("bad.csl", "not valid XML"),
     ("notcsl.csl", "not an independent CSL style"), ("nomacro.csl", "calls undefined macros: nope")],
)
def test_a_style_that_cannot_be_used_is_a_config_problem(tmp_path: Path, value: str, problem: str):
    (tmp_path / "bad.csl").write_text("<style", encoding="utf-8")
    apa = load_style().xml
    (tmp_path / "nomacro.csl").write_text(apa.replace('<text macro="title"', '<text macro="nope"', 1), "utf-8")
    (tmp_path / "notcsl.csl").write_text("<html/>", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f'[tool.wikigen]\ncsl = "{value}"\n', encoding="utf-8")
    loaded = load_config(tmp_path)
    assert [(p.line, p.code) for p in loaded.problems] == [(2, "C004")]
    assert problem in loaded.problems[0].message and loaded.config.csl == "apa"


def test_csl_json_bibliography():
    bib = parse_bibliography(SourceFile("refs.json", (REALWORLD / "zotero.json").read_text(), ""))
    entry = bib.entries["elliotAchievementGoalFramework2001"]
    assert entry.tier == "T1" and entry.fields["note"] == "PMID: 11300582"  # the tier line is taken out
    assert entry.pos == Pos(3, 3) and entry.fields["year"] == "2001"
    assert bib.entries["katayamaStimulusContextDetermines1998"].tier == "T1"  # BBT's `tex.tier:` line
    assert where(bib.diagnostics) == [(44, 3, "B104")]  # a DOI written as a link, at its item
    assert bib.entries["who2019physical"].authors == (Person("", "World Health Organization", literal=True),)
    assert [references.kind_label(e) for e in bib.entries.values()] == ["Journal article"] * 3 + ["Book"]
    broken = parse_bibliography(SourceFile("refs.json", '[{"id": "a", "title": "A"},\n {"title": "B"}, 3,\n', ""))
    assert where(broken.diagnostics) == [(3, 1, "B001")]
    shapes = parse_bibliography(SourceFile("refs.json", '{"a": 1}', ""))
    assert where(shapes.diagnostics) == [(1, 1, "B001")]
    items = parse_bibliography(SourceFile("refs.json", '[{"id": "a", "title": "A"}, {"title": "B"}, 3,'
                                          ' {"id": "a", "title": "again"}]', ""))
    assert [d.code for d in items.diagnostics] == ["B001", "B001", "B002"]


# ---------------------------------------------------------------- a corpus of real exports

REALWORLD = Path(__file__).parent / "realworld" / "bib"
_ALLOWED_TAGS = {"a", "i", "b", "sup", "sub"}
_BROKEN_INITIAL = re.compile(r"\s\.|\.-\.|-\.\s|\b[A-Z]\.\s*-\s*[a-z]|\s[,;]")


def assert_clean_html(markup: str) -> None:
    """Only the tags a reference may hold, balanced, never a link inside a link or a tag inside an attribute."""

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            assert tag in _ALLOWED_TAGS, markup
            assert not (tag == "a" and "a" in self.stack), markup
            for _, value in attrs:
                assert "<" not in (value or "") and ">" not in (value or ""), markup
            self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack and self.stack.pop() == tag, markup

    parser = Tags()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, markup


def _squash(text: str) -> str:
    return " ".join(text.replace("–", "-").split()).casefold()


def _corpus() -> list[tuple[str, Entry]]:
    found = []
    for path in sorted(REALWORLD.iterdir()):
        if path.suffix in (".bib", ".json"):
            bib = parse_bibliography(SourceFile(path.name, path.read_text(encoding="utf-8"), ""))
            assert not [d for d in bib.diagnostics if d.severity is Severity.ERROR], bib.diagnostics
            found += [(path.name, entry) for entry in bib.entries.values()]
    return found


def test_the_corpus_covers_the_exporters():
    files = {name for name, _ in _corpus()}
    assert {"zotero-bbt-bibtex.bib", "zotero-bbt-biblatex.bib", "mendeley.bib", "jabref.bib", "endnote.bib",
            "zotero.json"} <= files
    assert len(_corpus()) >= 35


@pytest.mark.parametrize("style", ["apa", "vancouver", "american-medical-association"])
def test_every_corpus_entry_prints_right(style: str):
    corpus = _corpus()
    formatted = format_references([entry for _, entry in corpus], load_style(Config(csl=style)))
    for (name, entry), reference in zip(corpus, formatted, strict=True):
        where_ = f"{name}: {entry.key}: {reference.text}"
        assert_clean_html(str(reference.html))
        assert not re.search(r"[{}\\]", reference.text), where_
        assert not _BROKEN_INITIAL.search(reference.text), where_
        assert "others" not in reference.text.casefold() or "others" in (entry.title or "").casefold(), where_
        text = _squash(reference.text)
        year = re.search(r"\d{4}", entry.fields.get("year", "") or entry.fields.get("date", ""))
        if year:
            assert year.group() in text, where_
        title = entry.fields.get("title", "")
        assert _squash(title) in text, where_
        container = entry.fields.get("journaltitle") or entry.fields.get("journal") or entry.fields.get("booktitle")
        if container and entry.csl is None:
            assert _squash(container) in text, where_
        for value in entry.identifiers.values():
            assert value in reference.html, where_
        assert len(re.findall(r"<a ", str(reference.html))) == len(set(re.findall(r'href="([^"]+)"', str(
            reference.html)))), where_  # one link per address


# ---------------------------------------------------------------- no bibliography crashes the checker

_FIELD_NAMES = ["title", "author", "editor", "journal", "journaltitle", "booktitle", "year", "date", "month",
                "urldate", "doi", "url", "pmid", "pmcid", "eprint", "eprinttype", "crossref", "series", "type",
                "howpublished", "note", "tier", "pages", "number"]
_LATEX_BITS = st.sampled_from(["\\href{", "\\href{https://x.org}{t}", "\\url{", "}", "{", "\\", "$", "%", "&", "#",
                               "~", "--", "\\\"{o}", "\\aa", "\\c{c}", "\\TeX", "\\hyphen", "\\textit{", "and",
                               " and others", "{\\relax}", "^", "_", "@", "https://doi.org/", "10.1000/x", "-",
                               ",", "van der", "Jr.", "2009-03", "/", "?"])
_VALUES = st.lists(st.one_of(_LATEX_BITS, st.text(max_size=4)), max_size=8).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["article", "book", "inbook", "online", "thesis", "misc"]),
                          st.lists(st.tuples(st.sampled_from(_FIELD_NAMES), _VALUES), max_size=6)),
                min_size=1, max_size=3))
def test_generated_fields_never_crash_the_checker(entries):
    text = "\n".join(
        f"@{kind}{{k{n},\n" + ",\n".join(f"  {name} = {{{value}}}" for name, value in fields) + "\n}"
        for n, (kind, fields) in enumerate(entries)
    )
    bib = parse_bibliography(SourceFile("refs.bib", text, ""))
    check_bibliography(bib, set(bib.entries))
    for entry in bib.entries.values():
        to_csl(entry)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["family", "given", "literal", "date-parts", "raw", "id"]), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_JSON_VALUES, st.dictionaries(
    st.sampled_from(["id", "type", "title", "author", "editor", "issued", "accessed", "DOI", "URL", "PMID", "note",
                     "container-title", "tier", "page"]), _JSON_VALUES, max_size=8)), max_size=4))
def test_generated_csl_json_never_crashes_the_checker(items):
    bib = parse_bibliography(SourceFile("refs.json", json.dumps(items), ""))
    check_bibliography(bib, set(bib.entries))
    for entry in bib.entries.values():
        to_csl(entry)


def test_odd_csl_json_values_still_format():
    items = [{"id": "a", "type": "article-journal", "title": ["not", "text"], "author": "Smith",
              "editor": [{"family": 3}, "x", {"given": None}], "issued": {"date-parts": [["2020", "x"]]},
              "accessed": "yesterday", "volume": 12, "page": True, "container-title": {"nested": 1}},
             {"id": "b", "title": "Plain", "issued": {"raw": "2009-03"}}]
    bib = parse_bibliography(SourceFile("refs.json", json.dumps(items), ""))
    a, b = format_references(list(bib.entries.values()), load_style())
    assert a.text == "3 (Ed.). (2020). 12." and b.text == "Plain. (2009)."  # the odd values are left out


def test_a_pandoc_that_fails_stops_the_build_with_its_reason(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(references, "pandoc", lambda: "false")
    entry = parse_bibliography(SourceFile("refs.bib", "@misc{never_formatted_before, title = {T}}", "")).entries
    with pytest.raises(references.FormatError, match="pandoc could not format the references with style `apa`"):
        format_references(list(entry.values()), load_style())
