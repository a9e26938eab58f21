"""Choosing where tensors live, so no code hard-codes a device."""

from __future__ import annotations

import torch


def pick_device(requested: str | None = None) -> torch.device:
    """``requested`` if given, else CUDA, then Apple ``mps``, then the CPU.

    >>> pick_device("cpu").type
    'cpu'
    """
    if requested:
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
