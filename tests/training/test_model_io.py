"""Saving and loading a trained model: same outputs, no pickle, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nbtrain
from nbtrain.training.config import TrainConfig
from nbtrain.training.model import load_model
from nbtrain.training.trainer import train_model as train


@pytest.fixture(scope="module")
def trained(tiny_model_dir):
    from textdata import make_texts

    dataset = nbtrain.load(make_texts(20))
    cfg = TrainConfig(model=str(tiny_model_dir), epochs=1, batch_size=8, device="cpu")
    return dataset, train(dataset, cfg).model


def test_classify_returns_label_confidence_and_a_column_per_label(trained):
    dataset, model = trained
    frame = model.classify(["late parcel", "refund twice"])
    assert list(frame.columns) == ["text", "label", "confidence", *dataset.labels]
    probs = frame[list(dataset.labels)].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(frame["confidence"], probs.max(axis=1))
    assert frame["label"].tolist() == [dataset.labels[i] for i in probs.argmax(axis=1)]
    assert model.classify([]).empty


def test_save_and_load_give_the_same_outputs(trained, tmp_path):
    dataset, model = trained
    folder = model.save(tmp_path / "model")
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"nbtrain.json", "head.safetensors", "adapter/adapter_model.safetensors", "adapter/adapter_config.json"} <= files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pkl", ".pickle"))], "no pickle on disk"
    meta = json.loads((folder / "nbtrain.json").read_text())
    assert meta["labels"] == list(dataset.labels)
    assert meta["nbtrain_version"] == nbtrain.__version__
    assert meta["training"]["kept_epoch"] in (0, 1)
    assert meta["kind"] == "adapter"
    loaded = load_model(folder, device="cpu")
    texts = dataset.validation["text"].tolist()
    assert loaded.labels == model.labels
    assert np.allclose(loaded.embed(texts), model.embed(texts), atol=1e-6)
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)


def test_trained_embeddings_differ_from_the_frozen_ones(trained, tiny_model_dir):
    dataset, model = trained
    texts = dataset.validation["text"].tolist()
    frozen = nbtrain.Encoder(tiny_model_dir, device="cpu").encode(texts)
    assert not np.allclose(model.embed(texts), frozen, atol=1e-4)


def test_loading_something_else_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="not an nbtrain model folder"):
        load_model(tmp_path)
    (tmp_path / "nbtrain.json").write_text(json.dumps({"format": 99, "nbtrain_version": "9.0"}))
    with pytest.raises(ValueError, match="newer nbtrain"):
        load_model(tmp_path)


def test_export_loads_in_sentence_transformers_with_the_same_embeddings(trained, tmp_path):
    from safetensors.torch import load_file
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel

    dataset, model = trained
    texts = dataset.validation["text"].tolist()
    before = model.embed(texts)
    folder = model.export(tmp_path / "export")
    theirs = SentenceTransformer(str(folder), device="cpu").encode(texts)
    assert np.abs(theirs - model.embed(texts)).max() < 1e-5
    assert AutoModel.from_pretrained(folder).config.hidden_size == 32
    head = load_file(str(folder / "head.safetensors"))
    logits = model.embed(texts) @ head["weight"].numpy().T + head["bias"].numpy()
    assert np.allclose(logits.argmax(1), model.predict_proba(texts).argmax(1))
    assert json.loads((folder / "nbtrain.json").read_text())["labels"] == list(dataset.labels)
    assert "Labels: " in (folder / "README.md").read_text()
    assert np.array_equal(model.embed(texts), before), "exporting must not merge the live model's adapter"
    assert any("lora_" in name for name, _ in model.network.named_parameters())


def test_a_loaded_model_merges_its_adapter_without_peft_and_saves_it_again(trained, tmp_path):
    import subprocess
    import sys

    dataset, model = trained
    folder = model.save(tmp_path / "model")
    code = f"import sys; from nbtrain.training.model import load_model; load_model({str(folder)!r}, device='cpu'); print('peft' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "inference needs no peft import"
    loaded = load_model(folder, device="cpu")
    again = load_model(loaded.save(tmp_path / "again"), device="cpu")
    texts = dataset.validation["text"].tolist()
    assert np.allclose(again.embed(texts), model.embed(texts), atol=1e-6)
    exported = load_model(loaded.export(tmp_path / "exported"), device="cpu")
    assert np.allclose(exported.embed(texts), model.embed(texts), atol=1e-5)
