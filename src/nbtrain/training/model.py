"""A trained model: embed and classify texts, save to a folder and load it back offline.

The folder holds the LoRA adapter (``adapter/``, peft's safetensors format), the head
(``head.safetensors``) and ``nbtrain.json`` (labels, base model, settings, metrics, version). No
pickle anywhere, so loading a model someone sent you cannot run their code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nbtrain._math import softmax
from nbtrain._version import __version__
from nbtrain.training.config import TrainConfig
from nbtrain.training.network import EncoderClassifier, quiet_peft, run_batches

FORMAT_VERSION = 1
META_FILE = "nbtrain.json"
HEAD_FILE = "head.safetensors"
ADAPTER_DIR = "adapter"


class TrainedModel:
    """The trained encoder and head.

    >>> model = nbtrain.load_model("my-model")  # doctest: +SKIP
    >>> model.classify(["Where is my parcel?"])  # doctest: +SKIP
          text                  label     confidence  account  billing  delivery  technical
    0     Where is my parcel?   delivery  0.97        0.01     0.01     0.97      0.01
    """

    def __init__(
        self,
        network: EncoderClassifier,
        tokenizer: Any,
        labels: Sequence[str],
        config: TrainConfig,
        max_length: int,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.config = config
        self.max_length = max_length
        self.metrics: dict[str, Any] = dict(metrics or {})

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The trained, L2-normalised embeddings: same-label texts now sit closer together."""
        return run_batches(self.network, self.tokenizer, list(texts), self.max_length)[0]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, one column per label in ``labels`` order."""
        return softmax(run_batches(self.network, self.tokenizer, list(texts), self.max_length)[1])

    def embed_and_predict(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and class probabilities from one pass over ``texts`` (half the work of both calls)."""
        embeddings, logits = run_batches(self.network, self.tokenizer, list(texts), self.max_length)
        return embeddings, softmax(logits)

    def classify(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row per text: the predicted ``label``, its ``confidence``, and a column per label."""
        texts = list(texts)
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        frame = pd.DataFrame({"text": texts, "label": [self.labels[i] for i in best]})
        frame["confidence"] = proba.max(axis=1) if len(texts) else []
        for j, label in enumerate(self.labels):
            frame[label] = proba[:, j]
        return frame

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model folder (created if missing) and return its path."""
        from safetensors.torch import save_file

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        adapter: Any = self.network.encoder  # a peft model
        adapter.save_pretrained(str(folder / ADAPTER_DIR))
        head = {k: v.detach().cpu().contiguous() for k, v in self.network.head.state_dict().items()}
        save_file(head, str(folder / HEAD_FILE))
        meta = {
            "format": FORMAT_VERSION,
            "nbtrain_version": __version__,
            "base_model": self.config.model,
            "labels": list(self.labels),
            "max_length": self.max_length,
            "config": self.config.to_dict(),
            "metrics": self.metrics,
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, default=_json_default))
        return folder

    def export(self, path: str | os.PathLike[str]) -> Path:
        """A folder that sentence-transformers and transformers load without nbtrain (LoRA merged)."""
        from nbtrain.training.export import export_model

        return export_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None) -> TrainedModel:
        """Load a folder written by :meth:`save`; needs the base model, never the network."""
        import torch
        from peft import PeftModel
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        from nbtrain.embed.device import pick_device
        from nbtrain.embed.encoder import resolve_model

        folder = Path(path)
        meta_path = folder / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"{folder}: not an nbtrain model folder (no {META_FILE})")
        meta = json.loads(meta_path.read_text())
        if meta.get("format", 0) > FORMAT_VERSION:
            raise ValueError(f"{folder}: saved by a newer nbtrain ({meta.get('nbtrain_version')}); upgrade nbtrain")
        base_path = resolve_model(meta["base_model"])
        tokenizer = AutoTokenizer.from_pretrained(base_path)
        with quiet_peft():
            encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(base_path), str(folder / ADAPTER_DIR))
        head_state = load_file(str(folder / HEAD_FILE))
        head = torch.nn.Linear(head_state["weight"].shape[1], head_state["weight"].shape[0])
        head.load_state_dict(head_state)
        network = EncoderClassifier(encoder, head).to(pick_device(device))
        return cls(
            network,
            tokenizer,
            meta["labels"],
            TrainConfig.from_dict(meta["config"]),
            int(meta["max_length"]),
            meta.get("metrics"),
        )


def load_model(path: str | os.PathLike[str], *, device: str | None = None) -> TrainedModel:
    """Load a trained model folder (see :meth:`TrainedModel.save`), offline."""
    return TrainedModel.load(path, device=device)


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
