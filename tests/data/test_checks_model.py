"""Label errors and outliers on hand-built embeddings: the exact rows found, and the cost bound."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbtrain.data.checks import check_label_errors, check_outliers
from nbtrain.data.checks_model import label_centroids, out_of_fold
from nbtrain.task import MULTI_LABEL


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


def many_rows(n: int = 3_000, labels: int = 6, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` train rows in ``labels`` tight clusters on the unit circle."""
    rng = np.random.default_rng(seed)
    which = np.arange(n) % labels
    angles = which * (2 * np.pi / labels) + rng.normal(0, 0.05, n)
    x = np.column_stack([np.cos(angles), np.sin(angles)]).astype(np.float32)
    rows = pd.DataFrame({"split": "train", "source": "f.csv", "row": range(2, n + 2), "text": [f"t{i}" for i in range(n)], "label": [f"l{k}" for k in which]})
    return rows, x


def test_out_of_fold_scores_every_row_once_and_fits_on_at_most_the_bound():
    rows, _ = many_rows()
    strata = rows["label"].to_numpy()
    folds = out_of_fold(strata, folds=5, seed=0, max_fit_rows=500)
    scored = np.concatenate([s for _, s in folds])
    assert sorted(scored.tolist()) == list(range(3_000))
    for fit, score in folds:
        assert len(fit) <= 500
        assert not set(fit) & set(score)
        assert set(strata[fit]) == set(strata)
    assert [len(f) for f, _ in out_of_fold(strata, folds=5, seed=0)] == [2_400] * 5


def test_label_errors_on_3000_rows_fit_on_a_bounded_sample_and_say_so():
    rows, x = many_rows()
    rows.loc[[10, 2_000], "label"] = ["l5", "l0"]
    finding = check_label_errors(rows, x, max_fit_rows=500)
    assert set(finding.rows["row"]) == {12, 2_002}
    assert "each of the 5 fold classifiers fitted on a seeded stratified sample of about 500 rows; all 3,000 rows scored out of fold" in finding.message
    assert "fitted on" not in check_label_errors(rows.head(600), x[:600], max_fit_rows=500).message


def test_outliers_of_label_sets_use_a_centroid_per_label_counting_each_row_for_each_label():
    rows, x = clustered()
    rows["label"] = [("a",)] * 20 + [("b",)] * 19 + [("a", "b")]
    x = np.vstack([x, [[-0.7071, -0.7071]]]).astype(np.float32)
    rows = pd.concat([rows, pd.DataFrame({"split": ["test"], "source": "f.csv", "row": [2], "text": ["odd"], "label": [()]})], ignore_index=True)
    finding = check_outliers(rows, x, task=MULTI_LABEL)
    assert finding.rows[["split", "row"]].values.tolist() == [["test", 2]]
    assert "41 rows against 2 label centroids" in finding.message
    names, centroids = label_centroids(rows, x, MULTI_LABEL)
    assert names.tolist() == ["a", "b"]
    assert np.allclose(np.linalg.norm(centroids, axis=1), 1.0)
