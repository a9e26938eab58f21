"""The ``nbtrain`` command: the notebook's journey, scriptable.

``demo`` trains on the bundled sample; ``check`` reports on a file's data quality; ``train`` fits
the baseline, trains, compares and saves; ``classify`` uses a saved model; ``studio`` serves the
upload-and-train app in the browser (Voilà). The other commands take ``--json`` for machines.
Bad input ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbtrain._version import __version__
from nbtrain.data.errors import DataError

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except (DataError, FileNotFoundError, ValueError) as err:
        print(f"nbtrain {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"nbtrain {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbtrain", description="Train custom text classifiers with LoRA.")
    parser.add_argument("--version", action="version", version=f"nbtrain {__version__}")
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="train on the bundled sample and write an HTML report")
    demo.add_argument("--out", default="nbtrain-demo", help="folder for the model and report.html")
    _training_options(demo)
    demo.set_defaults(run=_demo)

    check = sub.add_parser("check", help="data-quality report of a labelled CSV")
    _data_options(check)
    check.add_argument("--html", help="also write the report as a standalone HTML file")
    check.add_argument("--no-model", action="store_true", help="skip the checks that need the model")
    check.add_argument("--model", default="default", help="model for token lengths and embeddings")
    check.set_defaults(run=_check)

    fit = sub.add_parser("train", help="train, compare with the baseline, save the model")
    _data_options(fit)
    fit.add_argument("--out", required=True, help="folder to save the model (and report.html) in")
    _training_options(fit)
    fit.set_defaults(run=_train)

    classify = sub.add_parser("classify", help="classify texts with a saved model")
    classify.add_argument("model_dir", help="a folder written by 'nbtrain train'")
    classify.add_argument("texts", nargs="+", help="texts to classify ('-' reads lines from stdin)")
    classify.set_defaults(run=_classify)

    app = sub.add_parser("studio", help="the upload-and-train app in the browser (Voilà)")
    app.add_argument("--port", type=int, default=8866, help="port to serve on (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    app.set_defaults(run=_studio)
    for command in (demo, check, fit, classify):
        command.add_argument("--json", action="store_true", help="print JSON on stdout")
    return parser


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="training CSV: text, label")
    p.add_argument("--validation", help="validation CSV (default: a stratified split of the training file)")
    p.add_argument("--test", help="test CSV, scored but never trained on")
    p.add_argument("--text-column", help="name or 0-based position of the text column")
    p.add_argument("--label-column", help="name or 0-based position of the label column")
    p.add_argument("--min-examples", type=int, default=5, help="drop labels with fewer unique texts (default 5)")


def _training_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="default", help="base model: 'default', a Hugging Face id or a folder")
    p.add_argument("--epochs", type=int, help="most epochs (early stopping may end sooner)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--objective", choices=["classification", "embedding", "both"], help="the loss (default: both)")
    p.add_argument("--embedding-loss", choices=["proxy", "supcon", "proxy+supcon"], help="embedding loss (default: proxy+supcon)")
    p.add_argument(
        "--class-weight",
        choices=["auto", "balanced", "none"],
        help="auto (default): each logistic-regression head chooses by cross-validation; balanced: rare labels weigh more in the loss and heads",
    )
    p.add_argument(
        "--head-init",
        choices=["baseline", "random"],
        help="where the head starts: baseline (default; the encoder's features change little) or random "
        "(they change more: with --objective classification, better where the frozen model's features are weak; docs/training.md)",
    )
    p.add_argument(
        "--head-rows",
        choices=["auto", "train", "all"],
        help="rows the final head is fitted on (default auto: training + validation rows when validation was split off)",
    )
    p.add_argument(
        "--recompute-above-tokens",
        type=_token_budget,
        metavar="TOKENS|off",
        help="recompute the activations of batches over this many padded tokens, to save memory "
        "(default 1024; 'off' keeps every activation)",
    )
    p.add_argument("--resume", action="store_true", help="carry on from OUT/checkpoint (a stopped or crashed run)")
    p.add_argument("--seed", type=int, default=0)


def _token_budget(value: str) -> int | str:
    """A positive token count, or 'off' (kept as a word so that it differs from 'not given')."""
    if value == "off":
        return value
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of tokens or 'off', got {value!r}")
    return int(value)


def _column(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _load(args: argparse.Namespace) -> Any:
    from nbtrain.data.load import load_csv

    return load_csv(
        args.file,
        validation=args.validation,
        test=args.test,
        text_column=_column(args.text_column),
        label_column=_column(args.label_column),
        min_examples=args.min_examples,
        seed=getattr(args, "seed", 0),
    )


def _config(args: argparse.Namespace) -> Any:
    from nbtrain.training.config import TrainConfig

    chosen = {
        "model": args.model,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "objective": args.objective,
        "embedding_loss": args.embedding_loss,
        "class_weight": args.class_weight,
        "head_rows": args.head_rows,
        "head_init": args.head_init,
        "recompute_above_tokens": args.recompute_above_tokens,
        "checkpoint_dir": str(Path(args.out) / "checkpoint"),
        "seed": args.seed,
    }
    settings = {k: v for k, v in chosen.items() if v is not None}
    off = {"recompute_above_tokens": "off", "class_weight": "none"}
    settings |= {name: None for name, word in off.items() if settings.get(name) == word}
    return TrainConfig(**settings)


def _demo(args: argparse.Namespace) -> int:
    from nbtrain.data.load import load_csv, sample_path

    sample = sample_path()
    args.file, args.validation, args.test = str(sample), None, str(sample.with_name("customer_messages_test.csv"))
    dataset = load_csv(args.file, test=args.test, seed=args.seed)
    return _fit_and_report(dataset, args)


def _train(args: argparse.Namespace) -> int:
    return _fit_and_report(_load(args), args)


def _fit_and_report(dataset: Any, args: argparse.Namespace) -> int:
    from nbtrain.training.callbacks import PrintProgress
    from nbtrain.workflow import run, write_report

    log = sys.stderr
    # Under `accelerate launch` every process runs this command; the first one reports and saves.
    main_process = os.environ.get("RANK", "0") == "0"
    if main_process:
        print(dataset.summary(), file=log)
        print("Fitting the baseline and training (progress below) ...", file=log)
    from nbtrain.training.checkpoint import META_FILE

    config = _config(args)
    checkpoint = Path(config.checkpoint_dir)
    # Checked before the baseline's embedding pass, so a mistyped --out fails at once.
    if args.resume and not (checkpoint / META_FILE).is_file():
        raise DataError(f"--resume: no checkpoint in {checkpoint} (train with --out {args.out} first)")
    resume_from = checkpoint if args.resume else None
    outcome = run(dataset, config, callbacks=[] if args.json else [PrintProgress()], resume_from=resume_from)
    if not main_process:
        return 0
    out = Path(args.out)
    outcome.result.model.metrics["comparison"] = outcome.comparison.to_dict()
    outcome.result.model.save(out / "model")
    report = write_report(outcome, out / "report.html")
    if args.json:
        payload = {
            "model_dir": str(out / "model"),
            "report": str(report),
            "train_seconds": outcome.result.seconds,
            "best_epoch": outcome.result.best_epoch,
            "stopped": outcome.result.stopped,
            "data": _data_json(dataset),
            **outcome.comparison.to_dict(),
        }
        print(json.dumps(_finite(payload), indent=2))
        return 0
    table = outcome.comparison.table()
    print("\n" + table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    for name, split in outcome.comparison.splits.items():
        print(f"{name}: both models' heads fitted on the {split.fitted_on} rows (baseline {split.baseline_settings()})")
    print(f"\nTrained in {outcome.result.seconds:.0f} s; best epoch {outcome.result.best_epoch}. {outcome.result.stopped}")
    print(f"Model saved to {out / 'model'}; report written to {report}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from nbtrain.data.report import build_report

    dataset = _load(args)
    encoder = None
    if not args.no_model:
        from nbtrain.embed.encoder import Encoder

        encoder = Encoder(args.model)
    report = build_report(dataset, encoder=encoder)
    if args.html:
        report.to_html(args.html)
    if args.json:
        print(json.dumps(_finite({"data": _data_json(dataset), "report": report.to_dict()}), indent=2, default=str))
    else:
        print(dataset.summary())
        print()
        print(report.to_text())
    return 0


def _classify(args: argparse.Namespace) -> int:
    from nbtrain.training.model import load_model

    texts = [line.rstrip("\n") for line in sys.stdin if line.strip()] if args.texts == ["-"] else args.texts
    frame = load_model(args.model_dir).classify(texts)
    if args.json:
        records = [
            {
                "text": row["text"],
                "label": row["label"],
                "confidence": float(row["confidence"]),
                "scores": {c: float(row[c]) for c in frame.columns[3:]},
            }
            for _, row in frame.iterrows()
        ]
        print(json.dumps(records, indent=2))
    else:
        for _, row in frame.iterrows():
            print(f"{row['label']}\t{row['confidence']:.3f}\t{row['text']}")
    return 0


def _studio(args: argparse.Namespace) -> int:
    """Serve the packaged app notebook with Voilà, which is an optional extra."""
    import importlib.util
    import subprocess
    from importlib import resources

    if importlib.util.find_spec("voila") is None:
        print("nbtrain studio: error: Voilà is not installed: pip install 'nbtrain[browser]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    with resources.as_file(resources.files("nbtrain") / "app" / "studio.ipynb") as notebook:
        command = [sys.executable, "-m", "voila", str(notebook), f"--port={args.port}"]
        if args.no_browser:
            command.append("--no-browser")
        # Voilà starts the kernel beside the notebook, inside the package; the app moves to here.
        return subprocess.call(command, env={**os.environ, "NBTRAIN_WORKDIR": os.getcwd()})


def _data_json(dataset: Any) -> dict[str, Any]:
    return {
        "sizes": {name: len(frame) for name, frame in dataset.splits().items()},
        "labels": list(dataset.labels),
        "removed_labels": dict(dataset.removed_labels),
        "dropped": dataset.dropped.to_dict(orient="records"),
        "notices": list(dataset.notices),
    }


def _finite(value: Any) -> Any:
    """JSON has no NaN: turn non-finite floats into null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
