"""Cost of the evidence checks per sentence, on articles of the 1,000-article benchmark corpus.

    .venv/bin/python bench/support/cost.py [--articles 1000] [--sample 100]

Generates the corpus (bench/corpus.py) and gives every bibliography entry an abstract (Check-COVID abstracts
from check-covid.json.gz, cycled), so that every sourced sentence is scored: the worst case. Then, in one
process, over the first `--sample` articles (each parsed once beforehand), times `check_document`:
- `no stored text`: no abstracts (every sentence not checkable), the baseline;
- `cold`: abstracts, an empty score cache;
- `cached`: abstracts, the score cache the cold pass filled (what a check after an edit elsewhere pays).
Prints milliseconds per sourced sentence for each, and the cold and cached extra projected to the corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wikigen.check import check_document, support
from wikigen.check.evidence import stored_texts, years_of
from wikigen.config import load_config
from wikigen.load import load_sources
from wikigen.model import Provenance
from wikigen.parse import parse_document, slug_of
from wikigen.parse.bibliography import parse_bibliography
from wikigen.pool import memo_scorer

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, str(HERE.parent / "corpus.py"), folder, "--articles", str(args.articles)],
                       check=True, capture_output=True)
        root = Path(folder) / "wikigen"
        config = load_config(root).config
        sources = load_sources(config)
        bibliography = parse_bibliography(sources.bibliography)
        abstracts = [" ".join(a) for a in json.loads(gzip.decompress((HERE / "check-covid.json.gz").read_bytes()))
                     ["abstracts"].values()]
        keys = sorted(bibliography.entries)
        stored = {key: abstracts[i % len(abstracts)] for i, key in enumerate(keys)}
        years = years_of(bibliography)
        assert stored_texts(bibliography, ()) == {}  # the corpus has no abstracts of its own
        slugs = frozenset(slug_of(s.path) for s in sources.articles)
        documents = [parse_document(s) for s in sources.articles[: args.sample]]
        sourced = sum(s.provenance is Provenance.SOURCED for d in documents for s in d.sentences)
        support.embeddings()
        def run(evidence: dict, memo: dict) -> tuple[float, dict]:
            used_all: dict = {}
            started = time.perf_counter()
            for document in documents:
                score, used = memo_scorer(memo, "bench", None)
                check_document(document, bibliography.entries, slugs, config, False, evidence, years, score)
                used_all.update(used)
            return time.perf_counter() - started, used_all

        base, _ = run({}, {})
        cold, memo = run(stored, {})
        cached, _ = run(stored, memo)
    per = {name: seconds / sourced * 1000 for name, seconds in
           (("no stored text", base), ("cold", cold), ("cached", cached))}
    print(f"{len(documents)} articles of {args.articles}, {sourced} sourced sentences, {len(memo)} scores")
    for name, ms in per.items():
        print(f"  {name:<15} {ms:7.3f} ms a sourced sentence")
    factor = args.articles / len(documents)
    print(f"  projected to {args.articles} articles, one core: cold +{(cold - base) * factor:.0f} s, "
          f"cached +{(cached - base) * factor:.1f} s over the check without stored text")


if __name__ == "__main__":
    main()
