"""Loading a saved LoRA adapter for inference without importing peft.

peft costs about three seconds to import (it imports much of transformers), which is most of the
time ``nbtrain classify "one sentence"`` spends. A plain LoRA adapter is two small matrices per
adapted layer, so inference can add ``alpha / r · B @ A`` to each adapted weight once and run
the base model as it is: the same outputs (to float rounding), faster, and no peft import.
Adapters using anything beyond plain LoRA are left to peft.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from nbtrain.training.network import threads_for

CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
_PREFIX = "base_model.model."
# Settings that change what the adapter computes; with any of them set, peft loads the adapter.
_ONLY_PLAIN = {"use_dora": False, "use_rslora": False, "fan_in_fan_out": False, "bias": "none", "modules_to_save": None}


def plain_lora(folder: Path) -> bool:
    """Whether the adapter in ``folder`` is plain LoRA on linear layers, which :func:`merge_into` handles."""
    config = json.loads((folder / CONFIG_FILE).read_text())
    plain = all(config.get(key, default) in (default, [], {}) for key, default in _ONLY_PLAIN.items())
    return plain and config.get("peft_type") == "LORA" and not config.get("rank_pattern") and not config.get("alpha_pattern")


def merge_into(base: nn.Module, folder: Path) -> nn.Module:
    """Add the saved adapter's ``alpha / r · B @ A`` to each adapted weight of ``base`` (in place)."""
    from safetensors.torch import load_file

    config = json.loads((folder / CONFIG_FILE).read_text())
    scale = float(config["lora_alpha"]) / float(config["r"])
    tensors = load_file(str(folder / WEIGHTS_FILE))
    modules = dict(base.named_modules())
    with torch.no_grad(), threads_for(0):  # small products: one thread (see threads_for)
        for key, a in tensors.items():
            if not key.endswith(".lora_A.weight"):
                continue
            path = key.removeprefix(_PREFIX).removesuffix(".lora_A.weight")
            b = tensors[key.replace(".lora_A.weight", ".lora_B.weight")]
            layer = modules.get(path)
            if not isinstance(layer, nn.Linear):
                raise ValueError(f"{folder}: the adapter names {path!r}, which is not a linear layer of the base model")
            layer.weight += scale * (b.to(layer.weight.dtype) @ a.to(layer.weight.dtype))
    return base
