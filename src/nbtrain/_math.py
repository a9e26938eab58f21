"""Small numeric helpers shared by modules that must not import torch."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Element-wise logistic function, numerically stable for large negative logits."""
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(logits, dtype=np.float64)))
    return out
