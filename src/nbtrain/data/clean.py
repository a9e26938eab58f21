"""Opt-in fixes for what the checks find: one call each, a new dataset back.

Every fix takes a :class:`Dataset` and returns a new one whose ``history`` ends with the fix's
:class:`~nbtrain.data.audit.AuditTrail`. The given dataset is never modified; removed rows move
to the new dataset's ``dropped`` with the fix's name as the reason, and the trail lists every row
changed with its value before and after (see :mod:`nbtrain.data.audit`).

>>> clean = fix(dataset, "drop_exact_duplicates")  # doctest: +SKIP
>>> clean.history[-1].summary  # doctest: +SKIP
'drop_exact_duplicates: 9 rows removed'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Literal

import pandas as pd

from nbtrain.data.audit import AuditTrail, apply_changes, edit_changes, removal_changes
from nbtrain.data.checks_dupes import check_leakage, majority_label
from nbtrain.data.dataset import RARE_REASON_PREFIXES, REASON_UNKNOWN_LABEL, Dataset
from nbtrain.data.finding import IN_DATA, stack_splits
from nbtrain.data.normalise import canonical_labels, label_key, text_keys

Fix = Callable[[Dataset], Dataset]

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BARE_ENTITY = re.compile(r"(?<!&)(#\d{2,4};)|(?<![&\w])(quot;|amp;|nbsp;|lt;|gt;)")


def drop_exact_duplicates(dataset: Dataset) -> Dataset:
    """Keep the first row of each text and label in each split; drop the repeats.

    Repeats with a different label are kept: which label is right is for
    :func:`resolve_conflicting_labels` (or a person) to decide.
    """
    rows = stack_splits(dataset)
    first = rows.groupby(["split", "text", "label"], sort=False)["row"].transform("first")
    gone = rows.duplicated(["split", "text", "label"])
    detail = "repeats row " + first[gone].astype(str)
    return _remove(dataset, rows, gone, "drop_exact_duplicates", detail)


def collapse_near_duplicates(dataset: Dataset, *, punctuation: bool = True) -> Dataset:
    """Keep the first row of each near-duplicate group (same key and label) in each split."""
    rows = stack_splits(dataset)
    keyed = rows.assign(_key=text_keys(rows["text"], punctuation=punctuation))
    first = keyed.groupby(["split", "_key", "label"], sort=False)["row"].transform("first")
    gone = keyed.duplicated(["split", "_key", "label"])
    detail = "near duplicate of row " + first[gone].astype(str)
    return _remove(dataset, rows, gone, "collapse_near_duplicates", detail)


def resolve_conflicting_labels(
    dataset: Dataset, *, strategy: Literal["majority", "drop"] = "majority", punctuation: bool = True
) -> Dataset:
    """Give each conflicting group one label: the majority one, dropping ties (or drop them all).

    Relabelled rows may become exact duplicates; :func:`drop_exact_duplicates` removes them next.
    """
    if strategy not in ("majority", "drop"):
        raise ValueError(f"strategy must be 'majority' or 'drop', got {strategy!r}")
    rows = stack_splits(dataset)
    keys = ["split", "_key"]
    keyed = rows.assign(_key=text_keys(rows["text"], punctuation=punctuation))
    conflicted = keyed.groupby(keys)["label"].transform("nunique") > 1
    winner = keyed[conflicted].groupby(keys)["label"].transform(majority_label)
    winner = winner.reindex(rows.index, fill_value="")
    if strategy == "drop":
        winner[:] = ""
    gone = conflicted & (winner == "")
    relabel = conflicted & (winner != "") & (rows["label"] != winner)
    changes = [edit_changes(rows[relabel], "label", winner[relabel], "relabelled", "majority label of its group")]
    name = "resolve_conflicting_labels" if strategy == "majority" else "drop_conflicting_texts"
    return _remove(dataset, rows, gone, name, "conflicting labels, no majority" if strategy == "majority" else "conflicting labels", changes)


def drop_conflicting_texts(dataset: Dataset, *, punctuation: bool = True) -> Dataset:
    """Remove every row of each conflicting group, when no label can be trusted."""
    return resolve_conflicting_labels(dataset, strategy="drop", punctuation=punctuation)


def strip_html_and_urls(dataset: Dataset) -> Dataset:
    """Decode HTML entities (also ``#39;`` and ``quot;`` that lost their ``&``), strip tags and URLs.

    A text left empty is removed.
    """
    def clean(text: str) -> str:
        text = html.unescape(_BARE_ENTITY.sub(lambda m: "&" + m.group(), text))
        return " ".join(_URL.sub(" ", _TAG.sub(" ", text)).split())

    return _edit_texts(dataset, clean, "strip_html_and_urls", "HTML and URLs removed")


def normalise_whitespace(dataset: Dataset) -> Dataset:
    """Collapse runs of spaces, tabs and newlines to one space and trim the ends."""
    return _edit_texts(dataset, lambda text: " ".join(text.split()), "normalise_whitespace", "whitespace collapsed")


def merge_label_variants(dataset: Dataset) -> Dataset:
    """Rename labels that differ only by case, spacing or number format to their most frequent spelling.

    Rows set aside at load because their spelling was rare or unknown to training are restored
    under the merged label (unless their text is already in training).
    """
    rows = stack_splits(dataset)
    task = dataset.task_handler
    canonical = {label_key(k): v for k, v in canonical_labels(task.explode(rows["label"])).items()}

    def spelling(label: str) -> str:
        return canonical.get(label_key(label), label)

    target = rows["label"].map(lambda x: task.rename(x, spelling))
    renamed = rows["label"] != target
    changes = [edit_changes(rows[renamed], "label", target[renamed], "relabelled", "label variant merged")]

    dropped = dataset.dropped
    set_aside = dropped["reason"].eq(REASON_UNKNOWN_LABEL) | dropped["reason"].str.startswith(RARE_REASON_PREFIXES)

    def known(value: object) -> bool:
        labels = task.explode(pd.Series([value]))
        return len(labels) > 0 and all(label_key(x) in canonical for x in labels)

    back = set_aside & dropped["label"].map(known)
    back &= ~(dropped["split"].ne("train") & dropped["text"].isin(set(rows.loc[rows["split"] == "train", "text"])))
    restored = dropped[back].drop(columns="reason")
    merged = restored["label"].map(lambda x: task.rename(x, spelling))
    changes.append(edit_changes(restored, "label", merged, "restored", "set aside at load; label variant merged"))
    return apply_changes(dataset, changes, "merge_label_variants")


def remove_leaked_rows(dataset: Dataset, *, punctuation: bool = True) -> Dataset:
    """Remove the validation and test rows whose (normalised) text also occurs in an earlier split."""
    rows = stack_splits(dataset)
    leaks = check_leakage(rows, dataset.dropped, punctuation=punctuation).rows
    keys = ["split", "source", "row"]
    leaks = leaks.loc[leaks["status"] == IN_DATA, [*keys, "kind", "match_split", "match_row"]]
    matched = rows[keys].merge(leaks, on=keys, how="left")
    gone = pd.Series(matched["kind"].notna().to_numpy(), index=rows.index)
    hits = matched[gone.to_numpy()]
    detail = hits["kind"] + " copy of " + hits["match_split"] + " row " + hits["match_row"].astype(int).astype(str)
    return _remove(dataset, rows, gone, "remove_leaked_rows", detail)


FIXES: dict[str, Fix] = {
    "drop_exact_duplicates": drop_exact_duplicates,
    "collapse_near_duplicates": collapse_near_duplicates,
    "resolve_conflicting_labels": resolve_conflicting_labels,
    "drop_conflicting_texts": drop_conflicting_texts,
    "strip_html_and_urls": strip_html_and_urls,
    "normalise_whitespace": normalise_whitespace,
    "merge_label_variants": merge_label_variants,
    "remove_leaked_rows": remove_leaked_rows,
}


# Fixes a person may prefer to a finding's own ``fix``: the view shows a button for each.
ALTERNATIVES: dict[str, tuple[str, ...]] = {"resolve_conflicting_labels": ("drop_conflicting_texts",)}


def fix(dataset: Dataset, name: str) -> Dataset:
    """Run the fix called ``name`` (a ``Finding.fix``) with its defaults; what a fix button does.

    The new dataset's ``history[-1]`` says what changed; ``dataset.undo()`` goes back.

    >>> clean = nbtrain.fix(nbtrain.load(nbtrain.sample_path()), "drop_exact_duplicates")  # doctest: +SKIP
    """
    if name not in FIXES:
        raise ValueError(f"unknown fix {name!r}; choose from {', '.join(sorted(FIXES))}")
    return FIXES[name](dataset)


def apply_fix(dataset: Dataset, name: str) -> tuple[Dataset, AuditTrail]:
    """:func:`fix`, returning ``(new_dataset, its AuditTrail)`` as nbtrain 0.1 did."""
    new = fix(dataset, name)
    return new, new.history[-1]


def _remove(
    dataset: Dataset,
    rows: pd.DataFrame,
    gone: pd.Series,
    fix: str,
    detail: pd.Series | str,
    changes: list[pd.DataFrame] | None = None,
) -> Dataset:
    return apply_changes(dataset, [*(changes or []), removal_changes(rows[gone], detail)], fix)


def _edit_texts(dataset: Dataset, clean: Callable[[str], str], fix: str, detail: str) -> Dataset:
    rows = stack_splits(dataset)
    after = rows["text"].map(clean)
    edited = rows["text"] != after
    changes = [edit_changes(rows[edited], "text", after[edited], "edited", detail)]
    emptied = rows.assign(text=after)
    return _remove(dataset, emptied, emptied["text"] == "", fix, "text empty after cleaning", changes)
