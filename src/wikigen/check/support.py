"""How well a sentence's cited sources' stored text appears to back it: a score from 0 to 1, offline, on CPU.

Similarity, not entailment: the signals below see whether the sentence's words, rare words above all, its
numbers and its meaning are found in the evidence, not whether the evidence says the opposite. The signals
and their weights are measured in bench/support (README there); `support.json` beside this module is what
`bench/support/fit.py` fitted on its half of the labelled set.

Signals, each 0-1: `cover` (share of the sentence's content words found in the evidence, each weighted by its
rarity), `numbers` (share of the sentence's numbers found), `embed` (cosine of the sentence and its best
evidence sentence), `soft` and `softalign` (each of the sentence's words meets its nearest word of the whole
evidence, or of its best two sentences, by cosine: `infectious` still meets `infection`, `Neandertals` meets
`Neanderthals`), `specific` (falls with the English rarity of the sentence's words the evidence lacks: a
missing `hydroxychloroquine` costs more than a missing `many`), `predicate` (`cover` of the sentence's words
after its first three, which are roughly its subject), `wordy` (towards 0 for a long sentence) and `brevity`
(towards 0 for a long evidence text). Vectors are wordllama's static embeddings, shipped in its wheel.

A short excerpt and a long abstract are scored by two fits, each with its own threshold: a long text covers a
sentence's words by chance more often, so one threshold cannot serve both.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import pathlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wikigen.check.entail import EntailmentModel, ModelError, load_model
from wikigen.check.numbers import numbers_in

__all__ = ["SIGNALS", "EntailmentModel", "ModelError", "Scored", "embeddings", "load_model", "score"]

SIGNALS = ("cover", "numbers", "embed", "soft", "softalign", "specific", "predicate", "wordy", "brevity")
FITTED = pathlib.Path(__file__).with_name("support.json")  # written by bench/support/fit.py
_FITTED_BYTES = FITTED.read_bytes()
ENTAILED = 0.5  # the entailment model's probability below which S003 is reported
# Part of every cached score's digest, so a change of code version or of fitted weights scores again.
VERSION = "lexical+wordllama 3 " + hashlib.sha256(_FITTED_BYTES).hexdigest()[:16]

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
class _Fit:
    """One logistic combination of SIGNALS and the threshold below which it reports S003."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __call__(self, values: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


def _load_fits() -> tuple[int, _Fit, _Fit]:
    fitted = json.loads(_FITTED_BYTES)
    if tuple(fitted["signals"]) != SIGNALS:
        raise RuntimeError(f"{FITTED} was fitted for signals {fitted['signals']}: run bench/support/fit.py")
    short, long = (_Fit(tuple(fit["weights"]), fit["bias"], fit["threshold"]) for fit in (fitted["short"],
                                                                                         fitted["long"]))
    return int(fitted["long_from"]), short, long


LONG_FROM, SHORT, LONG = _load_fits()  # evidence of LONG_FROM content words or more is scored by LONG


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    best: str  # the evidence sentence that matches the sentence best
    signals: tuple[float, ...] = ()  # in the order of SIGNALS
    threshold: float = SHORT.threshold  # below it the sentence does not appear supported

    @property
    def supported(self) -> bool:
        return self.score >= self.threshold


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light suffix strip, so that `infections` meets `infection` and `reduced` meets `reduces`."""
    for suffix in ("ations", "ation", "ness", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    """The content words of `text`, casefolded, not stemmed."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return [w for w in words if w not in _STOP and not w.isdigit()]


def evidence_sentences(text: str) -> list[str]:
    parts = [p.strip() for block in text.split("\n\n") for p in _SENTENCE_END.split(" ".join(block.split()))]
    return [p for p in parts if p]


@functools.cache
def embeddings():
    """wordllama's model from its own wheel (its loader would otherwise try to download a tokenizer it holds),
    with wordfreq's English table read too: the build loads both before its check workers fork, to share them."""
    import wordllama
    from wordfreq import zipf_frequency

    zipf_frequency("the", "en")
    return wordllama.WordLlama.load(cache_dir=pathlib.Path(wordllama.__file__).parent, disable_download=True)


@functools.lru_cache(maxsize=65536)
def rarity(word: str) -> float:
    """How rare a word is, from the number of pieces wordllama's tokenizer cuts it into (a frequent word is one
    piece): 1 for `the`, up to 4 for `hydroxychloroquine`. No corpus to count, the same for every site."""
    pieces = len(embeddings().tokenizer.encode(word, add_special_tokens=False).ids) - 1  # less the word-start piece
    return float(min(max(pieces, 1), 4))


@functools.lru_cache(maxsize=65536)
def english_rarity(word: str) -> float:
    """How rare a word is in English, from wordfreq's tables (shipped in its wheel): 0 for `the` and anything as
    common, 2 for `patients`, 5 for `hydroxychloroquine`, 7 for a word it has never seen (`rs11385942`). Finer
    than `rarity` at the rare end, where a sentence's specific terms are."""
    from wordfreq import zipf_frequency

    return max(7.0 - zipf_frequency(word, "en"), 0.0)


def _terms(text: str) -> dict[str, float]:
    """The sentence's content words as the evidence is searched for them (stemmed), each with its rarity (of the
    word as written: a stem such as `stud` is rarer than `studies`)."""
    terms: dict[str, float] = {}
    for word in _words(text):
        stem = _stem(word)
        terms[stem] = max(terms.get(stem, 0.0), rarity(word))
    return terms


def _embed(texts: Sequence[str]) -> Any:
    """Normalised embeddings; a text with no tokens (an empty one) is the zero vector, not a division by zero."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(embeddings().embed(list(texts), norm=True))


_VECTORS: dict[str, Any] = {}


def _word_vectors(words: Sequence[str]) -> Any:
    """One normalised embedding a word, each word embedded once per process (up to 50,000 words, 50 MB)."""
    if new := [w for w in dict.fromkeys(words) if w not in _VECTORS]:
        if len(_VECTORS) > 50_000:
            _VECTORS.clear()
        _VECTORS.update(zip(new, _embed(new), strict=True))
    return np.array([_VECTORS[w] for w in words]).reshape(len(words), -1)


def _coverage(claim: dict[str, float], found: set[str]) -> float:
    total = sum(claim.values())
    return sum(r for w, r in claim.items() if w in found) / total if total else 0.0


@dataclass(frozen=True)
class _Evidence:
    """What the signals need of one stored text, made once however many sentences cite it."""

    parts: list[str]  # its sentences
    sets: list[set[str]]  # the content words of each
    every: list[str]  # all its content words
    numbers: frozenset[str]
    vectors: Any  # one embedding a sentence, normalised
    word_vectors: Any  # one embedding a distinct content word (unstemmed), normalised
    members: Any  # sentences x words: 1 where the sentence holds the word


@functools.lru_cache(maxsize=1024)
def _prepared(evidence: str) -> _Evidence:
    parts = evidence_sentences(evidence) or [evidence]
    raw = [_words(p) for p in parts]
    words = [[_stem(w) for w in ws] for ws in raw]
    distinct = list(dict.fromkeys(w for ws in raw for w in ws)) or [""]
    index = {w: i for i, w in enumerate(distinct)}
    members = np.zeros((len(parts), len(distinct)), dtype=np.float32)
    for i, ws in enumerate(raw):
        members[i, [index[w] for w in ws]] = 1.0
    return _Evidence(parts, [set(w) for w in words], [w for ws in words for w in ws], frozenset(numbers_in(evidence)),
                     _embed(parts), _word_vectors(distinct), members)


def _soft(sentence: str, found: _Evidence) -> tuple[float, float]:
    """Rarity-weighted mean, over the sentence's distinct words, of the cosine to the nearest evidence word: in
    the whole evidence, and in its best two sentences."""
    claim = list(dict.fromkeys(_words(sentence)))
    if not claim:
        return 0.0, 0.0
    weights = np.array([rarity(w) for w in claim])
    # Sentence words x evidence words. einsum, not `@`: a threaded BLAS spends far longer waking its threads than
    # multiplying matrices this small, the more so on a busy machine (bench/support/RESULTS.md).
    near = np.clip(np.einsum("id,jd->ij", _word_vectors(claim), found.word_vectors), 0.0, 1.0)
    by_part = (near[:, None, :] * found.members[None, :, :]).max(axis=2)  # sentence words x evidence sentences
    order = np.argsort(-(weights @ by_part), kind="stable")[:2]
    total = float(weights.sum())
    return float(weights @ near.max(axis=1)) / total, float(weights @ by_part[:, order].max(axis=1)) / total


def signals(sentence: str, evidence: str) -> tuple[tuple[float, ...], str]:
    """Every signal of SIGNALS for one sentence against one evidence text, and the best evidence sentence."""
    found = _prepared(evidence)
    parts, sets, every = found.parts, found.sets, found.every
    claim = _terms(sentence)
    known = set(every)
    cover = _coverage(claim, known)
    wanted = numbers_in(sentence)
    numbers = sum(n in found.numbers for n in wanted) / len(wanted) if wanted else 1.0
    cosines = found.vectors @ _embed([sentence])[0]
    embed = float(max(0.0, cosines.max()))
    soft, softalign = _soft(sentence, found)
    absent = {_stem(w): english_rarity(w) for w in _words(sentence) if _stem(w) not in known}
    specific = math.exp(-sum(absent.values()) / 10)
    later = dict(list(claim.items())[3:])  # the sentence's words after its subject (roughly, its first three)
    predicate = _coverage(later, known) if later else 1.0
    wordy = 1 / (1 + len(claim) / 10)
    single = [_coverage(claim, s) for s in sets]
    best = max(range(len(parts)), key=lambda i: (single[i] + float(cosines[i]), -i))
    brevity = 1 / (1 + len(every) / 50)
    values = (cover, numbers, embed, soft, softalign, specific, predicate, wordy, brevity)
    return values, parts[best]


def evidence_length(evidence: str) -> int:
    """How long a stored text is, in content words, as LONG_FROM counts them."""
    return len(_prepared(evidence).every)


def fit_for(evidence: str) -> _Fit:
    """The combination that scores a sentence against this evidence: the short one or the long one."""
    return LONG if evidence_length(evidence) >= LONG_FROM else SHORT


def score(sentence: str, evidence: str, model: EntailmentModel | None = None) -> Scored:
    """The combined signals' score, or with `model` its probability that the evidence entails the sentence
    (the threshold then is `ENTAILED`)."""
    values, best = signals(sentence, evidence)
    rounded = tuple(round(v, 4) for v in values)
    if model is not None:
        windows = evidence_sentences(evidence) or [evidence]
        chunks = [" ".join(windows[i : i + 3]) for i in range(0, max(len(windows) - 2, 1))]
        entailed = max(model.entailment(c, sentence) for c in chunks)
        return Scored(round(entailed, 4), best, rounded, ENTAILED)
    fit = fit_for(evidence)
    return Scored(round(fit(values), 4), best, rounded, fit.threshold)
