"""The trainer on a tiny BERT: it learns, reports, stops, restores its best epoch, and is seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import nbtrain
from nbtrain.evaluate.scores import score_predictions
from nbtrain.training.batches import bucketed_batches
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.config import TrainConfig
from nbtrain.training.losses import class_centroids, proxy_loss
from nbtrain.training.selection import best_epoch
from nbtrain.training.trainer import train_model as train


@pytest.fixture(scope="module")
def dataset():
    from textdata import make_texts

    return nbtrain.load(make_texts(30))


def config(model_dir, **kw) -> TrainConfig:
    settings = {"model": str(model_dir), "epochs": 3, "batch_size": 8, "learning_rate": 5e-3, "head_learning_rate": 5e-3, "device": "cpu"}
    return TrainConfig(**{**settings, **kw})


class Recorder(Callback):
    def __init__(self, stop_after: int | None = None, signal: StopSignal | None = None) -> None:
        self.steps: list[StepEvent] = []
        self.epochs: list[EpochEvent] = []
        self.ended = 0
        self.stop_after, self.signal = stop_after, signal

    def on_step(self, event: StepEvent) -> None:
        self.steps.append(event)
        if self.signal is not None and event.step == self.stop_after:
            self.signal.set()

    def on_epoch(self, event: EpochEvent) -> None:
        self.epochs.append(event)

    def on_end(self, result) -> None:
        self.ended += 1


def test_training_learns_and_reports_every_step_and_epoch(tiny_model_dir, dataset):
    rec = Recorder()
    settings = {"head_init": "random", "epochs": 4, "patience": 4, "learning_rate": 2e-2, "head_learning_rate": 2e-2}
    result = train(dataset, config(tiny_model_dir, **settings), callbacks=[rec])
    steps_per_epoch = -(-len(dataset.train) // 8)
    assert [e.step for e in rec.steps] == list(range(1, 4 * steps_per_epoch + 1))
    assert all(e.total_steps == 4 * steps_per_epoch for e in rec.steps)
    assert all(e.examples_per_second > 0 and e.eta >= 0 for e in rec.steps)
    assert rec.steps[-1].eta == 0
    assert rec.steps[-1].elapsed > rec.steps[0].elapsed
    assert [e.epoch for e in rec.epochs] == [0, 1, 2, 3, 4]
    assert rec.ended == 1
    assert list(result.history["epoch"]) == [0, 1, 2, 3, 4]
    assert len(result.steps) == 4 * steps_per_epoch
    first, last = result.steps["loss"].head(5).mean(), result.steps["loss"].tail(5).mean()
    assert last < first
    f1, losses = result.history["val_macro_f1"].tolist(), result.history["val_loss"].tolist()
    assert result.kept_epoch == best_epoch(f1, losses, window=3)
    assert result.history["kept_epoch"].iloc[-1] == result.kept_epoch
    assert max(f1) > f1[0], "a random head must improve on the tiny task"


def test_best_epoch_weights_are_what_the_model_keeps(tiny_model_dir, dataset):
    result = train(dataset, config(tiny_model_dir, patience=3, refit_head=False))
    predicted = result.model.classify(dataset.validation["text"].tolist())["label"]
    f1 = score_predictions(dataset.validation["label"].tolist(), predicted.tolist(), dataset.labels).macro_f1
    assert f1 == pytest.approx(result.history.iloc[result.kept_epoch]["val_macro_f1"])
    assert result.validation.macro_f1 == pytest.approx(f1)


def test_refit_head_is_a_tuned_logistic_regression_on_the_trained_embeddings(tiny_model_dir, dataset):
    from nbtrain.evaluate.baseline import fit_baseline

    result = train(dataset, config(tiny_model_dir, epochs=2, head_rows="train"))
    model = result.model
    assert model is result.model_fitted_on("train")
    expected = fit_baseline(model.embed(dataset.train["text"].tolist()), dataset.train["label"].tolist())
    texts = dataset.validation["text"].tolist()
    assert np.allclose(model.predict_proba(texts), expected.predict_proba(model.embed(texts)), atol=1e-4)
    predicted = model.classify(texts)["label"].tolist()
    f1 = score_predictions(dataset.validation["label"].tolist(), predicted, dataset.labels).macro_f1
    assert result.validation.macro_f1 == pytest.approx(f1)
    assert model.fitted_on == "train"


def test_split_off_validation_rows_teach_the_final_head_but_not_the_scores(tiny_model_dir, dataset):
    from nbtrain.evaluate.baseline import fit_baseline

    assert dataset.validation_from == "split"
    result = train(dataset, config(tiny_model_dir, epochs=2))
    final, selected = result.model, result.model_fitted_on("train")
    assert final is not selected
    assert final.network.encoder is selected.network.encoder, "one trained encoder, two heads"
    rows = pd.concat([dataset.train, dataset.validation])
    every = fit_baseline(final.embed(rows["text"].tolist()), rows["label"].tolist())
    probe = ["late parcel", "refund my card", "the app crashes"]
    assert np.allclose(final.predict_proba(probe), every.predict_proba(final.embed(probe)), atol=1e-4)
    # validation scores describe the head that never saw the validation rows
    texts = dataset.validation["text"].tolist()
    predicted = selected.classify(texts)["label"].tolist()
    f1 = score_predictions(dataset.validation["label"].tolist(), predicted, dataset.labels).macro_f1
    assert result.validation.macro_f1 == pytest.approx(f1)
    assert final.fitted_on == "train+validation"


def test_a_validation_file_stays_out_of_the_head_unless_asked(tiny_model_dir, dataset):
    from nbtrain.evaluate.baseline import fit_baseline

    given = nbtrain.load(dataset.train, validation=dataset.validation)
    assert given.validation_from == "file"
    kept_apart = train(given, config(tiny_model_dir, epochs=1))
    assert kept_apart.model is kept_apart.model_fitted_on("train")
    used = train(given, config(tiny_model_dir, epochs=1, head_rows="all"))
    assert used.model is not used.model_fitted_on("train")
    assert (used.model.fitted_on, used.model_fitted_on("train").fitted_on) == ("train+validation", "train")
    rows = pd.concat([given.train, given.validation])
    every = fit_baseline(used.model.embed(rows["text"].tolist()), rows["label"].tolist())
    probe = ["late parcel", "refund my card"]
    assert np.allclose(used.model.predict_proba(probe), every.predict_proba(used.model.embed(probe)), atol=1e-4)
    with pytest.raises(ValueError, match="needs refit_head"):
        TrainConfig(head_rows="all", refit_head=False)


def test_stop_signal_stops_after_the_step_and_keeps_the_best(tiny_model_dir, dataset):
    signal = StopSignal()
    rec = Recorder(stop_after=3, signal=signal)
    result = train(dataset, config(tiny_model_dir, epochs=5), callbacks=[rec], stop=signal)
    assert len(rec.steps) == 3
    assert result.stopped == "stopped by the user"
    assert list(result.history["epoch"]) == [0, 1]
    assert result.model.classify(["late parcel"]).shape[0] == 1


def test_early_stopping_ends_when_validation_stops_improving(tiny_model_dir, dataset):
    # a learning rate this small cannot change the macro-F1: no epoch beats epoch 0
    result = train(dataset, config(tiny_model_dir, epochs=6, patience=2, learning_rate=1e-9, head_learning_rate=1e-9))
    assert result.stopped.startswith("early stopping")
    assert list(result.history["epoch"]) == [0, 1, 2]
    assert result.kept_epoch == 0


def test_training_is_reproducible_with_a_seed(tiny_model_dir, dataset):
    a = train(dataset, config(tiny_model_dir, epochs=1, seed=3))
    b = train(dataset, config(tiny_model_dir, epochs=1, seed=3))
    assert np.allclose(a.steps["loss"], b.steps["loss"])
    texts = dataset.validation["text"].tolist()
    assert np.allclose(a.model.embed(texts), b.model.embed(texts), atol=1e-6)


def test_long_batches_recompute_activations_with_the_same_gradients(tiny_model_dir, dataset, monkeypatch):
    from transformers.models.bert import modeling_bert

    calls = {"n": 0}
    original = modeling_bert.BertIntermediate.forward

    def counted(self, hidden):
        calls["n"] += 1
        return original(self, hidden)

    monkeypatch.setattr(modeling_bert.BertIntermediate, "forward", counted)

    def run(budget):
        calls["n"] = 0
        result = train(dataset, config(tiny_model_dir, epochs=2, recompute_above_tokens=budget))
        return result, calls["n"]

    kept, kept_calls = run(None)
    recomputed, recomputed_calls = run(1)  # every batch is over one token
    _, untouched_calls = run(10_000)  # no batch of these short texts is
    steps, layers = len(kept.steps), 2
    assert recomputed_calls == kept_calls + steps * layers  # one more forward pass per training step
    assert untouched_calls == kept_calls
    # switched off after each long batch: the returned model trains further without recomputing
    assert not any(getattr(m, "gradient_checkpointing", False) for m in recomputed.model.network.modules())
    assert np.allclose(recomputed.steps["loss"], kept.steps["loss"], atol=1e-6)
    texts = dataset.validation["text"].tolist()
    assert np.allclose(recomputed.model.embed(texts), kept.model.embed(texts), atol=1e-5)


def test_baseline_initialised_head_starts_at_the_baseline(tiny_model_dir, dataset):
    from nbtrain.embed.encoder import Encoder
    from nbtrain.journey import fit_dataset_baseline

    enc = Encoder(tiny_model_dir, device="cpu")
    base = fit_dataset_baseline(dataset, enc)
    frozen = config(tiny_model_dir, epochs=1, learning_rate=1e-9, head_learning_rate=1e-9, refit_head=False)
    result = train(dataset, frozen, encoder=enc, baseline=base)
    texts = dataset.validation["text"].tolist()
    assert np.allclose(result.model.predict_proba(texts), base.predict_proba(enc.encode(texts)), atol=1e-4)


def test_bucketed_batches_cover_every_row_once_with_similar_lengths():
    lengths = np.array([1, 50, 2, 49, 3, 48, 4, 47] * 10)
    batches = bucketed_batches(lengths, 4, np.random.default_rng(0))
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(80))
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    assert spread < 10, "a batch groups texts of similar length"


def test_proxy_loss_prefers_embeddings_near_their_class_proxy():
    proxies = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    near = proxy_loss(torch.tensor([[1.0, 0.0]]), proxies, torch.tensor([0]), 0.1)
    far = proxy_loss(torch.tensor([[0.0, 1.0]]), proxies, torch.tensor([0]), 0.1)
    assert near < far
    centroids = class_centroids(np.array([[2.0, 0], [4.0, 0], [0, 3.0]]), ["a", "a", "b"], ["a", "b"])
    assert np.allclose(centroids, [[1, 0], [0, 1]])


def test_config_validates_itself():
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="learning_rate"):
        TrainConfig(learning_rate=2.0)
    with pytest.raises(ValueError, match="head_init"):
        TrainConfig(head_init="zeros")
    with pytest.raises(ValueError, match="recompute_above_tokens must be at least 1 or None, got 0"):
        TrainConfig(recompute_above_tokens=0)
    cfg = TrainConfig(target_modules=["query", "value"])
    assert cfg.target_modules == ("query", "value")
    assert TrainConfig.from_dict({**cfg.to_dict(), "unknown": 1}) == cfg


def test_labels_of_a_given_baseline_must_match(tiny_model_dir, dataset):
    from nbtrain.evaluate.baseline import Baseline

    wrong = Baseline(labels=("x", "y"), weights=np.zeros((2, 32), np.float32), bias=np.zeros(2, np.float32), C=1.0, cv_macro_f1=0.5)
    with pytest.raises(ValueError, match="baseline labels"):
        train(dataset, config(tiny_model_dir, epochs=1), baseline=wrong)


def test_history_frame_has_the_epoch_events_fields(tiny_model_dir, dataset):
    result = train(dataset, config(tiny_model_dir, epochs=1))
    assert isinstance(result.history, pd.DataFrame)
    assert {"epoch", "val_macro_f1", "val_accuracy", "val_loss", "train_loss", "kept_epoch"} <= set(result.history.columns)


def test_an_examples_budget_ends_training_at_that_many_examples(tiny_model_dir, dataset):
    rec = Recorder()
    result = train(dataset, config(tiny_model_dir, epochs=10, budget="40 examples"), callbacks=[rec])
    assert len(result.steps) == 40 // 8
    assert result.stopped.startswith("the budget of 40 examples")
    assert any("the budget of 40 examples reaches 5 steps" in note for note in result.notes), result.notes
    assert rec.steps[-1].total_steps == 5, "the schedule and the ETA know the budget"


def test_a_time_budget_stops_training_and_keeps_the_best_round(tiny_model_dir, dataset):
    result = train(dataset, config(tiny_model_dir, epochs=300, patience=300, budget="3s"))
    planned = 300 * -(-len(dataset.train) // 8)
    assert len(result.steps) < planned
    assert result.stopped.startswith("the budget of 3 s")
    assert result.kept_epoch in set(result.history["epoch"])
    plan = [n for n in result.notes if n.startswith("Plan:")]
    assert len(plan) == 1
    assert "the budget of 3 s reaches" in plan[0]


def test_a_time_budget_keeps_time_for_the_final_pass_and_heads(tiny_model_dir, dataset, monkeypatch):
    from nbtrain.training import trainer

    budget = config(tiny_model_dir, epochs=300, patience=300, budget="10s")
    monkeypatch.setattr(trainer, "head_seconds", lambda rows, baseline: 7.0)
    reserved = train(dataset, budget)
    plan = next(n for n in reserved.notes if n.startswith("Plan:"))
    assert "of it is kept for the final pass and head" in plan
    assert reserved.stopped.startswith("the budget of 10 s")
    monkeypatch.setattr(trainer, "head_seconds", lambda rows, baseline: 0.0)
    free = train(dataset, budget)
    assert len(reserved.steps) < len(free.steps), "seven of the ten seconds kept for the heads leave fewer steps"


def test_the_finish_a_budget_keeps_is_reckoned_from_the_baselines_seconds_per_fit():
    from nbtrain.evaluate.baseline import Baseline
    from nbtrain.training.heads import LARGE_ROWS, head_seconds

    fitted = Baseline(labels=("a", "b"), weights=np.zeros((2, 2)), bias=np.zeros(2), C=1.0, cv_macro_f1=0.5, fits=71, seconds=142.0)
    assert head_seconds(LARGE_ROWS, fitted) == pytest.approx(284.0), "two full searches on a small file"
    assert head_seconds(LARGE_ROWS + 1, fitted) == pytest.approx(34.0), "17 bounded fits at 2 s a fit"
    assert head_seconds(LARGE_ROWS + 1, None) == 0.0
    unknown = Baseline(labels=("a", "b"), weights=np.zeros((2, 2)), bias=np.zeros(2), C=1.0, cv_macro_f1=0.5)
    assert head_seconds(10, unknown) == 0.0


def test_training_stops_when_validation_is_already_perfect(tiny_model_dir, dataset, monkeypatch):
    from nbtrain.training import loop
    from nbtrain.training.validation import RoundScores

    monkeypatch.setattr(loop, "score_round", lambda *a, **k: RoundScores(1.0, 1.0, 0.01))
    result = train(dataset, config(tiny_model_dir, epochs=5))
    assert len(result.steps) == 0
    assert result.stopped.startswith("validation macro-F1 reached 1.0")


def test_the_step_bar_ends_before_the_head_refits_say_their_lines(tiny_model_dir, dataset):
    import io

    from nbtrain.progress import ConsoleProgress

    log = io.StringIO()  # not a terminal: plain lines, in the order they were written
    train(dataset, config(tiny_model_dir, epochs=2, patience=1, learning_rate=1e-9, head_learning_rate=1e-9), progress=ConsoleProgress(log))
    lines = log.getvalue().splitlines()
    last_bar = max(i for i, line in enumerate(lines) if line.startswith("Training: "))
    first_refit = min(i for i, line in enumerate(lines) if line.startswith("Fitting the final head"))
    assert last_bar < first_refit, "\n".join(lines)


def test_large_files_search_the_final_heads_near_the_baseline_and_refit_with_that_choice(tiny_model_dir, dataset, monkeypatch):
    from nbtrain.evaluate.baseline import Baseline
    from nbtrain.training import heads

    small = heads.head_search(heads.LARGE_ROWS, None, config(tiny_model_dir))
    assert small == {"class_weight": "auto"}, "small files get the baseline's own full search"
    frozen = Baseline(labels=("a", "b"), weights=np.zeros((2, 2)), bias=np.zeros(2), C=10.0, cv_macro_f1=0.5)
    assert heads.head_search(heads.LARGE_ROWS + 1, frozen, config(tiny_model_dir)) == {"Cs": (3.0, 10.0, 30.0), "class_weight": None}

    from nbtrain.task import SingleLabel

    searches = []
    fit_head = SingleLabel.fit_head

    def recording(self, embeddings, labels, **options):
        fitted = fit_head(self, embeddings, labels, **options)
        searches.append((options.get("Cs"), options.get("fitted_on", "train"), fitted.C))
        return fitted

    monkeypatch.setattr(SingleLabel, "fit_head", recording)
    monkeypatch.setattr(heads, "LARGE_ROWS", 10)  # this dataset's training rows count as a large file
    train(dataset, config(tiny_model_dir, epochs=1))
    baseline_search, train_head, every = searches
    assert baseline_search[0] is None, "the baseline training starts from searches the whole grid"
    assert len(train_head[0]) <= 3
    assert baseline_search[2] in train_head[0], "the training head searches around the baseline's C"
    assert every == ((train_head[2],), "train+validation", train_head[2]), "the final head refits with that choice"
