"""Checks for repeated texts: duplicates, near duplicates, conflicting labels and leakage.

All of them group rows on a key (the text, or :func:`~nbtrain.data.normalise.text_keys`) within a
split, which is linear in the number of rows; the report computes the keys once and passes them as
``keys``. ``rows`` is a stacked frame (``split`` column, see
:func:`~nbtrain.data.finding.stack_splits`); a listed row names the first row of its group in
``first_row`` so the user can see both copies. Labels may be strings or label sets (tuples): a
group conflicts when its rows carry different values either way.

The semantic checks find paraphrases the keys miss (``How do I close my account?`` and ``I want
to close my account``) from the similar text pairs of :func:`~nbtrain.data.neighbours.similar_texts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbtrain.data.dataset import REASON_IN_TRAIN
from nbtrain.data.finding import IN_DATA, SET_ASIDE, Finding, Severity, make_finding, plural
from nbtrain.data.neighbours import SimilarTexts
from nbtrain.data.normalise import text_keys
from nbtrain.task import label_text

_EARLIER = (("validation", ("train",)), ("test", ("train", "validation")))


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
    repeats = keyed[keyed["group"].duplicated().to_numpy()].drop(columns="_key")
    if repeats.empty:
        return make_finding("exact_duplicates", "ok", "No text occurs twice in a split.", repeats, "")
    by_split = _by_split(repeats)
    # The drop fix removes repeats of an earlier copy with the same label; the others are conflicts.
    same = rows.duplicated(["split", "text", "label"]).reindex(repeats.index).to_numpy()
    repeats = repeats.assign(same_label=same)
    alike, other = int(same.sum()), int((~same).sum())
    message = (
        f"{plural(len(repeats), 'row')} repeat an earlier text of the same split "
        f"({plural(repeats['group'].nunique(), 'text')}; {by_split}): {alike:,} with the same label"
        + (f", {other:,} with another label (see conflicting labels)." if other else ".")
    )
    advice = (
        f"Drop the {plural(alike, 'repeat')} with the same label (the fix): each copy counts the same example again"
        + ("; decide the label of the others with the conflicting-labels fix." if other else ".")
    )
    return make_finding("exact_duplicates", _share_severity(len(repeats), len(rows)), message, repeats, advice, "drop_exact_duplicates")


def check_near_duplicates(rows: pd.DataFrame, *, punctuation: bool = True, keys: pd.Series | None = None) -> Finding:
    """Texts equal after decoding entities and folding case, whitespace (and punctuation).

    Lists each row whose key matches an earlier row of the split but whose exact text differs from
    every earlier one (exact repeats are the other check's), with ``group`` and ``first_row``.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3],
    ...                      "text": ["Fake news!", "fake  NEWS"], "label": ["a", "a"]})
    >>> check_near_duplicates(rows).rows["row"].tolist()
    [3]
    """
    keyed = _with_group(rows, _keys(rows, keys, punctuation))
    near = keyed["group"].duplicated().to_numpy() & ~_codes(rows["split"], rows["text"]).duplicated().to_numpy()
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


def check_conflicting_labels(rows: pd.DataFrame, *, punctuation: bool = True, keys: pd.Series | None = None) -> Finding:
    """The same text (after folding, as for near duplicates) labelled two ways teaches noise.

    Lists every row of each conflicting group with ``group``, the ``labels`` seen and the
    ``suggested`` majority label, or label set (empty on a tie). For label sets ``("a", "b")``
    and ``("a",)`` conflict: the second row says ``b`` does not apply.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4],
    ...                      "text": ["ok", "OK", "ok!"], "label": ["a", "b", "a"]})
    >>> check_conflicting_labels(rows).rows["suggested"].tolist()
    ['a', 'a', 'a']
    """
    keyed = _with_group(rows, _keys(rows, keys, punctuation))
    label_codes, _ = pd.factorize(keyed["label"])
    n_labels = pd.Series(label_codes).groupby(keyed["group"].to_numpy()).transform("nunique").to_numpy()
    found = keyed[n_labels > 1].drop(columns="_key")
    if found.empty:
        return make_finding("conflicting_labels", "ok", "No text carries two different labels.", found.assign(labels="", suggested=""), "")
    grouped = found.groupby("group")["label"]
    labels = grouped.agg(lambda s: " | ".join(sorted({label_text(x) for x in s})))
    majority = {group: majority_label(labels) for group, labels in grouped}
    found = found.assign(labels=found["group"].map(labels), suggested=found["group"].map(majority))
    message = (
        f"{plural(found['group'].nunique(), 'text')} carry conflicting labels ({plural(len(found), 'row')}); "
        "the model is told two things about the same input."
    )
    advice = "Decide the right label for each group: relabel to the majority, or drop the group when it is a tie."
    return make_finding("conflicting_labels", "error" if len(found) > 0.02 * len(rows) else "warning", message, found, advice, "resolve_conflicting_labels")


def check_leakage(rows: pd.DataFrame, dropped: pd.DataFrame, *, punctuation: bool = True, keys: pd.Series | None = None) -> Finding:
    """Validation or test texts also seen in training make the scores look better than they are.

    Exact copies of training texts were set aside at load (listed with ``status`` "set aside at
    load"); near-identical ones (see :func:`check_near_duplicates`) and test texts repeated in
    validation are still in the data. ``match_split``/``match_row`` name the earlier copy.

    >>> rows = pd.DataFrame({"split": ["train", "test"], "source": "f", "row": [2, 2],
    ...                      "text": ["Hello!", "hello"], "label": ["a", "a"]})
    >>> check_leakage(rows, rows.head(0).assign(reason="")).rows["kind"].tolist()
    ['normalised']
    """
    # Integer key codes: membership tests on 85,000 string keys cost seconds, on integers nothing.
    codes = _codes(_keys(rows, keys, punctuation)).to_numpy()
    found = [_exact_set_aside(rows, dropped)]
    for split, earlier in _EARLIER:
        earlier_rows = rows["split"].isin(earlier).to_numpy()
        first = pd.Series(np.flatnonzero(earlier_rows), index=codes[earlier_rows])
        first = first[~first.index.duplicated()]
        mine = rows[(rows["split"] == split).to_numpy() & np.isin(codes, first.index.to_numpy())]
        match = rows.iloc[first[codes[rows.index.get_indexer(mine.index)]].to_numpy()]
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


def check_semantic_duplicates(rows: pd.DataFrame, similar: SimilarTexts, *, keys: pd.Series | None = None) -> Finding:
    """Paraphrases within a split: different words, the same meaning, by their embeddings.

    Lists each row whose text is similar (see :class:`SimilarTexts`) to an earlier text of the
    same split, with ``match_row``, ``match_text``, ``similarity`` and ``same_label``. Pairs equal
    after folding are the near-duplicate check's; repeats of one text are the exact check's.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3],
    ...                      "text": ["close my account", "shut my account"], "label": ["a", "b"]})
    >>> pairs = pd.DataFrame({"text": ["shut my account"], "match_text": ["close my account"], "similarity": [0.96]})
    >>> check_semantic_duplicates(rows, SimilarTexts(pairs, 0.95, "exact search")).rows["match_row"].tolist()
    [2]
    """
    matched = _matches(rows, similar, keys)
    found = matched[matched["split"] == matched["match_split"]]
    found = found[found["match_pos"] < found["_pos"]]
    found = _best(found).assign(same_label=lambda f: f["label"] == f["match_label"])
    found = found[[*rows.columns, "match_row", "match_text", "similarity", "same_label"]]
    threshold = f"cosine similarity ≥ {similar.min_similarity:g} of their embeddings, {similar.method}"
    if found.empty:
        return make_finding("semantic_duplicates", "ok", f"No paraphrases within a split ({threshold}).", found, "")
    differ = int((~found["same_label"]).sum())
    message = (
        f"{plural(len(found), 'row')} paraphrase an earlier text of the same split ({_by_split(found)}; "
        f"{differ:,} labelled differently from it); {threshold}."
    )
    advice = (
        "Read the pairs: relabel the ones labelled differently that mean the same, and drop repeats "
        "that add nothing new (dataset.drop(finding.rows) drops the listed rows)."
    )
    # Paraphrases with one label only weigh a meaning twice; labelled two ways, they teach noise.
    severity: Severity = "warning" if differ else "info"
    return make_finding("semantic_duplicates", severity, message, found, advice)


def check_semantic_leakage(rows: pd.DataFrame, similar: SimilarTexts, *, keys: pd.Series | None = None) -> Finding:
    """Validation or test texts that paraphrase a text of an earlier split flatter the scores.

    Lists each such row with ``match_split``, ``match_row``, ``match_text`` and ``similarity``
    (its closest match); copies equal after folding are :func:`check_leakage`'s.
    """
    matched = _matches(rows, similar, keys)
    codes = _codes(_keys(rows, keys, True)).to_numpy()
    parts = []
    for split, earlier in _EARLIER:
        mine = matched[(matched["split"] == split) & matched["match_split"].isin(earlier)]
        # A row whose key is in an earlier split is check_leakage's, whatever else it resembles.
        seen = codes[rows["split"].isin(earlier).to_numpy()]
        parts.append(mine[~np.isin(codes[mine["_pos"].to_numpy()], seen)])
    found = _best(pd.concat(parts)).sort_values("_pos", kind="stable")
    found = found[[*rows.columns, "match_split", "match_row", "match_text", "similarity"]]
    threshold = f"cosine similarity ≥ {similar.min_similarity:g} of their embeddings, {similar.method}"
    if found.empty:
        return make_finding("semantic_leakage", "ok", f"No validation or test text paraphrases an earlier split's ({threshold}).", found, "")
    held_out = int(rows["split"].isin(["validation", "test"]).sum())
    message = f"{plural(len(found), 'validation/test row')} paraphrase a text of an earlier split ({_by_split(found)}); {threshold}."
    advice = (
        "Scores on these rows measure memory, not generalisation: drop them from validation and test "
        "(dataset.drop(finding.rows)), or move each group of paraphrases to one split."
    )
    severity: Severity = "warning" if len(found) > 0.01 * max(held_out, 1) else "info"
    return make_finding("semantic_leakage", severity, message, found, advice)


def majority_label(labels: pd.Series) -> object:
    """The most frequent label (or label set), or ``""`` when two or more tie for first."""
    counts = labels.value_counts()
    return counts.index[0] if len(counts) == 1 or counts.iloc[0] > counts.iloc[1] else ""


def _exact_set_aside(rows: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    gone = dropped[dropped["reason"] == REASON_IN_TRAIN].drop(columns="reason")
    train = rows[rows["split"] == "train"].drop_duplicates("text").set_index("text")["row"]
    return gone.assign(
        kind="exact", status=SET_ASIDE, match_split="train", match_row=gone["text"].map(train).to_numpy()
    )


def _matches(rows: pd.DataFrame, similar: SimilarTexts, keys: pd.Series | None) -> pd.DataFrame:
    """Every (row, matching row) pair of different keys: the first row of each key in each split,
    joined through ``similar`` to the first rows of its similar texts' keys. Later rows of a key
    are the exact and near-duplicate checks' findings, so they are neither listed nor matched."""
    first = rows.assign(_pos=np.arange(len(rows)), _key=_keys(rows, keys, True).to_numpy())
    first = first[~_codes(first["split"], first["_key"]).duplicated().to_numpy()]
    pairs = first.merge(similar.pairs, on="text")
    other = first[["split", "row", "text", "label", "_pos", "_key"]].rename(
        columns=lambda c: f"match_{c.lstrip('_')}" if c != "text" else "match_text"
    )
    pairs = pairs.merge(other, on="match_text")
    return pairs[pairs["_key"] != pairs["match_key"]]


def _best(matched: pd.DataFrame) -> pd.DataFrame:
    """Each row once, with its most similar match (the earliest on a tie)."""
    ranked = matched.sort_values(["_pos", "similarity", "match_pos"], ascending=[True, False, True], kind="stable")
    return ranked.drop_duplicates("_pos")


def _keys(rows: pd.DataFrame, keys: pd.Series | None, punctuation: bool) -> pd.Series:
    """The given near-duplicate keys (aligned with ``rows``), or computed when none are given."""
    if keys is None:
        return text_keys(rows["text"], punctuation=punctuation)
    if len(keys) != len(rows):
        raise ValueError(f"{len(keys)} keys for {len(rows)} rows")
    return pd.Series(keys.to_numpy(), index=rows.index)


def _codes(*columns: pd.Series) -> pd.Series:
    """One integer per distinct combination of the columns' values, in order of first appearance.

    Factorizing each column and combining the integer codes is several times faster on 85,000
    texts than factorizing a MultiIndex of strings.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        combined, _ = pd.factorize(combined * max(len(uniques), 1) + codes)
    return pd.Series(combined, index=columns[0].index)


def _with_group(rows: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """``rows`` with the grouping ``_key``, a numeric ``group`` per (split, key) and its ``first_row``."""
    keyed = rows.assign(_key=key.to_numpy())
    keyed["group"] = _codes(keyed["split"], keyed["_key"]).to_numpy()
    keyed["first_row"] = keyed.groupby("group")["row"].transform("first")
    return keyed


def _by_split(found: pd.DataFrame) -> str:
    return ", ".join(f"{n} in {split}" for split, n in found["split"].value_counts(sort=False).items())


def _share_severity(n: int, total: int) -> Severity:
    return "warning" if n > 0.01 * total else "info"
