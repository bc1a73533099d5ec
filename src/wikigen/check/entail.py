"""The optional entailment backend: a local NLI or fact-checking model exported to ONNX, run on CPU.

A model folder holds `model.onnx` (or `onnx/model.onnx`, as exported by Hugging Face Optimum), the
`tokenizer.json` of its tokenizer and the `config.json` whose `id2label` names the entailment class
(`entailment`, `entail`, `supported` or `support`). Nothing is downloaded: the folder is read as it is.
onnxruntime is an optional dependency (`pip install "wikigen[entail]"`), imported only when a model is set.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

ENTAILMENT_LABELS = ("entailment", "entail", "entailed", "supported", "support", "supports")
MAX_TOKENS = 512


class ModelError(Exception):
    """The model folder cannot be used; the message says what to fix."""


class EntailmentModel:
    def __init__(self, folder: Path):
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"support_model needs onnxruntime: pip install \"wikigen[entail]\" ({exc})") from exc
        model = next((p for p in (folder / "model.onnx", folder / "onnx" / "model.onnx") if p.is_file()), None)
        if model is None:
            raise ModelError(f"no model.onnx (nor onnx/model.onnx) in {folder}")
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            labels = {int(k): str(v).casefold() for k, v in config["id2label"].items()}
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
            raise ModelError(f"{folder}: cannot read config.json (with id2label) and tokenizer.json: {exc}") from exc
        found = [i for i, name in labels.items() if name in ENTAILMENT_LABELS]
        if not found:
            raise ModelError(f"{folder}/config.json: no entailment class in id2label {sorted(labels.values())}")
        self.entailed = found[0]
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1  # one check worker per core already
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def entailment(self, premise: str, hypothesis: str) -> float:
        """The model's probability that `premise` entails `hypothesis`."""
        encoded = self.tokenizer.encode(premise, hypothesis)
        ids = {"input_ids": encoded.ids, "attention_mask": encoded.attention_mask, "token_type_ids": encoded.type_ids}
        feeds = {name: np.array([value], dtype=np.int64) for name, value in ids.items() if name in self.inputs}
        logits = self.session.run(None, feeds)[0][0].astype(np.float64)
        if len(logits) == 1:  # one logit: a binary checker's log-odds of "supported"
            return float(1 / (1 + np.exp(-logits[0])))
        exp = np.exp(logits - logits.max())
        return float(exp[self.entailed] / exp.sum())


@functools.cache
def load_model(folder: Path) -> EntailmentModel:
    """One model per process and folder: a session costs far more to open than a sentence to score."""
    return EntailmentModel(folder)
