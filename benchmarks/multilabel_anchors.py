"""The anchor rows of the multi-label benchmark (GoEmotions): tuned one-vs-rest baseline, SetFit
1.2 one-vs-rest, and a full fine-tune with a binary cross-entropy head (the ceiling).

Runs in benchmarks/.venv-anchors and never imports nbtrain, so its rows are cached in
benchmarks/multilabel_anchors.json. One cell per process:

    benchmarks/.venv-anchors/bin/python benchmarks/multilabel_anchors.py setfit 1000

prints one JSON line. Every method trains on the same N rows (multilabel_common.sample) and is
scored on the whole test file by multilabel_common.scores.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from anchors import model_path, seed_everything, versions
from bench_common import load_average, peak_rss_mb
from multilabel_common import multi_hot, sample, scores, tuned_one_vs_rest

# SetFit's pairs: about 10,000 whichever N, as the single-label table runs it.
SETFIT_ITERATIONS = {1000: 5, 5000: 1}
FULL_FT_RATES = (2e-5, 5e-5, 1e-4, 2e-4)
FULL_FT = {"epochs": 4, "batch_size": 16, "warmup_ratio": 0.1, "weight_decay": 0.01, "max_length": 128}


def encode_frozen(texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu").encode(texts, batch_size=64, normalize_embeddings=True)


def baseline(train: list[str], y: np.ndarray, test: list[str], seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    started = time.perf_counter()
    predict, c, thresholds = tuned_one_vs_rest(encode_frozen(train), y, seed)
    seconds = time.perf_counter() - started
    z = encode_frozen(test)
    return {"seconds": seconds, "C": c, "thresholds": thresholds.tolist()}, predict(z), z


def setfit(train: list[str], y: np.ndarray, test: list[str], seed: int, n: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """SetFit 1.2 as its docs run multi-label data: multi_target_strategy="one-vs-rest"."""
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    iterations = SETFIT_ITERATIONS.get(n, 1)
    started = time.perf_counter()
    model = SetFitModel.from_pretrained(model_path(), multi_target_strategy="one-vs-rest", device="cpu")
    args = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="setfit-"), num_iterations=iterations, num_epochs=1, batch_size=16, seed=seed, report_to="none")
    trainer = Trainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": train, "label": y.tolist()}))
    trainer.train()
    seconds = time.perf_counter() - started
    predicted = np.asarray(model.predict(test)).astype(np.int8)
    z = model.model_body.encode(test, batch_size=64, normalize_embeddings=True)
    return {"seconds": seconds, "num_iterations": iterations, "num_epochs": 1, "batch_size": 16}, predicted, z


def full_finetune(train: list[str], y: np.ndarray, test: list[str], seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """Every weight trained with a BCE head; the rate chosen on a held-out fifth, judged as the
    final model is (the tuned one-vs-rest head on the trained embeddings). Seconds count both."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit
    from sklearn.metrics import f1_score

    started = time.perf_counter()
    fit_rows, held_rows = next(MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed).split(np.zeros(len(y)), y))
    search = {}
    for rate in FULL_FT_RATES:
        seed_everything(seed)
        encode = _finetune([train[i] for i in fit_rows], y[fit_rows], rate, seed)
        predict, _, _ = tuned_one_vs_rest(encode([train[i] for i in fit_rows]), y[fit_rows], seed)
        search[str(rate)] = float(f1_score(y[held_rows], predict(encode([train[i] for i in held_rows])), average="macro", zero_division=0))
    rate = float(max(search, key=lambda r: (search[r], -float(r))))
    seed_everything(seed)
    encode = _finetune(train, y, rate, seed)
    predict, c, thresholds = tuned_one_vs_rest(encode(train), y, seed)
    seconds = time.perf_counter() - started
    z = encode(test)
    info = {"seconds": seconds, "C": c, "thresholds": thresholds.tolist(), **FULL_FT, "learning_rate": rate, "held_out_macro_f1_by_rate": search}
    return info, predict(z), z


def _finetune(train: list[str], y: np.ndarray, rate: float, seed: int) -> Any:
    import torch
    from torch import nn
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    cfg = FULL_FT
    tokenizer = AutoTokenizer.from_pretrained(model_path())
    body = AutoModel.from_pretrained(model_path())
    # The head reads the mean-pooled states as they are (as a sequence-classification model reads
    # its pooled output) and each label's bias starts at its log-odds. With unit-length inputs and
    # a zero bias, Adam at a fine-tune's rate moves the head too little in 250 steps to leave
    # p = 0.5 for labels one row in fifty carries, so the loss reshaped the encoder instead and
    # the embedding collapsed (subset accuracy 0.000 at N = 1,000).
    head = nn.Linear(body.config.hidden_size, y.shape[1])
    prior = y.mean(axis=0).clip(1 / len(y), 1 - 1 / len(y))
    with torch.no_grad():
        head.bias.copy_(torch.from_numpy(np.log(prior / (1 - prior)).astype(np.float32)))
    targets = torch.from_numpy(y.astype(np.float32))

    def pooled(texts: list[str]) -> torch.Tensor:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=cfg["max_length"], return_tensors="pt")
        hidden = body(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def embed(texts: list[str]) -> torch.Tensor:
        return nn.functional.normalize(pooled(texts), dim=-1)

    steps = -(-len(train) // cfg["batch_size"]) * cfg["epochs"]
    optimizer = torch.optim.AdamW([*body.parameters(), *head.parameters()], lr=rate, weight_decay=cfg["weight_decay"])
    schedule = get_linear_schedule_with_warmup(optimizer, int(cfg["warmup_ratio"] * steps), steps)
    generator = torch.Generator().manual_seed(seed)
    body.train()
    for _ in range(cfg["epochs"]):
        order = torch.randperm(len(train), generator=generator)
        for start in range(0, len(train), cfg["batch_size"]):
            idx = order[start : start + cfg["batch_size"]]
            loss = nn.functional.binary_cross_entropy_with_logits(head(pooled([train[i] for i in idx])), targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    body.eval()

    def encode(texts: list[str]) -> np.ndarray:
        with torch.no_grad():
            return torch.cat([embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]).numpy()

    return encode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=["baseline", "setfit", "full_finetune"])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import torch

    seed_everything(args.seed)
    train, labels, test, test_labels, names = sample(args.n, args.seed)
    y, truth = multi_hot(labels, names), multi_hot(test_labels, names)
    load_before = load_average()
    if args.method == "baseline":
        info, predicted, z = baseline(train, y, test, args.seed)
    elif args.method == "setfit":
        info, predicted, z = setfit(train, y, test, args.seed, args.n)
    else:
        info, predicted, z = full_finetune(train, y, test, args.seed)
    row = {
        "method": args.method,
        "dataset": "goemotions",
        "n": args.n,
        "seed": args.seed,
        "test_rows": len(test),
        "labels": len(names),
        **scores(truth, predicted, z),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": [load_before, load_average()],
        "threads": torch.get_num_threads(),
        "settings": info,
        "versions": versions() | {"iterative-stratification": _version("iterative-stratification")},
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(row))
    return 0


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


if __name__ == "__main__":
    raise SystemExit(main())
