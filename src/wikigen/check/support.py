"""How well a sentence's cited sources' stored text appears to back it: a score from 0 to 1, offline, on CPU.

Similarity, not entailment: the signals below see whether the sentence's words, rare words above all, its
numbers and its meaning are found in the evidence, not whether the evidence says the opposite. The signals
and their weights are measured in bench/support (README there); `WEIGHTS` is what `bench/support/fit.py`
fitted on its half of the labelled set.

Signals, each 0-1: `align` (weighted share of the sentence's content words found in the best one or two
evidence sentences), `cover` (the same against the whole evidence), `bm25` (BM25 of the sentence against the
evidence, squashed), `missing` (falls from 1 with each rare word of the sentence the evidence lacks),
`numbers` (share of the sentence's numbers found), `embed` (cosine of the sentence and its best evidence
sentence, wordllama's static embeddings, shipped in its wheel), and `brevity` (1 for a short excerpt,
towards 0 for a long abstract: a long text covers a sentence's words by chance more often).
"""

from __future__ import annotations

import functools
import math
import pathlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wikigen.check.entail import EntailmentModel, ModelError, load_model
from wikigen.check.numbers import numbers_in

__all__ = ["SIGNALS", "EntailmentModel", "ModelError", "Scored", "embeddings", "load_model", "score"]

SIGNALS = ("align", "cover", "bm25", "missing", "numbers", "embed", "brevity")
# Fitted by bench/support/fit.py (logistic regression, supported against both kinds of unsupported pair).
WEIGHTS = {"align": 1.375, "cover": 1.416, "bm25": 1.082, "missing": -0.222, "numbers": 0.486, "embed": 2.143,
           "brevity": 1.407}
BIAS = -3.037
THRESHOLD = 0.313  # below it, S003; bench/support picks it so that at most 10% of supported pairs fall below
ENTAILED = 0.5  # the entailment model's probability below which S003 is reported
VERSION = "lexical+wordllama 2"  # part of every cached score's digest: change it when the score changes

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])")
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just may me might more most must my no nor not of
    off on once only or other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which while who whom
    why will with would you your whose within without upon per via among amongst et al""".split()  # noqa: SIM905 (140 quoted words read worse)
)


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    best: str  # the evidence sentence that matches the sentence best
    signals: tuple[float, ...] = ()  # in the order of SIGNALS
    threshold: float = THRESHOLD  # below it the sentence does not appear supported

    @property
    def supported(self) -> bool:
        return self.score >= self.threshold


def _stem(word: str) -> str:
    """A light suffix strip, so that `infections` meets `infection` and `reduced` meets `reduces`."""
    for suffix in ("ations", "ation", "ness", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return [_stem(w) for w in words if w not in _STOP and not w.isdigit()]


def evidence_sentences(text: str) -> list[str]:
    parts = [p.strip() for block in text.split("\n\n") for p in _SENTENCE_END.split(" ".join(block.split()))]
    return [p for p in parts if p]


@functools.cache
def embeddings():
    """wordllama's model from its own wheel; its loader would otherwise try to download a tokenizer it holds."""
    import wordllama

    return wordllama.WordLlama.load(cache_dir=pathlib.Path(wordllama.__file__).parent, disable_download=True)


@functools.lru_cache(maxsize=65536)
def rarity(word: str) -> float:
    """How rare a word is, from the number of pieces wordllama's tokenizer cuts it into (a frequent word is one
    piece): 1 for `the`, up to 4 for `hydroxychloroquine`. No corpus to count, the same for every site."""
    pieces = len(embeddings().tokenizer.encode(word, add_special_tokens=False).ids) - 1  # less the word-start piece
    return float(min(max(pieces, 1), 4))


def _coverage(claim: Counter[str], found: set[str]) -> float:
    total = sum(rarity(w) for w in claim)
    return sum(rarity(w) for w in claim if w in found) / total if total else 0.0


def _bm25(claim: Counter[str], words: list[str], k1: float = 1.2, b: float = 0.75, length: float = 200.0) -> float:
    tf = Counter(words)
    norm = k1 * (1 - b + b * len(words) / length)
    raw = sum(rarity(w) * tf[w] * (k1 + 1) / (tf[w] + norm) for w in claim if w in tf)
    best = sum(rarity(w) * (k1 + 1) for w in claim) or 1.0
    return raw / best


@dataclass(frozen=True)
class _Evidence:
    """What the signals need of one stored text, made once however many sentences cite it."""

    parts: list[str]  # its sentences
    sets: list[set[str]]  # the content words of each
    every: list[str]  # all its content words
    numbers: frozenset[str]
    vectors: Any  # one embedding a sentence, normalised


@functools.lru_cache(maxsize=1024)
def _prepared(evidence: str) -> _Evidence:
    parts = evidence_sentences(evidence) or [evidence]
    words = [content_words(p) for p in parts]
    return _Evidence(parts, [set(w) for w in words], [w for ws in words for w in ws], frozenset(numbers_in(evidence)),
                     embeddings().embed(parts, norm=True))


def signals(sentence: str, evidence: str) -> tuple[tuple[float, ...], str]:
    """Every signal of SIGNALS for one sentence against one evidence text, and the best evidence sentence."""
    found = _prepared(evidence)
    parts, sets, every = found.parts, found.sets, found.every
    claim = Counter(content_words(sentence))
    single = [_coverage(claim, s) for s in sets]
    order = sorted(range(len(parts)), key=lambda i: -single[i])
    pair = _coverage(claim, sets[order[0]] | sets[order[1]]) if len(order) > 1 else single[order[0]]
    align = 0.5 * single[order[0]] + 0.5 * pair
    known = set(every)
    cover = _coverage(claim, known)
    bm25 = _bm25(claim, every)
    missing = math.exp(-sum(rarity(w) - 1 for w in claim if w not in known) / 3)
    wanted = numbers_in(sentence)
    numbers = sum(n in found.numbers for n in wanted) / len(wanted) if wanted else 1.0
    cosines = found.vectors @ embeddings().embed([sentence], norm=True)[0]
    embed = float(max(0.0, cosines.max()))
    best = max(range(len(parts)), key=lambda i: (single[i] + float(cosines[i]), -i))
    brevity = 1 / (1 + len(every) / 50)
    return (align, cover, bm25, missing, numbers, embed, brevity), parts[best]


def combine(values: Sequence[float]) -> float:
    z = BIAS + sum(WEIGHTS[name] * v for name, v in zip(SIGNALS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def score(sentence: str, evidence: str, model: EntailmentModel | None = None) -> Scored:
    """The combined signals' score, or with `model` its probability that the evidence entails the sentence
    (THRESHOLD then is `ENTAILED`)."""
    values, best = signals(sentence, evidence)
    if model is not None:
        windows = evidence_sentences(evidence) or [evidence]
        chunks = [" ".join(windows[i : i + 3]) for i in range(0, max(len(windows) - 2, 1))]
        entailed = max(model.entailment(c, sentence) for c in chunks)
        return Scored(round(entailed, 4), best, tuple(round(v, 4) for v in values), ENTAILED)
    return Scored(round(combine(values), 4), best, tuple(round(v, 4) for v in values))
