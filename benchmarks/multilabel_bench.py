"""Multi-label training on GoEmotions: nbtrain's defaults against a tuned one-vs-rest baseline,
SetFit 1.2 (one-vs-rest) and a full fine-tune with a BCE head, and the whole file to a budget.

N = 1,000 and 5,000 training rows stratified over label combinations (seed 0), scored on the
whole test file (5,427 rows, 28 labels). The anchor rows come from benchmarks/multilabel_anchors.py
in its own venv and are cached in benchmarks/multilabel_anchors.json with versions and settings;
nbtrain's rows run every time, each in a fresh process with an empty embedding cache (so its
peak memory is its own and its seconds include the frozen pass). The budget
rows train on all 43,410 training rows, validate on the official validation file, and stop at the
budget.

    python benchmarks/multilabel_bench.py                  # the N = 1,000 and 5,000 cells
    python benchmarks/multilabel_bench.py --sizes 1000     # one size
    python benchmarks/multilabel_bench.py --budgets 10m 20m --only-nbtrain   # whole file, to each budget
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_common import load_average, peak_rss_mb, run_cell  # noqa: E402
from multilabel_common import DATA, multi_hot, read_jsonl, sample, scores  # noqa: E402

ANCHORS_FILE = HERE / "multilabel_anchors.json"
ANCHORS_PYTHON = HERE / ".venv-anchors" / "bin" / "python"
RESULTS = HERE / "results"
ANCHORS = ("baseline", "setfit", "full_finetune")
MIN_EXAMPLES = 1  # keep every label of a sample, as the single-label benchmark does


def nbtrain_cell(n: int | None, budget: str | None, config_json: str, seed: int) -> dict:
    """nbtrain's training on one sample (or the whole file to a budget), in this process."""
    import numpy as np
    import pandas as pd

    import nbtrain
    from nbtrain.training.trainer import train_model

    train, labels, test, test_labels, names = sample(n, 0)
    load_before = load_average()
    started = time.perf_counter()
    validation = None
    if n is None:
        val_texts, val_labels = read_jsonl(DATA / "goemotions_val.jsonl")
        validation = pd.DataFrame({"text": val_texts, "label": val_labels})
    dataset = nbtrain.load(pd.DataFrame({"text": train, "label": labels}), validation, min_examples=MIN_EXAMPLES)
    config = nbtrain.TrainConfig(**{**json.loads(config_json), "seed": seed, "budget": budget})
    result = train_model(dataset, config, progress=False)
    seconds = time.perf_counter() - started
    model = result.model
    embeddings, proba = model.embed_and_predict(test)
    order = [list(model.labels).index(name) for name in names]
    predicted = (proba >= model.thresholds)[:, order].astype(np.int8)
    return {
        "method": "nbtrain",
        "dataset": "goemotions",
        "n": n or len(train),
        "budget": budget,
        "training_seed": seed,
        "test_rows": len(test),
        **scores(multi_hot(test_labels, names), predicted, embeddings),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": [load_before, load_average()],
        "settings": {
            "seconds": seconds,
            "loop_seconds": float(result.history["elapsed"].iloc[-1]),
            "kept_epoch": result.kept_epoch,
            "stopped": result.stopped,
            "epochs_seen": result.summary.epochs_seen,
            "steps": result.summary.steps,
            "train_rows": len(dataset.train),
            "validation_rows": len(dataset.validation),
            "config": config.to_dict(),
        },
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def anchor(method: str, n: int, refresh: bool) -> list[dict]:
    """The cached anchor row (none, with a notice, when it is missing and its venv is not there)."""
    cells = json.loads(ANCHORS_FILE.read_text())["cells"] if ANCHORS_FILE.exists() else {}
    key = f"{method}/goemotions/{n}"
    if key in cells and not refresh:
        return [cells[key]]
    if not ANCHORS_PYTHON.exists():
        print(f"  anchor {key}: not cached, and {ANCHORS_PYTHON} is missing (`make bench-anchors-venv`): left out", file=sys.stderr)
        return []
    print(f"  anchor {key} ...", file=sys.stderr, flush=True)
    row = run_cell([str(ANCHORS_PYTHON), str(HERE / "multilabel_anchors.py"), method, str(n)])
    # read again: another cell may have been saved while this one ran
    cells = json.loads(ANCHORS_FILE.read_text())["cells"] if ANCHORS_FILE.exists() else {}
    cells[key] = row
    ANCHORS_FILE.write_text(json.dumps({"cells": dict(sorted(cells.items()))}, indent=1) + "\n")
    return [row]


def table(rows: list[dict]) -> str:
    lines = [
        "| N | method | macro-F1 | micro-F1 | Hamming | subset acc. | train s | peak MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        method = r["method"] if not r.get("budget") else f"nbtrain, budget {r['budget']}"
        lines.append(
            f"| {r['n']:,} | {method} | {r['macro_f1']:.3f} | {r['micro_f1']:.3f} | {r['hamming_score']:.3f} | "
            f"{r['subset_accuracy']:.3f} | {r['settings']['seconds']:.0f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--budgets", nargs="*", default=[], help="whole-file runs, e.g. 10m 20m")
    parser.add_argument("--only-nbtrain", action="store_true")
    parser.add_argument("--refresh", action="store_true", help="recompute the cached anchors")
    parser.add_argument("--config", default="{}", help="nbtrain settings as JSON")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cell", nargs=2, metavar=("N", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        n, budget = args.cell
        print(json.dumps(nbtrain_cell(None if n == "all" else int(n), None if budget == "none" else budget, args.config, args.seed)))
        return 0
    rows = []
    me = [sys.executable, str(Path(__file__).resolve())]
    for n in args.sizes:
        if not args.only_nbtrain:
            rows += [row for method in ANCHORS for row in anchor(method, n, args.refresh)]
        print(f"  nbtrain goemotions N={n} ...", file=sys.stderr, flush=True)
        rows.append(run_cell([*me, "--cell", str(n), "none", "--config", args.config, "--seed", str(args.seed)]))
    for budget in args.budgets:
        print(f"  nbtrain goemotions, every row, budget {budget} ...", file=sys.stderr, flush=True)
        rows.append(run_cell([*me, "--cell", "all", budget, "--config", args.config, "--seed", str(args.seed)]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"multilabel_bench-{time.strftime('%Y%m%d-%H%M')}.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
