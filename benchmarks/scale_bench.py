"""The whole journey on real-sized files: 10,000, 40,000 and every row (81,000+) of the shared
training files stacked, and how each cost grows with the rows.

The rows: every ../shared/data training file, its label prefixed by its dataset
(``banking77:card_arrival``; GoEmotions by its first label), exact repeats of a text dropped; the
smaller sizes are seeded samples of the stacked file, and the test rows the stacked test files.
For each size, in its own process with an empty embedding cache (so peak memory is its own and
the first pass is a first pass): loading, the model-free checks, the first embedding pass and a
second one (the cache), the whole ``nbtrain check`` command run again as a user re-runs it, the
model checks, the baseline, training to a budget (15 minutes by default), the scores of both
models on the test rows, the explorer's payload, and the peak resident memory (also as it stood
after each phase, to see which one grew it).
Then each cost's growth against the rows: the exponent b of cost ~ rows^b between the smallest and
the largest size (b > 1.1 grows faster than the data).

    python benchmarks/scale_bench.py                        # 10,000, 40,000, all; budget 15m
    python benchmarks/scale_bench.py --sizes 10000 --budget 2m   # a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_common import DATA, load_average, peak_rss_mb, run_cell  # noqa: E402

RESULTS = HERE / "results"
CSV_SETS = ("sst2", "banking77", "tweeteval_offensive", "agnews", "trec6")
PHASES = (
    "load",
    "checks_model_free",
    "embed_first",
    "embed_cached",
    "check_command_cached",
    "checks_model",
    "baseline",
    "train",
    "score",
    "explorer_payload",
)


def stacked(split: str):
    import pandas as pd

    parts = []
    for name in CSV_SETS:
        path = DATA / f"{name}_{split}.csv"
        if path.exists():
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            parts.append(frame.assign(label=name + ":" + frame["label"]))
    emotions = DATA / f"goemotions_{split}.jsonl"
    if emotions.exists():
        rows = [json.loads(line) for line in emotions.read_text(encoding="utf-8").splitlines() if line.strip()]
        parts.append(pd.DataFrame({"text": [r["text"] for r in rows], "label": ["goemotions:" + (r["labels"][0] if r["labels"] else "none") for r in rows]}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.drop_duplicates("text").reset_index(drop=True)


def cell(size: int, budget: str, folder: Path) -> dict:
    """One size, every phase timed, in this process."""
    import nbtrain
    from nbtrain.journey import fit_dataset_baseline
    from nbtrain.training.trainer import train_model

    train, test = stacked("train"), stacked("test")
    if size < len(train):
        train = train.sample(n=size, random_state=0).sort_index()
    folder.mkdir(parents=True, exist_ok=True)
    train_path, test_path = folder / f"train-{size}.csv", folder / "test.csv"
    train.to_csv(train_path, index=False)
    test.to_csv(test_path, index=False)
    seconds: dict[str, float] = {}
    peak_after: dict[str, float] = {}  # the process's peak so far when each phase ends: where it grew

    def timed(name: str, work):
        started = time.perf_counter()
        value = work()
        seconds[name] = time.perf_counter() - started
        peak_after[name] = peak_rss_mb()
        return value

    dataset = timed("load", lambda: nbtrain.load(train_path, test=test_path))
    timed("checks_model_free", lambda: nbtrain.check(dataset))
    encoder = nbtrain.Encoder()
    texts = list(dict.fromkeys(t for f in dataset.splits().values() for t in f["text"]))
    timed("embed_first", lambda: encoder.encode(texts))
    second = nbtrain.Encoder()  # a new encoder, as the next command or notebook run has
    timed("embed_cached", lambda: second.encode(texts))
    # the whole `nbtrain check` command run again on the same files, as a user re-runs it: its own
    # process, imports and model load included, every embedding from the cache
    command = [str(Path(sys.executable).with_name("nbtrain")), "check", str(train_path), "--test", str(test_path), "--json", "--quiet"]
    timed("check_command_cached", lambda: subprocess.run(command, capture_output=True, check=True))
    timed("checks_model", lambda: nbtrain.check(dataset, encoder=encoder))
    baseline = timed("baseline", lambda: fit_dataset_baseline(dataset, encoder))
    result = timed("train", lambda: train_model(dataset, nbtrain.TrainConfig(budget=budget), encoder=encoder, baseline=baseline, progress=False))
    from nbtrain.evaluate.compare import ModelPair, compare_models

    final = result.model

    def score():
        # the test comparison's baseline learns the rows the final head learnt, as nbtrain.train does
        test_baseline = baseline if final.fitted_on == "train" else fit_dataset_baseline(dataset, encoder, rows=final.fitted_on)
        return compare_models(dataset, {"test": ModelPair(test_baseline, final)}, encoder)

    comparison = timed("score", score)
    split = comparison.splits["test"]

    def payload() -> int:
        from nbtrain.embed.project import project_pair

        a, _ = project_pair(split.baseline_embeddings, split.trained_embeddings)
        return len(split.rows.assign(x=a[:, 0], y=a[:, 1])[["x", "y", "text", "label"]].to_csv(index=False).encode())

    payload_bytes = timed("explorer_payload", payload)
    return {
        "rows": len(dataset.train) + len(dataset.validation),
        "train_rows": len(dataset.train),
        "test_rows": len(dataset.test) if dataset.test is not None else 0,
        "labels": len(dataset.labels),
        "seconds": seconds,
        "training": result.summary.to_dict(),
        "budget": budget,
        "baseline_test_macro_f1": split.baseline.macro_f1,
        "trained_test_macro_f1": split.trained.macro_f1,
        "explorer_payload_mb": payload_bytes / 1e6,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_mb_after": peak_after,
        "load_average": load_average(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def growth(rows: list[dict]) -> dict[str, float]:
    """The exponent b of seconds ~ rows^b between the smallest and the largest size."""
    small, large = rows[0], rows[-1]
    ratio = math.log(large["rows"] / small["rows"])
    out = {}
    for phase in PHASES:
        a, b = small["seconds"].get(phase), large["seconds"].get(phase)
        if a and b and ratio > 0:
            out[phase] = math.log(b / a) / ratio
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 40_000, 1_000_000])
    parser.add_argument("--budget", default="15m")
    parser.add_argument("--cell", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = RESULTS / "scale"
    if args.cell is not None:
        print(json.dumps(cell(args.cell, args.budget, folder)))
        return 0
    rows = []
    for size in args.sizes:
        print(f"  size {size:,} ...", file=sys.stderr, flush=True)
        rows.append(run_cell([sys.executable, __file__, "--cell", str(size), "--budget", args.budget]))
    (RESULTS / f"scale_bench-{time.strftime('%Y%m%d-%H%M')}.json").write_text(json.dumps(rows, indent=1))
    header = "| rows | " + " | ".join(PHASES) + " | test macro-F1 baseline → trained | peak MB |"
    lines = [header, "|" + "---|" * (len(PHASES) + 3)]
    for r in rows:
        cells = " | ".join(f"{r['seconds'].get(p, float('nan')):.1f}" for p in PHASES)
        lines.append(f"| {r['rows']:,} | {cells} | {r['baseline_test_macro_f1']:.3f} → {r['trained_test_macro_f1']:.3f} | {r['peak_rss_mb']:.0f} |")
    if len(rows) > 1:
        lines.append("| growth exponent | " + " | ".join(f"{growth(rows).get(p, float('nan')):.2f}" for p in PHASES) + " | | |")
    lines += ["", "Peak resident MB when each phase ended:", "| rows | " + " | ".join(PHASES) + " |", "|" + "---|" * (len(PHASES) + 1)]
    for r in rows:
        lines.append(f"| {r['rows']:,} | " + " | ".join(f"{r['peak_rss_mb_after'].get(p, float('nan')):.0f}" for p in PHASES) + " |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
