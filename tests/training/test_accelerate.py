"""Several processes through Hugging Face Accelerate's own launcher, on CPUs (gloo) here.

The command is the one docs/training.md gives for several GPUs; on a machine without GPUs
Accelerate runs the same data-parallel training with one CPU process per rank.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


# The second run recomputes every batch's activations (activation checkpointing under DDP).
@pytest.mark.parametrize("extra", [[], ["--recompute-above-tokens", "1"]], ids=["keep-activations", "recompute"])
def test_accelerate_launch_trains_on_two_processes(tmp_path, tiny_model_dir, extra):
    from textdata import make_texts

    accelerate = Path(sys.executable).with_name("accelerate")
    if not accelerate.exists() and shutil.which("accelerate") is None:
        pytest.fail("accelerate's launcher is missing (it comes with peft)")
    train_csv = tmp_path / "train.csv"
    make_texts(30).to_csv(train_csv, index=False)
    out = tmp_path / "run"
    command = [
        str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
        "-m", "nbtrain.cli", "train", str(train_csv), "--out", str(out), "--model", str(tiny_model_dir),
        "--epochs", "2", "--batch-size", "8", "--json", *extra,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    saved = json.loads((out / "model" / "nbtrain.json").read_text())
    metrics = saved["training"]
    assert metrics["processes"] == 2
    n_train = json.loads(done.stdout)["data"]["sizes"]["train"]
    assert metrics["steps"] == 2 * ((-(-n_train // 8)) // 2), "each process takes half of every epoch's batches"
    assert done.stderr.count("labels: billing, delivery, technical") == 1, "only the first process reports"
    from nbtrain.training.model import load_model

    assert len(load_model(out / "model").classify(["late parcel"])) == 1
