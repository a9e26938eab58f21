import numpy as np
import torch
from torch import nn

from nbtrain.progress import Bar, Progress
from nbtrain.training.network import (
    EncoderClassifier,
    add_lora,
    is_merged,
    merge_for_inference,
    run_batches,
)


class Recording(Progress):
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def bar(self, total: int, text: str, unit: str = "it") -> Bar:
        self.seen.append(("bar", text, total))
        seen = self.seen

        class Recorded(Bar):
            def update(self, n: int = 1) -> None:
                seen.append(("update", n))

            def describe(self, text: str) -> None:
                seen.append(("describe", text))

        return Recorded()


def _network(tiny_model_dir):
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    encoder = add_lora(AutoModel.from_pretrained(tiny_model_dir), 4, 8, 0.1, "all-linear")
    for name, parameter in encoder.named_parameters():
        if "lora_B" in name:
            nn.init.normal_(parameter, std=0.2)  # a trained adapter: B is no longer zero
    return EncoderClassifier(encoder, nn.Linear(32, 3)), AutoTokenizer.from_pretrained(tiny_model_dir)


def test_a_long_trained_pass_shows_a_bar_and_batching_does_not_change_the_vectors(tiny_model_dir):
    network, tokenizer = _network(tiny_model_dir)
    texts = [f"late parcel {i} " + "refund " * (i % 9) for i in range(600)]
    shown = Recording()
    vectors, logits = run_batches(network, tokenizer, texts, 64, progress=shown)
    assert shown.seen[0] == ("bar", "Embedding with the trained model", 600)
    assert sum(n for kind, n, *_ in shown.seen if kind == "update") == 600
    assert all("texts/s · eta" in str(t) for kind, t, *_ in shown.seen if kind == "describe")
    alone = np.vstack([run_batches(network, tokenizer, [t], 64)[0] for t in texts[:12]])
    assert np.abs(alone - vectors[:12]).max() < 1e-5
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert logits.shape == (600, 3)
    quiet = Recording()
    run_batches(network, tokenizer, texts[:100], 64, progress=quiet)
    assert quiet.seen == [], "a short pass shows no bar"


def test_folding_the_adapters_into_the_weights_keeps_the_vectors_and_happens_once(tiny_model_dir):
    network, tokenizer = _network(tiny_model_dir)
    texts = ["late parcel", "refund please", "where is my order"]
    unfolded, _ = run_batches(network, tokenizer, texts, 64)
    assert not is_merged(network.encoder)
    merge_for_inference(network.encoder)
    assert is_merged(network.encoder)
    folded, _ = run_batches(network, tokenizer, texts, 64)
    assert np.abs(folded - unfolded).max() < 1e-5
    merge_for_inference(network.encoder)
    assert np.abs(run_batches(network, tokenizer, texts, 64)[0] - folded).max() < 1e-6, "folding twice would add B·A again"
