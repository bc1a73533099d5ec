"""Do sentence ids survive small edits? Edit sentences of the benchmark corpus one at a time and compare ids.

    python bench/permalinks.py [--articles 20] [--edits 200] [--seed 7]

Writes a corpus with bench/corpus.py (into a temporary folder), picks `--edits` sentences at random (seeded),
and applies one small edit to each, cycling through five kinds: a comma inserted, a word replaced by another
word of the corpus, a hedge inserted ("often", "typically", ...), a word deleted, a citation added to the sentence's
group; as many more sentences get two words replaced, scored apart. Each edited article
is parsed again with wikigen's parser; the edited sentence is the unit at the same position (an edit that
changes the number of units is counted apart). Reported: how many edited sentences keep their id, how many
other sentences of the article change theirs, how many sentences' first pick collided with another sentence
of their article (and were disambiguated), and how many ids are duplicated within an article (must be 0).
The same edits are scored for the previous scheme (a hash of the whole text) as the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from wikigen.model import SourceFile, UnitKind
from wikigen.parse import parse_document
from wikigen.parse.sentences import ID_WORDS, _id_words

KINDS = ("comma", "substitute", "insert", "delete", "citation")  # the 200 edits cycle through these
EXTRA = "two words"  # scored on as many more sentences, apart from the 200
HEDGES = ("often", "usually", "typically", "notably", "partly", "clearly", "modestly", "consistently")
_GROUP = re.compile(r"\[@[^\]]*\]")
_WORD = re.compile(r"[A-Za-z]{3,}")


def text_hash_ids(texts: list[str]) -> list[str]:
    """The scheme before: a hash of the casefolded text, `-2`, `-3` for repeats."""
    used: Counter[str] = Counter()
    ids = []
    for text in texts:
        base = "s-" + hashlib.blake2b(text.casefold().encode(), digest_size=4).hexdigest()
        used[base] += 1
        ids.append(base if used[base] == 1 else f"{base}-{used[base]}")
    return ids


def edit(
    source: str, start: int, end: int, kind: str, rng: random.Random, key: str, vocabulary: list[str]
) -> str | None:
    """`source` with the sentence at [start, end) edited; None when the sentence offers no place for it."""
    sentence = source[start:end]
    words = [m for m in _WORD.finditer(sentence) if not sentence[: m.start()].endswith("@")]
    words = [m for m in words if not any(g.start() <= m.start() < g.end() for g in _GROUP.finditer(sentence))]
    if kind == "citation":
        group = _GROUP.search(source, start, end)
        if not group:
            return None
        return source[: group.end() - 1] + f"; @{key}" + source[group.end() - 1 :]
    if len(words) < 3:
        return None
    if kind == "comma":
        word = rng.choice(words[:-1])
        at = start + word.end()
        return None if source[at] in ",;:" else source[:at] + "," + source[at:]
    if kind == "insert":
        word = rng.choice(words[1:])
        at = start + word.start()
        return source[:at] + rng.choice(HEDGES) + " " + source[at:]
    if kind == "delete":
        word = rng.choice(words[1:])
        a, b = start + word.start(), start + word.end()
        return source[:a] + source[b:].lstrip(" ") if source[b : b + 1] == " " else None
    chosen = sorted(rng.sample(words, 2 if kind == EXTRA else 1), key=lambda m: m.start(), reverse=True)
    for word in chosen:
        a, b = start + word.start(), start + word.end()
        source = source[:a] + rng.choice([w for w in vocabulary if w != word.group().lower()]) + source[b:]
    return source


def offset(source: str, line: int, column: int) -> int:
    lines = source.split("\n")
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        corpus.generate(Path(folder), args.articles)
        paths = sorted((Path(folder) / "wikigen" / "content").glob("*.md"))
        sources = {path.name: path.read_text(encoding="utf-8") for path in paths}

    parsed = {name: parse_document(SourceFile(f"content/{name}", text, "")) for name, text in sources.items()}
    total = duplicates = extended = 0
    for document in parsed.values():
        ids = [s.id for s in document.sentences]
        total += len(ids)
        duplicates += len(ids) - len(set(ids))
        for sentence in document.sentences:
            pick = " ".join(_id_words(sentence.text)[:ID_WORDS])
            extended += sentence.id != "s-" + hashlib.blake2b(pick.encode(), digest_size=4).hexdigest()

    vocabulary = sorted({w.lower() for d in parsed.values() for s in d.sentences for w in _WORD.findall(s.text)})
    candidates = [(name, index) for name, document in parsed.items()
                  for index, s in enumerate(document.sentences) if s.kind is UnitKind.SENTENCE and s.markers]
    rng.shuffle(candidates)
    plan = [KINDS[n % len(KINDS)] for n in range(args.edits)] + [EXTRA] * args.edits
    results: dict[str, Counter[str]] = {kind: Counter() for kind in (*KINDS, EXTRA)}
    for name, index in candidates:
        if not plan:
            break
        document, source = parsed[name], sources[name]
        sentence = document.sentences[index]
        start = offset(source, sentence.pos.line, sentence.pos.column)
        following = document.sentences[index + 1] if index + 1 < len(document.sentences) else None
        end = offset(source, following.pos.line, following.pos.column) if following else len(source)
        end = min(end, source.find("\n", start) if "\n" in source[start:] else len(source))
        key = sentence.markers[0].citations[0].key if sentence.markers[0].citations else "llm"
        edited = edit(source, start, end, plan[0], rng, "extra" + key, vocabulary)
        if edited is None:
            continue
        counts = results[plan.pop(0)]
        counts["edits"] += 1
        again = parse_document(SourceFile(f"content/{name}", edited, ""))
        if len(again.sentences) != len(document.sentences):
            counts["units changed"] += 1
            continue
        before, after = [s.id for s in document.sentences], [s.id for s in again.sentences]
        assert len(set(after)) == len(after), "duplicate id in an edited article"
        old_before = text_hash_ids([s.text for s in document.sentences])
        old_after = text_hash_ids([s.text for s in again.sentences])
        counts["kept"] += before[index] == after[index]
        counts["kept (text hash)"] += old_before[index] == old_after[index]
        counts["others changed"] += sum(a != b for i, (a, b) in enumerate(zip(before, after, strict=True))
                                        if i != index)

    print(f"corpus: {len(parsed)} articles, {total} units; first pick taken by an earlier unit of the same "
          f"article: {extended} ({extended / total:.1%}, disambiguated); duplicate ids in an article: {duplicates}")
    print(f"{'edit':<12} {'edits':>5} {'kept':>6} {'text hash':>10} {'units changed':>14} {'others changed':>15}")
    total_row = Counter()
    for kind, counts in results.items():
        if kind == EXTRA:
            print(f"{'all':<12} {total_row['edits']:>5} {total_row['kept']:>6} {total_row['kept (text hash)']:>10} "
                  f"{total_row['units changed']:>14} {total_row['others changed']:>15}")
        else:
            total_row.update(counts)
        print(f"{kind:<12} {counts['edits']:>5} {counts['kept']:>6} {counts['kept (text hash)']:>10} "
              f"{counts['units changed']:>14} {counts['others changed']:>15}")
    edits = total_row["edits"]
    print(f"ids kept over the {edits} edits: {total_row['kept'] / edits:.1%} (text hash: "
          f"{total_row['kept (text hash)'] / edits:.1%}); with two words replaced: "
          f"{results[EXTRA]['kept'] / max(results[EXTRA]['edits'], 1):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
