"""Which epoch to keep: the best validation score, smoothed over neighbouring epochs.

A validation split of 50-200 rows scores each epoch with a noise of one or two points of
macro-F1 (one row is half a point at 200 rows), while the model changes little from one epoch to
the next. Picking the single best epoch therefore often picks a lucky one, and early stopping on
single epochs stops in the dip that the learning-rate warm-up causes. Averaging each epoch's score
with its neighbours' (a centred window, cut at both ends of the run so far) judges the trend
instead; docs/benchmarks.md ("Which round is kept?") has the measurements (three training seeds, six benchmark cells).

The functions are pure: the training loop feeds them the validation history and keeps the
weights of every epoch that :func:`needed_epochs` names.
"""

from __future__ import annotations

from collections.abc import Sequence

# Losses are compared to four decimals: smaller differences are rounding, not a better model.
LOSS_DECIMALS = 4


def smoothed_scores(macro_f1: Sequence[float], loss: Sequence[float], window: int) -> list[tuple[float, float]]:
    """Each epoch's (mean macro-F1, -mean loss) over the ``window`` epochs centred on it.

    The window is cut at the first epoch and at the last one scored so far, so the latest epoch's
    score still moves when the next epoch comes in. ``window=1`` scores every epoch on its own.

    >>> smoothed_scores([0.5, 0.8, 0.6], [1.0, 0.5, 0.6], window=3)
    [(0.65, -0.75), (0.6333, -0.7), (0.7, -0.55)]
    """
    half = window // 2
    out = []
    for epoch in range(len(macro_f1)):
        lo, hi = max(0, epoch - half), min(len(macro_f1), epoch + half + 1)
        f1 = sum(macro_f1[lo:hi]) / (hi - lo)
        mean_loss = sum(loss[lo:hi]) / (hi - lo)
        out.append((round(f1, 4), -round(mean_loss, LOSS_DECIMALS)))
    return out


def best_epoch(macro_f1: Sequence[float], loss: Sequence[float], window: int) -> int:
    """The epoch to keep: the highest smoothed macro-F1, then the lowest smoothed loss; on a tie
    (one training epoch: both windows hold the same two epochs) the epoch's own macro-F1 and loss,
    then the earlier epoch.

    Validation macro-F1 of tweeteval_offensive, N = 1,000, training seed 1: one epoch at a time
    keeps the frozen encoder (test macro-F1 0.657); smoothed, epoch 3 (test 0.710).

    >>> curve = [0.742, 0.671, 0.737, 0.735, 0.733]
    >>> best_epoch(curve, [0.5] * 5, window=1), best_epoch(curve, [0.5] * 5, window=3)
    (0, 3)
    """
    return _best(macro_f1, loss, smoothed_scores(macro_f1, loss, window), len(macro_f1))


def needed_epochs(macro_f1: Sequence[float], loss: Sequence[float], window: int) -> set[int]:
    """Epochs whose weights may still be kept: every epoch whose score can still change (its window
    reaches past the last epoch scored) and the best of those whose score is final.

    Any other epoch can never be kept: its score is final and the best final score stays ahead.

    >>> sorted(needed_epochs([0.5, 0.9, 0.6, 0.7], [0.5] * 4, window=3))
    [2, 3]
    """
    settled = max(len(macro_f1) - window // 2, 0)  # epochs 0 .. settled-1 have their whole window
    keep = set(range(settled, len(macro_f1)))
    if settled:
        keep.add(_best(macro_f1, loss, smoothed_scores(macro_f1, loss, window), settled))
    return keep


def _best(macro_f1: Sequence[float], loss: Sequence[float], scores: Sequence[tuple[float, float]], among: int) -> int:
    """The best of the first ``among`` epochs (see :func:`best_epoch` for the order)."""

    def rank(epoch: int) -> tuple[tuple[float, float], float, float, int]:
        return scores[epoch], round(macro_f1[epoch], 4), -round(loss[epoch], LOSS_DECIMALS), -epoch

    return max(range(among), key=rank)
