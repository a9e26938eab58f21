"""The ``nbtrain`` command: JSON outputs with the promised keys, one-line errors, exit codes."""

from __future__ import annotations

import json

import pytest

from nbtrain import cli
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
    code, out, _ = run_cli(capsys, "classify", str(out_dir / "model"), "late parcel box", "refund twice", "--json")
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
    assert run_cli(capsys, *common, "--epochs", "1")[0] == 0
    checkpoint = json.loads((out_dir / "checkpoint" / "checkpoint.json").read_text())
    assert checkpoint["epoch"] == 1
    code, _, _ = run_cli(capsys, *common, "--epochs", "2", "--resume")
    assert code == 0
    assert json.loads((out_dir / "checkpoint" / "checkpoint.json").read_text())["epoch"] == 2
    saved = json.loads((out_dir / "model" / "nbtrain.json").read_text())
    assert saved["metrics"]["steps"] == 2 * checkpoint["step"], "the resumed run trained only the second epoch"


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
    assert cli._config(args).recompute_above_tokens == expected


@pytest.mark.parametrize(
    ("given", "expected"), [([], "auto"), (["--class-weight", "none"], None), (["--class-weight", "balanced"], "balanced")]
)
def test_class_weight_option_defaults_to_auto_and_may_weigh_nothing(given, expected):
    args = cli._parser().parse_args(["train", "data.csv", "--out", "run", *given])
    assert cli._config(args).class_weight == expected


def test_recompute_option_rejects_a_bad_budget(capsys):
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["train", "data.csv", "--out", "run", "--recompute-above-tokens", "0"])
    assert "positive number of tokens or 'off'" in capsys.readouterr().err


def test_the_training_choices_are_the_configs_own():
    """The command line lists its choices itself (so ``nbtrain --help`` needs no torch): they must
    stay the ones TrainConfig accepts, "none" standing for None."""
    from nbtrain.evaluate.baseline import CLASS_WEIGHTS
    from nbtrain.training import config

    train = cli._parser()._subparsers._group_actions[0].choices["train"]
    choices = {a.dest: a.choices for a in train._actions if a.choices}
    assert set(choices["objective"]) == set(config.OBJECTIVES)
    assert set(choices["embedding_loss"]) == set(config.EMBEDDING_LOSSES)
    assert set(choices["head_rows"]) == set(config.HEAD_ROWS)
    assert set(choices["head_init"]) == set(config.HEAD_INITS)
    assert {None if c == "none" else c for c in choices["class_weight"]} == set(CLASS_WEIGHTS)
