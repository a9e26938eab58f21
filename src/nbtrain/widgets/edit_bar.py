"""The edit bar under an explorer: relabel, drop, mark reviewed or undo the selected rows.

The bar holds the current :class:`~nbtrain.Dataset`; every button is one edit
(:meth:`Dataset.relabel`, :meth:`~Dataset.drop`, :meth:`~Dataset.mark_reviewed`,
:meth:`~Dataset.undo`) and hands the new dataset to the functions in ``on_edit``, which is how
an explorer recolours its points. Multi-label rows get a label added or removed, each row
keeping its other labels, in one edit (so one undo takes it back).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from nbtrain.data.audit import apply_changes, change_rows
from nbtrain.data.dataset import Dataset
from nbtrain.data.edits import locate
from nbtrain.data.errors import DataError

#: How a point whose row was dropped is labelled (and coloured) in an explorer.
DROPPED = "(dropped)"
_KEY = ["split", "source", "row"]
_BY_HAND = ("relabel", "drop", "restore", "review", "add")


def current_labels(points: pd.DataFrame, dataset: Dataset) -> pd.Series:
    """Each point's label in ``dataset`` now (``DROPPED`` for rows set aside), aligned with ``points``.

    Points name their rows by ``source`` and ``row`` and, when several splits are drawn, ``split``.
    """
    keys = [c for c in _KEY if c in points]
    pool = pd.concat([f.assign(split=name) for name, f in dataset.splits().items()], ignore_index=True)
    lookup = pool.drop_duplicates(keys).set_index(keys)["label"]
    found = lookup.reindex(pd.MultiIndex.from_frame(points[keys]))
    return pd.Series(found.to_numpy(), index=points.index, dtype=object).where(found.notna().to_numpy(), DROPPED)


def live_rows(dataset: Dataset, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` still in the dataset's splits (a selection may hold dropped points)."""
    keys = [c for c in _KEY if c in rows]
    pool = pd.concat([f.assign(split=name) for name, f in dataset.splits().items()], ignore_index=True)
    return rows.merge(pool[keys].drop_duplicates(), on=keys, how="inner")


def change_label(dataset: Dataset, rows: pd.DataFrame, label: str, *, add: bool, reason: str = "") -> Dataset:
    """Multi-label rows with ``label`` added (``add=True``) or removed, their other labels kept."""
    found = locate(dataset, rows)
    after = [tuple(sorted(set(value) | {label})) if add else tuple(v for v in value if v != label) for value in found["label"]]
    changing = [before != new for before, new in zip(found["label"], after, strict=True)]
    moved = found[changing]
    detail = reason or (f"{label!r} added by hand" if add else f"{label!r} removed by hand")
    changes = change_rows(moved, "relabelled", "label", moved["label"], [a for a, c in zip(after, changing, strict=True) if c], detail)
    return apply_changes(dataset, changes, "relabel", reason=reason)


class EditBar(widgets.VBox):
    """Buttons that edit the rows an explorer has selected, and undo.

    Set ``rows`` (via :meth:`show`) to the selection; ``dataset`` is replaced by each edit and
    the functions in ``on_edit`` are called with the new one.

    >>> bar = EditBar(dataset)  # doctest: +SKIP
    >>> bar.show(explorer.selected); bar.label.value = "billing"; bar.relabel_button.click()  # doctest: +SKIP
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.rows = pd.DataFrame(columns=_KEY)
        self.on_edit: list[Callable[[Dataset], None]] = []
        multi = dataset.task == "multi_label"
        self.label = widgets.Dropdown(options=list(dataset.labels), description="Label", layout={"width": "220px"})
        self.reason = widgets.Text(placeholder="reason (optional)", layout={"width": "180px"})
        self.relabel_button = _button("Relabel" if not multi else "Add label", "tag", "Give the selected rows this label")
        self.remove_button = _button("Remove label", "minus", "Take this label off the selected rows")
        self.drop_button = _button("Drop", "trash", "Set the selected rows aside")
        self.review_button = _button("Mark reviewed", "check", "Keep the selected rows as they are, as reviewed")
        self.undo_button = _button("Undo", "undo", "Undo the last edit")
        self.status = widgets.HTML()
        self.relabel_button.on_click(lambda _: self._edit(self._relabel))
        self.remove_button.on_click(lambda _: self._edit(lambda d, r: change_label(d, r, str(self.label.value), add=False, reason=self._reason())))
        self.drop_button.on_click(lambda _: self._edit(lambda d, r: d.drop(r, reason=self._reason())))
        self.review_button.on_click(lambda _: self._edit(lambda d, r: d.mark_reviewed(r, reason=self._reason())))
        self.undo_button.on_click(lambda _: self.undo())
        buttons = [self.label, self.relabel_button, *([self.remove_button] if multi else []), self.drop_button, self.review_button, self.undo_button, self.reason]
        super().__init__([widgets.HBox(buttons), self.status])
        self.add_class("nbt-edit-bar")
        self._update_buttons()

    def show(self, rows: pd.DataFrame) -> None:
        """Make ``rows`` (an explorer's selection) the rows the buttons edit."""
        self.rows = rows
        self._update_buttons()

    def undo(self) -> None:
        """Take back the last edit made by hand (here, in a review queue, or in code)."""
        if not self.dataset.history or self.dataset.history[-1].name not in _BY_HAND:
            self._say("Nothing to undo.")
            return
        summary = self.dataset.history[-1].summary
        self._changed(self.dataset.undo(), f"Undone: {summary}")

    def _relabel(self, dataset: Dataset, rows: pd.DataFrame) -> Dataset:
        if dataset.task == "multi_label":
            return change_label(dataset, rows, str(self.label.value), add=True, reason=self._reason())
        return dataset.relabel(rows, str(self.label.value), reason=self._reason())

    def _edit(self, edit: Callable[[Dataset, pd.DataFrame], Dataset]) -> None:
        rows = live_rows(self.dataset, self.rows)
        if rows.empty:
            self._say("Select rows first (rows already dropped cannot be edited).")
            return
        try:
            new = edit(self.dataset, rows)
        except DataError as error:
            self._say(f"Not applied: {error}", error=True)
            return
        ignored = len(self.rows) - len(rows)
        note = f" ({ignored} dropped row(s) in the selection left alone)" if ignored else ""
        self._changed(new, new.history[-1].summary + note)

    def _changed(self, new: Dataset, message: str) -> None:
        self.dataset = new
        self._say(message)
        for callback in self.on_edit:
            callback(new)
        self._update_buttons()

    def _reason(self) -> str:
        return str(self.reason.value).strip()

    def _say(self, message: str, *, error: bool = False) -> None:
        colour = " style='color:#dc2626'" if error else ""
        self.status.value = f"<p class='nbt-note'{colour}>{html.escape(message)}</p>"

    def _update_buttons(self) -> None:
        empty = len(self.rows) == 0
        for button in (self.relabel_button, self.remove_button, self.drop_button, self.review_button):
            button.disabled = empty
        self.undo_button.disabled = not self.dataset.history or self.dataset.history[-1].name not in _BY_HAND


def _button(text: str, icon: str, tooltip: str, **options: Any) -> widgets.Button:
    return widgets.Button(description=text, icon=icon, tooltip=tooltip, layout={"width": "auto"}, **options)
