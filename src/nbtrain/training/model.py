"""A trained model: embed and classify texts, save to a folder and load it back offline.

A saved folder holds the LoRA adapter (``adapter/``, peft's safetensors format), the head
(``head.safetensors``) and ``nbtrain.json`` (``"kind": "adapter"``: labels, base model, settings,
the training summary, version). An exported folder (:mod:`nbtrain.training.export`) holds the
merged weights instead, for tools without nbtrain, and says ``"kind": "export"``;
:func:`load_model` loads both, and a training run's folder (its model is in ``model/``). No
pickle anywhere, so loading a model someone sent you cannot run their code.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nbtrain._version import __version__
from nbtrain.choices import FittedOn, TaskKind
from nbtrain.task import task_of
from nbtrain.training.adapters import merge_into, plain_lora
from nbtrain.training.config import TrainConfig
from nbtrain.training.network import EncoderClassifier, quiet_peft, run_batches
from nbtrain.training.result import TrainingSummary

FORMAT_VERSION = 2  # 2: "kind", the task and its thresholds, a typed training summary
META_FILE = "nbtrain.json"
HEAD_FILE = "head.safetensors"
ADAPTER_DIR = "adapter"
RUN_MODEL_DIR = "model"  # where a training run's folder keeps its model


class TrainedModel:
    """The trained encoder and head.

    >>> model = nbtrain.load_model("my-model")  # doctest: +SKIP
    >>> model.classify(["Where is my parcel?"])  # doctest: +SKIP
          text                  label     confidence  negative  neutral  positive
    0     Where is my parcel?   neutral   0.91        0.06      0.91     0.03

    For multi-label data ``label`` holds the tuple of labels whose probability reaches their
    threshold (``thresholds``, chosen by cross-validation with the head).
    """

    def __init__(
        self,
        network: EncoderClassifier,
        tokenizer: Any,
        labels: Sequence[str],
        config: TrainConfig,
        max_length: int,
        *,
        task: TaskKind = "single_label",
        thresholds: np.ndarray | None = None,
        summary: TrainingSummary | None = None,
    ) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.config = config
        self.max_length = max_length
        self.task = task
        self.thresholds = None if thresholds is None else np.asarray(thresholds, dtype=np.float32)
        self.summary = summary
        # A model loaded with its adapter merged into the weights saves that adapter's own files.
        self.adapter_source: Path | None = None

    @property
    def fitted_on(self) -> FittedOn:
        """The rows the head learnt: ``"train"`` or ``"train+validation"``."""
        return self.summary.fitted_on if self.summary is not None else "train"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The trained, L2-normalised embeddings: same-label texts now sit closer together."""
        return run_batches(self.network, self.tokenizer, list(texts), self.max_length)[0]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Label probabilities, one column per label in ``labels`` order."""
        return self.embed_and_predict(texts)[1]

    def embed_and_predict(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and label probabilities from one pass over ``texts`` (half the work of both calls)."""
        embeddings, logits = run_batches(self.network, self.tokenizer, list(texts), self.max_length)
        return embeddings, task_of(self.task).probabilities(logits)

    def predict(self, texts: Sequence[str]) -> list[Any]:
        """The predicted label of each text (a tuple of labels for multi-label models)."""
        return task_of(self.task).decide(self.predict_proba(texts), self.labels, self.thresholds)

    def classify(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row per text: the predicted ``label``, its ``confidence``, and a column per label."""
        texts = list(texts)
        task = task_of(self.task)
        proba = self.predict_proba(texts)
        frame = pd.DataFrame({"text": texts, "label": pd.Series(task.decide(proba, self.labels, self.thresholds), dtype=object)})
        frame["confidence"] = task.confidence(proba, self.thresholds)
        for j, label in enumerate(self.labels):
            frame[label] = proba[:, j] if len(texts) else []
        return frame

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model folder (created if missing) and return its path."""
        from safetensors.torch import save_file

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        encoder: Any = self.network.encoder
        if hasattr(encoder, "peft_config"):
            encoder.save_pretrained(str(folder / ADAPTER_DIR))
        elif self.adapter_source is not None:
            if self.adapter_source.resolve() != (folder / ADAPTER_DIR).resolve():
                shutil.copytree(self.adapter_source, folder / ADAPTER_DIR, dirs_exist_ok=True)
        else:
            raise ValueError("this model's encoder holds merged weights and no adapter: use export() to save it")
        save_file(head_tensors(self), str(folder / HEAD_FILE))
        (folder / META_FILE).write_text(json.dumps(model_meta(self, "adapter"), indent=2, default=_json_default))
        return folder

    def export(self, path: str | os.PathLike[str]) -> Path:
        """A folder that sentence-transformers and transformers load without nbtrain (LoRA merged)."""
        from nbtrain.training.export import export_model

        return export_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None) -> TrainedModel:
        """Load a folder written by :meth:`save` or :meth:`export` (or a run folder holding one)."""
        import torch
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        from nbtrain.embed.device import pick_device
        from nbtrain.embed.encoder import quiet_transformers, resolve_model

        folder, meta = read_model_meta(path)
        with quiet_transformers():
            if meta.get("kind", "adapter") == "export":
                tokenizer = AutoTokenizer.from_pretrained(str(folder))
                encoder = AutoModel.from_pretrained(str(folder))
            else:
                base_path = resolve_model(meta["base_model"])
                tokenizer = AutoTokenizer.from_pretrained(base_path)
                adapter = folder / ADAPTER_DIR
                if plain_lora(adapter):
                    encoder = merge_into(AutoModel.from_pretrained(base_path), adapter)
                else:
                    from peft import PeftModel

                    with quiet_peft():
                        encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(base_path), str(adapter))
        head_state = load_file(str(folder / HEAD_FILE))
        head = torch.nn.Linear(head_state["weight"].shape[1], head_state["weight"].shape[0])
        head.load_state_dict(head_state)
        network = EncoderClassifier(encoder, head).to(pick_device(device))
        summary = meta.get("training")
        loaded = cls(
            network,
            tokenizer,
            meta["labels"],
            TrainConfig.from_dict(meta.get("config", {"model": meta["base_model"]})),
            int(meta["max_length"]),
            task=meta.get("task", "single_label"),
            thresholds=None if meta.get("thresholds") is None else np.asarray(meta["thresholds"]),
            summary=None if summary is None else TrainingSummary.from_dict(summary),
        )
        loaded.adapter_source = folder / ADAPTER_DIR if meta.get("kind", "adapter") == "adapter" else None
        return loaded


def load_model(path: str | os.PathLike[str], *, device: str | None = None) -> TrainedModel:
    """Load a trained model offline: a saved folder, an exported one, or a training run's folder.

    >>> model = nbtrain.load_model("run/")  # doctest: +SKIP
    """
    return TrainedModel.load(path, device=device)


def read_model_meta(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """The model folder (``path`` or its ``model/``) and its ``nbtrain.json``; a clear error otherwise."""
    folder = Path(path)
    if not (folder / META_FILE).is_file() and (folder / RUN_MODEL_DIR / META_FILE).is_file():
        folder = folder / RUN_MODEL_DIR
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        if not folder.exists():
            raise FileNotFoundError(f"{folder}: no such folder")
        raise FileNotFoundError(
            f"{folder}: not an nbtrain model folder (no {META_FILE}); pass the folder written by "
            "model.save(), model.export() or 'nbtrain train --out FOLDER'"
        )
    meta = json.loads(meta_path.read_text())
    if meta.get("format", 0) > FORMAT_VERSION:
        raise ValueError(f"{folder}: saved by a newer nbtrain ({meta.get('nbtrain_version')}); upgrade nbtrain")
    return folder, meta


def model_meta(model: TrainedModel, kind: str) -> dict[str, Any]:
    """What ``nbtrain.json`` says of a saved (``"adapter"``) or exported (``"export"``) model."""
    return {
        "format": FORMAT_VERSION,
        "kind": kind,
        "nbtrain_version": __version__,
        "base_model": model.config.model,
        "task": model.task,
        "labels": list(model.labels),
        "thresholds": None if model.thresholds is None else [float(t) for t in model.thresholds],
        "max_length": model.max_length,
        "config": model.config.to_dict(),
        "training": None if model.summary is None else model.summary.to_dict(),
    }


def head_tensors(model: TrainedModel) -> dict[str, Any]:
    """The head's weight and bias, on the CPU, ready for safetensors."""
    return {k: v.detach().cpu().contiguous() for k, v in model.network.head.state_dict().items()}


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
