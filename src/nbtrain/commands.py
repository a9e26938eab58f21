"""What each ``nbtrain`` subcommand does, given its parsed arguments (see :mod:`nbtrain.cli`).

Each ``run_<command>`` loads what it needs, calls the same functions a notebook user calls, and
prints a human summary on stdout (progress on stderr) or, with ``--json``, one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from nbtrain._json import finite
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.progress import Progress, resolve_progress

CHECKPOINT_DIR = "checkpoint"
#: A run that ended for one of these reasons may want to go on: its checkpoint is kept.
_RESUMABLE = ("stopped", "the budget")


def run_check(args: argparse.Namespace) -> int:
    from nbtrain.data.report import check

    dataset = _load(args)
    encoder = None
    if not args.no_model:
        from nbtrain.embed.encoder import Encoder

        encoder = Encoder(args.model)
    report = check(dataset, encoder=encoder, progress=_progress(args))
    if args.html:
        report.to_html(args.html)
    if args.json:
        print(json.dumps(finite({"data": data_json(dataset), "report": report.to_dict()}), indent=2, default=str))
    else:
        print(dataset.summary())
        print()
        print(report.to_text(max_rows=args.rows))
    return 0


def run_train(args: argparse.Namespace) -> int:
    return _train_and_save(_load(args), args)


def run_demo(args: argparse.Namespace) -> int:
    from nbtrain.data.load import load, sample_path

    args.file, args.validation, args.test = str(sample_path()), None, str(sample_path("test"))
    return _train_and_save(load(args.file, test=args.test, seed=args.seed), args)


def run_classify(args: argparse.Namespace) -> int:
    from nbtrain.training.model import load_model

    texts = [line.rstrip("\n") for line in sys.stdin if line.strip()] if args.texts == ["-"] else args.texts
    model = load_model(args.model_dir)
    frame = model.classify(texts)
    if args.json:
        records = [
            {
                "text": row["text"],
                "label": list(row["label"]) if isinstance(row["label"], tuple) else row["label"],
                "confidence": float(row["confidence"]),
                "scores": {label: float(row[label]) for label in model.labels},
            }
            for _, row in frame.iterrows()
        ]
        print(json.dumps(records, indent=2))
    else:
        from nbtrain.task import label_text

        for _, row in frame.iterrows():
            print(f"{label_text(row['label'])}\t{row['confidence']:.3f}\t{row['text']}")
    return 0


def run_runs(args: argparse.Namespace) -> int:
    from nbtrain.run_records import runs

    table = runs(args.folder)
    if args.json:
        print(json.dumps(finite(table.to_dict(orient="records")), indent=2, default=str))
    elif table.empty:
        print(f"No runs under {args.folder} (a run is a folder written by 'nbtrain train --out').")
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from nbtrain.run_records import compare

    result = compare(args.run_a, args.run_b)
    if args.json:
        payload = {
            "a": args.run_a,
            "b": args.run_b,
            "changed": result.what_changed(),
            "scores": result.table().to_dict(orient="records"),
            "per_label": result.per_label().to_dict(orient="records"),
        }
        print(json.dumps(finite(payload), indent=2, default=str))
    else:
        print(result.to_text())
    return 0


def run_studio(args: argparse.Namespace) -> int:
    """Serve the packaged app notebook with Voilà, which is an optional extra."""
    import importlib.util
    from importlib import resources

    if importlib.util.find_spec("voila") is None:
        raise DataError("Voilà is not installed: pip install 'nbtrain[browser]'")
    with resources.as_file(resources.files("nbtrain") / "app" / "studio.ipynb") as notebook:
        command = [sys.executable, "-m", "voila", str(notebook), f"--port={args.port}"]
        if args.no_browser:
            command.append("--no-browser")
        # Voilà starts the kernel beside the notebook, inside the package; the app moves to here.
        return subprocess.call(command, env={**os.environ, "NBTRAIN_WORKDIR": os.getcwd()})


def _train_and_save(dataset: Dataset, args: argparse.Namespace) -> int:
    from nbtrain.data.report import check
    from nbtrain.embed.encoder import Encoder
    from nbtrain.journey import train
    from nbtrain.training.checkpoint import META_FILE

    # Under `accelerate launch` every process runs this command; the first one reports and saves.
    main_process = os.environ.get("RANK", "0") == "0"
    progress = _progress(args) if main_process else resolve_progress(False)
    config = _config(args)
    out = Path(args.out)
    checkpoint = out / CHECKPOINT_DIR
    # Checked before the baseline's embedding pass, so a mistyped --out fails at once.
    if args.resume and not (checkpoint / META_FILE).is_file():
        raise DataError(f"--resume: no checkpoint in {checkpoint} (train with --out {args.out} first)")
    progress.line(dataset.summary())
    encoder = Encoder(config.model, device=config.device)
    run = train(dataset, config, encoder=encoder, resume_from=checkpoint if args.resume else None, progress=progress)
    if not main_process:
        return 0
    with progress.phase("Checking the data for the run's page"):
        report = check(dataset, encoder=encoder)
    with progress.phase(f"Saving the run to {out}"):
        run.save(out, report=report)
    stopped = run.result.stopped
    if not stopped.startswith(_RESUMABLE) and checkpoint.is_dir():
        shutil.rmtree(checkpoint)
    if args.json:
        payload = {
            "run_dir": str(out),
            "model_dir": str(out / "model"),
            "report": str(out / "report.html"),
            "training": run.result.summary.to_dict(),
            "data": data_json(dataset),
            **run.comparison.to_dict(),
        }
        print(json.dumps(finite(payload), indent=2))
        return 0
    from nbtrain.viz.html import number

    table = run.comparison.table()
    print("\n" + table.to_string(index=False, float_format=lambda v: number(v, "{:.4f}")))
    for name, split in run.comparison.splits.items():
        print(f"{name}: both models' heads fitted on the {split.fitted_on} rows (baseline {split.baseline_settings()})")
    summary = run.result.summary
    why = f" ({stopped})" if stopped else ""
    from nbtrain.progress import round_unit
    from nbtrain.training.callbacks import EpochEvent

    unit = round_unit(EpochEvent(**{str(k): v for k, v in run.result.history.iloc[-1].items()}))
    print(f"\nDone in {summary.train_seconds:.0f} s{why}: kept {unit} {summary.kept_epoch}, after {summary.epochs_seen:g} epochs of training.")
    print(f"Run saved to {out}: model/, run.json, report.html" + ("; checkpoint/ kept for --resume" if checkpoint.is_dir() else ""))
    return 0


def _progress(args: argparse.Namespace) -> Progress:
    return resolve_progress(not getattr(args, "quiet", False))


def _column(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _load(args: argparse.Namespace) -> Dataset:
    from nbtrain.data.load import load

    return load(
        args.file,
        validation=args.validation,
        test=args.test,
        text_column=_column(args.text_column),
        label_column=_column(args.label_column),
        labels=None if args.labels is None else [x.strip() for x in args.labels.split(",") if x.strip()],
        label_separator=args.label_separator,
        task=args.task,
        encoding=args.encoding,
        min_examples=args.min_examples,
        seed=getattr(args, "seed", 0),
    )


def _config(args: argparse.Namespace) -> Any:
    from nbtrain.training.config import TrainConfig

    chosen = {
        "model": args.model,
        "budget": args.budget,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "objective": args.objective,
        "embedding_loss": args.embedding_loss,
        "class_weight": args.class_weight,
        "head_rows": args.head_rows,
        "head_init": args.head_init,
        "recompute_above_tokens": args.recompute_above_tokens,
        "checkpoint_dir": str(Path(args.out) / CHECKPOINT_DIR),
        "seed": args.seed,
    }
    settings = {k: v for k, v in chosen.items() if v is not None}
    off = {"recompute_above_tokens": "off", "class_weight": "none"}
    settings |= {name: None for name, word in off.items() if settings.get(name) == word}
    return TrainConfig(**settings)


def data_json(dataset: Dataset) -> dict[str, Any]:
    """The dataset in JSON: sizes, task, labels, removed labels, dropped rows and notices."""
    dropped = dataset.dropped.astype(object).to_dict(orient="records")
    return {
        "sizes": {name: len(frame) for name, frame in dataset.splits().items()},
        "task": dataset.task,
        "labels": list(dataset.labels),
        "removed_labels": dataset.removed_labels,
        "dropped": [{k: list(v) if isinstance(v, tuple) else v for k, v in row.items()} for row in dropped],
        "notices": list(dataset.notices),
        "version": dataset.version,
    }
