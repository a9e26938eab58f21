"""The live training panel: Start and Stop buttons, progress, and a loss/validation chart.

Training runs in a background thread so the kernel stays free: the Stop button's click reaches
Python while training runs, sets a :class:`~nbtrain.training.callbacks.StopSignal`, and the trainer
keeps the best epoch so far. Progress flows one way, from trainer callbacks into synced traits,
throttled so the front end is not flooded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.result import TrainResult

Runner = Callable[[Sequence[Callback], StopSignal], Any]
_STATIC = Path(__file__).parent / "static"


class TrainPanel(anywidget.AnyWidget):
    """Start/stop a training run and watch it live.

    ``runner(callbacks, stop)`` does the work (for example ``nbtrain.run`` with the dataset bound)
    and returns its result, which lands in ``.result``; functions in ``on_done`` are then called
    with it. The buttons work in Python too: ``panel.start()``, ``panel.stop()``.

    ``epochs`` is shown until the first step reports the run's own count (automatic by default).

    >>> panel = TrainPanel(lambda cb, stop: nbtrain.run(ds, callbacks=cb, stop=stop))  # doctest: +SKIP
    """

    _esm = _STATIC / "train_panel.js"
    _css = _STATIC / "train_panel.css"

    status = traitlets.Unicode("idle").tag(sync=True)
    message = traitlets.Unicode("Press Start to train.").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    total_steps = traitlets.Int(0).tag(sync=True)
    epoch = traitlets.Int(0).tag(sync=True)
    epochs = traitlets.Int(0).tag(sync=True)
    loss: traitlets.List[list[float]] = traitlets.List([]).tag(sync=True)
    val: traitlets.List[list[float]] = traitlets.List([]).tag(sync=True)
    elapsed = traitlets.Float(0.0).tag(sync=True)
    eta = traitlets.Float(-1.0).tag(sync=True)
    speed = traitlets.Float(0.0).tag(sync=True)
    start_clicks = traitlets.Int(0).tag(sync=True)
    stop_clicks = traitlets.Int(0).tag(sync=True)

    def __init__(self, runner: Runner, *, epochs: int | None = None, min_interval: float = 0.25) -> None:
        super().__init__(epochs=epochs or 0)
        self._runner = runner
        self._min_interval = min_interval
        self._signal = StopSignal()
        self._thread: threading.Thread | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.on_done: list[Callable[[Any], None]] = []
        self.observe(lambda _: self.start(), names="start_clicks")
        self.observe(lambda _: self.stop(), names="stop_clicks")

    def start(self) -> None:
        """Start training in a background thread (ignored while a run is going)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._signal = StopSignal()
        self.result, self.error = None, None
        with self.hold_sync():
            self.status, self.message = "preparing", "Embedding the data and fitting the baseline ..."
            self.step, self.total_steps, self.epoch, self.loss, self.val = 0, 0, 0, [], []
            self.elapsed, self.eta, self.speed = 0.0, -1.0, 0.0
        self._thread = threading.Thread(target=self._work, name="nbtrain-train", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop after the current step; the best model so far is kept."""
        if self.status in ("running", "preparing"):
            self._signal.set("stopped by the user")
            self.status, self.message = "stopping", "Stopping after this step; keeping the best epoch ..."

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the run ends (for scripts and tests); returns ``.result``."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    def _work(self) -> None:
        try:
            self.result = self._runner([_PanelCallback(self)], self._signal)
        except Exception as err:  # the panel shows it; the kernel must not lose the thread silently
            self.error = err
            self.status, self.message = "error", f"Training failed: {type(err).__name__}: {err}"
            return
        result = getattr(self.result, "result", self.result)
        with self.hold_sync():
            self.status = "done"
            self.message = _done_message(result) if isinstance(result, TrainResult) else "Done."
        for callback in self.on_done:
            callback(self.result)


class _PanelCallback(Callback):
    """Copies trainer events into the panel's traits, at most every ``min_interval`` seconds."""

    def __init__(self, panel: TrainPanel) -> None:
        self.panel = panel
        self.last = 0.0
        self.pending: list[list[float]] = []

    def on_step(self, event: StepEvent) -> None:
        self.pending.append([event.step, round(event.loss, 5)])
        now = time.monotonic()
        if now - self.last < self.panel._min_interval and event.step < event.total_steps:
            return
        self.last = now
        p = self.panel
        with p.hold_sync():
            if p.status == "preparing":
                p.status, p.message = "running", "Training ..."
            p.step, p.total_steps, p.epoch, p.epochs = event.step, event.total_steps, event.epoch, event.total_epochs
            p.loss = [*p.loss, *self.pending]
            p.elapsed, p.eta, p.speed = event.elapsed, event.eta, event.examples_per_second
        self.pending = []

    def on_epoch(self, event: EpochEvent) -> None:
        p = self.panel
        with p.hold_sync():
            p.val = [*p.val, [event.epoch, round(event.val_macro_f1, 5)]]
            p.epoch = event.epoch
            best = " (best so far)" if event.kept_epoch == event.epoch else f" (keeping epoch {event.kept_epoch} so far)"
            if p.status != "stopping":
                p.message = f"Epoch {event.epoch}: validation macro-F1 {event.val_macro_f1:.3f}{best}"


def _done_message(result: TrainResult) -> str:
    why = f" ({result.stopped})" if result.stopped else ""
    start = result.history.iloc[0]["val_macro_f1"]
    return (
        f"Done in {result.seconds:.0f} s{why}. Kept epoch {result.best_epoch}; validation macro-F1 "
        f"{result.validation.macro_f1:.3f} (before training {start:.3f})."
    )
