"""Measure the support score on the labelled set (bench/support/README.md) and fit its combinations.

    .venv/bin/python bench/support/fit.py    # writes results.json and src/wikigen/check/support.json

Computes every signal of `wikigen.check.support` for each pair. Evidence of fewer than LONG_FROM content words
(an excerpt) and longer evidence (an abstract) get a logistic regression each, fitted on the `fit` half
(supported against cited-not-supporting and uncited-close), each with the threshold that flags (scores
below) at most 10% of the fit half's supported pairs of its length. Reports on the `test` half: ROC-AUC of
each signal alone and of the combination (supported against each kind of unsupported pair, evidence of the
same length compared), the share of each kind flagged at those thresholds, and at the thresholds that flag
10% of the test half's own supported pairs (the ROC curve's point); the same for each signal left out, for
fewer signals, for one fit with one threshold (the previous design), and cross-validated (5 folds by
abstract, over both halves). The fitted weights and thresholds go to support.json, which the scorer reads.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from wikigen.check import support

DATA = Path(__file__).with_name("check-covid.json.gz")
KINDS = ("cited-not-supporting", "uncited-close", "contradicted")
SUPPORTED = ("supported", "supported-excerpt")
# Each kind of unsupported pair is compared with the supported pairs of the same length of evidence.
BASELINE = {"cited-not-supporting": "supported-excerpt", "uncited-close": "supported", "contradicted": "supported"}
LONG_FROM = 50  # content words: 95% of the annotators' excerpts are shorter, 95% of the abstracts longer
SHARE = 0.10  # of the supported pairs that may be flagged
FOLDS = 5

Fitter = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random supported pair scores above a random unsupported one (ties count half)."""
    both = np.concatenate([positive, negative])
    ranks = both.argsort().argsort() + 1.0
    for value in np.unique(both):  # average ranks of ties
        tied = both == value
        ranks[tied] = ranks[tied].mean()
    n, m = len(positive), len(negative)
    return float((ranks[:n].sum() - n * (n + 1) / 2) / (n * m))


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 3000, rate: float = 0.5, l2: float = 1e-3):
    """Gradient descent on standardised signals (they are correlated: raw, it converges slowly), returned as
    weights and bias on the raw signals."""
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / spread
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float((p - y).mean())
    return w / spread, b - float((w * mean / spread).sum())


def threshold_for(scores: np.ndarray, share: float = SHARE) -> float:
    """The largest threshold flagging (scoring below) at most `share` of these supported scores."""
    ordered = np.sort(scores)
    return float(ordered[int(np.floor(share * len(ordered)))])


def stored_text(sentences: list[str], chosen: list[int] | None) -> str:
    return " ".join(sentences if chosen is None else [sentences[i] for i in chosen if i < len(sentences)])


class Labelled:
    """The pairs' signals, kinds, halves, lengths and abstracts, as arrays."""

    def __init__(self, data: dict):
        pairs = data["pairs"]
        started = time.perf_counter()
        texts = [stored_text(data["abstracts"][p["abstract"]], p["sentences"]) for p in pairs]
        self.values = np.array([support.signals(p["claim"], t)[0] for p, t in zip(pairs, texts, strict=True)])
        self.seconds = time.perf_counter() - started
        self.long = np.array([support.evidence_length(t) >= LONG_FROM for t in texts])
        self.kinds = np.array([p["kind"] for p in pairs])
        self.split = np.array([p["split"] for p in pairs])
        self.fold = np.array([int(hashlib.sha256(("fold " + p["abstract"]).encode()).hexdigest(), 16) % FOLDS
                              for p in pairs])
        self.supported = np.isin(self.kinds, SUPPORTED)
        self.trainable = self.kinds != "contradicted"


def short_columns(columns: list[int]) -> list[int]:
    """The signals the short fit may use: not `brevity`, whose weight there would learn an artefact of the set
    (the annotators gave NOTENOUGHINFO claims shorter evidence than SUPPORT ones) and adds nothing (README)."""
    return [i for i in columns if support.SIGNALS[i] != "brevity"]


def bucketed(columns: list[int], short: Callable[[list[int]], list[int]] = short_columns) -> Fitter:
    """A fit and a threshold for short evidence and another for long evidence, as support.py scores."""

    def fitter(x, y, long, train):
        scores, cuts = np.zeros(len(y)), np.zeros(len(y))
        for bucket, kept in ((~long, short(columns)), (long, columns)):
            w, b = fit_logistic(x[train & bucket][:, kept], y[train & bucket])
            scores[bucket] = 1 / (1 + np.exp(-(x[bucket][:, kept] @ w + b)))
            cuts[bucket] = threshold_for(scores[train & bucket & (y == 1)])
        return scores, cuts

    return fitter


def single(columns: list[int]) -> Fitter:
    """The previous design: one fit and one threshold for every length of evidence."""

    def fitter(x, y, long, train):
        w, b = fit_logistic(x[train][:, columns], y[train])
        scores = 1 / (1 + np.exp(-(x[:, columns] @ w + b)))
        return scores, np.full(len(y), threshold_for(scores[train & (y == 1)]))

    return fitter


def alone(column: int) -> Fitter:
    """One signal as it is, with a threshold for each length of evidence."""

    def fitter(x, y, long, train):
        scores, cuts = x[:, column].copy(), np.zeros(len(y))
        for bucket in (~long, long):
            cuts[bucket] = threshold_for(scores[train & bucket & (y == 1)])
        return scores, cuts

    return fitter


def measure(data: Labelled, scores: np.ndarray, cuts: np.ndarray, test: np.ndarray) -> dict:
    """Share flagged of each kind, on `test`, at the fitted thresholds; and the ROC-AUC, same-length baselines."""
    flagged = scores < cuts
    row = {"supported flagged": float(flagged[test & data.supported].mean())}
    for kind in (*SUPPORTED, *KINDS):
        row[f"flagged {kind}"] = float(flagged[test & (data.kinds == kind)].mean())
    for kind in KINDS:
        row[f"AUC {kind}"] = auc(scores[test & (data.kinds == BASELINE[kind])], scores[test & (data.kinds == kind)])
    # The ROC curve's point itself: thresholds set on these pairs' own supported ones, 10% of each length.
    own = np.zeros(len(scores))
    for bucket in (~data.long, data.long):
        own[bucket] = threshold_for(scores[test & bucket & data.supported])
    for kind in KINDS:
        row[f"at 10% {kind}"] = float((scores < own)[test & (data.kinds == kind)].mean())
    return row


def evaluate(data: Labelled, fitter: Fitter) -> tuple[dict, dict]:
    """Fit on the fit half, measure on the test half; and the mean over FOLDS folds by abstract."""
    x, y = data.values, data.supported.astype(float)
    fit, test = data.split == "fit", data.split == "test"
    scores, cuts = fitter(x, y, data.long, fit & data.trainable)
    held = measure(data, scores, cuts, test)
    rows = []
    for k in range(FOLDS):  # each fold is the test of a fit on the four others
        scores, cuts = fitter(x, y, data.long, (data.fold != k) & data.trainable)
        rows.append(measure(data, scores, cuts, data.fold == k))
    return held, {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}


def fit_shipped(data: Labelled) -> dict:
    """What support.json holds: the signals' names, the length that makes evidence long, and for short and long
    evidence the weights, bias and threshold fitted on the fit half."""
    fit = (data.split == "fit") & data.trainable
    y = data.supported.astype(float)
    fitted: dict = {"signals": list(support.SIGNALS), "long_from": LONG_FROM}
    every = list(range(len(support.SIGNALS)))
    for name, bucket, kept in (("short", ~data.long, short_columns(every)), ("long", data.long, every)):
        w = np.zeros(len(every))
        w[kept], b = fit_logistic(data.values[fit & bucket][:, kept], y[fit & bucket])
        scores = 1 / (1 + np.exp(-(data.values @ w + b)))
        fitted[name] = {"weights": [round(float(v), 4) for v in w], "bias": round(float(b), 4),
                        "threshold": round(threshold_for(scores[fit & bucket & data.supported]), 4)}
    return fitted


def load() -> Labelled:
    return Labelled(json.loads(gzip.decompress(DATA.read_bytes())))


def line(name: str, row: dict) -> str:
    return (f"{name:<32} supported {row['supported flagged']:4.0%} (excerpts {row['flagged supported-excerpt']:.0%}"
            f", abstracts {row['flagged supported']:.0%})  " + "  ".join(
                f"{kind}: {row[f'AUC {kind}']:.2f} / {row[f'flagged {kind}']:.0%}" for kind in KINDS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    parser.add_argument("--fitted", type=Path, default=support.FITTED)
    args = parser.parse_args()
    data = load()
    every = list(range(len(support.SIGNALS)))
    candidates: dict[str, Fitter] = {f"{name} alone": alone(i) for i, name in enumerate(support.SIGNALS)}
    candidates["combined (shipped)"] = bucketed(every)
    candidates["combined, brevity in the short fit too"] = bucketed(every, short=list)
    candidates |= {f"combined without {support.SIGNALS[i]}": bucketed([j for j in every if j != i]) for i in every}
    old = [support.SIGNALS.index(name) for name in ("cover", "numbers", "embed", "brevity")]
    candidates["cover, numbers, embed and brevity, one fit, one threshold"] = single(old)
    candidates["cover, numbers, embed and brevity, two fits"] = bucketed(old)
    candidates["every signal, one fit, one threshold"] = single(every)
    rows = []
    for name, fitter in candidates.items():
        held, cv = evaluate(data, fitter)
        print(line(name, held))
        print(line("  cross-validated", cv))
        rows.append({"name": name, "test": held, "cross-validated": cv})
    fitted = fit_shipped(data)
    args.fitted.write_text(json.dumps(fitted, indent=1) + "\n")
    print(f"{len(data.kinds)} pairs scored in {data.seconds:.1f} s ({data.seconds / len(data.kinds) * 1000:.2f} "
          f"ms a pair); fitted to {args.fitted}")
    args.out.write_text(json.dumps({"rows": rows, "fitted": fitted, "pairs": len(data.kinds),
                                    "long pairs": int(data.long.sum()),
                                    "ms_per_pair": data.seconds / len(data.kinds) * 1000}, indent=1) + "\n")


if __name__ == "__main__":
    main()
