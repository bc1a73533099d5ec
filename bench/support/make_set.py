"""Build the labelled claim/abstract set of bench/support/README.md from a Check-COVID snapshot (MIT licence).

    .venv/bin/python bench/support/make_set.py /path/to/Check-COVID  # a checkout or `git worktree` of it

Writes bench/support/check-covid.json.gz: {"abstracts": {cord_id: [sentence, ...]}, "pairs": [{"id", "claim",
"abstract" (a cord_id), "sentences" (indexes of the stored excerpt, or null: the whole abstract), "kind",
"split"}]}. Kinds:
- `supported`: a SUPPORT claim and its whole abstract; `supported-excerpt`: the same claim and the sentences
  the annotators marked as its evidence (an excerpt an editor would store);
- `cited-not-supporting`: a NOTENOUGHINFO claim and the sentences of its cited abstract the annotators marked
  as not enough. (Every such claim of Check-COVID repeats a SUPPORT or REFUTE claim on the same abstract, so
  only these sentences, not the whole abstract, are known not to support it.)
- `contradicted`: a REFUTE claim and its whole abstract;
- `uncited-close`: a SUPPORT claim and the abstract closest to its own (TF-IDF cosine), which it does not cite.
The split is by abstract, so no abstract is in both halves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).with_name("check-covid.json.gz")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def main(folder: str) -> None:
    root = Path(folder)
    claims = [json.loads(line) for line in (root / "Check-COVID_all.json").read_text().splitlines() if line.strip()]
    corpus = {}
    for line in (root / "corpus.json").read_text().splitlines():
        if line.strip():
            doc = json.loads(line)
            sentences = [s.strip() for s in doc["abstract"]]
            if sentences:
                sentences[0] = sentences[0].removeprefix("Abstract ").strip()
            corpus[doc["cord_id"]] = sentences
    # Nearest abstract to each abstract, TF-IDF cosine: the closest topic the corpus offers.
    df = Counter(w for sentences in corpus.values() for w in set(_words(" ".join(sentences))))
    n = len(corpus)
    vectors = {}
    for key, sentences in corpus.items():
        tf = Counter(_words(" ".join(sentences)))
        vec = {w: c * math.log(n / df[w]) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors[key] = {w: v / norm for w, v in vec.items()}
    nearest = {}
    for key, vec in vectors.items():
        best = max((other for other in vectors if other != key),
                   key=lambda other: (sum(v * vectors[other].get(w, 0.0) for w, v in vec.items()), other))
        nearest[key] = best
    rows = []
    for claim in claims:
        cord = claim["cord_id"]
        if cord not in corpus:
            continue
        split = "fit" if int(hashlib.sha256(cord.encode()).hexdigest(), 16) % 10 < 5 else "test"
        text = claim["claim"].strip()
        marked = sorted({e["sent_index"] for e in claim["evidence_set"]})

        def pair(suffix: str, kind: str, abstract: str, sentences, claim=claim, text=text, split=split) -> None:
            rows.append({"id": claim["id"] + suffix, "claim": text, "abstract": abstract, "sentences": sentences,
                         "kind": kind, "split": split})

        if claim["label"] == "SUPPORT":
            pair("", "supported", cord, None)
            pair("/excerpt", "supported-excerpt", cord, marked)
            pair("/uncited", "uncited-close", nearest[cord], None)
        elif claim["label"] == "REFUTE":
            pair("", "contradicted", cord, None)
        else:
            pair("", "cited-not-supporting", cord, marked)
    used = sorted({row["abstract"] for row in rows})
    document = {"abstracts": {key: corpus[key] for key in used}, "pairs": rows}
    with gzip.GzipFile(OUT, "wb", compresslevel=9, mtime=0) as out:
        out.write(json.dumps(document, ensure_ascii=False, indent=0).encode())
    print(f"{len(rows)} pairs: {dict(Counter((r['kind'], r['split']) for r in rows))}")


if __name__ == "__main__":
    main(sys.argv[1])
