from __future__ import annotations

import numpy as np
import pytest

from nbtrain.training.selection import best_epoch, needed_epochs, smoothed_scores


def test_window_one_is_the_single_best_epoch_with_the_lower_loss_on_a_tie():
    assert best_epoch([0.5, 0.8, 0.7, 0.8], [1.0, 0.6, 0.5, 0.4], window=1) == 3
    assert best_epoch([0.5, 0.8, 0.7, 0.8], [1.0, 0.4, 0.5, 0.6], window=1) == 1


def test_one_training_epoch_is_judged_on_its_own_score():
    # both windows hold epochs 0 and 1, so the smoothed scores tie
    assert best_epoch([0.6, 0.7], [0.5, 0.6], window=3) == 1
    assert best_epoch([0.7, 0.6], [0.6, 0.5], window=3) == 0
    assert best_epoch([0.7, 0.7], [0.52, 0.51], window=3) == 1


def test_a_loss_difference_below_rounding_keeps_the_earlier_epoch():
    # a learning rate too small to change anything still moves the loss in the last digits
    assert best_epoch([0.6, 0.6, 0.6], [0.5, 0.49999999, 0.49999998], window=3) == 0


def test_a_lucky_single_epoch_loses_to_a_steady_stretch():
    f1 = [0.80, 0.70, 0.74, 0.76, 0.77]  # epoch 0 scores well alone; the trained epochs hold up together
    assert best_epoch(f1, [0.5] * 5, window=1) == 0
    assert best_epoch(f1, [0.5] * 5, window=3) == 4


def test_the_window_is_cut_at_both_ends():
    scores = smoothed_scores([0.2, 0.4, 0.6, 0.8], [0.0] * 4, window=5)
    assert [f1 for f1, _ in scores] == pytest.approx([0.4, 0.5, 0.5, 0.6])


@pytest.mark.parametrize("window", [1, 3, 5])
def test_pruned_epochs_are_never_chosen_later(window):
    """Replay random validation curves as the loop does: keep only needed epochs after each one."""
    rng = np.random.default_rng(window)
    for _ in range(300):
        epochs = int(rng.integers(1, 15))
        f1 = np.round(rng.uniform(0.5, 0.9, epochs), 2).tolist()  # rounded: ties happen
        loss = np.round(rng.uniform(0.2, 0.8, epochs), 2).tolist()
        kept: set[int] = set()
        for seen in range(1, epochs + 1):
            kept = (kept | {seen - 1}) & needed_epochs(f1[:seen], loss[:seen], window)
            assert best_epoch(f1[:seen], loss[:seen], window) in kept
        assert len(kept) <= window // 2 + 1


def test_needed_epochs_are_few():
    assert needed_epochs([0.5], [0.5], window=3) == {0}
    assert needed_epochs([0.5, 0.9, 0.6, 0.7, 0.65], [0.5] * 5, window=3) == {2, 4}
