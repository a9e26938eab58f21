"""The live training panel: Start and Stop buttons, progress, and a loss/validation chart.

Training runs in a background thread so the kernel stays free and the Stop button's click reaches
Python while training runs. The thread never touches a widget: trainer events go into a queue, and
the kernel's own event loop (or :meth:`TrainPanel.wait`, in a script) applies them on the main
thread, at most every ``min_interval`` seconds. Only new loss and validation points travel to the
browser (a custom message each), not the whole history; a newly displayed view asks for the
history once. Status changes have one rule, so a late progress update cannot undo a Stop.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from nbtrain.progress import round_unit
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal

Runner = Callable[[Sequence[Callback], StopSignal], Any]
_STATIC = Path(__file__).parent / "static"
#: The statuses, and which may follow which: a Stop ("stopping") is only left when the run ends.
_NEXT = {
    "idle": {"preparing"},
    "preparing": {"running", "stopping", "done", "error"},
    "running": {"stopping", "done", "error"},
    "stopping": {"done", "error"},
    "done": {"preparing"},
    "error": {"preparing"},
}


class TrainPanel(anywidget.AnyWidget):
    """Start/stop a training run and watch it live.

    ``runner(callbacks, stop)`` does the work (for example ``nbtrain.train`` with the dataset
    bound) and returns its result, which lands in ``.result``; functions in ``on_done`` are then
    called with it, on the main thread. The buttons work in Python too: ``panel.start()``,
    ``panel.stop()``. ``loss_points`` and ``val_points`` hold the whole curves.

    >>> panel = TrainPanel(lambda cb, stop: nbtrain.train(ds, callbacks=cb, stop=stop, progress=False))  # doctest: +SKIP
    """

    _esm = _STATIC / "train_panel.js"
    _css = _STATIC / "train_panel.css"

    status = traitlets.Unicode("idle").tag(sync=True)
    message = traitlets.Unicode("Press Start to train.").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    total_steps = traitlets.Int(0).tag(sync=True)
    epoch = traitlets.Int(0).tag(sync=True)
    epochs = traitlets.Int(0).tag(sync=True)
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
        self._updates: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._scheduled = threading.Event()
        self._loop = _kernel_loop()
        self.result: Any = None
        self.error: BaseException | None = None
        self.loss_points: list[list[float]] = []
        self.val_points: list[list[float]] = []
        self.on_done: list[Callable[[Any], None]] = []
        self.observe(lambda _: self.start(), names="start_clicks")
        self.observe(lambda _: self.stop(), names="stop_clicks")
        self.on_msg(self._message)

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start training in a background thread (ignored while a run is going)."""
        if self.running:
            return
        self._signal = StopSignal()
        self.result, self.error = None, None
        self.loss_points, self.val_points = [], []
        with self.hold_sync():
            self._set_status("preparing", "Embedding the data and fitting the baseline ...")
            self.step, self.total_steps, self.epoch = 0, 0, 0
            self.elapsed, self.eta, self.speed = 0.0, -1.0, 0.0
        self.send({"type": "reset"})
        self._thread = threading.Thread(target=self._work, name="nbtrain-train", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop after the current step; the best round so far is kept."""
        if self.status in ("running", "preparing"):
            self._signal.set("stopped by the user")
            self._set_status("stopping", "Stopping after this step; keeping the best round ...")

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the run ends and return ``.result``, applying its updates meanwhile.

        The panel keeps streaming while a cell waits. Whether its Stop button is heard depends on
        the kernel: ipykernel 6 (Colab) hands widget messages to a blocked cell through
        jupyter-ui-poll; ipykernel 7 handles them only while a cell awaits, so there write
        ``await panel.wait_async()``. Interrupting the cell (Kernel → Interrupt) always works:
        it stops the run like Stop does, keeps the best round and returns the result.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        poll = _ui_poll() if self._loop is not None else None
        try:
            while self.running and not _past(deadline):
                try:
                    if poll is not None:
                        poll.send(None)
                    self.apply_updates()
                    time.sleep(0.05)
                except KeyboardInterrupt:
                    self.stop()
            if self._thread is not None:
                self._thread.join(0 if deadline is None else max(0.0, deadline - time.monotonic()))
        finally:
            if poll is not None:
                poll.close()
        self.apply_updates()
        return self.result

    async def wait_async(self, timeout: float | None = None) -> Any:
        """Like :meth:`wait`, for ``await`` in a notebook cell: while it awaits, the kernel
        handles the panel's messages (Stop included) on every ipykernel from 7 on."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while self.running and not _past(deadline):
                self.apply_updates()
                await asyncio.sleep(0.05)
        except (KeyboardInterrupt, asyncio.CancelledError):
            self.stop()
            while self.running:
                await asyncio.sleep(0.05)
        self.apply_updates()
        return self.result

    def apply_updates(self) -> None:
        """Apply the trainer's queued updates to the widget (on the calling, main, thread)."""
        self._scheduled.clear()
        while True:
            try:
                update = self._updates.get_nowait()
            except queue.Empty:
                return
            update()

    def _post(self, update: Callable[[], None]) -> None:
        """From the training thread: queue an update and ask the kernel's loop to apply it."""
        self._updates.put(update)
        if self._loop is not None and not self._scheduled.is_set():
            self._scheduled.set()
            self._loop.add_callback(self.apply_updates)

    def _set_status(self, status: str, message: str | None = None) -> None:
        if status != self.status and status not in _NEXT[self.status]:
            return
        with self.hold_sync():
            self.status = status
            if message is not None:
                self.message = message

    def _message(self, _: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "history":
            self.send({"type": "history", "loss": self.loss_points, "val": self.val_points})

    def _points(self, loss: list[list[float]], val: list[list[float]]) -> None:
        self.loss_points += loss
        self.val_points += val
        self.send({"type": "points", "loss": loss, "val": val})

    def _work(self) -> None:
        try:
            result = self._runner([_PanelCallback(self)], self._signal)
        except Exception as err:  # the panel shows it; the kernel must not lose the thread silently
            error = err
            self._post(lambda: self._failed(error))
            return
        self._post(lambda: self._finished(result))

    def _failed(self, err: BaseException) -> None:
        self.error = err
        self._set_status("error", f"Training failed: {type(err).__name__}: {err}")

    def _finished(self, result: Any) -> None:
        self.result = result
        self._set_status("done", done_message(result))
        for callback in self.on_done:
            callback(result)


class _PanelCallback(Callback):
    """Turns trainer events (on the training thread) into queued panel updates, throttled."""

    def __init__(self, panel: TrainPanel) -> None:
        self.panel = panel
        self.last = 0.0
        self.pending: list[list[float]] = []

    def on_step(self, event: StepEvent) -> None:
        self.pending.append([event.step, round(event.loss, 5)])
        now = time.monotonic()
        if now - self.last < self.panel._min_interval and event.step < event.total_steps:
            return
        self.last, points, self.pending = now, self.pending, []
        panel = self.panel

        def update() -> None:
            panel._set_status("running", "Training ...")
            with panel.hold_sync():
                panel.step, panel.total_steps = event.step, event.total_steps
                panel.epoch, panel.epochs = event.epoch, event.total_epochs
                panel.elapsed, panel.eta, panel.speed = event.elapsed, event.eta, event.examples_per_second
            panel._points(points, [])

        panel._post(update)

    def on_epoch(self, event: EpochEvent) -> None:
        panel = self.panel
        unit = round_unit(event)
        kept = f"this {unit}" if event.kept_epoch == event.epoch else f"{unit} {event.kept_epoch}"
        text = (
            f"{unit.capitalize()} {event.epoch}: validation macro-F1 {event.val_macro_f1:.3f}; keeping {kept} "
            f"(macro-F1 averaged with its neighbours {event.smoothed_macro_f1:.3f})"
            if event.epoch
            else f"Before training: validation macro-F1 {event.val_macro_f1:.3f}"
        )

        def update() -> None:
            panel._points([], [[event.step, round(event.val_macro_f1, 5)]])
            if panel.status in ("preparing", "running"):
                panel.message = text

        panel._post(update)

    def on_note(self, text: str) -> None:
        panel = self.panel

        def update() -> None:
            if panel.status in ("preparing", "running"):
                panel.message = text

        panel._post(update)


def done_message(result: Any) -> str:
    """What the panel says when a run ends: total time (training, and the rest), the kept round, scores."""
    run = getattr(result, "result", result)
    history = getattr(run, "history", None)
    if history is None or not len(history):
        return "Done."
    start, summary = history.iloc[0]["val_macro_f1"], run.summary
    loop_seconds = float(history.iloc[-1]["elapsed"])
    why = f" ({run.stopped})" if run.stopped else ""
    return (
        f"Done in {run.seconds:.0f} s: {loop_seconds:.0f} s to the last validation round, then "
        f"{max(0.0, run.seconds - loop_seconds):.0f} s for the final heads{why}. Kept {round_unit(run_event(history))} {run.kept_epoch}. Validation macro-F1 "
        f"{summary.validation_macro_f1:.3f} with the head refitted on the trained embeddings "
        f"(before training {start:.3f})."
    )


def run_event(history: Any) -> EpochEvent:
    """The last row of a training history as the event it was."""
    return EpochEvent(**history.iloc[-1].to_dict())


def _kernel_loop() -> Any:
    """The kernel's event loop (tornado), or ``None`` outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(getattr(shell, "kernel", None), "io_loop", None)


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _ui_poll() -> Any:
    """A generator that lets the kernel handle pending widget messages each time it is advanced,
    or ``None`` where jupyter-ui-poll cannot (ipykernel 7 has no ``do_one_iteration``)."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    if not hasattr(kernel, "do_one_iteration"):
        return None
    try:
        from jupyter_ui_poll import ui_events
    except ImportError:
        return None

    def polling() -> Any:
        with ui_events() as poll:
            while True:
                yield
                poll(10)

    gen = polling()
    next(gen)
    return gen
