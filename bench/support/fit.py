"""Measure the support score on the labelled set (bench/support/README.md) and fit its combination.

    .venv/bin/python bench/support/fit.py [--model path/to/onnx-model]

Computes every signal of `wikigen.check.support` for each pair, fits a logistic regression on the `fit` half
(supported against cited-not-supporting and uncited-close), and reports on the `test` half: ROC-AUC of each
signal alone and of the combination (supported against each kind of unsupported pair), and the share of each
kind flagged at the threshold that flags at most 10% of the supported pairs of the fit half. Also the effect of
leaving each signal out. Prints the WEIGHTS, BIAS and THRESHOLD to put in support.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

from wikigen.check import support

DATA = Path(__file__).with_name("check-covid.json.gz")
KINDS = ("cited-not-supporting", "uncited-close", "contradicted")
SUPPORTED = ("supported", "supported-excerpt")
# Each kind of unsupported pair is compared with the supported pairs of the same length of evidence.
BASELINE = {"cited-not-supporting": "supported-excerpt", "uncited-close": "supported", "contradicted": "supported"}


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random supported pair scores above a random unsupported one (ties count half)."""
    both = np.concatenate([positive, negative])
    ranks = both.argsort().argsort() + 1.0
    for value in np.unique(both):  # average ranks of ties
        tied = both == value
        ranks[tied] = ranks[tied].mean()
    n, m = len(positive), len(negative)
    return float((ranks[:n].sum() - n * (n + 1) / 2) / (n * m))


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 4000, rate: float = 0.5, l2: float = 1e-3):
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float((p - y).mean())
    return w, b


def report(name: str, scores: np.ndarray, kinds: np.ndarray, threshold: float) -> dict:
    positive = scores[np.isin(kinds, SUPPORTED)]
    row = {"name": name, "supported flagged": float((positive < threshold).mean())}
    for kind in KINDS:
        negative = scores[kinds == kind]
        row[f"AUC {kind}"] = auc(scores[kinds == BASELINE[kind]], negative)
        row[f"flagged {kind}"] = float((negative < threshold).mean())
    return row


def threshold_for(scores: np.ndarray, share: float = 0.10) -> float:
    """The largest threshold flagging (scoring below) at most `share` of these supported scores."""
    ordered = np.sort(scores)
    return float(ordered[int(np.floor(share * len(ordered)))])


def stored_text(sentences: list[str], chosen: list[int] | None) -> str:
    return " ".join(sentences if chosen is None else [sentences[i] for i in chosen if i < len(sentences)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    data = json.loads(gzip.decompress(DATA.read_bytes()))
    pairs = data["pairs"]
    started = time.perf_counter()
    values = np.array([support.signals(p["claim"], stored_text(data["abstracts"][p["abstract"]], p["sentences"]))[0]
                       for p in pairs])
    seconds = time.perf_counter() - started
    kinds = np.array([p["kind"] for p in pairs])
    split = np.array([p["split"] for p in pairs])
    fit, test = split == "fit", split == "test"
    train = fit & (kinds != "contradicted")
    y = np.isin(kinds[train], SUPPORTED).astype(float)
    positive_fit = fit & np.isin(kinds, SUPPORTED)
    rows = []
    for i, name in enumerate(support.SIGNALS):
        column = values[:, i]
        rows.append(report(f"{name} alone", column[test], kinds[test], threshold_for(column[positive_fit])))
    w, b = fit_logistic(values[train], y)
    combined = 1 / (1 + np.exp(-(values @ w + b)))
    cut = threshold_for(combined[positive_fit])
    rows.append(report("combined", combined[test], kinds[test], cut))
    for i, name in enumerate(support.SIGNALS):
        keep = [j for j in range(len(support.SIGNALS)) if j != i]
        wi, bi = fit_logistic(values[train][:, keep], y)
        scores = 1 / (1 + np.exp(-(values[:, keep] @ wi + bi)))
        rows.append(report(f"combined without {name}", scores[test], kinds[test],
                           threshold_for(scores[positive_fit])))
    for row in rows:
        print(f"{row['name']:<28} supported flagged {row['supported flagged']:.0%}  " + "  ".join(
            f"{kind}: AUC {row[f'AUC {kind}']:.2f} flagged {row[f'flagged {kind}']:.0%}" for kind in KINDS))
    weights = {name: round(float(v), 3) for name, v in zip(support.SIGNALS, w, strict=True)}
    print(f"WEIGHTS = {weights}\nBIAS = {round(b, 3)}\nTHRESHOLD = {round(cut, 3)}")
    print(f"{len(pairs)} pairs scored in {seconds:.1f} s ({seconds / len(pairs) * 1000:.2f} ms a pair)")
    args.out.write_text(json.dumps({"rows": rows, "weights": weights, "bias": b, "threshold": cut,
                                    "pairs": len(pairs), "ms_per_pair": seconds / len(pairs) * 1000}, indent=1))


if __name__ == "__main__":
    main()
