"""The train panel without a browser: set the traits the way the front end does, check Python state."""

from __future__ import annotations

import threading
import time

import pytest

from nbtrain.training.callbacks import EpochEvent, StepEvent
from nbtrain.widgets.train_panel import TrainPanel


def fake_runner(steps: int = 20, gate: threading.Event | None = None):
    """Emits step and epoch events like the trainer and honours the stop signal."""

    def run(callbacks, stop):
        for step in range(1, steps + 1):
            if gate is not None:
                gate.wait(5)
            for cb in callbacks:
                event = StepEvent(step, steps, 1 + (step - 1) // 10, -(-steps // 10), 1.0 / step, step * 0.1, 16.0, (steps - step) * 0.1)
                cb.on_step(event)
            if step % 10 == 0 or stop.is_set():
                for cb in callbacks:
                    cb.on_epoch(EpochEvent(step // 10, step, 0.5, 0.4, 0.8, 0.5 + step / 100, step // 10, step * 0.1))
            if stop.is_set():
                return {"stopped_at": step}
        return {"stopped_at": None}

    return run


def test_start_click_trains_in_a_thread_and_streams_progress():
    panel = TrainPanel(fake_runner(), min_interval=0.0)
    assert panel.epochs == 0, "unknown until the run reports its epoch count"
    done = []
    panel.on_done.append(done.append)
    panel.start_clicks += 1  # what the front end's Start button does
    result = panel.wait(10)
    assert result == {"stopped_at": None}
    assert done == [result]
    assert panel.status == "done"
    assert panel.step == panel.total_steps == 20
    assert panel.epochs == 2
    assert [p[0] for p in panel.loss_points] == list(range(1, 21))
    assert panel.val_points == [[10, 0.6], [20, 0.7]], "validation points sit at their step"
    assert panel.speed == 16.0


def test_stop_click_reaches_python_while_training_runs():
    gate = threading.Event()
    panel = TrainPanel(fake_runner(steps=100, gate=gate), epochs=10, min_interval=0.0)
    panel.start()
    deadline = time.monotonic() + 5
    while panel.status != "preparing" and time.monotonic() < deadline:
        time.sleep(0.01)
    panel.stop_clicks += 1  # the Stop button, while the run thread waits
    assert panel.status == "stopping"
    gate.set()
    assert panel.wait(10) == {"stopped_at": 1}
    assert panel.status == "done"


def test_progress_is_throttled_but_the_last_step_always_arrives():
    panel = TrainPanel(fake_runner(steps=50), epochs=5, min_interval=60.0)
    panel.start()
    panel.wait(10)
    assert panel.step == 50
    assert len(panel.loss_points) == 50, "throttled updates still carry every step's loss"


def test_an_error_is_shown_not_lost():
    def broken(callbacks, stop):
        raise RuntimeError("CUDA out of memory")

    panel = TrainPanel(broken, epochs=1)
    panel.start()
    panel.wait(10)
    assert panel.status == "error"
    assert "RuntimeError: CUDA out of memory" in panel.message
    assert isinstance(panel.error, RuntimeError)


def test_a_second_start_while_running_is_ignored():
    gate = threading.Event()
    calls = []

    def runner(callbacks, stop):
        calls.append(1)
        gate.wait(5)
        return "ok"

    panel = TrainPanel(runner, epochs=1)
    panel.start()
    panel.start_clicks += 1
    gate.set()
    assert panel.wait(10) == "ok"
    assert calls == [1]


def test_widget_state_changes_only_on_the_main_thread_and_a_stop_is_never_undone():
    """The training thread floods step updates while Stop is pressed: every trait change happens
    on the thread that applies the updates, and once stopping, the status only moves to done."""
    main = threading.get_ident()
    seen: list[tuple[str, int]] = []

    def until_stopped(callbacks, stop):
        step = 0
        while not stop.is_set() and step < 100_000:
            step += 1
            for cb in callbacks:
                cb.on_step(StepEvent(step, 100_000, 1, 1, 0.5, 0.1, 16.0, 1.0))
            time.sleep(0.0005)
        return step

    panel = TrainPanel(until_stopped, min_interval=0.0)
    panel.observe(lambda change: seen.append((change["new"], threading.get_ident())), names=["status", "step"])
    panel.start()
    deadline = time.monotonic() + 10
    while panel.step < 50 and time.monotonic() < deadline:
        panel.apply_updates()
    panel.stop()
    panel.wait(10)
    assert {thread for _, thread in seen} == {main}
    statuses = [value for value, _ in seen if isinstance(value, str)]
    assert statuses[-2:] == ["stopping", "done"]
    assert "running" not in statuses[statuses.index("stopping") :]


def test_only_new_points_travel_and_a_new_view_gets_the_history(monkeypatch):
    sent: list[dict] = []
    panel = TrainPanel(fake_runner(steps=30), min_interval=0.0)
    monkeypatch.setattr(panel, "send", sent.append)
    panel.start()
    panel.wait(10)
    points = [m for m in sent if m["type"] == "points"]
    assert sum(len(m["loss"]) for m in points) == 30
    assert max(len(m["loss"]) for m in points) < 30, "not the whole curve each time"
    panel._message(panel, {"type": "history"}, [])
    assert sent[-1] == {"type": "history", "loss": panel.loss_points, "val": panel.val_points}
    assert len(sent[-1]["loss"]) == 30


@pytest.mark.parametrize("name", ["train_panel.js", "train_panel.css"])
def test_front_end_files_ship_with_the_package(name):
    from nbtrain.widgets import train_panel

    path = train_panel._STATIC / name
    assert path.is_file()
    source = path.read_text()
    assert "http" not in source.replace("http://www.w3.org/2000/svg", ""), "no CDN: works offline"


def until_stopped(callbacks, stop):
    """A run that goes on until it is stopped (or 30 s pass), then says how it ended."""
    deadline = time.monotonic() + 30
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    return stop.reason or "ran out"


def test_interrupting_a_waiting_cell_stops_the_run_and_returns_its_result(request):
    import _thread
    import signal

    # Python's own Ctrl-C handler, whatever an earlier test (a browser, a server) installed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    panel = TrainPanel(until_stopped, min_interval=0.0)
    panel.start()
    threading.Timer(0.3, _thread.interrupt_main).start()  # what Kernel → Interrupt sends
    assert panel.wait(20) == "stopped by the user"
    assert panel.status == "done"


def test_awaiting_the_run_leaves_the_loop_free_for_a_stop_click():
    import asyncio

    panel = TrainPanel(until_stopped, min_interval=0.0)

    async def cell():
        panel.start()
        asyncio.get_running_loop().call_later(0.3, lambda: setattr(panel, "stop_clicks", 1))
        return await panel.wait_async(20)

    # A loop of its own, on its own thread: the browser tests' Playwright keeps one running here.
    waited: list[object] = []
    thread = threading.Thread(target=lambda: waited.append(asyncio.run(cell())))
    thread.start()
    thread.join(30)
    assert waited == ["stopped by the user"]
    assert panel.status == "done"
