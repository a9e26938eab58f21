"""Checkpoints a stopped or crashed run resumes from: adapters, head and optimiser, not the base model.

Written after every validation pass into one folder: ``state.safetensors`` (tensors: the trainable
weights now and at each epoch that may still be kept, the optimiser's moments, torch's random state) and
``checkpoint.json`` (where the run was, its history, settings and labels). No pickle: a checkpoint
from someone else cannot run code when loaded. Each file is written beside the old one and renamed
over it, and the JSON names the step the tensors belong to, so a crash mid-write cannot leave a
checkpoint that loads wrong.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

STATE_FILE = "state.safetensors"
META_FILE = "checkpoint.json"
# 2: the weights of every round that may still be kept; 3: the plan and the seconds trained
FORMAT = 3


@dataclass
class Checkpoint:
    """Everything the training loop needs to carry on after validation pass ``epoch``."""

    epoch: int
    step: int
    history: list[dict[str, Any]]  # the validation scores, from which the kept epoch is chosen again
    steps: list[list[float]]
    labels: list[str]
    config: dict[str, Any]
    weights: dict[str, torch.Tensor]
    kept_weights: dict[int, dict[str, torch.Tensor]]  # round: weights, for each round that may be kept
    optimizer: dict[str, Any]
    plan: dict[str, int] = field(default_factory=dict)  # the run's plan (a time budget's, calibrated)
    seconds: float = 0.0  # seconds in the training loop up to this checkpoint, across resumptions
    torch_rng: torch.Tensor = field(default_factory=torch.get_rng_state)


def save_checkpoint(folder: str | os.PathLike[str], checkpoint: Checkpoint) -> Path:
    """Write ``checkpoint`` into ``folder`` (created if missing), replacing the previous one."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"weights.{k}": v for k, v in checkpoint.weights.items()}
    tensors |= {f"kept.{epoch}.{k}": v for epoch, state in checkpoint.kept_weights.items() for k, v in state.items()}
    moments, groups = _split_optimizer(checkpoint.optimizer)
    tensors |= moments
    tensors["rng.torch"] = checkpoint.torch_rng
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    _replace(folder / STATE_FILE, lambda tmp: save_file(tensors, str(tmp), metadata={"step": str(checkpoint.step)}))
    meta = {
        "format": FORMAT,
        "epoch": checkpoint.epoch,
        "step": checkpoint.step,
        "history": checkpoint.history,
        "steps": checkpoint.steps,
        "labels": checkpoint.labels,
        "config": checkpoint.config,
        "optimizer_groups": groups,
        "plan": checkpoint.plan,
        "seconds": checkpoint.seconds,
    }
    _replace(folder / META_FILE, lambda tmp: tmp.write_text(json.dumps(meta, indent=1)))
    return folder


def load_checkpoint(folder: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`; a clear error when it is not one."""
    from safetensors import safe_open

    folder = Path(folder)
    if not (folder / META_FILE).is_file() or not (folder / STATE_FILE).is_file():
        raise FileNotFoundError(f"{folder}: no checkpoint here (expected {META_FILE} and {STATE_FILE})")
    meta = json.loads((folder / META_FILE).read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(
            f"{folder}: checkpoint format {meta.get('format')!r}, this nbtrain reads {FORMAT}; "
            "train again without resuming (or with the nbtrain version that wrote it)"
        )
    with safe_open(str(folder / STATE_FILE), framework="pt") as f:
        if (f.metadata() or {}).get("step") != str(meta["step"]):
            raise ValueError(f"{folder}: {STATE_FILE} and {META_FILE} are from different steps (interrupted write?)")
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
    return Checkpoint(
        epoch=meta["epoch"],
        step=meta["step"],
        history=meta["history"],
        steps=meta["steps"],
        labels=meta["labels"],
        config=meta["config"],
        weights=_prefixed(tensors, "weights."),
        kept_weights=_kept(tensors),
        optimizer=_join_optimizer(tensors, meta["optimizer_groups"]),
        plan=meta["plan"],
        seconds=float(meta["seconds"]),
        torch_rng=tensors["rng.torch"],
    )


def _split_optimizer(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], list[dict[str, Any]]]:
    """An optimiser ``state_dict`` as tensors (``optimizer.<param>.<name>``) and JSON-ready groups."""
    tensors = {
        f"optimizer.{index}.{name}": value if torch.is_tensor(value) else torch.tensor(value)
        for index, slots in state["state"].items()
        for name, value in slots.items()
    }
    return tensors, [dict(group) for group in state["param_groups"]]


def _join_optimizer(tensors: dict[str, torch.Tensor], groups: list[dict[str, Any]]) -> dict[str, Any]:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": groups}


def _kept(tensors: dict[str, torch.Tensor]) -> dict[int, dict[str, torch.Tensor]]:
    """The ``kept.<epoch>.<name>`` tensors, grouped by epoch."""
    out: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("kept."):
            epoch, name = key.removeprefix("kept.").split(".", 1)
            out.setdefault(int(epoch), {})[name] = value
    return out


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _replace(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)
