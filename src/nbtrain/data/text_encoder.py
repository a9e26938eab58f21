"""What the data report needs from a model: embeddings, token counts and the maximum length.

A structural type, so the report works with nbtrain's own encoder, a test double, or any object
with these three members, and ``nbtrain.data`` never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class TextEncoder(Protocol):
    """Anything that embeds texts and counts their tokens the way the model will.

    ``encode`` returns one L2-normalised float32 row per text and should cache per text, so the
    report's single embedding pass makes later plots and baselines free.
    """

    @property
    def max_length(self) -> int:
        """Tokens the model keeps per text; longer texts are truncated."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        """The number of model tokens of each text, special tokens included, before truncation."""
        ...
