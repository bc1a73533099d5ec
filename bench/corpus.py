"""Deterministic benchmark corpus: N clinical-wiki articles and a 2,000-entry bibliography, no network.

    python bench/corpus.py OUT_DIR --articles N [--seed 5] [--entries 2000]

writes three renderings of the same text:

    OUT_DIR/wikigen/   pyproject.toml ([tool.wikigen]), content/*.md, content/images/, bibliography.bib
    OUT_DIR/hugo/      hugo.toml, content/*.md (YAML front matter), layouts/_default/{baseof,single,list}.html
    OUT_DIR/mkdocs/    mkdocs.yml (default `mkdocs` theme, search plugin ON as by default), docs/*.md

Each article has about 2,500-3,000 words and about 150 marked sentences: `## ` sections, paragraphs ending
in `[@key]`, `[@a; @b, p. 12]` or `[@llm]`, bullet and numbered lists, a pipe table with a marker per body
row, a definition list, abbreviations (e.g., i.e., et al., vs., Dr., J. G. Nicholls, 0.25, p < .05), an
`::: example [@llm]` block, an `::: exempt` link list and `see_also` links to other generated articles.
Every bibliography entry is cited somewhere, so `wikigen check` reports no errors and no warnings.

For Hugo and MkDocs the markers stay in the text (both render `[@key]` as literal text) and the
`:::` lines become plain paragraphs; the front matter keeps the same fields (Hugo: `type` is renamed
`kind`, because Hugo uses `type` to pick layouts). Output is byte-identical for the same N, seed and entries.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

# ------------------------------------------------------------------ vocabulary


def _names(text: str) -> list[str]:
    return text.split(" ")


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", " ").split("|")]


FAMILY = _names(
    """Nicholls Dweck Ames Elliot McGregor Harackiewicz Bandura Kool Okafor Lindqvist Moreau Tanaka
Haddad Novak Brennan Ferreira Castillo Nakamura Osei Petrov Rahman Schulz Varga Whitfield Abara Bergstrom
Cardenas Delacroix Eriksen Fitzgerald Gallagher Hoffmann Ibrahim Jovanovic Kowalski Laine Mbeki Nilsen
Oyelaran Pacheco Quinlan Rossi Sato Thornton Ueda Valdez Wojcik Xu Yilmaz Zamani Andersen Bishop Chowdhury
Dubois Engel Fonseca Grant Horvath Iqbal Janssen Keller Larsen Marsh Nordin Olsen Park Reyes Svensson""".replace(
        "\n", " "
    )
)
GIVEN = _names(
    """John Carol Carole Andrew Holly Judith Albert Ada Chidi Maja Louise Hiro Samir Petra Aoife Joana Luis
Emi Kwame Ivan Nadia Lukas Reka Eleanor Ngozi Erik Camila Amelie Sigrid Ciaran Siobhan Tobias Amina Milan
Agata Ilona Thabo Ingrid Funmi Diego Niamh Giulia Kenji Ruth Yuki Rosa Marek Wei Deniz Parisa""".replace("\n", " ")
)
TOPICS = _items("""Generalized Anxiety|Panic Disorder|Social Anxiety|Health Anxiety|Insomnia|Chronic Pain|Perfectionism
|Procrastination|Burnout|Grief|Adjustment Disorder|Postnatal Depression|Late-Life Depression|Bipolar Disorder
|Obsessive-Compulsive Disorder|Hoarding|Body Dysmorphic Disorder|Binge Eating|Anorexia Nervosa|Alcohol Use
|Cannabis Use|Gambling|Self-Harm|Suicidal Ideation|Psychosis|Trauma|Complex PTSD|Dissociation|ADHD in Adults
|Autism in Adults|Tic Disorders|Tinnitus Distress|Irritable Bowel Syndrome|Fatigue|Caregiver Strain
|Loneliness|Shame|Anger|Low Self-Esteem|Fear of Failure|Performance Anxiety|Academic Stress
|Workplace Stress|Relationship Distress|Parenting Stress|Sleep in Adolescents|Exam Anxiety|Rumination
|Worry|Emotion Regulation""")
APPROACHES = _items("""Cognitive Behavioural Therapy|Behavioural Activation|Exposure Therapy|Acceptance and Commitment
Therapy|Compassion-Focused Therapy|Schema Therapy|Dialectical Behaviour Therapy|Motivational Interviewing
|Problem-Solving Therapy|Interpersonal Therapy|Mindfulness-Based Cognitive Therapy|Metacognitive Therapy
|EMDR|Family Therapy|Psychoeducation|Sleep Restriction|Activity Scheduling|Cognitive Restructuring
|Worry Postponement|Imagery Rescripting|Goal Setting|Self-Monitoring|Relapse Prevention|Values Work
|Graded Task Assignment|Achievement Goal Theory|Self-Efficacy Theory|Attribution Theory""")
TYPES = ("theory", "therapy", "technique", "assessment", "concept", "condition")
LEVELS = ("established", "emerging", "preliminary", "contested")
POPULATIONS = _items("""Adults|Adolescents|Children|Older adults|Students|Health professions students|Athletes
|Employees|Parents|Carers|Veterans|People in recovery|Inpatients|Outpatients|Perfectionists""")
PROBLEMS = [t for t in TOPICS if " " not in t or t.count(" ") < 2][:30]
SECTIONS = _items("""Overview|Origins & History|Core Principles|Mechanisms of Change|Assessment|Interventions
& Techniques|Evidence Base|Populations & Indications|Problems-for-Work|Contraindications & Cautions
|Cultural Humility|Delivery Formats|Measurement-Based Care|Common Misconceptions|Supervision Notes
|Open Questions""")

SUBJECTS = _items("""the clinician|the client|most clients|cognitive behavioural therapy|behavioural activation|exposure
work|the therapeutic alliance|a structured case formulation|weekly self-monitoring|a mastery-oriented goal
|a performance-avoidance goal|psychoeducation about the model|homework completion|the first three sessions
|a brief group programme|the supervising psychologist|routine outcome monitoring|a collaborative agenda
|the treatment plan|early symptom change|guided self-help|the referral letter|a stepped-care service
|the measurement schedule|avoidance of feared situations|safety behaviour|worry about relapse
|the family's involvement|a written relapse-prevention plan|graded task assignment|the trial's primary outcome
|the comparison condition|attrition in the control arm|a digital version of the protocol|the intake interview
|the therapist's adherence|a single-session intervention|sleep hygiene advice|the client's own formulation
|the evidence summary""")
VERBS = _items("""predicts|moderates|reduces|strengthens|weakens|is associated with|clarifies|shapes|maintains
|undermines|supports|precedes|accompanies|amplifies|explains part of|tends to improve|rarely changes
|often obscures|can reverse|is linked to|partly accounts for|is a common target for|is measured alongside
|is easily confused with""")
OBJECTS = _items("""avoidance in the first weeks of treatment|relapse after the end of therapy|the client's sense of
progress|engagement with between-session tasks|distress during exposure exercises|the rate of early dropout
|the perceived credibility of the rationale|symptom change at twelve months|how clients read ambiguous
feedback|the pattern of sleep across the week|self-critical thinking after a setback|the willingness to
attempt difficult tasks|attendance at follow-up appointments|the quality of the working alliance|functional
impairment at work and at home|the balance between approach and avoidance|the frequency of panic attacks
|rumination in the evening|confidence in managing future episodes|the speed of return to usual activities
|the intensity of physical symptoms|reliance on reassurance from others|checking and re-reading behaviour
|the size of the treatment effect|agreement between self-report and clinician ratings""")
TAILS = _items("""especially when goals are specific and measurable|although the effect shrinks at follow-up|in both
individual and group formats|when sessions are spaced a week apart|across outpatient and primary-care settings
|even after baseline severity is taken into account|in clients with more than one presenting problem|when the
rationale is explained in plain language|but only in the larger of the two cohorts|according to most
observational studies|in the months after discharge|while leaving quality of life largely unchanged|among
clients who complete at least six sessions|when supervisors review recordings regularly|in the absence of
medication changes|without adding to the overall length of treatment|when families are invited to one
session|for clients with long-standing difficulties|in routinely collected service data|once the
formulation is shared with the client""")
OPENERS = _items("""In practice,|By contrast,|Across several cohorts,|For most clients,|In routine services,|At the
start of treatment,|In supervision,|Over the longer term,|In a pragmatic trial,|Clinically,|In younger
clients,|In older adults,|Taken together,|In one qualitative study,|Within a stepped-care model,|Later in
therapy,""")
ASIDES = [
    "(e.g. activity diaries or worry logs)",
    "(e.g. a graded hierarchy agreed in the second session)",
    "(i.e. the share of sessions attended)",
    "(i.e. the gap between the goal and current functioning)",
    "rather than mastery vs. performance goals alone",
    "with an odds ratio of 0.25 for dropout",
    "(p < .05 in the per-protocol analysis)",
    "at roughly 0.5 standard deviations",
    "(approx. 40% of referrals)",
]
LOWER_OK = {item.split()[0].rstrip(",").lower() for item in SUBJECTS + OPENERS}
LOCATORS = ("p. 12", "pp. 33-35", "ch. 4", "p. 128", "table 2", "pp. 101-104", "fig. 3", "p. 7")
TERMS = _items("""Formulation|Safety behaviour|Graded exposure|Behavioural experiment|Relapse signature|Alliance rupture
|Measurement-based care|Stepped care|Booster session|Functional analysis|Values clarification
|Mastery goal|Performance goal|Approach vs. avoidance|Reliable change""")
ADJ = _items("""Brief|Longitudinal|Randomized|Comparative|Qualitative|Multilevel|Pragmatic|Systematic|Integrative
|Prospective|Cross-Cultural|Clinical|Developmental|Practical|Critical|Network""")
NOUNS = _items("""Analysis|Review|Trial|Evaluation|Study|Perspective|Framework|Synthesis|Replication|Meta-Analysis
|Commentary|Handbook|Guide|Cohort Study|Case Series""")
JOURNALS = _items("""Psychological Review|Behaviour Research and Therapy|Journal of Consulting and Clinical Psychology
|Clinical Psychology Review|Cognitive Therapy and Research|Journal of Anxiety Disorders|Psychological Medicine
|Journal of Affective Disorders|BMC Psychiatry|Behavioural and Cognitive Psychotherapy|Medical Education
|Journal of Personality and Social Psychology|Contemporary Educational Psychology|Psychotherapy Research
|Journal of Clinical Psychology|Frontiers in Psychology""")
PUBLISHERS = ("Guilford Press", "Routledge", "Oxford University Press", "Cambridge University Press", "Wiley")
LATEX_FAMILY = ('M{\\"u}ller', "Str{\\o}ms{\\o}", "Br{\\aa}ten", "Garc{\\'\\i}a", "Ko{\\c{c}}")


def _words(text: str) -> int:
    return len(text.split())


# ------------------------------------------------------------------ bibliography


@dataclass(frozen=True)
class BibEntry:
    key: str
    text: str
    family: str
    year: int


def make_bibliography(rng: random.Random, count: int) -> list[BibEntry]:
    entries: list[BibEntry] = []
    keys: set[str] = set()
    titles: set[str] = set()
    for number in range(count):
        family = rng.choice(FAMILY)
        year = rng.randint(1977, 2025)
        base = f"{family.lower()}{year}"
        key, suffix = base, 0
        while key in keys:
            suffix += 1
            key = f"{base}{chr(ord('a') + suffix - 1)}" if suffix <= 26 else f"{base}x{suffix}"
        keys.add(key)
        while True:
            title = f"{rng.choice(ADJ)} {rng.choice(NOUNS)} of {rng.choice(APPROACHES)} for {rng.choice(TOPICS)}"
            if rng.random() < 0.5:
                title += f": {rng.choice(SUBJECTS).capitalize()} and {rng.choice(OBJECTS)}"
            if title not in titles:
                titles.add(title)
                break
        authors = [(family, rng.choice(GIVEN), rng.choice("ABCDEFGHJKLMNPRST"))]
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            authors.append((rng.choice(FAMILY), rng.choice(GIVEN), rng.choice("ABCDEFGHJKLMNPRST")))
        if rng.random() < 0.04:
            authors.append((rng.choice(LATEX_FAMILY), rng.choice(GIVEN), "A"))
        author = " and ".join(f"{f}, {g} {i}." for f, g, i in authors)
        kind = rng.random()
        tier = rng.choice(("T1", "T1", "T1", "T2", "T2", "T3"))
        protect = "{" + rng.choice(("CBT", "PTSD", "ADHD", "EMDR")) + "} " if rng.random() < 0.1 else ""
        if kind < 0.75:
            first = rng.randint(1, 900)
            lines = [
                f"@article{{{key},",
                f"  author  = {{{author}}},",
                f"  title   = {{{protect}{title}}},",
                f"  journal = {{{rng.choice(JOURNALS)}}},",
                f"  year    = {{{year}}},",
                f"  volume  = {{{rng.randint(1, 120)}}},",
                f"  number  = {{{rng.randint(1, 12)}}},",
                f"  pages   = {{{first}--{first + rng.randint(5, 30)}}},",
                f"  doi     = {{10.{5000 + number % 997}/bench.{number:05d}}},",
                # Zotero's export: the DOI's link beside the DOI
                f"  url     = {{https://doi.org/10.{5000 + number % 997}/bench.{number:05d}}},",
                f"  tier    = {{{tier}}}",
                "}",
            ]
        elif kind < 0.9:
            lines = [
                f"@book{{{key},",
                f"  author    = {{{author}}},",
                f"  title     = {{{protect}{title}}},",
                f"  publisher = {{{rng.choice(PUBLISHERS)}}},",
                f"  year      = {{{year}}},",
                f"  edition   = {{{rng.randint(1, 4)}}},",
                f"  tier      = {{{tier}}}",
                "}",
            ]
        else:
            lines = [
                f"@misc{{{key},",
                f"  author       = {{{author}}},",
                f"  title        = {{{title}}},",
                "  howpublished = {Clinical practice resource},",
                f"  year         = {{{year}}},",
                f"  url          = {{https://example.org/resources/{key}}},",
                "  note         = {Accessed 2026-06-01},",
                "  tier         = {T3}",
                "}",
            ]
        entries.append(BibEntry(key, "\n".join(lines), family, year))
    return entries


def bibliography_text(entries: list[BibEntry]) -> str:
    head = "% Benchmark bibliography generated by bench/corpus.py (deterministic, seeded).\n\n"
    return head + "\n\n".join(e.text for e in entries) + "\n"


# ------------------------------------------------------------------ articles


@dataclass
class Keys:
    """Citation keys for one article: its must-cite share of the bibliography first, then its own pool."""

    rng: random.Random
    must: list[str]
    pool: list[str]
    remaining_markers: int = 125
    used: list[str] = field(default_factory=list)

    def take(self, count: int = 1) -> list[str]:
        self.remaining_markers = max(self.remaining_markers - 1, 1)
        share = math.ceil(len(self.must) / self.remaining_markers) if self.must else 0
        chosen = [self.must.pop(0) for _ in range(min(share, len(self.must)))]
        while len(chosen) < count:
            key = self.rng.choice(self.pool)
            if key not in chosen:
                chosen.append(key)
        return chosen


class Writer:
    def __init__(self, rng: random.Random, keys: Keys, people: list[str]):
        self.rng, self.keys, self.people = rng, keys, people
        self.markers = 0

    def marker(self, llm_share: float = 0.2) -> str:
        self.markers += 1
        rng = self.rng
        if rng.random() < llm_share and not self.keys.must:
            return "[@llm]"
        keys = self.keys.take(1) if rng.random() < 0.7 else self.keys.take(rng.choice((2, 2, 3)))
        parts = [f"@{k}" for k in keys]
        if rng.random() < 0.2:
            index = rng.randrange(len(parts))
            parts[index] += f", {rng.choice(LOCATORS)}"
        return "[" + "; ".join(parts) + "]"

    def clause(self) -> str:
        rng = self.rng
        roll = rng.random()
        subject = rng.choice(SUBJECTS)
        if roll < 0.03:  # abbreviation rates: about one segment in ten needs the segmenter, as in content/
            name = rng.choice(self.people)
            subject = f"{name.split()[-1]} et al. (20{rng.randint(10, 24)}) reported that {subject}"
        elif roll < 0.05:
            subject = f"Dr. {rng.choice(FAMILY)} observed that {subject}"
        elif roll < 0.07:
            # syntok splits before an initial that is also a word ("J. A. Smith", "C. I. Park"): avoid A and I
            first, second = (rng.choice([g for g in GIVEN if g[0] not in "AI"])[0] for _ in range(2))
            subject = f"{first}. {second}. {rng.choice(FAMILY)} argued that {subject}"
        text = f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        if rng.random() < 0.4:
            text += f" {rng.choice(TAILS)}"
        if rng.random() < 0.1:
            text += f" {rng.choice(ASIDES)}"
        if rng.random() < 0.2:
            text += f", and {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        return text

    def sentence(self, mark: bool = True, llm_share: float = 0.2) -> str:
        rng = self.rng
        body = self.clause()
        if rng.random() < 0.3:
            body = f"{rng.choice(OPENERS)} {body}"
        body = body[0].upper() + body[1:]
        if mark and rng.random() < 0.08:
            body = body.replace(" the ", " the *", 1) + "*" if " the " in body else body
        if not mark:
            return body + "."
        if rng.random() < 0.1:
            return f"{body}. {self.marker(llm_share)}"
        return f"{body} {self.marker(llm_share)}."

    def paragraph(self, low: int = 4, high: int = 7) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def bullets(self) -> str:
        rng = self.rng
        items = []
        for _ in range(rng.randint(4, 6)):
            text = self.sentence()
            if rng.random() < 0.4:
                lead = text.split()[0].rstrip(",").lower()
                text = f"{rng.choice(TERMS)}: {text[0].lower() + text[1:] if lead in LOWER_OK else text}"
            items.append(f"- {text}")
        return "\n".join(items)

    def numbered(self) -> str:
        return "\n".join(f"{n}. {self.sentence()}" for n in range(1, self.rng.randint(4, 6) + 1))

    def table(self) -> str:
        rng = self.rng
        rows = ["| Goal | Example objective | Mechanism |", "|---|---|---|"]
        for _ in range(rng.randint(5, 7)):
            goal = f"{rng.choice(('Reduce', 'Increase', 'Build', 'Lower', 'Track'))} {rng.choice(OBJECTS)}"
            objective = (
                f"Within {rng.randint(2, 12)} weeks, the client will {rng.choice(('log', 'rate', 'practise'))} "
                f"{rng.choice(OBJECTS)} on at least {rng.randint(3, 5)} of 5 days"
            )
            mechanism = f"{rng.choice(TERMS)} {self.marker(0.25)}"
            rows.append(f"| {goal} | {objective} | {mechanism} |")
        return "\n".join(rows)

    def definitions(self) -> str:
        blocks = []
        for term in self.rng.sample(TERMS, 4):
            blocks.append(f"{term}\n: {self.sentence()}")
        return "\n\n".join(blocks)

    def example(self) -> str:
        rng = self.rng
        name = rng.choice(GIVEN)
        lines = [
            f"A client, {name}, is referred with {rng.choice(TOPICS).lower()} after several months of difficulty.",
            *(self.sentence(mark=False) for _ in range(rng.randint(3, 5))),
            f"By the end of treatment {name} reports that {rng.choice(OBJECTS)} has changed for the better.",
        ]
        return "::: example [@llm]\n" + " ".join(lines) + "\n:::"

    def exempt(self) -> str:
        links = []
        for key in self.rng.sample(self.keys.pool, 3):
            links.append(f"- [Source record {key}](https://example.org/records/{key})")
        return "::: exempt\n" + "\n".join(links) + "\n:::"


@dataclass
class Article:
    slug: str
    front: dict
    body: str


def _title(rng: random.Random, number: int) -> tuple[str, str]:
    approach, topic = rng.choice(APPROACHES), rng.choice(TOPICS)
    title = rng.choice((f"{approach} for {topic}", f"{topic}: {approach}", f"{approach} in {topic}"))
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())
    slug = "-".join(p for p in slug.split("-") if p)
    return title, f"{slug}-{number:05d}"


def make_article(rng: random.Random, number: int, title: str, slug: str, keys: Keys, see_also: list[str]) -> Article:
    people = [f"{rng.choice(GIVEN)} {rng.choice('ABCDEFGHJK')}. {rng.choice(FAMILY)}" for _ in range(4)]
    writer = Writer(rng, keys, people)
    front = {
        "title": title,
        # The summary and the note are checked like the body: marked `[@llm]` without drawing from `rng`, so
        # the rest of the corpus is what it was before they were checked.
        "summary": " ".join(writer.sentence(mark=False)[:-1] + " [@llm]." for _ in range(2)),
        "type": rng.choice(TYPES),
        "subtype": rng.choice(("Motivational theory", "Psychological therapy", "Clinical technique", "Construct")),
        "discipline": rng.choice(("Clinical psychology", "Educational psychology", "Psychiatry", "Health psychology")),
        "evidence": {"level": rng.choice(LEVELS), "note": writer.sentence(mark=False)[:-1] + " [@llm]."},
        "populations": rng.sample(POPULATIONS, 4),
        "problems": rng.sample(PROBLEMS, 5),
        "key_figures": people,
        "see_also": see_also,
        "provenance": {"model": "claude-opus-4-8", "version": "1.0", "generated": "2026-06-04"},
    }
    if rng.random() < 0.33:
        front["figure"] = {
            "src": "images/diagram.svg",
            "alt": "A two-by-two grid crossing the two dimensions discussed on this page.",
            "caption": writer.sentence(),
        }
    sections = rng.sample(SECTIONS, 9)
    parts = [writer.paragraph(4, 5), writer.paragraph(3, 4)]
    for index, heading in enumerate(sections):
        parts.append(f"## {heading}")
        parts.append(writer.paragraph())
        if index == 1:
            parts.append(writer.bullets())
        elif index == 2:
            parts.append(writer.example())
        elif index == 3:
            parts.append(writer.table())
        elif index == 4:
            parts.append(writer.numbered())
        elif index == 5:
            parts.append(writer.definitions())
        parts.append(writer.paragraph())
        if index in (0, 6, 7):
            parts.append(writer.paragraph(2, 4))
    while keys.must:  # a tiny corpus cites more of the bibliography per article
        clauses = (writer.clause() for _ in range(3))
        parts.append(" ".join(f"{c[0].upper()}{c[1:]} {writer.marker(0)}." for c in clauses))
    parts.append("## Sources")
    parts.append(writer.exempt())
    return Article(slug, front, "\n\n".join(parts) + "\n")


# ------------------------------------------------------------------ front matter


def _yaml_scalar(value) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ":#[]{},&*!|>'\"%@`") or text[0] in "-?" or text.strip() != text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if text.lower() in ("yes", "no", "true", "false", "null", "on", "off", "~") or text.replace(".", "").isdigit():
        return f'"{text}"'
    return text


def to_yaml(data: dict, indent: str = "") -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.append(to_yaml(value, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: [{', '.join(_yaml_scalar(v) for v in value)}]")
        else:
            lines.append(f"{indent}{key}: {_yaml_scalar(value)}")
    return "\n".join(lines)


def article_text(article: Article, front: dict | None = None) -> str:
    return f"---\n{to_yaml(front or article.front)}\n---\n\n{article.body}"


# ------------------------------------------------------------------ the three sites

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    '<rect width="200" height="100" fill="#eee"/><text x="20" y="55">2x2</text></svg>\n'
)

HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "en"
title = "Benchmark clinical wiki"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
enableRobotsTXT = false

[markup.goldmark.renderer]
unsafe = false

[markup.tableOfContents]
startLevel = 2
endLevel = 3
"""
HUGO_BASEOF = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Params.summary }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<p class="banner">LLM-generated — verify before clinical use. Sentences are marked with a source or an LLM tag.</p>
</header>
<main data-pagefind-body>
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
"""
HUGO_SINGLE = """{{ define "main" }}
<article>
<p class="kicker">{{ .Params.kind }} · {{ .Params.discipline }} · {{ .Params.subtype }}</p>
<h1>{{ .Title }}</h1>
<p class="summary">{{ .Params.summary }}</p>
<dl class="facts">
<dt>Evidence</dt><dd>{{ .Params.evidence.level }}{{ with .Params.evidence.note }} — {{ . }}{{ end }}</dd>
<dt>Populations</dt><dd>{{ delimit .Params.populations ", " }}</dd>
<dt>Problems</dt><dd>{{ delimit .Params.problems ", " }}</dd>
<dt>Key figures</dt><dd>{{ delimit .Params.key_figures ", " }}</dd>
<dt>Read time</dt><dd>{{ .ReadingTime }} min</dd>
</dl>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
<h2>See also</h2>
<ul>{{ range .Params.see_also }}<li><a href="{{ printf "/%s/" . | relURL }}">{{ . }}</a></li>{{ end }}</ul>
</article>
{{ end }}
"""
HUGO_LIST = """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ul class="articles">
{{ range site.RegularPages.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> — {{ .Params.summary }}</li>
{{ end }}</ul>
{{ end }}
"""
MKDOCS_CONFIG = """site_name: Benchmark clinical wiki
site_url: https://example.org/
theme:
  name: mkdocs
markdown_extensions:
  - tables
  - def_list
  - toc
plugins:
  - search
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def generate(out: Path, articles: int, seed: int = 5, entries: int = 2000) -> dict:
    rng = random.Random(seed)
    bib = make_bibliography(rng, entries)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(bib))]  # a few sources are cited everywhere
    titles = [_title(rng, n) for n in range(articles)]
    slugs = [slug for _, slug in titles]
    made: list[Article] = []
    for number, (title, slug) in enumerate(titles):
        local = random.Random(f"{seed}:{number}")
        must = [bib[k].key for k in range(number, len(bib), articles)]
        pool = list(dict.fromkeys(e.key for e in local.choices(bib, weights=weights, k=22)))
        pool = list(dict.fromkeys(pool + must[:3]))
        see = [slugs[(number + step) % articles] for step in (1, 7, 31)] if articles > 1 else []
        see = [s for s in dict.fromkeys(see) if s != slug]
        made.append(make_article(local, number, title, slug, Keys(local, must, pool), see))

    if out.exists():
        shutil.rmtree(out)
    wiki, hugo, mkdocs = out / "wikigen", out / "hugo", out / "mkdocs"
    write(
        wiki / "pyproject.toml",
        '[tool.wikigen]\ntitle = "Benchmark clinical wiki"\nbase_url = "https://example.org/"\n',
    )
    write(wiki / "bibliography.bib", bibliography_text(bib))
    write(wiki / "content" / "images" / "diagram.svg", SVG)
    write(hugo / "hugo.toml", HUGO_CONFIG)
    write(hugo / "layouts" / "_default" / "baseof.html", HUGO_BASEOF)
    write(hugo / "layouts" / "_default" / "single.html", HUGO_SINGLE)
    write(hugo / "layouts" / "_default" / "list.html", HUGO_LIST)
    write(mkdocs / "mkdocs.yml", MKDOCS_CONFIG)
    index = ["# Benchmark clinical wiki", ""] + [f"- [{a.front['title']}]({a.slug}.md)" for a in made]
    write(mkdocs / "docs" / "index.md", "\n".join(index) + "\n")
    words = 0
    for article in made:
        write(wiki / "content" / f"{article.slug}.md", article_text(article))
        hugo_front = {("kind" if k == "type" else k): v for k, v in article.front.items()}
        write(hugo / "content" / f"{article.slug}.md", article_text(article, hugo_front))
        write(mkdocs / "docs" / f"{article.slug}.md", article_text(article))
        words += _words(article.body)
    return {"articles": articles, "entries": entries, "words_per_article": words / max(articles, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=2000, help="bibliography entries")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    stats = generate(args.out, args.articles, args.seed, args.entries)
    print(
        f"wrote {stats['articles']} articles ({stats['words_per_article']:.0f} words each on average) "
        f"and {stats['entries']} bibliography entries under {args.out}/{{wikigen,hugo,mkdocs}}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
