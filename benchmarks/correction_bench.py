"""The correction loop, measured: flip 10 % of the training labels, rank them back, fix, retrain.

On sst2, banking77 and tweeteval_offensive at N = 1,000 stratified rows (seed 0; bench_common),
10 % of the rows of the training file get another label (seeded; the truth is kept aside). Then:

1. ranking: precision in the top k (k = the number flipped; precision and recall are then the
   same number) of nbtrain's review queue (``nbtrain.curation.rank_label_errors``: out-of-fold
   logistic regression, rows by the probability of their given label) on the frozen encoder and
   on the model trained on the noisy labels, against cleanlab's ``find_label_issues``
   (self-confidence ranking) on the frozen queue's very out-of-fold probabilities (cleanlab runs in
   benchmarks/.venv-anchors: it is AGPL);
2. recovery: test macro-F1 of nbtrain's defaults trained on the clean labels, on the noisy labels,
   and after accepting each queue's suggestion for its top k rows; the share of the lost macro-F1
   won back.

    python benchmarks/correction_bench.py                   # the three datasets
    python benchmarks/correction_bench.py --datasets sst2   # one
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_common import load_average, run_cell, sample  # noqa: E402

ANCHORS_PYTHON = HERE / ".venv-anchors" / "bin" / "python"
RESULTS = HERE / "results"
DATASETS = ("sst2", "banking77", "tweeteval_offensive")
N, NOISE = 1000, 0.10


def flip(frame: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with ``share`` of its labels changed to another label, and the positions changed."""
    rng = np.random.default_rng(seed)
    labels = sorted(frame["label"].unique())
    chosen = np.sort(rng.choice(len(frame), size=round(share * len(frame)), replace=False))
    noisy = frame.copy()
    for position in chosen:
        others = [x for x in labels if x != noisy.iloc[position]["label"]]
        noisy.iloc[position, noisy.columns.get_loc("label")] = others[rng.integers(len(others))]
    return noisy, chosen


def test_macro_f1(model, test: pd.DataFrame) -> float:
    from sklearn.metrics import f1_score

    truth = test["label"].tolist()
    return float(f1_score(truth, model.predict(test["text"].tolist()), labels=sorted(set(truth)), average="macro", zero_division=0))


def cell(name: str) -> dict:
    import nbtrain
    from nbtrain.curation import labelled_rows, rank_label_errors
    from nbtrain.data.checks_model import out_of_fold_probabilities
    from nbtrain.training.trainer import train_model

    train, test = sample(name, N)
    noisy_frame, flipped = flip(train, NOISE, 0)
    encoder = nbtrain.Encoder()
    clean = nbtrain.load(train, min_examples=1)
    noisy = nbtrain.load(noisy_frame, min_examples=1)
    k = len(flipped)
    is_flipped = {int(p) for p in flipped}  # DataFrame rows are their 0-based positions

    def precision(ranked: pd.DataFrame) -> float:
        return float(ranked.head(k)["row"].astype(int).isin(is_flipped).sum() / k)

    def accept(ranked: pd.DataFrame) -> nbtrain.Dataset:
        fixed = noisy
        for suggested, group in ranked.head(k).groupby("suggested"):
            fixed = fixed.relabel(group, str(suggested), reason="accepted the queue's suggestion")
        return fixed

    # cleanlab ranks the very out-of-fold probabilities the frozen queue ranks
    rows = labelled_rows(noisy)
    unique = list(pd.unique(rows["text"]))
    vectors = encoder.encode(unique)[pd.Index(unique).get_indexer(rows["text"])]
    classes, proba = out_of_fold_probabilities(rows["label"].astype(str), vectors)
    given = np.searchsorted(classes, rows["label"].astype(str).to_numpy())
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "probs.npz", labels=given, proba=proba)
        out = subprocess.run([str(ANCHORS_PYTHON), str(HERE / "correction_cleanlab.py"), str(Path(tmp) / "probs.npz")], capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    their_hits = sum(int(rows.iloc[i]["row"]) in is_flipped for i in theirs["ranked"][:k])

    scores, seconds, models = {}, {}, {}

    def fit(label: str, ds: nbtrain.Dataset) -> None:
        started = time.perf_counter()
        result = train_model(ds, nbtrain.TrainConfig(), encoder=encoder, progress=False)
        seconds[label] = time.perf_counter() - started
        scores[label] = test_macro_f1(result.model, test)
        models[label] = result.model

    fit("clean", clean)
    fit("noisy", noisy)
    frozen_queue = rank_label_errors(noisy, encoder)  # before training, on the frozen encoder
    trained_queue = rank_label_errors(noisy, models["noisy"])  # the noisy run's model, as the studio offers after a run
    fit("fixed", accept(frozen_queue))
    fit("fixed_trained_queue", accept(trained_queue))
    lost = scores["clean"] - scores["noisy"]

    def won_back(label: str) -> float:
        return (scores[label] - scores["noisy"]) / lost if lost > 0 else float("nan")

    return {
        "dataset": name,
        "n": N,
        "flipped": k,
        "queue_precision_at_k": precision(frozen_queue),
        "trained_queue_precision_at_k": precision(trained_queue),
        "cleanlab_precision_at_k": their_hits / k,
        "cleanlab_flagged": len(theirs["ranked"]),
        "cleanlab_version": theirs["cleanlab"],
        "test_macro_f1": scores,
        "won_back": won_back("fixed"),
        "won_back_trained_queue": won_back("fixed_trained_queue"),
        "train_seconds": seconds,
        "load_average": load_average(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(cell(args.cell)))
        return 0
    if not ANCHORS_PYTHON.exists():
        raise SystemExit(f"{ANCHORS_PYTHON} is missing: run `make bench-anchors-venv` (cleanlab lives there)")
    rows = []
    for name in args.datasets:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        rows.append(run_cell([sys.executable, __file__, "--cell", name]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"correction_bench-{time.strftime('%Y%m%d-%H%M')}.json").write_text(json.dumps(rows, indent=1))
    lines = [
        "| dataset | flipped | P@k: queue, frozen | queue, noisy run's model | cleanlab | macro-F1 clean | noisy | fixed (frozen queue) | fixed (run's queue) | won back | train s (one run) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f, s = r["test_macro_f1"], r["train_seconds"]
        lines.append(
            f"| {r['dataset']} | {r['flipped']} | {r['queue_precision_at_k']:.2f} | {r['trained_queue_precision_at_k']:.2f} | "
            f"{r['cleanlab_precision_at_k']:.2f} | {f['clean']:.3f} | {f['noisy']:.3f} | {f['fixed']:.3f} | "
            f"{f['fixed_trained_queue']:.3f} | {r['won_back']:.0%} / {r['won_back_trained_queue']:.0%} | {s['noisy']:.0f} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
