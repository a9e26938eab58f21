"""Telling the user what a long call is doing: phases, progress bars and notes.

Every phase that takes more than a moment (an embedding pass, the baseline's cross-validation,
training, the final heads, scoring, the report) goes through a :class:`Progress`. The console one
draws tqdm bars on a terminal, tqdm's notebook bars in a kernel, and plain lines, at most one every
few seconds, when the output is a log file; :class:`Silent` says nothing. Pass ``progress=False``
to any nbtrain call that takes one to silence it.

>>> with Silent().phase("Fitting the baseline"):
...     pass
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent

#: Plain-line output (no terminal) prints a bar's state at most this often, in seconds.
LINE_INTERVAL = 10.0
#: Phases shorter than this print no "done" line: a second of quiet is not worth a line.
QUIET_BELOW = 2.0


def duration(seconds: float) -> str:
    """Seconds in words: ``"45 s"``, ``"2 min 30 s"``, ``"1 h 5 min"``.

    >>> duration(45), duration(150), duration(3900)
    ('45 s', '2 min 30 s', '1 h 5 min')
    """
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "")


class Bar:
    """A progress bar handle: ``update(n)`` adds ``n`` done, ``describe(text)`` sets the trailing text."""

    def update(self, n: int = 1) -> None:
        """Mark ``n`` more units done."""

    def describe(self, text: str) -> None:
        """The numbers shown after the bar (loss, pace, ETA)."""

    def close(self) -> None:
        """End the bar."""


class Progress:
    """The interface, which does nothing: subclass to route nbtrain's progress elsewhere."""

    @contextmanager
    def phase(self, text: str) -> Iterator[None]:
        """Say that ``text`` is happening, and how long it took once done."""
        yield

    def bar(self, total: int, text: str, unit: str = "it") -> Bar:
        """A progress bar over ``total`` units."""
        return Bar()

    def line(self, text: str) -> None:
        """A line to show as it is."""


class Silent(Progress):
    """Says nothing (``progress=False``)."""


class ConsoleProgress(Progress):
    """tqdm bars on a terminal or in a notebook; plain timed lines when writing to a log file."""

    def __init__(self, file: IO[str] | None = None) -> None:
        self.file = file or sys.stderr
        self.depth = 0

    @contextmanager
    def phase(self, text: str) -> Iterator[None]:
        started = time.perf_counter()
        self.line(f"{text} ...")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        took = time.perf_counter() - started
        if took >= QUIET_BELOW:
            self.line(f"{text}: done in {duration(took)}")

    def bar(self, total: int, text: str, unit: str = "it") -> Bar:
        if _in_notebook():
            from tqdm.auto import tqdm

            return _TqdmBar(tqdm(total=total, desc=text, unit=unit, leave=True))
        if self.file.isatty():
            from tqdm import tqdm as console_tqdm

            return _TqdmBar(console_tqdm(total=total, desc=text, unit=unit, file=self.file, leave=True, dynamic_ncols=True))
        return _LineBar(self, total, text, unit)

    def line(self, text: str) -> None:
        print("  " * self.depth + text, file=self.file, flush=True)


class _TqdmBar(Bar):
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def describe(self, text: str) -> None:
        self._bar.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        self._bar.close()


class _LineBar(Bar):
    """A bar for logs: a whole line every :data:`LINE_INTERVAL` seconds and at the end, never ``\\r``."""

    def __init__(self, progress: ConsoleProgress, total: int, text: str, unit: str) -> None:
        self.progress, self.total, self.text, self.unit = progress, total, text, unit
        self.done, self.extra = 0, ""
        self.last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.last >= LINE_INTERVAL:
            self._print()

    def describe(self, text: str) -> None:
        self.extra = text

    def close(self) -> None:
        self._print()

    def _print(self) -> None:
        self.last = time.monotonic()
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        extra = f"  {self.extra}" if self.extra else ""
        self.progress.line(f"{self.text}: {self.done:,}/{self.total:,} {self.unit}{share}{extra}")


class TrainingProgress(Callback):
    """A training run on a :class:`Progress`: a bar over the steps and a line per validation round."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._bar: Bar | None = None
        self._shown = 0

    def on_step(self, event: StepEvent) -> None:
        if self._bar is None:
            self._bar = self.progress.bar(event.total_steps, "Training", "step")
        self._bar.update(event.step - self._shown)
        self._shown = event.step
        self._bar.describe(f"loss {event.loss:.4f} · {event.examples_per_second:.0f} ex/s · eta {duration(event.eta)}")

    def on_epoch(self, event: EpochEvent) -> None:
        self.progress.line(describe_round(event))

    def on_note(self, text: str) -> None:
        self.progress.line(text)

    def on_end(self, result: Any) -> None:
        self.finish()

    def finish(self) -> None:
        """Close the step bar: called when the loop ends, before the head refits say their own lines."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def describe_round(event: EpochEvent) -> str:
    """A validation round in words, saying what the kept round's choice compares.

    >>> e = EpochEvent(4, 40, 0.3, 0.5, 0.96, 0.9619, 3, 12.0, 4.0, 0.9650)
    >>> describe_round(e)
    'epoch 4: validation macro-F1 0.9619, accuracy 0.9600; keeping epoch 3 (macro-F1 averaged with its neighbours: 0.9650)'
    """
    if event.epoch == 0:
        return f"Before training: validation macro-F1 {event.val_macro_f1:.4f}, accuracy {event.val_accuracy:.4f}"
    unit = round_unit(event)
    kept = f"this {unit}" if event.kept_epoch == event.epoch else f"{unit} {event.kept_epoch}"
    smoothed = "" if event.smoothed_macro_f1 != event.smoothed_macro_f1 else f" (macro-F1 averaged with its neighbours: {event.smoothed_macro_f1:.4f})"
    seen = "" if unit == "epoch" else f" ({event.epochs_seen:.2f} epochs)"
    return (
        f"{unit} {event.epoch}{seen}: validation macro-F1 {event.val_macro_f1:.4f}, accuracy {event.val_accuracy:.4f}; "
        f"keeping {kept}{smoothed}"
    )


def round_unit(event: EpochEvent) -> str:
    """``"epoch"`` when validation rounds are whole epochs (small data), else ``"round"``."""
    return "epoch" if abs(event.epochs_seen - event.epoch) < 1e-6 else "round"


def resolve_progress(progress: bool | Progress | None) -> Progress:
    """``True``/``None`` → the console progress, ``False`` → silent, a :class:`Progress` as given."""
    if isinstance(progress, Progress):
        return progress
    return Silent() if progress is False else ConsoleProgress()


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"
