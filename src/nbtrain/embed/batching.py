"""Batches by token count: the fast path of the frozen pass, with the same vectors.

Texts are sorted by their *token* length (characters mislead: a line of emoji or of PTB-tokenised
words has few characters per token or many) and each batch holds up to a budget of tokens, padding
included, so a batch of short texts is large and a batch of long ones small. On the shared data
files, sorting 64-text batches by characters pads to 1.50 × the real tokens, by tokens to 1.12 ×.

>>> [b.tolist() for b in token_batches(np.array([3, 9, 4, 8]), budget=16)]
[[1], [3, 2], [0]]
"""

from __future__ import annotations

import numpy as np


def token_batches(lengths: np.ndarray, budget: int) -> list[np.ndarray]:
    """Row indices in batches, longest texts first, each batch's rows × its longest row ≤ ``budget``.

    A text longer than the budget gets a batch of its own.
    """
    order = np.argsort(-lengths, kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        width = int(lengths[order[start]])
        size = max(1, budget // max(width, 1))
        batches.append(order[start : start + size])
        start += size
    return batches


def pad_batch(ids: list[list[int]], rows: np.ndarray, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of ``rows``, padded on the right to the longest of them."""
    width = max(len(ids[r]) for r in rows)
    tokens = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for at, r in enumerate(rows):
        tokens[at, : len(ids[r])] = ids[r]
        mask[at, : len(ids[r])] = 1
    return tokens, mask
