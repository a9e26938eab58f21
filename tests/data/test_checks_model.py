"""Label errors and outliers on hand-built embeddings: the exact rows found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbtrain.data.checks import check_label_errors, check_outliers


def clustered(n: int = 20, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two tight clusters on the unit circle, labelled a and b, train rows 2..2n+1."""
    rng = np.random.default_rng(seed)
    angles = np.concatenate([rng.normal(0.0, 0.05, n), rng.normal(np.pi / 2, 0.05, n)])
    x = np.column_stack([np.cos(angles), np.sin(angles)]).astype(np.float32)
    rows = pd.DataFrame(
        {"split": "train", "source": "f.csv", "row": range(2, 2 * n + 2), "text": [f"t{i}" for i in range(2 * n)],
         "label": ["a"] * n + ["b"] * n}
    )  # fmt: skip
    return rows, x


def test_label_errors_finds_the_flipped_rows_most_doubtful_first():
    rows, x = clustered()
    rows.loc[[3, 25], "label"] = ["b", "a"]
    finding = check_label_errors(rows, x)
    assert sorted(finding.rows["row"].tolist()) == [5, 27]
    assert finding.rows["suggested"].tolist() == ["a", "b"] or finding.rows["suggested"].tolist() == ["b", "a"]
    assert finding.rows["score"].is_monotonic_decreasing
    assert (finding.rows["score"] >= 0.5).all()


def test_label_errors_none_on_clean_labels():
    rows, x = clustered()
    assert (check_label_errors(rows, x).severity, check_label_errors(rows, x).count) == ("ok", 0)


def test_label_errors_skips_labels_too_small_to_fold():
    rows, x = clustered(n=3)
    rows.loc[5, "label"] = "c"
    assert "not checked" in check_label_errors(rows, x).message


def test_outliers_finds_the_row_far_from_every_label():
    rows, x = clustered()
    x = np.vstack([x, [[-0.7071, -0.7071]]]).astype(np.float32)
    rows = pd.concat([rows, pd.DataFrame({"split": ["test"], "source": "f.csv", "row": [2], "text": ["odd"], "label": ["a"]})], ignore_index=True)
    finding = check_outliers(rows, x)
    assert finding.rows[["split", "row"]].values.tolist() == [["test", 2]]
    assert finding.rows["similarity"].iloc[0] < 0
