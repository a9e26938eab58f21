"""The trainable network: a LoRA-adapted encoder, mean pooling, and a linear head.

The head reads the L2-normalised pooled embedding, the same vector ``embed()`` returns and the
baseline was fitted on, which is what lets the baseline's weights start the head.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from nbtrain.embed.batching import padded_batches
from nbtrain.embed.encoder import TOKENS_PER_TEXT, mean_pool
from nbtrain.progress import Progress


class EncoderClassifier(nn.Module):
    """``forward`` returns (normalised embeddings, logits) for a tokenised batch."""

    def __init__(self, encoder: nn.Module, head: nn.Linear) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, **batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(**batch).last_hidden_state
        embeddings = nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1)
        return embeddings, self.head(embeddings)


def add_lora(base: nn.Module, rank: int, alpha: int, dropout: float, targets: str | Sequence[str]) -> nn.Module:
    """Wrap ``base`` with fresh LoRA adapters; only the adapters will be trainable."""
    from peft import LoraConfig, TaskType, get_peft_model

    config = LoraConfig(
        task_type=TaskType.FEATURE_EXTRACTION,
        r=rank,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=targets if isinstance(targets, str) else list(targets),
        bias="none",
    )
    with quiet_peft():
        model = get_peft_model(base, config)
    # The pooler's output is never used (we mean-pool): its adapters would get no gradient, which
    # multi-process training (DistributedDataParallel) refuses, and would only fill checkpoints.
    for name, parameter in model.named_parameters():
        if ".pooler." in name:
            parameter.requires_grad_(False)
    return model


def prepare_checkpointing(encoder: nn.Module) -> bool:
    """Set the encoder up for activation checkpointing, switched off outside :func:`recomputing`.

    Returns False when the architecture has none. Non-reentrant checkpointing replays dropout with
    the same random state, so a checkpointed step computes the same gradients, in less memory.
    """
    model = _transformers_model(encoder)
    if not getattr(model, "supports_gradient_checkpointing", False):
        return False
    # An encoder caches nothing; saying so spares a warning about caching under checkpointing.
    if hasattr(model.config, "use_cache"):
        model.config.use_cache = False
    kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):  # transformers 5
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    # Enabling also hooks the input embeddings to require gradients, which only reentrant
    # checkpointing needs: without the hook, backward stops at the first adapter, as before.
    if getattr(model, "_require_grads_hooks", None) or hasattr(model, "_require_grads_hook"):
        model.disable_input_require_grads()
    _set_checkpointing(encoder, False)
    return True


@contextmanager
def recomputing(encoder: nn.Module, on: bool) -> Iterator[None]:
    """Prepared activation checkpointing on for the passes inside when ``on``, off again after.

    Sets the flag transformers' own enable/disable set (on the layers in transformers 5, on the
    layer stack in 4.x) without their side effects, so it can change from batch to batch.
    """
    if on:
        _set_checkpointing(encoder, True)
    try:
        yield
    finally:
        if on:
            _set_checkpointing(encoder, False)


def _set_checkpointing(encoder: nn.Module, on: bool) -> None:
    for module in _transformers_model(encoder).modules():
        if hasattr(module, "gradient_checkpointing"):
            module.gradient_checkpointing = on


def _transformers_model(encoder: nn.Module) -> Any:
    """The transformers model inside a peft wrapper (or the model itself)."""
    get_base = getattr(encoder, "get_base_model", None)
    return get_base() if callable(get_base) else encoder


@contextmanager
def quiet_peft() -> Iterator[None]:
    """Hide a deprecation warning peft triggers in transformers 5: nothing a user can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


#: Inputs with fewer tokens than this run on one CPU thread: splitting a sentence's matrices over
#: threads gains nothing, and when another process keeps the cores busy, the threads wait on
#: each other (one sentence took 1.6 s on two busy cores and 0.02 s on one thread).
SMALL_INPUT_TOKENS = 2048


@contextmanager
def threads_for(tokens: int) -> Iterator[None]:
    """One intra-op thread for small inputs on the CPU, the configured number otherwise."""
    before = torch.get_num_threads()
    if tokens >= SMALL_INPUT_TOKENS or before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def run_batches(
    network: EncoderClassifier,
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings and logits for ``texts`` in evaluation mode, batched by token count as the frozen pass is.

    ``progress`` shows a bar with the time left on passes over many texts (embedding every row of a
    large file with the trained encoder takes minutes on a CPU).
    """
    device = next(network.parameters()).device
    dim, n_labels = network.head.in_features, network.head.out_features
    embeddings = np.zeros((len(texts), dim), dtype=np.float32)
    logits = np.zeros((len(texts), n_labels), dtype=np.float32)
    if not len(texts):
        return embeddings, logits
    ids = tokenizer(list(texts), truncation=True, max_length=max_length, verbose=False)["input_ids"]
    typed = "token_type_ids" in tokenizer.model_input_names
    was_training = network.training
    network.eval()
    rough_tokens = sum(len(i) for i in ids)
    batches = padded_batches(ids, batch_size * TOKENS_PER_TEXT, tokenizer.pad_token_id or 0, progress, "Embedding with the trained model")
    with torch.inference_mode(), threads_for(rough_tokens if device.type == "cpu" else SMALL_INPUT_TOKENS):
        for rows, tokens, mask in batches:
            batch = {"input_ids": torch.from_numpy(tokens).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
            if typed:
                batch["token_type_ids"] = torch.zeros_like(batch["input_ids"])
            emb, out = network(**batch)
            embeddings[rows] = emb.float().cpu().numpy()
            logits[rows] = out.float().cpu().numpy()
    network.train(was_training)
    return embeddings, logits


def merge_for_inference(encoder: nn.Module) -> None:
    """Fold the LoRA adapters into the weights they adapt, once training is over.

    Every later pass (the final heads, scoring, ``embed``) then runs the base layers alone: on
    2,000 GoEmotions texts on 2 CPU cores, 16 % faster. The adapters' own weights stay, so the
    model still saves as an adapter; :func:`is_merged` tells an export not to merge twice.
    """
    if hasattr(encoder, "merge_adapter") and not is_merged(encoder):
        with torch.no_grad():
            cast(Any, encoder).merge_adapter()


def is_merged(encoder: nn.Module) -> bool:
    """Whether ``encoder``'s LoRA adapters are already folded into its weights."""
    return any(getattr(module, "merged", False) for module in encoder.modules())
