"""Baseline versus nbtrain's default training on real data, as a user of a hosted trainer would run it.

For each dataset: a stratified sample of N training rows (seed 0) from ../shared/data, nbtrain's
automatic validation split, and the dataset's official test file. Each cell runs in a fresh
subprocess so its peak memory (max RSS) is its own. Prints a Markdown table and writes
benchmarks/results/train_bench.json.

    python benchmarks/train_bench.py                      # sst2 and banking77, N=1000
    python benchmarks/train_bench.py --datasets sst2 --n 250
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"


def sample(name: str, n: int, seed: int = 0):
    """N stratified training rows and the official test rows of a shared dataset."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    train = pd.read_csv(DATA / f"{name}_train.csv", dtype=str, keep_default_na=False)
    test = pd.read_csv(DATA / f"{name}_test.csv", dtype=str, keep_default_na=False)
    if n < len(train):
        train, _ = train_test_split(train, train_size=n, stratify=train["label"], random_state=seed)
    return train, test


def cell(name: str, n: int, config_json: str) -> dict:
    """Baseline and nbtrain's training on one dataset, in this process; returns the measurements."""
    import nbtrain
    from nbtrain.workflow import fit_dataset_baseline

    train, test = sample(name, n)
    dataset = nbtrain.load_frame(train, test=test)
    config = nbtrain.TrainConfig(**json.loads(config_json))
    encoder = nbtrain.Encoder(config.model)
    started = time.perf_counter()
    baseline = fit_dataset_baseline(dataset, encoder, config.seed)
    baseline_seconds = time.perf_counter() - started
    result = nbtrain.train(dataset, config, encoder=encoder, baseline=baseline)
    comparison = nbtrain.compare(dataset, baseline, result.model, encoder)
    scores = comparison.splits["test"]
    return {
        "dataset": name,
        "n": n,
        "train_rows": len(dataset.train),
        "validation_rows": len(dataset.validation),
        "test_rows": len(dataset.test) if dataset.test is not None else 0,
        "labels": len(dataset.labels),
        "removed_labels": dict(dataset.removed_labels),
        "baseline": {
            "C": baseline.C,
            "accuracy": scores.baseline.accuracy,
            "macro_f1": scores.baseline.macro_f1,
            "silhouette": scores.baseline_separation.silhouette,
            "seconds": baseline_seconds,
        },
        "trained": {
            "accuracy": scores.trained.accuracy,
            "macro_f1": scores.trained.macro_f1,
            "silhouette": scores.trained_separation.silhouette,
            "seconds": result.seconds,
            "best_epoch": result.best_epoch,
            "stopped": result.stopped,
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "config": config.to_dict(),
    }


def run_cell(name: str, n: int, config: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--cell", name, "--n", str(n), "--config", json.dumps(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = (
        "| dataset | N | baseline acc | baseline macro-F1 | trained acc | trained macro-F1 | silhouette base → trained "
        "| baseline s | train s | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        b, t = r["baseline"], r["trained"]
        lines.append(
            f"| {r['dataset']} | {r['n']} | {b['accuracy']:.3f} | {b['macro_f1']:.3f} | {t['accuracy']:.3f} | "
            f"{t['macro_f1']:.3f} | {b['silhouette']:.2f} → {t['silhouette']:.2f} | {b['seconds']:.0f} | "
            f"{t['seconds']:.0f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["sst2", "banking77"])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--config", default="{}", help="TrainConfig fields as JSON (default: nbtrain's defaults)")
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(cell(args.cell, args.n, args.config)))
        return 0
    if not DATA.is_dir():
        print(f"no shared data at {DATA}; nothing to benchmark", file=sys.stderr)
        return 1
    rows = []
    for name in args.datasets:
        print(f"running {name} (N={args.n}) ...", file=sys.stderr, flush=True)
        rows.append(run_cell(name, args.n, json.loads(args.config)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"machine": f"{platform.machine()}, {platform.python_version()}", "when": time.strftime("%Y-%m-%d %H:%M")}
    (RESULTS / "train_bench.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
