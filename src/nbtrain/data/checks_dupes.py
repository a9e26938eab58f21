"""Checks for repeated texts: duplicates, near duplicates, conflicting labels and leakage.

All of them group rows on a key (the text, or :func:`~nbtrain.data.normalise.text_keys`) within a
split, which is linear in the number of rows. ``rows`` is a stacked frame (``split`` column, see
:func:`~nbtrain.data.finding.stack_splits`); a listed row names the first row of its group in
``first_row`` so the user can see both copies.
"""

from __future__ import annotations

import pandas as pd

from nbtrain.data.dataset import REASON_IN_TRAIN
from nbtrain.data.finding import IN_DATA, SET_ASIDE, Finding, Severity, make_finding, plural
from nbtrain.data.normalise import text_keys


def check_exact_duplicates(rows: pd.DataFrame) -> Finding:
    """Rows repeating an earlier text of the same split weigh that text twice in training.

    Lists each repeat (not the first copy) with ``group`` and the ``first_row`` it repeats;
    repeats with a different label are listed here too and resolved by the conflicting-labels fix.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4],
    ...                      "text": ["hi", "yo", "hi"], "label": ["a", "b", "a"]})
    >>> check_exact_duplicates(rows).rows[["row", "first_row"]].values.tolist()
    [[4, 2]]
    """
    keyed = _with_group(rows, rows["text"])
    repeats = keyed[keyed.duplicated(["split", "_key"])].drop(columns="_key")
    if repeats.empty:
        return make_finding("exact_duplicates", "ok", "No text occurs twice in a split.", repeats, "")
    by_split = _by_split(repeats)
    message = (
        f"{plural(len(repeats), 'row')} repeat an earlier text of the same split "
        f"({plural(repeats['group'].nunique(), 'text')}; {by_split})."
    )
    advice = "Drop the repeats: each copy counts the same example again and inflates its weight."
    return make_finding("exact_duplicates", _share_severity(len(repeats), len(rows)), message, repeats, advice, "drop_exact_duplicates")


def check_near_duplicates(rows: pd.DataFrame, *, punctuation: bool = True) -> Finding:
    """Texts equal after decoding entities and folding case, whitespace (and punctuation).

    Lists each row whose key matches an earlier row of the split but whose exact text differs from
    every earlier one (exact repeats are the other check's), with ``group`` and ``first_row``.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3],
    ...                      "text": ["Fake news!", "fake  NEWS"], "label": ["a", "a"]})
    >>> check_near_duplicates(rows).rows["row"].tolist()
    [3]
    """
    keyed = _with_group(rows, text_keys(rows["text"], punctuation=punctuation))
    near = keyed.duplicated(["split", "_key"]) & ~keyed.duplicated(["split", "text"])
    found = keyed[near].drop(columns="_key")
    folded = "case, whitespace, HTML entities" + (" and punctuation" if punctuation else "")
    if found.empty:
        return make_finding("near_duplicates", "ok", f"No texts differ only by {folded}.", found, "")
    message = (
        f"{plural(len(found), 'row')} differ from an earlier text of the same split only by {folded} "
        f"({_by_split(found)})."
    )
    advice = "Collapse each group to its first row, unless the differences carry meaning for your task."
    return make_finding("near_duplicates", _share_severity(len(found), len(rows)), message, found, advice, "collapse_near_duplicates")


def check_conflicting_labels(rows: pd.DataFrame, *, punctuation: bool = True) -> Finding:
    """The same text (after folding, as for near duplicates) labelled two ways teaches noise.

    Lists every row of each conflicting group with ``group``, the ``labels`` seen and the
    ``suggested`` majority label (empty on a tie).

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4],
    ...                      "text": ["ok", "OK", "ok!"], "label": ["a", "b", "a"]})
    >>> check_conflicting_labels(rows).rows["suggested"].tolist()
    ['a', 'a', 'a']
    """
    keyed = _with_group(rows, text_keys(rows["text"], punctuation=punctuation))
    n_labels = keyed.groupby(["split", "_key"])["label"].transform("nunique")
    found = keyed[n_labels > 1].drop(columns="_key")
    if found.empty:
        return make_finding("conflicting_labels", "ok", "No text carries two different labels.", found.assign(labels="", suggested=""), "")
    grouped = found.groupby("group")["label"]
    labels = grouped.agg(lambda s: " | ".join(sorted(s.unique())))
    found = found.assign(labels=found["group"].map(labels), suggested=found["group"].map(grouped.agg(majority_label)))
    message = (
        f"{plural(found['group'].nunique(), 'text')} carry conflicting labels ({plural(len(found), 'row')}); "
        "the model is told two things about the same input."
    )
    advice = "Decide the right label for each group: relabel to the majority, or drop the group when it is a tie."
    return make_finding("conflicting_labels", "error" if len(found) > 0.02 * len(rows) else "warning", message, found, advice, "resolve_conflicting_labels")


def check_leakage(rows: pd.DataFrame, dropped: pd.DataFrame, *, punctuation: bool = True) -> Finding:
    """Validation or test texts also seen in training make the scores look better than they are.

    Exact copies of training texts were set aside at load (listed with ``status`` "set aside at
    load"); near-identical ones (see :func:`check_near_duplicates`) and test texts repeated in
    validation are still in the data. ``match_split``/``match_row`` name the earlier copy.

    >>> rows = pd.DataFrame({"split": ["train", "test"], "source": "f", "row": [2, 2],
    ...                      "text": ["Hello!", "hello"], "label": ["a", "a"]})
    >>> check_leakage(rows, rows.head(0).assign(reason="")).rows["kind"].tolist()
    ['normalised']
    """
    keys = text_keys(rows["text"], punctuation=punctuation)
    found = [_exact_set_aside(rows, dropped)]
    for split, earlier in (("validation", ["train"]), ("test", ["train", "validation"])):
        source = rows[rows["split"].isin(earlier)]
        first = (
            source.assign(_key=keys[source.index])
            .drop_duplicates("_key")
            .set_index("_key")[["split", "row", "text"]]
        )
        mine = rows[(rows["split"] == split) & keys.isin(first.index)]
        match = first.loc[keys[mine.index]]
        found.append(
            mine.assign(
                kind=["exact" if a == b else "normalised" for a, b in zip(mine["text"], match["text"], strict=True)],
                status=IN_DATA,
                match_split=match["split"].to_numpy(),
                match_row=match["row"].to_numpy(),
            )
        )
    leaks = pd.concat([f for f in found if len(f)], ignore_index=True) if any(len(f) for f in found) else found[1]
    if leaks.empty:
        return make_finding("leakage", "ok", "No validation or test text occurs in training.", leaks, "")
    in_data = int((leaks["status"] == IN_DATA).sum())
    message = (
        f"{plural(len(leaks), 'validation/test row')} repeat an earlier split's text: "
        f"{len(leaks) - in_data} exact ones set aside at load, {in_data} still in the data."
    )
    severity: Severity = "warning" if in_data else "info"
    advice = "Remove the leaked rows still in the data so validation and test scores measure unseen texts."
    return make_finding("leakage", severity, message, leaks, advice, "remove_leaked_rows" if in_data else None)


def majority_label(labels: pd.Series) -> str:
    """The most frequent label, or ``""`` when two or more labels tie for first."""
    counts = labels.value_counts()
    return str(counts.index[0]) if len(counts) == 1 or counts.iloc[0] > counts.iloc[1] else ""


def _exact_set_aside(rows: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    gone = dropped[dropped["reason"] == REASON_IN_TRAIN].drop(columns="reason")
    train = rows[rows["split"] == "train"].drop_duplicates("text").set_index("text")["row"]
    return gone.assign(
        kind="exact", status=SET_ASIDE, match_split="train", match_row=gone["text"].map(train).to_numpy()
    )


def _with_group(rows: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """``rows`` with the grouping ``_key``, a numeric ``group`` per (split, key) and its ``first_row``."""
    keyed = rows.assign(_key=key.to_numpy())
    group, _ = pd.factorize(pd.MultiIndex.from_frame(keyed[["split", "_key"]]))
    keyed["group"] = group
    keyed["first_row"] = keyed.groupby("group")["row"].transform("first")
    return keyed


def _by_split(found: pd.DataFrame) -> str:
    return ", ".join(f"{n} in {split}" for split, n in found["split"].value_counts(sort=False).items())


def _share_severity(n: int, total: int) -> Severity:
    return "warning" if n > 0.01 * total else "info"
