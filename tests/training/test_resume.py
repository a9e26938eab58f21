"""Checkpoints and resuming: a run stopped or crashed part-way ends where an unbroken run ends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import nbtrain
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.checkpoint import META_FILE, STATE_FILE, load_checkpoint
from nbtrain.training.config import TrainConfig
from nbtrain.training.trainer import train_model as train


@pytest.fixture(scope="module")
def dataset():
    from textdata import make_texts

    return nbtrain.load(make_texts(30))


def config(model_dir, folder, **kw) -> TrainConfig:
    settings = {
        "model": str(model_dir), "epochs": 3, "patience": 3, "batch_size": 8, "learning_rate": 5e-3,
        "head_learning_rate": 5e-3, "device": "cpu", "checkpoint_dir": str(folder),
    }  # fmt: skip
    return TrainConfig(**{**settings, **kw})


class StopAt(Callback):
    """Sets the signal after optimiser step ``step`` or validation of ``epoch``."""

    def __init__(self, signal: StopSignal, step: int | None = None, epoch: int | None = None) -> None:
        self.signal, self.step, self.epoch = signal, step, epoch

    def on_step(self, event: StepEvent) -> None:
        if event.step == self.step:
            self.signal.set()

    def on_epoch(self, event: EpochEvent) -> None:
        if event.epoch == self.epoch:
            self.signal.set()


class Crash(Callback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_step(self, event: StepEvent) -> None:
        if event.step == self.step:
            raise RuntimeError("power cut")


@pytest.fixture(scope="module")
def unbroken(tiny_model_dir, dataset, tmp_path_factory):
    return train(dataset, config(tiny_model_dir, tmp_path_factory.mktemp("unbroken")))


def same_model(a, b, dataset) -> None:
    texts = dataset.validation["text"].tolist()
    assert np.allclose(a.model.embed(texts), b.model.embed(texts), atol=1e-5)
    assert np.allclose(a.model.predict_proba(texts), b.model.predict_proba(texts), atol=1e-5)


def test_a_run_stopped_after_an_epoch_resumes_to_the_same_model(tiny_model_dir, dataset, unbroken, tmp_path):
    signal = StopSignal()
    first = train(dataset, config(tiny_model_dir, tmp_path), callbacks=[StopAt(signal, epoch=1)], stop=signal)
    assert first.stopped == "stopped by the user"
    assert list(first.history["epoch"]) == [0, 1]
    resumed = train(dataset, config(tiny_model_dir, tmp_path), resume_from=tmp_path)
    assert list(resumed.history["epoch"]) == [0, 1, 2, 3]
    assert np.allclose(resumed.steps["loss"], unbroken.steps["loss"], atol=1e-6)
    assert np.allclose(resumed.history["val_macro_f1"], unbroken.history["val_macro_f1"])
    assert resumed.kept_epoch == unbroken.kept_epoch
    same_model(resumed, unbroken, dataset)


def test_a_run_stopped_mid_epoch_resumes_with_the_batches_it_had_left(tiny_model_dir, dataset, unbroken, tmp_path):
    per_epoch = -(-len(dataset.train) // 8)
    signal = StopSignal()
    train(dataset, config(tiny_model_dir, tmp_path), callbacks=[StopAt(signal, step=per_epoch + 2)], stop=signal)
    assert load_checkpoint(tmp_path).step == per_epoch + 2
    resumed = train(dataset, config(tiny_model_dir, tmp_path), resume_from=tmp_path)
    assert list(resumed.steps["step"]) == list(range(1, 3 * per_epoch + 1)), "every step once, none repeated"
    # The same batches, weights and random state as the unbroken run: the same losses, step by step.
    assert np.allclose(resumed.steps["loss"], unbroken.steps["loss"], atol=1e-6)
    # The stopped run scored its partial epoch 2; the resumed run scores the whole epoch 2 once.
    assert list(resumed.history["epoch"]) == [0, 1, 2, 3]
    assert np.allclose(resumed.history["val_macro_f1"], unbroken.history["val_macro_f1"])
    assert resumed.kept_epoch == unbroken.kept_epoch
    same_model(resumed, unbroken, dataset)


def test_a_crashed_run_resumes_from_its_last_checkpoint(tiny_model_dir, dataset, unbroken, tmp_path):
    per_epoch = -(-len(dataset.train) // 8)
    with pytest.raises(RuntimeError, match="power cut"):
        train(dataset, config(tiny_model_dir, tmp_path), callbacks=[Crash(2 * per_epoch + 1)])
    assert load_checkpoint(tmp_path).epoch == 2
    resumed = train(dataset, config(tiny_model_dir, tmp_path), resume_from=tmp_path)
    same_model(resumed, unbroken, dataset)


def test_a_resumed_run_may_train_for_more_epochs(tiny_model_dir, dataset, unbroken, tmp_path):
    shutil.copytree(unbroken.model.config.checkpoint_dir, tmp_path, dirs_exist_ok=True)
    longer = train(dataset, config(tiny_model_dir, tmp_path, epochs=4, patience=4), resume_from=tmp_path)
    assert list(longer.history["epoch"]) == [0, 1, 2, 3, 4]


def test_a_resumed_run_may_fit_its_final_head_on_other_rows(tiny_model_dir, dataset, unbroken, tmp_path):
    # head_rows acts after the training loop, so a finished run may be resumed just to change it
    shutil.copytree(unbroken.model.config.checkpoint_dir, tmp_path, dirs_exist_ok=True)
    assert unbroken.model is not unbroken.model_fitted_on("train")
    kept = train(dataset, config(tiny_model_dir, tmp_path, head_rows="train"), resume_from=tmp_path)
    assert kept.model is kept.model_fitted_on("train")
    assert list(kept.history["epoch"]) == list(unbroken.history["epoch"])


def test_a_checkpoint_holds_adapters_head_and_optimiser_not_the_base_model(unbroken):
    folder = unbroken.model.config.checkpoint_dir
    from safetensors import safe_open

    with safe_open(f"{folder}/{STATE_FILE}", framework="pt") as f:
        keys = list(f.keys())
    weights = [k for k in keys if k.startswith(("weights.", "best."))]
    assert weights
    assert all("lora_" in k or k.endswith(("head.weight", "head.bias", "proxies")) for k in weights)
    saved = sum(v.numel() for v in load_checkpoint(folder).weights.values())
    total = sum(p.numel() for p in unbroken.model.network.parameters())
    assert saved < total / 3, "the base model's weights are not in the checkpoint"
    meta = json.loads(Path(folder, META_FILE).read_text())
    assert meta["epoch"] == 3
    assert meta["labels"] == list(unbroken.model.labels)


def test_resuming_with_other_settings_or_labels_is_refused(tiny_model_dir, dataset, unbroken, tmp_path):
    folder = unbroken.model.config.checkpoint_dir
    with pytest.raises(ValueError, match=r"learning_rate: 0\.005 then, 0\.001 now"):
        train(dataset, config(tiny_model_dir, tmp_path, learning_rate=1e-3), resume_from=folder)
    from textdata import make_texts

    other = nbtrain.load(make_texts(30).replace({"label": {"billing": "money"}}))
    with pytest.raises(ValueError, match="labels"):
        train(other, config(tiny_model_dir, tmp_path), resume_from=folder)
    with pytest.raises(FileNotFoundError, match="no checkpoint here"):
        train(dataset, config(tiny_model_dir, tmp_path), resume_from=tmp_path / "nothing")


def test_a_half_written_checkpoint_is_refused(unbroken, tmp_path):
    shutil.copytree(unbroken.model.config.checkpoint_dir, tmp_path, dirs_exist_ok=True)
    meta = json.loads((tmp_path / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "step": meta["step"] + 1}))
    with pytest.raises(ValueError, match="different steps"):
        load_checkpoint(tmp_path)


def test_checkpoint_tensors_round_trip(unbroken):
    checkpoint = load_checkpoint(unbroken.model.config.checkpoint_dir)
    assert checkpoint.torch_rng.dtype == torch.uint8
    assert checkpoint.kept_weights, "the weights of the epochs that may still be kept"
    assert all(set(state) == set(checkpoint.weights) - {"proxies"} for state in checkpoint.kept_weights.values())
    assert checkpoint.optimizer["state"], "Adam's moments are saved"
    assert all(g["lr"] >= 0 for g in checkpoint.optimizer["param_groups"])
