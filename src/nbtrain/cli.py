"""The ``nbtrain`` command: the notebook's journey, scriptable, in the package's own verbs.

``check`` reports on a file's data quality; ``train`` fits the baseline, trains, compares and
saves the run; ``classify`` uses a saved model; ``runs`` and ``compare`` list and compare saved
runs; ``demo`` trains on the bundled sample; ``studio`` serves the upload-and-train app (Voilà).
Commands take ``--json`` for machines. Bad input ends in one line on stderr and exit status 2,
never a traceback. This module only parses: the choices come from :mod:`nbtrain.choices` and the
work from :mod:`nbtrain.commands`, so ``nbtrain --help`` and a mistyped path answer at once,
without loading torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from nbtrain._version import __version__
from nbtrain.choices import (
    ClassWeight,
    EmbeddingLoss,
    HeadInit,
    HeadRows,
    Objective,
    TaskKind,
    options,
)
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
        _check_paths(args)
        from nbtrain import commands

        return int(getattr(commands, f"run_{args.command}")(args))
    except (DataError, FileNotFoundError, ValueError) as err:
        print(f"nbtrain {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"\nnbtrain {args.command}: interrupted", file=sys.stderr)
        return 130


def _check_paths(args: argparse.Namespace) -> None:
    """Fail on a missing input file before anything heavy is imported."""
    for name in ("file", "validation", "test"):
        value = getattr(args, name, None)
        if value is not None and value != "-" and not Path(value).exists():
            raise DataError(f"{value}: file not found")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbtrain", description="Train custom text classifiers with LoRA.")
    parser.add_argument("--version", action="version", version=f"nbtrain {__version__}")
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="train on the bundled sample and write the run's HTML page")
    demo.add_argument("--out", default="nbtrain-demo", help="folder for the run: model/, run.json, report.html")
    _training_options(demo)

    check = sub.add_parser("check", help="data-quality report of a labelled file")
    _data_options(check)
    check.add_argument("--html", help="also write the report as a standalone HTML file")
    check.add_argument("--no-model", action="store_true", help="skip the checks that need the model")
    check.add_argument("--model", default="default", help="model for token lengths and embeddings")
    check.add_argument("--rows", type=int, default=5, help="rows listed per finding (default 5)")

    fit = sub.add_parser("train", help="train, compare with the baseline, save the run")
    _data_options(fit)
    fit.add_argument("--out", required=True, help="folder to save the run in: model/, run.json, report.html")
    _training_options(fit)

    classify = sub.add_parser("classify", help="classify texts with a saved model")
    classify.add_argument("model_dir", help="a folder written by 'nbtrain train --out' (or its model/)")
    classify.add_argument("texts", nargs="+", help="texts to classify ('-' reads lines from stdin)")

    runs = sub.add_parser("runs", help="list the runs saved under a folder")
    runs.add_argument("folder", nargs="?", default=".", help="where to look (two levels deep; default: here)")

    compare = sub.add_parser("compare", help="compare two saved runs: scores, differences, per-label changes")
    compare.add_argument("run_a", help="a run folder (or its run.json)")
    compare.add_argument("run_b", help="another run folder")

    app = sub.add_parser("studio", help="the upload-and-train app in the browser (Voilà)")
    app.add_argument("--port", type=int, default=8866, help="port to serve on (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    for command in (demo, check, fit, classify, runs, compare):
        command.add_argument("--json", action="store_true", help="print JSON on stdout")
    for command in (demo, check, fit):
        command.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="training file: CSV/TSV (text, label), JSON Lines, Excel or Parquet")
    p.add_argument("--validation", help="validation file (default: a stratified split of the training file)")
    p.add_argument("--test", help="test file, scored but never trained on")
    p.add_argument("--text-column", help="name or 0-based position of the text column")
    p.add_argument("--label-column", help="name or 0-based position of the label column")
    p.add_argument("--labels", help="comma-separated names of 0/1 label columns (one per label: multi-label data)")
    p.add_argument("--label-separator", help="the separator of several labels in one cell (';' and '|' are detected)")
    p.add_argument("--task", choices=options(TaskKind), help="force single- or multi-label (default: from the data)")
    p.add_argument("--encoding", help="the file's text encoding, e.g. latin-1 (default: UTF-8)")
    p.add_argument("--min-examples", type=int, default=5, help="drop labels with fewer unique texts (default 5)")


def _training_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="default", help="base model: 'default', a Hugging Face id or a folder")
    p.add_argument("--budget", help="cap training: minutes ('15m'), seconds, hours ('1h') or examples ('50k examples')")
    p.add_argument("--epochs", type=int, help="most epochs (early stopping may end sooner)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--objective", choices=options(Objective), help="the loss (default: both)")
    p.add_argument("--embedding-loss", choices=options(EmbeddingLoss), help="embedding loss (default: proxy+supcon)")
    p.add_argument(
        "--class-weight",
        choices=[c or "none" for c in options(ClassWeight)],
        help="auto (default): each logistic-regression head chooses by cross-validation; balanced: rare labels weigh more in the loss and heads",
    )
    p.add_argument(
        "--head-init",
        choices=options(HeadInit),
        help="where the head starts: baseline (default; the encoder's features change little) or random "
        "(they change more: with --objective classification, better where the frozen model's features are weak; docs/benchmarks.md)",
    )
    p.add_argument(
        "--head-rows",
        choices=options(HeadRows),
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
