"""The review queue without a browser: send the actions its front end sends, assert the dataset.

Every decision is an edit of ``queue.dataset``; with ``save_to`` the edits are on disk after each
one, and a queue opened on ``nbtrain.load(..., history=path)`` resumes where the last one stopped.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import nbtrain
from nbtrain.curation import rank_label_errors, rank_to_label, review
from nbtrain.data.errors import DataError
from nbtrain.widgets.review_queue import (
    ReviewQueue,
    apply_decision,
    check_resumable,
    decisions_of,
    item_key,
)
from test_curation import SWAP, WordEncoder, WordModel
from textdata import make_texts


def press(queue: ReviewQueue, action: str, index: int | None = None) -> None:
    """What the browser sends for a key or a button."""
    queue._message(queue, {"action": action} if index is None else {"action": action, "index": index}, [])


@pytest.fixture
def frame() -> pd.DataFrame:
    frame = make_texts(30)
    frame.loc[[0, 5, 9], "label"] = frame.loc[[0, 5, 9], "label"].map(SWAP)
    return frame


@pytest.fixture
def queue(frame: pd.DataFrame) -> ReviewQueue:
    """Every training and validation row, the three swapped ones first."""
    dataset = nbtrain.load(frame)
    return ReviewQueue(dataset, rank_label_errors(dataset, WordEncoder(), min_margin=-1.0))


def label_of(dataset: nbtrain.Dataset, item: pd.Series) -> object:
    split = dataset.splits()[item["split"]]
    return split.loc[(split["source"] == item["source"]) & (split["row"] == item["row"]), "label"].iloc[0]


def test_the_queue_lists_the_candidates_and_counts_the_decisions(queue):
    assert len(queue.items) == len(queue.cards) == len(queue.decisions) >= 3
    assert queue.status == f"0 of {len(queue.items)} reviewed"
    assert queue.position == 0
    card = queue.cards[0]
    assert card["text"] == queue.items["text"].iloc[0]
    assert card["suggested"] == queue.items["suggested"].iloc[0]
    assert 0.5 < card["confidence"] <= 1
    assert card["where"].endswith(f"({queue.items['split'].iloc[0]})")
    assert queue.labels == ["billing", "delivery", "technical"]


def test_accept_keep_choose_and_drop_are_edits_and_the_queue_moves_on(queue):
    first, second, third, fourth = (queue.items.iloc[i] for i in range(4))
    press(queue, "accept")
    assert label_of(queue.dataset, first) == first["suggested"]
    assert queue.decisions[0] == f"relabelled → {first['suggested']}"
    assert queue.position == 1
    press(queue, "keep")
    assert label_of(queue.dataset, second) == second["label"]
    assert queue.decisions[1] == "kept"
    press(queue, "label", 2)  # key 3: the third label
    assert label_of(queue.dataset, third) == "technical"
    assert queue.position == 3
    press(queue, "drop")
    assert queue.decisions[3] == "dropped"
    assert fourth["row"] in queue.dataset.dropped["row"].tolist()
    assert queue.status == f"4 of {len(queue.items)} reviewed"
    assert len(queue.dataset.history) == 4


def test_choosing_the_label_a_row_has_counts_as_kept(queue):
    item = queue.items.iloc[0]
    press(queue, "label", queue.labels.index(item["label"]))
    assert queue.decisions[0] == "kept"
    assert queue.dataset.history[-1].name == "review"


def test_undo_takes_back_the_last_decision_and_shows_its_row(queue):
    start = queue.dataset
    press(queue, "accept")
    press(queue, "keep")
    press(queue, "undo")
    assert queue.position == 1
    assert queue.decisions[1] == ""
    assert queue.status == f"1 of {len(queue.items)} reviewed"
    press(queue, "undo")
    assert queue.dataset is start
    assert queue.position == 0
    press(queue, "undo")
    assert "Nothing to undo" in queue.message


def test_arrows_and_clicks_move_without_deciding(queue):
    press(queue, "next")
    press(queue, "next")
    assert queue.position == 2
    press(queue, "previous")
    assert queue.position == 1
    press(queue, "goto", len(queue.items) - 1)
    assert queue.position == len(queue.items) - 1
    press(queue, "next")
    assert queue.position == len(queue.items) - 1
    press(queue, "goto", 10_000)
    press(queue, "label", 99)
    assert queue.position == len(queue.items) - 1
    assert queue.dataset.history == ()


def test_after_the_last_row_the_queue_goes_back_to_the_first_undecided(queue):
    press(queue, "goto", len(queue.items) - 1)
    press(queue, "keep")
    assert queue.position == 0


def test_edit_callbacks_get_each_new_dataset(queue):
    seen = []
    queue.on_edit.append(seen.append)
    press(queue, "keep")
    press(queue, "undo")
    assert len(seen) == 2
    assert seen[-1] is queue.dataset


def test_errors_are_shown_not_raised(frame):
    dataset = nbtrain.load(frame)
    rows = dataset.train.head(2)
    queue = ReviewQueue(dataset, pd.concat([rows.assign(split="train"), rows.assign(split="train")]).head(2))
    press(queue, "accept")  # rows passed without suggestions
    assert "no suggestion" in queue.message
    assert queue.dataset is dataset


def test_decisions_are_saved_and_a_reloaded_dataset_resumes(frame, tmp_path):
    saved = tmp_path / "edits.json"
    queue = review(nbtrain.load(frame), encoder=WordEncoder(), save_to=saved)
    total = len(queue.items)
    press(queue, "accept")
    assert json.loads(saved.read_text())["edits"][-1]["name"] == "relabel"
    press(queue, "keep")
    press(queue, "drop")
    press(queue, "undo")
    assert len(json.loads(saved.read_text())["edits"]) == 2
    decided = queue.items.iloc[:2][["split", "source", "row"]].to_dict("records")

    # a kernel restart: load the file again with the saved edits, open the queue again
    reloaded = nbtrain.load(frame, history=saved)
    again = review(reloaded, encoder=WordEncoder(), save_to=saved)
    assert again.status == f"2 of {total} reviewed"
    assert again.decisions[again.position] == ""
    done = again.items[[bool(d) for d in again.decisions]][["split", "source", "row"]].to_dict("records")
    assert sorted(map(str, done)) == sorted(map(str, decided))
    relabelled = again.items.iloc[0]
    assert relabelled["label"] == queue.items.iloc[0]["label"]  # listed with the label it had before
    press(again, "keep")
    assert again.status == f"3 of {total} reviewed"
    assert len(json.loads(saved.read_text())["edits"]) == 3


def test_the_saved_file_is_what_dataset_save_history_writes(frame, tmp_path):
    saved = tmp_path / "edits.json"
    queue = review(nbtrain.load(frame), encoder=WordEncoder(), save_to=saved)
    for action in ("accept", "keep", "drop", "undo", "keep"):
        press(queue, action)
    assert saved.read_text() == queue.dataset.save_history(tmp_path / "reference.json").read_text()


def test_decisions_folded_edit_by_edit_are_the_datasets_reviewed_rows(queue):
    for action in ("accept", "keep", "drop", "undo", "keep"):
        press(queue, action)
    press(queue, "label", 1)
    reviewed = queue.dataset.reviewed()
    keys = {(str(s), str(o), str(r)) for s, o, r in zip(reviewed["split"], reviewed["source"], reviewed["row"], strict=True)}
    assert set(decisions_of(queue.dataset, "review")) == keys
    shown = {item_key(item, "review") for (_, item), d in zip(queue.items.iterrows(), queue.decisions, strict=True) if d}
    assert shown == keys


def test_a_dataset_loaded_without_the_saved_edits_cannot_overwrite_them(frame, tmp_path):
    saved = tmp_path / "edits.json"
    queue = review(nbtrain.load(frame), encoder=WordEncoder(), save_to=saved)
    press(queue, "keep")
    with pytest.raises(DataError, match="history="):
        review(nbtrain.load(frame), encoder=WordEncoder(), save_to=saved)
    check_resumable(nbtrain.load(frame, history=saved), saved)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(DataError, match="cannot read"):
        check_resumable(queue.dataset, tmp_path / "broken.json")


def test_label_mode_adds_labelled_texts_to_training_and_skips(frame, tmp_path):
    saved = tmp_path / "labels.json"
    dataset = nbtrain.load(frame)
    texts = ["refund charge price parcel", "app crash error", "courier late parcel", dataset.train["text"].iloc[0]]
    queue = review(dataset, texts=texts, model=WordModel(), save_to=saved)
    assert queue.mode == "label"
    assert queue.status == "0 of 3 labelled"
    assert queue.cards[0]["label"] == ""
    first = queue.items.iloc[0]
    press(queue, "label", 0)
    added = queue.dataset.train.iloc[-1]
    assert (added["text"], added["label"], added["source"]) == (first["text"], "billing", "labelled in nbtrain")
    press(queue, "keep")  # in label mode: skip
    assert queue.status == "1 of 3 labelled"
    assert queue.position == 2
    press(queue, "accept")
    assert queue.dataset.train.iloc[-1]["label"] == queue.items.iloc[2]["suggested"]
    press(queue, "drop")
    assert "label it or skip it" in queue.message
    assert queue.status == "2 of 3 labelled"

    again = review(nbtrain.load(frame, history=saved), texts=texts, model=WordModel(), save_to=saved)
    assert again.status == "2 of 3 labelled"
    assert again.position == 1  # the skipped one
    press(again, "undo")
    assert again.status == "1 of 3 labelled"
    assert again.position == 2


def test_multi_label_rows_are_decided_on_a_draft():
    base = make_texts(20)
    labels = [[label] if i % 3 else [label, "billing"] for i, label in enumerate(base["label"])]
    dataset = nbtrain.load(pd.DataFrame({"text": base["text"], "label": labels}))
    ranked = rank_label_errors(dataset, WordEncoder(), min_margin=-1.0)
    queue = ReviewQueue(dataset, ranked)
    assert queue.multi
    item = queue.items.iloc[0]
    assert queue.draft == list(item["suggested"])
    press(queue, "label", 2)  # toggles "technical" in the draft, decides nothing
    assert queue.dataset is dataset
    wanted = set(item["suggested"]) ^ {"technical"}
    assert set(queue.draft) == wanted
    press(queue, "accept")
    assert set(label_of(queue.dataset, item)) == wanted
    assert queue.position == 1


def test_decisions_of_names_each_decision():
    dataset = nbtrain.load(make_texts(20))
    rows = dataset.train.head(3).assign(split="train")
    edited = dataset.relabel(rows.iloc[:1], "billing").mark_reviewed(rows.iloc[1:2]).drop(rows.iloc[2:])
    named = decisions_of(edited, "review")
    assert sorted(named.values()) == ["dropped", "kept", "relabelled → billing"]
    assert decisions_of(edited, "label") == {}
    with pytest.raises(ValueError, match="unknown action"):
        apply_decision(dataset, rows.iloc[0], "shout")


def test_the_texts_ranking_and_the_queue_agree_on_order(frame):
    dataset = nbtrain.load(frame)
    texts = ["refund charge price parcel", "app crash error", "courier late parcel"]
    ranked = rank_to_label(texts, WordModel())
    queue = ReviewQueue(dataset, ranked, mode="label")
    assert [c["text"] for c in queue.cards] == ranked["text"].tolist()
