"""The frozen encoder: pooling, normalisation, cache, lengths; parity with sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest

from nbtrain.embed.batching import token_batches
from nbtrain.embed.encoder import Encoder, model_max_length, resolve_model


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Each test's on-disk cache is its own: these tests count passes of the model."""
    monkeypatch.setenv("NBTRAIN_CACHE", str(tmp_path / "cache"))


def test_embeddings_are_normalised_and_cached(tiny_model_dir):
    enc = Encoder(tiny_model_dir, device="cpu")
    first = enc.encode(["late parcel", "refund please", "late parcel"])
    assert first.shape == (3, 32)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first[0], first[2])
    assert enc.passes == 1
    again = enc.encode(["refund please", "late parcel"])
    assert enc.passes == 1, "texts already embedded must come from the cache"
    assert np.array_equal(again[0], first[1])
    enc.encode(["new text"])
    assert enc.passes == 2


def test_batching_and_padding_do_not_change_embeddings(tiny_model_dir):
    texts = ["late", "the parcel was late and the box arrived broken", "refund"]
    one_batch = Encoder(tiny_model_dir, device="cpu", batch_size=8).encode(texts)
    singles = Encoder(tiny_model_dir, device="cpu", batch_size=1).encode(texts)
    assert np.allclose(one_batch, singles, atol=1e-5)


def test_token_batches_keep_to_the_budget_and_cover_every_text():
    lengths = np.array([5, 60, 7, 3, 200, 12, 12, 40])
    batches = token_batches(lengths, budget=64)
    assert sorted(np.concatenate(batches).tolist()) == list(range(8))
    assert [b.tolist() for b in batches][:2] == [[4], [1]], "longest first; a text over the budget alone"
    for rows in batches[1:]:
        assert len(rows) * lengths[rows].max() <= 64
    assert len(batches[-1]) > 1, "short texts share a batch"


def test_token_lengths_and_truncation(tiny_model_dir):
    enc = Encoder(tiny_model_dir, device="cpu", max_length=8)
    lengths = enc.token_lengths(["late", "late " * 20])
    assert lengths.tolist() == [3, 22]
    assert enc.max_length == 8
    long_a, long_b = enc.encode(["late " * 20 + "refund", "late " * 20 + "crash"])
    assert np.allclose(long_a, long_b), "words past max_length are truncated away"


def test_max_length_comes_from_the_model(tiny_model_dir):
    assert Encoder(tiny_model_dir).max_length == 64
    assert model_max_length(resolve_model("default"), 512) == 256
    assert model_max_length(str(tiny_model_dir), 10**30) == 512


def test_empty_input(tiny_model_dir):
    assert Encoder(tiny_model_dir).encode([]).shape == (0, 32)


@pytest.mark.slow
def test_default_model_matches_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    texts = ["My order was late", "Shipping was fast!", "the app crashes " * 100, "ok"]
    ours = Encoder(device="cpu").encode(texts)
    theirs = SentenceTransformer(resolve_model("default"), device="cpu").encode(texts, normalize_embeddings=True)
    assert ours.shape == (4, 384)
    assert np.abs(ours - theirs).max() < 1e-5


def test_long_passes_show_a_bar_with_pace_and_time_left(tiny_model_dir):
    from nbtrain.progress import Bar, Progress

    seen: list[tuple[str, object]] = []

    class Recording(Progress):
        def bar(self, total: int, text: str, unit: str = "it") -> Bar:
            seen.append(("bar", total))

            class Recorded(Bar):
                def update(self, n: int = 1) -> None:
                    seen.append(("update", n))

                def describe(self, text: str) -> None:
                    seen.append(("describe", text))

            return Recorded()

    texts = [f"late parcel {i} " + "refund " * (i % 9) for i in range(600)]
    Encoder(tiny_model_dir, device="cpu").encode(texts, progress=Recording())
    assert seen[0] == ("bar", 600)
    assert sum(n for kind, n in seen if kind == "update") == 600
    described = [t for kind, t in seen if kind == "describe"]
    assert described
    assert all("texts/s · eta" in str(t) for t in described)
    assert str(described[-1]).endswith("eta 0 s")
    seen.clear()
    Encoder(tiny_model_dir, device="cpu", cache=False).encode(texts[:100], progress=Recording())
    assert seen == [], "a short pass shows no bar"


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_token_batches_give_sentence_transformers_vectors_on_real_texts(backend, tmp_path, shared_data):
    import pandas as pd
    from sentence_transformers import SentenceTransformer

    files = sorted(shared_data.glob("*_train.csv"))
    if not files:
        pytest.skip("../shared/data is absent")
    texts = [t for f in files for t in pd.read_csv(f, dtype=str, keep_default_na=False)["text"].head(60)]
    if backend == "onnx":
        pytest.importorskip("onnxruntime")
        pytest.importorskip("onnx")
    ours = Encoder(device="cpu", cache=False, cache_dir=tmp_path, backend=backend).encode(texts)
    theirs = SentenceTransformer(resolve_model("default"), device="cpu").encode(texts, batch_size=64, normalize_embeddings=True)
    assert np.min(np.sum(ours * theirs, axis=1)) >= 0.9999
    assert np.abs(ours - theirs).max() < 1e-5


def test_an_unknown_backend_is_refused_and_onnx_without_its_extra_names_it(tiny_model_dir, monkeypatch):
    with pytest.raises(ValueError, match="backend must be"):
        Encoder(tiny_model_dir, backend="tensorflow")  # type: ignore[arg-type]
    import nbtrain.embed.onnx_runtime as onnx_runtime

    monkeypatch.setattr(onnx_runtime, "onnx_installed", lambda: False)
    with pytest.raises(ImportError, match=r"nbtrain\[onnx\]"):
        Encoder(tiny_model_dir, device="cpu", backend="onnx", cache=False).encode(["late parcel"])
    auto = Encoder(tiny_model_dir, device="cpu", cache=False)
    assert auto.encode(["late parcel"]).shape == (1, 32), "auto falls back to torch"


def test_onnx_runtime_gives_the_torch_vectors_from_one_export(tiny_model_dir, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from nbtrain.embed.cache import CacheWarning

    texts = ["late", "the parcel was late and the box arrived broken " * 3, "refund", "late " * 80]
    torch_vectors = Encoder(tiny_model_dir, device="cpu", backend="torch", cache=False).encode(texts)
    onnx_vectors = Encoder(tiny_model_dir, device="cpu", backend="onnx", cache=False, cache_dir=tmp_path).encode(texts)
    assert np.allclose(onnx_vectors, torch_vectors, atol=1e-5)
    (export,) = tmp_path.glob("onnx/*/model.onnx")
    made = export.stat().st_mtime_ns
    Encoder(tiny_model_dir, device="cpu", cache=False, cache_dir=tmp_path).encode(["refund please"])
    assert export.stat().st_mtime_ns == made, "auto uses the one export"
    export.write_bytes(b"not a model")
    with pytest.warns(CacheWarning, match="model.onnx"):
        again = Encoder(tiny_model_dir, device="cpu", backend="onnx", cache=False, cache_dir=tmp_path).encode(texts)
    assert np.allclose(again, torch_vectors, atol=1e-5)
