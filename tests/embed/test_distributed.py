"""One embedding pass shared by two CPU processes under Accelerate's launcher (gloo)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbtrain
from nbtrain.embed.distributed import encode_across_processes, split_shares
from nbtrain.embed.encoder import Encoder


def test_shares_cover_every_text_once_and_balance_the_lengths():
    texts = ["x" * n for n in [5, 80, 3, 40, 41, 6, 79, 2, 10]]
    shares = split_shares(texts, 2)
    assert sorted(shares[0] + shares[1]) == list(range(9))
    load = [sum(len(texts[i]) for i in s) for s in shares]
    assert abs(load[0] - load[1]) <= 80 // 2


def test_in_one_process_it_is_the_encoder(tiny_model_dir, tmp_path):
    texts = ["late parcel", "refund", "late parcel"]
    enc = Encoder(tiny_model_dir, device="cpu", cache_dir=tmp_path)
    assert np.array_equal(encode_across_processes(enc, texts), Encoder(tiny_model_dir, device="cpu", cache=False).encode(texts))


def test_two_processes_share_the_pass_and_fill_the_cache(tiny_model_dir, tmp_path):
    from textdata import make_texts

    accelerate = Path(sys.executable).with_name("accelerate")
    if not accelerate.exists() and shutil.which("accelerate") is None:
        pytest.fail("accelerate's launcher is missing (it is a dependency of nbtrain)")
    data = tmp_path / "train.csv"
    make_texts(30).to_csv(data, index=False)
    cache, out = tmp_path / "cache", tmp_path / "vectors.npy"
    command = [
        str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
        "-m", "nbtrain.embed.distributed", str(data), "--model", str(tiny_model_dir), "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "NBTRAIN_CACHE": str(cache)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.count("with 2 process(es)") == 1, "two processes, and only the first reports"
    dataset = nbtrain.load(data)
    texts = list(dict.fromkeys(t for frame in dataset.splits().values() for t in frame["text"]))
    expected = Encoder(tiny_model_dir, device="cpu", cache=False).encode(texts)
    assert np.allclose(np.load(out), expected, atol=1e-5), "gathered in the order of the file"
    assert len(list(cache.glob("embeddings/*/*.npy"))) == 2, "each process wrote its own share"
    later = Encoder(tiny_model_dir, device="cpu", cache_dir=cache)
    later.encode(texts)
    assert later.passes == 0, "a later single-process run embeds nothing"
