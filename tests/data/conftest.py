"""Shared test doubles for the data checks: hand-built row frames and a fake encoder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest


def rows_frame(*rows: tuple[str, int, str, str], source: str = "f.csv") -> pd.DataFrame:
    """A stacked row frame from ``(split, row, text, label)`` tuples."""
    split, row, text, label = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pd.DataFrame(
        {"split": list(split), "source": source, "row": list(row), "text": list(text), "label": list(label)}
    )


def no_dropped() -> pd.DataFrame:
    return pd.DataFrame(columns=["split", "source", "row", "text", "label", "reason"])


class FakeEncoder:
    """Hashed bag-of-words vectors and whitespace token counts (+2 special tokens); counts calls."""

    def __init__(self, max_length: int = 16, dim: int = 64) -> None:
        self.max_length = max_length
        self.dim = dim
        self.encode_calls = 0
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encode_calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([len(t.split()) + 2 for t in texts], dtype=int)


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def make_rows():
    """:func:`rows_frame`: ``make_rows(("train", 2, "text", "label"), ...)``."""
    return rows_frame


@pytest.fixture
def dropped() -> pd.DataFrame:
    """An empty ``Dataset.dropped`` frame."""
    return no_dropped()
