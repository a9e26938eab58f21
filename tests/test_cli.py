"""The ``nbtrain`` command: JSON outputs with the promised keys, one-line errors, exit codes."""

from __future__ import annotations

import json

import pytest

from nbtrain import cli, commands
from nbtrain.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def train_csv(tmp_path):
    from textdata import make_texts

    path = tmp_path / "train.csv"
    frame = make_texts(15)
    frame.loc[len(frame)] = ["", "billing"]
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "train.csv: the file is empty"),
        ("only,one\n" * 0 + "one column\nanother\n", "single column"),
        (b"text,label\n\xff\xfe,a\n", "line 2: byte 0xff"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "train.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run_cli(capsys, "check", str(path), "--no-model")
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_file_and_no_command(capsys):
    code, _, err = run_cli(capsys, "train", "nope.csv", "--out", "x")
    assert code == 2
    assert "nope.csv: file not found" in err
    assert run_cli(capsys)[0] == 2


def test_check_json_lists_dropped_rows_and_removed_labels(capsys, train_csv):
    code, out, _ = run_cli(capsys, "check", str(train_csv), "--no-model", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["data"]["dropped"] == [
        {"split": "train", "source": "train.csv", "row": 47, "text": "", "label": "billing", "reason": "empty text"}
    ]
    assert payload["data"]["removed_labels"] == {}
    assert "findings" in payload["report"]


def test_train_json_then_classify(capsys, train_csv, tmp_path, tiny_model_dir):
    out_dir = tmp_path / "run"
    code, out, _ = run_cli(
        capsys, "train", str(train_csv), "--out", str(out_dir), "--model", str(tiny_model_dir), "--epochs", "1", "--json"
    )
    assert code == 0
    payload = json.loads(out)
    validation = payload["splits"]["validation"]
    assert validation["fitted_on"] == "train"
    for side in ("baseline", "trained"):
        assert {"accuracy", "macro_f1", "macro_precision", "macro_recall", "silhouette", "knn_accuracy"} <= set(validation[side])
    assert (out_dir / "model" / "nbtrain.json").is_file()
    assert (out_dir / "report.html").is_file()
    assert (out_dir / "run.json").is_file()
    assert not (out_dir / "checkpoint").exists(), "a finished run leaves no checkpoint behind"
    code, out, _ = run_cli(capsys, "classify", str(out_dir), "late parcel box", "refund twice", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["text"] for r in rows] == ["late parcel box", "refund twice"]
    assert all(abs(sum(r["scores"].values()) - 1) < 1e-4 for r in rows)
    assert all(r["label"] == max(r["scores"], key=r["scores"].get) for r in rows)


def test_train_writes_a_checkpoint_and_resume_carries_it_on(capsys, train_csv, tmp_path, tiny_model_dir):
    out_dir = tmp_path / "run"
    common = ["train", str(train_csv), "--out", str(out_dir), "--model", str(tiny_model_dir), "--json"]
    code, _, err = run_cli(capsys, *common, "--resume", "--epochs", "1")
    assert code == 2
    assert "--resume: no checkpoint in" in err
    assert run_cli(capsys, *common, "--epochs", "1", "--budget", "1 examples")[0] == 0
    checkpoint = json.loads((out_dir / "checkpoint" / "checkpoint.json").read_text())
    assert checkpoint["step"] == 1, "a run that ends on its budget keeps its checkpoint for --resume"
    code, _, err = run_cli(capsys, "train", str(train_csv), "--out", str(out_dir), "--model", str(tiny_model_dir), "--epochs", "2", "--resume")
    assert code == 0
    assert "Resuming from step 1" in err
    saved = json.loads((out_dir / "model" / "nbtrain.json").read_text())
    per_epoch = -(-json.loads((out_dir / "run.json").read_text())["data"]["sizes"]["train"] // 16)
    assert saved["training"]["steps"] == 2 * per_epoch, "the resumed run went on to two epochs"
    assert not (out_dir / "checkpoint").exists()


def test_objective_and_class_weight_options_reach_the_config(capsys, train_csv, tmp_path, tiny_model_dir):
    out_dir = tmp_path / "run"
    options = ["--objective", "classification", "--class-weight", "balanced", "--head-rows", "train", "--epochs", "1", "--min-examples", "3"]
    options += ["--recompute-above-tokens", "8", "--head-init", "random"]
    code, _, _ = run_cli(capsys, "train", str(train_csv), "--out", str(out_dir), "--model", str(tiny_model_dir), "--json", *options)
    assert code == 0
    config = json.loads((out_dir / "model" / "nbtrain.json").read_text())["config"]
    chosen = (config["objective"], config["class_weight"], config["head_rows"], config["recompute_above_tokens"], config["head_init"])
    assert chosen == ("classification", "balanced", "train", 8, "random")


@pytest.mark.parametrize(("given", "expected"), [([], 1024), (["--recompute-above-tokens", "off"], None)])
def test_recompute_option_defaults_and_off(given, expected):
    args = cli._parser().parse_args(["train", "data.csv", "--out", "run", *given])
    assert commands._config(args).recompute_above_tokens == expected


@pytest.mark.parametrize(
    ("given", "expected"), [([], "auto"), (["--class-weight", "none"], None), (["--class-weight", "balanced"], "balanced")]
)
def test_class_weight_option_defaults_to_auto_and_may_weigh_nothing(given, expected):
    args = cli._parser().parse_args(["train", "data.csv", "--out", "run", *given])
    assert commands._config(args).class_weight == expected


def test_recompute_option_rejects_a_bad_budget(capsys):
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["train", "data.csv", "--out", "run", "--recompute-above-tokens", "0"])
    assert "positive number of tokens or 'off'" in capsys.readouterr().err


def test_the_training_choices_are_the_configs_own():
    """Every choice the command line offers is one TrainConfig accepts ("none" standing for None),
    and every option TrainConfig accepts is offered: both read nbtrain.choices."""
    import typing

    from nbtrain.choices import options
    from nbtrain.training.config import TrainConfig

    train = cli._parser()._subparsers._group_actions[0].choices["train"]
    choices = {a.dest: a.choices for a in train._actions if a.choices}
    hints = typing.get_type_hints(TrainConfig)
    for name in ("objective", "embedding_loss", "head_rows", "head_init", "class_weight"):
        offered = {None if c == "none" else c for c in choices[name]}
        assert offered == set(options(hints[name])), name
        for value in offered:
            TrainConfig(**{name: value})


def test_help_and_a_missing_file_answer_without_loading_torch():
    import subprocess
    import sys

    code = "import sys; from nbtrain.cli import main; main(['check', 'nope.csv']); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert "nope.csv: file not found" in out.stderr
