"""nbtrain's default training against the frozen baseline, SetFit 1.2 and a full fine-tune.

For sst2, banking77 and tweeteval_offensive at N = 250 and 1,000 stratified training rows (seed 0)
from ../shared/data, every method trains on the same N rows and is scored on the whole official
test file (bench_common). The anchor rows (baseline, SetFit, full fine-tune) come from
benchmarks/anchors.py in its own venv and are cached in benchmarks/anchors.json with the versions
and settings that made them: only missing anchors run, unless ``--refresh``. nbtrain's rows run
every time, each in a fresh subprocess with an empty embedding cache (bench_common.run_cell).
Each run writes its rows to benchmarks/results/train_bench-<date-time>.json (not committed) and
prints the table.

    python benchmarks/train_bench.py                    # the whole table
    python benchmarks/train_bench.py --quick            # sst2 at N=250
    python benchmarks/train_bench.py --refresh          # recompute the anchors too (about 2 h)
    python benchmarks/train_bench.py --only-anchors --refresh full_finetune   # recompute one method
    python benchmarks/train_bench.py --only-anchors     # fill the anchor cache, no nbtrain rows
    python benchmarks/train_bench.py --only-nbtrain     # nbtrain rows, with whatever anchors are cached
    python benchmarks/train_bench.py --config '{"epochs": 6}'   # nbtrain rows with other settings
    python benchmarks/train_bench.py --only-nbtrain --seeds 0 1 2   # three training seeds, and their mean

The data sample is always seed 0; ``--seeds`` sets nbtrain's training seed (TrainConfig.seed: the
batch order, dropout, the baseline's folds), whose spread is larger than most settings' effects.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_common import DATA, load_average, peak_rss_mb, run_cell, sample, scores  # noqa: E402

ANCHORS_FILE = HERE / "anchors.json"
ANCHORS_PYTHON = HERE / ".venv-anchors" / "bin" / "python"
RESULTS = HERE / "results"
DATASETS = ("sst2", "banking77", "tweeteval_offensive")
SIZES = (250, 1000)
ANCHORS = ("baseline", "setfit", "full_finetune")
MEAN = "nbtrain-mean"  # the mean over training seeds, when there are several
# Few-shot samples (banking77 at N=250 has ~3 rows per label, three labels have one) keep every
# row: the hosted trainers' rule of 5 would remove most labels. The same rows then reach every
# method; a label's only row trains and is not validated.
MIN_EXAMPLES = 1


def nbtrain_cell(name: str, n: int, config_json: str, seed: int) -> dict:
    """nbtrain's training on one sample, in this process (called through ``--cell``)."""
    import nbtrain

    train, test = sample(name, n)
    load_before = load_average()
    started = time.perf_counter()
    from nbtrain.training.trainer import train_model

    dataset = nbtrain.load(train, min_examples=MIN_EXAMPLES)
    config = nbtrain.TrainConfig(**{**json.loads(config_json), "seed": seed})
    result = train_model(dataset, config, progress=False)  # the trainer alone: no comparison inside the timing
    seconds = time.perf_counter() - started
    from nbtrain.training.network import run_batches

    model, texts = result.model, test["text"].tolist()
    embeddings, logits = run_batches(model.network, model.tokenizer, texts, model.max_length)  # one pass for both
    predicted = [model.labels[i] for i in logits.argmax(axis=1)]
    return {
        "method": "nbtrain",
        "dataset": name,
        "n": n,
        "training_seed": seed,
        "test_rows": len(test),
        **scores(test["label"].tolist(), predicted, embeddings),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": [load_before, load_average()],
        "settings": {
            "seconds": seconds,
            "best_epoch": result.kept_epoch,
            "stopped": result.stopped,
            "train_rows": len(dataset.train),
            "validation_rows": len(dataset.validation),
            "config": config.to_dict(),
        },
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def load_anchors() -> dict[str, dict]:
    return json.loads(ANCHORS_FILE.read_text())["cells"] if ANCHORS_FILE.exists() else {}


def save_anchor(key: str, row: dict) -> None:
    """Write after every cell: a long run that is interrupted keeps what it finished."""
    cells = load_anchors()
    cells[key] = row
    ANCHORS_FILE.write_text(json.dumps({"cells": dict(sorted(cells.items()))}, indent=1) + "\n")


def anchor(method: str, name: str, n: int, refresh: bool) -> dict:
    key = f"{method}/{name}/{n}"
    cached = load_anchors().get(key)
    if cached and not refresh:
        return cached
    if not ANCHORS_PYTHON.exists():
        raise SystemExit(f"{ANCHORS_PYTHON} is missing: run `make bench-anchors-venv` (SetFit's own venv)")
    print(f"  anchor {key} ...", file=sys.stderr, flush=True)
    row = run_cell([str(ANCHORS_PYTHON), str(HERE / "anchors.py"), method, name, str(n)])
    save_anchor(key, row)
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| dataset | N | method | accuracy | macro-F1 | silhouette | train s | peak MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        method = r["method"]
        if method == "setfit":
            method = f"setfit ({r['settings']['num_iterations']} it.)"
        elif method == "nbtrain" and r.get("training_seed", 0) != 0:
            method = f"nbtrain (seed {r['training_seed']})"
        elif method == MEAN:
            method = f"nbtrain, mean of {len(r['settings']['seeds'])} seeds"
        lines.append(
            f"| {r['dataset']} | {r['n']} | {method} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['silhouette']:.2f} | {r['settings']['seconds']:.0f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def goals(rows: list[dict]) -> list[str]:
    """The issue's targets, checked on every (dataset, N) that has all four rows."""
    out = []
    cells: dict[tuple[str, int], dict[str, dict]] = {}
    for r in rows:
        if r["method"] != "nbtrain" or r.get("training_seed", 0) == 0:
            cells.setdefault((r["dataset"], r["n"]), {})[r["method"]] = r
    for (name, n), m in cells.items():
        for method in ("nbtrain", MEAN):
            if method in m and all(a in m for a in ANCHORS):
                which = "" if method == "nbtrain" else f" (mean of seeds {m[method]['settings']['seeds']})"
                out.append(f"{name} N={n}{which}: {_missed(m, m[method])}")
    return out


def _missed(m: dict[str, dict], ours: dict) -> str:
    checks = {
        "macro-F1 >= SetFit": ours["macro_f1"] >= m["setfit"]["macro_f1"],
        "macro-F1 >= baseline": ours["macro_f1"] >= m["baseline"]["macro_f1"],
        "within 0.01 of full fine-tune": ours["macro_f1"] >= m["full_finetune"]["macro_f1"] - 0.01,
        "time <= half SetFit's": ours["settings"]["seconds"] <= m["setfit"]["settings"]["seconds"] / 2,
        "peak < 2 GB": ours["peak_rss_mb"] < 2048,
    }
    missed = [k for k, ok in checks.items() if not ok]
    return "all goals met" if not missed else "missed: " + ", ".join(missed)


def mean_row(runs: list[dict]) -> dict:
    """nbtrain's mean over training seeds (peak memory: the largest)."""
    first = runs[0]
    row = {k: first[k] for k in ("dataset", "n", "test_rows")}
    row |= {k: sum(r[k] for r in runs) / len(runs) for k in ("accuracy", "macro_f1", "silhouette")}
    row |= {"method": MEAN, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}
    row["settings"] = {"seconds": sum(r["settings"]["seconds"] for r in runs) / len(runs), "seeds": [r["training_seed"] for r in runs]}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--quick", action="store_true", help="sst2 at N=250 only")
    parser.add_argument(
        "--refresh", nargs="*", choices=ANCHORS, metavar="METHOD", help="recompute the cached anchor rows (all, or these methods)"
    )
    parser.add_argument("--only-anchors", action="store_true", help="fill the anchor cache; no nbtrain rows")
    parser.add_argument("--only-nbtrain", action="store_true", help="run no anchor; show the cached ones")
    parser.add_argument("--config", default="{}", help="TrainConfig fields as JSON (default: nbtrain's defaults)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="nbtrain's training seeds (default 0)")
    parser.add_argument("--cell", nargs=3, metavar=("DATASET", "N", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(nbtrain_cell(args.cell[0], int(args.cell[1]), args.config, int(args.cell[2]))))
        return 0
    if not DATA.is_dir():
        print(f"no shared data at {DATA}; nothing to benchmark", file=sys.stderr)
        return 1
    datasets, sizes = (["sst2"], [250]) if args.quick else (args.datasets, args.sizes)

    def refreshed(method: str) -> bool:
        return args.refresh is not None and (not args.refresh or method in args.refresh)

    rows = []
    for n in sizes:
        for name in datasets:
            print(f"{name} N={n}", file=sys.stderr, flush=True)
            if args.only_nbtrain:
                rows += [r for m in ANCHORS if (r := load_anchors().get(f"{m}/{name}/{n}"))]
            else:
                rows += [anchor(method, name, n, refreshed(method)) for method in ANCHORS]
            if not args.only_anchors:
                runs = []
                for seed in args.seeds:
                    print(f"  nbtrain (training seed {seed}) ...", file=sys.stderr, flush=True)
                    runs.append(run_cell([sys.executable, __file__, "--cell", name, str(n), str(seed), "--config", args.config]))
                    print(table(runs[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
                rows += runs + ([mean_row(runs)] if len(runs) > 1 else [])
    RESULTS.mkdir(parents=True, exist_ok=True)
    # One file per run: an --only-anchors run must not overwrite the nbtrain rows of an earlier one.
    out = RESULTS / f"train_bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(rows, indent=1))
    print(f"rows written to {out.relative_to(HERE.parent)}", file=sys.stderr)
    print(table(rows))
    for line in goals(rows):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
