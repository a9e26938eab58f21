"""Every closed set of choices a user passes, as a ``Literal`` type: the one source of truth.

The dataclasses validate against these types, the command line builds its ``choices=`` from them
and the docs list them, so a new option is added in exactly one place. This module imports
nothing heavy: ``nbtrain --help`` reads it without loading torch or scikit-learn.

>>> options(Objective)
('classification', 'embedding', 'both')
>>> check_choice("objective", "both", Objective)
'both'
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar, get_args

Objective = Literal["classification", "embedding", "both"]
"""What training optimises: the head's loss, an embedding loss on the pooled vectors, or both."""

EmbeddingLoss = Literal["proxy", "supcon", "proxy+supcon"]
"""The embedding loss (see :mod:`nbtrain.training.losses`)."""

HeadRows = Literal["auto", "train", "all"]
"""Which rows the final head is fitted on (see ``TrainConfig.head_rows``)."""

HeadInit = Literal["baseline", "random"]
"""Where the trained head starts: the tuned baseline's weights, or random ones."""

ClassWeight = Literal["auto", "balanced"] | None
"""How rows are weighed by their label's frequency; ``None`` weighs every row alike."""

ValidationFrom = Literal["file", "split"]
"""Where the validation rows came from: a file the user brought, or split off the training file."""

FittedOn = Literal["train", "train+validation"]
"""The rows a head (the baseline's or the trained model's) was fitted on."""

ProjectionMethod = Literal["pca", "umap", "tsne"]
"""How embeddings are projected to 2-D for the plots."""

TaskKind = Literal["single_label", "multi_label"]
"""One label per text, or a set of labels per text (possibly empty)."""

T = TypeVar("T")


def options(choice_type: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` (or ``Literal | None``) type, in declaration order."""
    out: list[Any] = []
    for arg in get_args(choice_type):
        if arg is type(None):
            out.append(None)
        elif get_args(arg):
            out.extend(options(arg))
        else:
            out.append(arg)
    return tuple(out)


def check_choice(name: str, value: T, choice_type: Any) -> T:
    """``value`` if it is one of ``choice_type``'s options, else a ``ValueError`` naming them."""
    allowed = options(choice_type)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value
