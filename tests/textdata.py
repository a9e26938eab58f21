"""Learnable toy texts for tests: each label has its own words, with shared filler."""

from __future__ import annotations

import random

import pandas as pd

WORDS = {
    "billing": "charge charged refund invoice payment card twice money price bill paid",
    "delivery": "parcel package courier late tracking shipped arrived address box delivery",
    "technical": "app crash error bug screen login slow update website loading",
}
FILLER = "the my i was is and to it a please help with order today again why"


def make_texts(n_per_label: int, seed: int = 0) -> pd.DataFrame:
    """Short texts whose words mostly come from their label's vocabulary: learnable, not trivial."""
    rng = random.Random(seed)
    rows = []
    for label, words in WORDS.items():
        vocab, filler = words.split(), FILLER.split()
        for i in range(n_per_label):
            picked = rng.sample(vocab, 3) + rng.sample(filler, 3) + [rng.choice(WORDS[rng.choice(list(WORDS))].split())]
            rng.shuffle(picked)
            rows.append({"text": " ".join(picked) + f" {i}", "label": label})
    return pd.DataFrame(rows).sample(frac=1, random_state=seed).reset_index(drop=True)
