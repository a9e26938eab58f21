"""The frozen pass on ONNX Runtime, with the ``onnx`` extra (``pip install 'nbtrain[onnx]'``).

On 2 CPU cores it embeds about 2.5-3 × as many texts a second as sentence-transformers, with the
same vectors (cosine 1 - 1e-7 on every text of ``benchmarks/embed_bench.py``), where torch with
token batches gains 1.3-1.5 ×. The model is exported once per model fingerprint into the cache
folder (``onnx/<key>/model.onnx``, a few seconds), with eager attention: ONNX Runtime fuses that
graph's attention, layer norms and GELU into its own kernels (an SDPA export is left unfused and
runs slower). An export that fails to load is deleted with a :class:`~nbtrain.embed.cache.CacheWarning`
and made again.

>>> isinstance(onnx_installed(), bool)
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from nbtrain.embed.cache import CacheWarning


def onnx_installed() -> bool:
    """Whether ``onnxruntime`` and ``onnx`` (the exporter's dependency) are importable."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def export_folder(root: Path, model: str, fingerprint: str) -> Path:
    """Where the export of one model version lives; the torch version is part of the key because
    the exporter's graph changes with it."""
    import torch

    key = hashlib.sha256(f"{model}|{fingerprint}|torch {torch.__version__}".encode()).hexdigest()[:24]
    return root / "onnx" / key


class OnnxModel:
    """Pooled, L2-normalised embeddings from an ONNX Runtime session over an exported model."""

    def __init__(self, model_path: str, folder: Path, threads: int) -> None:
        file = folder / "model.onnx"
        if not file.is_file():
            export_model(model_path, file)
        try:
            self.session = _session(file, threads)
        except Exception as err:  # onnxruntime raises its own classes for a damaged file
            warnings.warn(f"embedding cache: {file} does not load ({err}); it is exported again", CacheWarning, stacklevel=3)
            file.unlink(missing_ok=True)
            export_model(model_path, file)
            self.session = _session(file, threads)
        self.input_names = {i.name for i in self.session.get_inputs()}

    def pooled(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled (padding excluded), L2-normalised rows, as :func:`~nbtrain.embed.encoder.mean_pool`."""
        inputs = {"input_ids": tokens, "attention_mask": mask, "token_type_ids": np.zeros_like(tokens)}
        hidden = self.session.run(["hidden"], {k: v for k, v in inputs.items() if k in self.input_names})[0]
        weights = mask[..., None].astype(np.float32)
        mean = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
        # torch.nn.functional.normalize's rule: divide by the norm, but never by less than 1e-12
        return mean / np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)


def export_model(model_path: str, file: Path) -> None:
    """Export the transformer's last hidden state, dynamic in batch and length, atomically."""
    import torch
    from transformers import AutoModel

    from nbtrain.embed.encoder import quiet_transformers

    with quiet_transformers():
        model = AutoModel.from_pretrained(model_path, attn_implementation="eager").eval()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if model.config.type_vocab_size else [])
    # A padded second row, so the traced graph keeps the attention mask.
    sample = {"input_ids": torch.ones(2, 8, dtype=torch.long), "attention_mask": torch.tensor([[1] * 8, [1] * 5 + [0] * 3])}
    sample["token_type_ids"] = torch.zeros(2, 8, dtype=torch.long)
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".tmp-{uuid.uuid4().hex}.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python booleans in transformers' code
        torch.onnx.export(
            _last_hidden(model, names),
            tuple(sample[n] for n in names),
            str(temporary),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]},
            opset_version=17,
            dynamo=False,
        )
    os.replace(temporary, file)


def _session(file: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    return ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])


def _last_hidden(model: Any, names: list[str]) -> Any:
    """The model as a module of positional inputs returning only the last hidden state."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, inputs, strict=True))).last_hidden_state

    return LastHidden()

