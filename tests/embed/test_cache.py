"""The on-disk embedding cache: hits across processes, what invalidates it, damage, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import nbtrain
from nbtrain.embed.cache import CacheWarning, EmbeddingCache, clear_cache, default_cache_dir
from nbtrain.embed.encoder import Encoder

TEXTS = ["late parcel", "refund please", "the app crashes on login", "billing error twice"]


def shards(root: Path) -> list[Path]:
    return sorted(root.glob("embeddings/*/*.npy"))


def test_a_new_encoder_finds_what_an_earlier_one_embedded(tiny_model_dir, tmp_path):
    first = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    vectors = first.encode(TEXTS)
    assert first.passes == 1
    assert first.cache_stats.misses == 4
    assert first.cache_stats.written == 4
    again = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    assert np.array_equal(again.encode(TEXTS[::-1]), vectors[::-1])
    assert again.passes == 0, "everything came from disk: the model never ran"
    assert again.cache_stats.hits == 4
    assert again.cache_stats.misses == 0
    assert again._model is None, "a fully cached pass does not even load the model"


def test_only_the_new_texts_are_embedded(tiny_model_dir, tmp_path):
    Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path).encode(TEXTS[:2])
    enc = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    mixed = enc.encode(TEXTS)
    assert enc.passes == 1
    assert (enc.cache_stats.hits, enc.cache_stats.misses, enc.cache_stats.written) == (2, 2, 2)
    fresh = Encoder(tiny_model_dir, device="cpu", cache=False).encode(TEXTS)
    assert np.allclose(mixed, fresh, atol=1e-6)


def test_a_second_check_of_the_same_file_embeds_nothing(tiny_model_dir, tmp_path, texts_frame):
    dataset = nbtrain.load(texts_frame)
    first = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    nbtrain.check(dataset, encoder=first, progress=False)
    assert first.passes >= 1
    second = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    nbtrain.check(dataset, encoder=second, progress=False)
    assert second.passes == 0
    assert second.cache_stats.hits > 0
    assert second.cache_stats.misses == 0


def test_new_weights_in_the_same_folder_invalidate(tiny_model_dir, tmp_path):
    import torch
    from transformers import BertModel

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    before = Encoder(folder, device="cpu", cache_dir=tmp_path / "cache").encode(TEXTS)
    model = BertModel.from_pretrained(folder)
    with torch.no_grad():
        model.encoder.layer[0].output.dense.weight.mul_(3.0)
    model.save_pretrained(folder)
    enc = Encoder(folder, device="cpu", cache_dir=tmp_path / "cache")
    after = enc.encode(TEXTS)
    assert enc.passes == 1, "the old vectors belong to the old weights"
    assert enc.cache_stats.hits == 0
    assert not np.allclose(before, after, atol=1e-3)


def test_another_model_and_another_max_length_are_separate_spaces(tiny_model_dir, tmp_path):
    copy = tmp_path / "other-model"
    shutil.copytree(tiny_model_dir, copy)
    Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path / "c").encode(TEXTS)
    other = Encoder(copy, device="cpu", cache_dir=tmp_path / "c")
    other.encode(TEXTS)
    assert other.passes == 1
    shorter = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path / "c", max_length=4)
    cut = shorter.encode(TEXTS)
    assert shorter.passes == 1
    assert shorter.cache_stats.hits == 0
    assert np.allclose(cut, Encoder(tiny_model_dir, device="cpu", cache=False, max_length=4).encode(TEXTS), atol=1e-6)
    spaces = [json.loads(p.read_text()) for p in (tmp_path / "c" / "embeddings").glob("*/space.json")]
    assert sorted(s["max_length"] for s in spaces) == [4, 64, 64]


@pytest.mark.parametrize("damage", ["truncate", "flip", "index"])
def test_a_damaged_shard_is_named_dropped_and_rebuilt(tiny_model_dir, tmp_path, damage):
    vectors = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path).encode(TEXTS)
    (npy,) = shards(tmp_path)
    if damage == "truncate":
        npy.write_bytes(npy.read_bytes()[:-100])
        named = npy
    elif damage == "flip":
        data = bytearray(npy.read_bytes())
        data[-5] ^= 0xFF
        npy.write_bytes(bytes(data))
        named = npy
    else:
        named = npy.with_suffix(".json")
        named.write_text('{"rows": 4, "keys": ["abc"')
    enc = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    with pytest.warns(CacheWarning, match=named.name):
        rebuilt = enc.encode(TEXTS)
    assert np.allclose(rebuilt, vectors, atol=1e-6)
    assert enc.passes == 1
    assert enc.cache_stats.dropped == 1
    assert not named.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        healed = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
        assert np.array_equal(healed.encode(TEXTS), rebuilt)
    assert healed.passes == 0


def _write_many(folder: str, worker: int) -> None:
    store = EmbeddingCache(Path(folder))
    for i in range(25):
        texts = [f"text {j}" for j in range(i * 3, i * 3 + 6)]  # overlaps the other worker's texts
        store.add(texts, np.array([[float(t.split()[1]), float(worker)] for t in texts], dtype=np.float32))


def test_two_processes_writing_at_once_leave_a_whole_cache(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(tmp_path), w)) for w in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vectors, found = EmbeddingCache(tmp_path).lookup([f"text {j}" for j in range(78)])
    assert found.all()
    assert vectors[:, 0].tolist() == list(range(78)), "each text maps to its own vector"
    assert not list(tmp_path.glob(".tmp-*")), "no half-written file is left"
    assert len(list(tmp_path.glob("*.npy"))) <= 2 * 17, "small shards are merged as they pile up"


def test_many_small_passes_are_merged_and_stay_findable(tmp_path):
    store = EmbeddingCache(tmp_path)
    for i in range(40):
        store.add([f"t{i}"], np.full((1, 2), i, dtype=np.float32))
    assert len(list(tmp_path.glob("*.npy"))) <= 17
    vectors, found = EmbeddingCache(tmp_path).lookup([f"t{i}" for i in range(40)])
    assert found.all()
    assert vectors[:, 0].tolist() == list(range(40))


def test_cache_off_writes_nothing(tiny_model_dir, tmp_path):
    Encoder(tiny_model_dir, device="cpu", cache=False, cache_dir=tmp_path).encode(TEXTS)
    again = Encoder(tiny_model_dir, device="cpu", cache=False, cache_dir=tmp_path)
    again.encode(TEXTS)
    assert again.passes == 1
    assert not (tmp_path / "embeddings").exists(), "no embedding is written (an ONNX export may be)"


def test_the_environment_variable_sets_the_folder_and_clear_empties_it(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NBTRAIN_CACHE", str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache"
    Encoder(tiny_model_dir, device="cpu").encode(TEXTS)
    assert len(shards(tmp_path / "env-cache")) == 1
    assert clear_cache() > 4 * 32 * 4
    assert not (tmp_path / "env-cache").exists()
    enc = Encoder(tiny_model_dir, device="cpu")
    enc.encode(TEXTS)
    assert enc.passes == 1
