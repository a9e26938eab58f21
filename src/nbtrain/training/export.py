"""Export a trained model as a plain folder that needs no nbtrain to load.

The LoRA adapter is merged into a copy of the base weights, and the folder is laid out the way
sentence-transformers expects (transformer, mean pooling, normalisation), so
``SentenceTransformer(folder)`` gives the same embeddings as ``model.embed`` and
``transformers.AutoModel.from_pretrained(folder)`` loads the encoder. The classification head is
saved beside it (``head.safetensors``, and ``nbtrain.json`` with ``"kind": "export"``, the labels
and any thresholds) with a model card; ``nbtrain.load_model(folder)`` loads it back.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbtrain.training.model import HEAD_FILE, META_FILE, head_tensors, model_meta
from nbtrain.training.network import is_merged

if TYPE_CHECKING:
    from nbtrain.training.model import TrainedModel

HEAD_RULE = {
    "single_label": "logits = head.weight @ embedding + head.bias; the label is the largest",
    "multi_label": "p = sigmoid(head.weight @ embedding + head.bias); the labels are those with p >= thresholds",
}

_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]


def export_model(model: TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write the merged model, the head and a model card to ``path``; returns the folder."""
    from safetensors.torch import save_file

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    adapted: Any = copy.deepcopy(model.network.encoder).cpu()
    # A model loaded from disk is a plain model with merged weights; a trained one holds its adapters,
    # folded into the weights once training ended (merge_for_inference) or not yet.
    if hasattr(adapted, "merge_and_unload"):
        merged = adapted.unload() if is_merged(adapted) else adapted.merge_and_unload()
    else:
        merged = adapted
    merged.save_pretrained(str(folder))
    model.tokenizer.save_pretrained(str(folder))
    dim = int(merged.config.hidden_size)
    (folder / "modules.json").write_text(json.dumps(_MODULES, indent=2))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": model.max_length, "do_lower_case": False}, indent=2)
    )
    pooling = folder / "1_Pooling"
    pooling.mkdir(exist_ok=True)
    (pooling / "config.json").write_text(json.dumps({"word_embedding_dimension": dim, "pooling_mode_mean_tokens": True}, indent=2))
    (folder / "2_Normalize").mkdir(exist_ok=True)
    save_file(head_tensors(model), str(folder / HEAD_FILE))
    meta = model_meta(model, "export") | {"head": HEAD_RULE[model.task]}
    (folder / META_FILE).write_text(json.dumps(meta, indent=2))
    (folder / "README.md").write_text(model_card(model))
    return folder


def model_card(model: TrainedModel) -> str:
    """A short model card: what it is, how to load it, the labels, the settings and the scores."""
    summary = json.dumps(None if model.summary is None else model.summary.to_dict(), indent=2)
    settings = json.dumps(model.config.to_dict(), indent=2)
    labels = ", ".join(model.labels)
    return f"""---
library_name: sentence-transformers
tags: [nbtrain, lora, text-classification, sentence-embeddings]
---
# Text classifier and embedder trained with nbtrain

Base model: `{model.config.model}` (LoRA adapters merged into the weights). Labels: {labels}.

```python
from sentence_transformers import SentenceTransformer
encoder = SentenceTransformer("path/to/this/folder")   # normalised embeddings
vectors = encoder.encode(["where is my parcel?"])
```

The classification head is `head.safetensors` (`weight`, `bias`), in the label order of
`nbtrain.json`: {HEAD_RULE[model.task]}. `nbtrain.load_model("path/to/this/folder")` loads
encoder and head together.

## Training settings
```json
{settings}
```

## Training
```json
{summary}
```
"""
