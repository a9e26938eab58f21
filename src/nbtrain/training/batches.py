"""Length-bucketed batch order: random enough for SGD, with little padding for short texts."""

from __future__ import annotations

import numpy as np


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length.

    Indices are shuffled, cut into pools of 50 batches, sorted by length inside each pool and cut
    into batches, whose order is shuffled again: ``ceil(len(lengths) / batch_size)`` batches. The
    order depends only on ``rng``, so a resumed run replays the generator to find the batches an
    interrupted epoch had left.
    """
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]

