"""Where training runs: Hugging Face Accelerate's choice of device, precision and processes.

The CPU, one CUDA GPU with mixed precision, Apple's mps, or, under ``accelerate launch``, one
process per GPU, each training on its share of the batches. Nothing else in nbtrain names a device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class Placement:
    """Where a run trained: the device, the number of processes and the mixed precision used."""

    device: str
    processes: int
    mixed_precision: str


def make_accelerator(device: str | None) -> Any:
    """Accelerate's view of where to run: ``"cpu"`` forces the CPU; otherwise CUDA (bf16 or fp16
    autocast), then mps, then the CPU; under ``accelerate launch``, this process's GPU."""
    from accelerate import Accelerator

    if device and device.startswith("cuda:"):
        torch.cuda.set_device(torch.device(device))
    cuda = torch.cuda.is_available() and device != "cpu"
    precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if cuda else "no"
    # With no accelerator at all, say so: Accelerate then runs a multi-process launch on CPUs (gloo).
    cpu = device == "cpu" or not (torch.cuda.is_available() or torch.backends.mps.is_available())
    return Accelerator(cpu=cpu, mixed_precision=precision)


def placement_of(accelerator: Any) -> Placement:
    """The :class:`Placement` an accelerator stands for."""
    return Placement(str(accelerator.device), int(accelerator.num_processes), str(accelerator.mixed_precision))
