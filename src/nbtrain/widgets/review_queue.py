"""The review queue: ranked rows one at a time, decided by key or button, each decision an edit.

What a row's decision is comes from the dataset's history (the rows :meth:`Dataset.reviewed`
counts), folded one edit at a time, never from a state of the widget's own: so undo is
``dataset.undo()``, a queue opened on a dataset loaded with its saved history shows the rows
decided before the restart as decided, and edits made before the queue was opened (in the
explorer's edit bar) count too. The browser only sends actions
(``{"action": "accept"}``, ``{"action": "label", "index": 2}``, ...) and draws the synced state.

Two modes: ``"review"`` decides on rows of the dataset (accept the suggestion, keep, choose a
label, drop); ``"label"`` labels new texts (accept the suggestion or choose a label, which adds the
text to the training rows; or skip it). Multi-label rows are decided on a draft label set: the
number keys toggle its labels and ``a`` applies it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import anywidget
import pandas as pd
import traitlets

from nbtrain.data.audit import HISTORY_FORMAT, AuditTrail
from nbtrain.data.dataset import Dataset
from nbtrain.data.edits import ADDED_SOURCE, DECISIONS, locate
from nbtrain.data.errors import DataError
from nbtrain.task import label_text

Mode = Literal["review", "label"]
_STATIC = Path(__file__).parent / "static"
#: The history entries a person's decision makes: only these are undone from the queue.
BY_HAND = ("relabel", "drop", "restore", "review", "add")
_DECIDED = {"relabelled": "relabelled → {after}", "reviewed": "kept", "removed": "dropped", "restored": "restored", "added": "labelled {after}"}
_SHOWN_CHARS = 2_000


def trail_decisions(trail: AuditTrail, mode: str) -> dict[tuple[str, ...], str]:
    """The decisions one edit recorded, by key: ``(split, source, row)``, or ``(text,)`` for added texts.

    The same rows :meth:`Dataset.reviewed` counts (edits by hand, decision actions), so folding
    this over a dataset's history gives its reviewed rows; the queue folds one new edit at a time,
    which keeps a decision instant however many came before.
    """
    if trail.name not in BY_HAND:
        return {}
    changes = trail.changes[trail.changes["action"].isin(DECISIONS)]
    added = changes["action"] == "added"
    out: dict[tuple[str, ...], str] = {}
    for record in (changes[added] if mode == "label" else changes[~added]).itertuples(index=False):
        key = (str(record.before),) if mode == "label" else (str(record.split), str(record.source), str(record.row))
        out[key] = _DECIDED[str(record.action)].format(after=label_text(record.after))
    return out


def decisions_of(dataset: Dataset, mode: str) -> dict[tuple[str, ...], str]:
    """Each decided row's key and latest decision in words (see :func:`trail_decisions`)."""
    out: dict[tuple[str, ...], str] = {}
    for trail in dataset.history:
        out.update(trail_decisions(trail, mode))
    return out


def item_key(item: pd.Series, mode: str) -> tuple[str, ...]:
    """The key :func:`decisions_of` uses for one queue item."""
    return (str(item["text"]),) if mode == "label" else (str(item["split"]), str(item["source"]), str(item["row"]))


def queue_items(dataset: Dataset, ranked: pd.DataFrame, mode: str) -> pd.DataFrame:
    """What the queue lists: ``ranked``, after the rows decided earlier that it no longer holds.

    A relabelled row stops being a label-error candidate once relabelled, so after a restart it
    would drop out of a fresh ranking; listing it (decided, with the label it had before the
    first decision) keeps "23 of 140 reviewed" true across restarts. In label mode texts the
    dataset already holds from a file are left out.
    """
    if mode == "label":
        file_texts = {t for f in dataset.splits().values() for t in f.loc[f["source"] != ADDED_SOURCE, "text"]}
        return ranked[~ranked["text"].isin(file_texts)].reset_index(drop=True)
    listed = {item_key(r, mode) for _, r in ranked.iterrows()}
    earlier = [k for k in decisions_of(dataset, mode) if k not in listed]
    if not earlier:
        return ranked.reset_index(drop=True)
    table = dataset.changes()
    first: dict[tuple[str, ...], Any] = {}
    for change in table[table["name"].isin(BY_HAND)].itertuples(index=False):
        first.setdefault((str(change.split), str(change.source), str(change.row)), change)
    pool = pd.concat([*(f.assign(split=n) for n, f in dataset.splits().items()), dataset.dropped], ignore_index=True)
    texts: dict[tuple[str, ...], str] = {(str(s), str(o), str(r)): t for s, o, r, t in zip(pool["split"], pool["source"], pool["row"], pool["text"], strict=True)}
    rows = [
        {
            "split": first[key].split,
            "source": first[key].source,
            "row": first[key].row,
            "text": texts.get(key, ""),
            "label": first[key].after if first[key].action == "removed" else first[key].before,
        }
        for key in earlier
    ]
    return pd.concat([pd.DataFrame(rows), ranked], ignore_index=True)


def apply_decision(dataset: Dataset, item: pd.Series, action: str, label: Any = None, *, mode: str = "review") -> Dataset:
    """The dataset after one decision on ``item``: ``accept``, ``keep``, ``choose`` (with ``label``) or ``drop``.

    In label mode ``accept`` and ``choose`` add the text to the training rows with the label.
    Choosing the label a row already has records it as kept, so it counts as decided.
    """
    value: Any = item.get("suggested") if action == "accept" else label
    if mode == "label":
        if action not in ("accept", "choose") or value is None:
            raise DataError(f"cannot {action} a text to label: label it or skip it")
        return dataset.add([item["text"]], [value], reason="labelled in the review queue")
    rows = pd.DataFrame([{"split": item["split"], "source": item["source"], "row": item["row"]}])
    if action == "drop":
        return dataset.drop(rows, reason="dropped in the review queue")
    if action == "keep":
        return dataset.mark_reviewed(rows, reason="kept in the review queue")
    if action not in ("accept", "choose"):
        raise ValueError(f"unknown action {action!r}")
    if _missing(value):
        raise DataError("this row has no suggestion: choose a label")
    current = locate(dataset, rows)["label"].iloc[0]
    if _same_label(current, value):
        return dataset.mark_reviewed(rows, reason="kept in the review queue")
    return dataset.relabel(rows, value, reason="relabelled in the review queue")


def check_resumable(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Refuse to overwrite saved decisions the dataset does not carry (it was loaded without them)."""
    target = Path(path)
    if not target.exists():
        return
    try:
        saved = json.loads(target.read_text(encoding="utf-8")).get("edits", [])
    except (OSError, json.JSONDecodeError, AttributeError) as err:
        raise DataError(f"{target}: cannot read the saved edits ({err})") from err
    carried = [(t.name, t.summary) for t in dataset.history[: len(saved)]]
    if carried != [(e.get("name"), e.get("summary")) for e in saved]:
        raise DataError(
            f"{target} holds {len(saved)} saved edit(s) this dataset does not carry: load it with "
            f"nbtrain.load(..., history={str(target)!r}) to resume, or save to another file"
        )


class ReviewQueue(anywidget.AnyWidget):
    """Ranked rows (or texts) to decide on, one at a time and as a table, with keyboard shortcuts.

    ``dataset`` is the current dataset (each decision replaces it); functions in ``on_edit`` get
    every new one. ``items`` lists the rows, ``decisions`` what was decided on each ("" if
    nothing yet), ``status`` reads "23 of 140 reviewed". With ``save_to`` the edits are written
    there after every decision (see :func:`nbtrain.review`).

    >>> queue = ReviewQueue(dataset, rank_label_errors(dataset, encoder), save_to="edits.json")  # doctest: +SKIP
    >>> queue.act("accept")  # doctest: +SKIP
    """

    _esm = _STATIC / "review_queue.js"
    _css = _STATIC / "review_queue.css"

    mode = traitlets.Unicode("review").tag(sync=True)
    multi = traitlets.Bool(False).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    cards = traitlets.List(traitlets.Dict()).tag(sync=True)
    decisions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    draft = traitlets.List(traitlets.Unicode()).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, dataset: Dataset, ranked: pd.DataFrame, *, mode: Mode = "review", save_to: str | os.PathLike[str] | None = None) -> None:
        if save_to is not None:
            check_resumable(dataset, save_to)
        items = queue_items(dataset, ranked, mode)
        super().__init__(
            mode=mode, multi=dataset.task == "multi_label", labels=list(dataset.labels), cards=[_card(item, mode) for _, item in items.iterrows()]
        )
        self.dataset = dataset
        self.items = items
        self.save_to = None if save_to is None else Path(save_to)
        self.on_edit: list[Callable[[Dataset], None]] = []
        self._keys = [item_key(item, mode) for _, item in items.iterrows()]
        self._decided = decisions_of(dataset, mode)
        self._earlier: list[dict[tuple[str, ...], str]] = []  # the decisions before each edit made here
        self._saved: list[tuple[AuditTrail, dict[str, Any]]] = []
        self._refresh()
        self._go(self._next_undecided(-1))
        self.on_msg(self._message)

    @property
    def current(self) -> pd.Series | None:
        """The item shown, or ``None`` when the queue is empty."""
        return self.items.iloc[self.position] if len(self.items) else None

    def act(self, action: str, label: Any = None) -> None:
        """Decide on the item shown: ``accept``, ``keep``, ``choose`` (``label``), ``drop`` or ``skip``.

        Multi-label rows take their draft (see :meth:`toggle`) on ``accept``; in label mode
        ``keep`` skips. Errors (a row already dropped, a label set no training row would keep)
        are shown in ``message``, not raised.
        """
        item = self.current
        if item is None:
            return
        if action == "skip" or (action == "keep" and self.mode == "label"):
            self._go(self._next_undecided(self.position))
            return
        if self.multi and action == "accept":
            action, label = "choose", tuple(self.draft)
        try:
            new = apply_decision(self.dataset, item, action, label, mode=self.mode)
        except DataError as error:
            self.message = str(error)
            return
        self._changed(new)
        self.message = f"{_where(item, self.mode)}: {self.decisions[self.position]}"
        self._go(self._next_undecided(self.position))

    def toggle(self, label: str) -> None:
        """Add ``label`` to the draft label set of the item shown, or take it out (multi-label)."""
        chosen = set(self.draft) ^ {label}
        self.draft = [name for name in self.labels if name in chosen]

    def undo(self) -> None:
        """Undo the last decision (the queue's, or another edit by hand) and show its row."""
        history = self.dataset.history
        if not history or history[-1].name not in BY_HAND:
            self.message = "Nothing to undo: the last change to the dataset is not a decision."
            return
        changes = history[-1].changes
        undone: list[tuple[str, ...]]
        if self.mode == "label":
            undone = [(str(text),) for text in changes["before"]]
        else:
            undone = [(str(s), str(o), str(r)) for s, o, r in zip(changes["split"], changes["source"], changes["row"], strict=True)]
        self._changed(self.dataset.undo())
        self.message = f"Undone: {history[-1].summary}"
        self._go(next((self._keys.index(k) for k in undone if k in self._keys), self.position))

    def move(self, step: int) -> None:
        """Show the item ``step`` places on (negative: back), decided or not."""
        if len(self.items):
            self._go(min(max(self.position + step, 0), len(self.items) - 1))

    def _message(self, _: Any, content: Any, buffers: Any) -> None:
        """An action from the browser: a key pressed or a button clicked."""
        if not isinstance(content, dict):
            return
        action = content.get("action")
        index = int(content.get("index", -1))
        if action in ("accept", "keep", "drop", "skip"):
            self.act(str(action))
        elif action == "label" and 0 <= index < len(self.labels):
            if self.multi:
                self.toggle(self.labels[index])
            else:
                self.act("choose", self.labels[index])
        elif action == "undo":
            self.undo()
        elif action in ("next", "previous"):
            self.move(1 if action == "next" else -1)
        elif action == "goto" and 0 <= index < len(self.items):
            self._go(index)

    def _changed(self, new: Dataset) -> None:
        if new.parent is self.dataset:
            self._earlier.append(self._decided)
            self._decided = {**self._decided, **trail_decisions(new.history[-1], self.mode)}
        else:  # an undo: the decisions before it, or, past this session's edits, from the history
            self._decided = self._earlier.pop() if self._earlier else decisions_of(new, self.mode)
        self.dataset = new
        if self.save_to is not None:
            self._save(self.save_to)
        self._refresh()
        for callback in self.on_edit:
            callback(new)

    def _refresh(self) -> None:
        with self.hold_sync():
            self.decisions = [self._decided.get(key, "") for key in self._keys]
            done = sum(bool(d) for d in self.decisions)
            word = "labelled" if self.mode == "label" else "reviewed"
            self.status = f"{done} of {len(self._keys)} {word}" if self._keys else "Nothing to review."

    def _save(self, path: Path) -> None:
        """What ``dataset.save_history`` writes, serialising only the edits not written before.

        ``save_history`` turns every edit into JSON each time: after 500 decisions that is
        seconds per key press. The payload is built the same way (a test compares the files).
        """
        history = self.dataset.history
        kept = 0
        while kept < min(len(self._saved), len(history)) and self._saved[kept][0] is history[kept]:
            kept += 1
        self._saved = self._saved[:kept] + [(trail, trail.to_dict()) for trail in history[kept:]]
        payload = {"format": HISTORY_FORMAT, "edits": [record for _, record in self._saved]}
        path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")

    def _go(self, position: int) -> None:
        with self.hold_sync():
            self.position = position
            item = self.current
            self.draft = _draft(item, self.mode, self.dataset) if self.multi and item is not None else []

    def _next_undecided(self, after: int) -> int:
        """The first undecided item after ``after``, wrapping round; ``after`` itself if none is left."""
        n = len(self.decisions)
        for step in range(1, n + 1):
            index = (after + step) % n
            if not self.decisions[index]:
                return index
        return max(after, 0) if n else 0


def _card(item: pd.Series, mode: str) -> dict[str, Any]:
    """What the browser shows of one item (texts cut at a length a person reads)."""
    confidence: Any = item.get("suggested_prob", item.get("confidence"))
    suggested = item.get("suggested")
    return {
        "text": str(item["text"])[:_SHOWN_CHARS],
        "label": "" if mode == "label" else label_text(item["label"]),
        "suggested": "" if _missing(suggested) else label_text(suggested),
        "confidence": None if _missing(confidence) else round(float(confidence), 3),
        "where": _where(item, mode),
    }


def _where(item: pd.Series, mode: str) -> str:
    return "new text" if mode == "label" else f"{item['source']} row {item['row']} ({item['split']})"


def _draft(item: pd.Series, mode: str, dataset: Dataset) -> list[str]:
    """A multi-label item's starting draft: the suggestion, or else its current labels."""
    suggested = item.get("suggested")
    if isinstance(suggested, tuple):
        return list(suggested)
    if mode == "label":
        return []
    try:
        return list(locate(dataset, pd.DataFrame([item[["split", "source", "row"]]]))["label"].iloc[0])
    except DataError:
        return []


def _missing(value: Any) -> bool:
    """No value: ``None``, or a NaN or ``pd.NA`` where a frame had no suggestion for the row."""
    return value is None or (not isinstance(value, tuple | list | str) and bool(pd.isna(value)))


def _same_label(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) or isinstance(b, tuple | list):
        return tuple(sorted(a)) == tuple(sorted(b))
    return bool(a == b)
