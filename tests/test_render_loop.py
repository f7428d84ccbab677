"""The one render loop: times from the injected clock, pacing, poll/update/draw/swap, and where it stops."""
from __future__ import annotations

from viz.display.loop import FixedStep, Offscreen, RealTime, run


class FakeTime:
    """A clock that moves only when told: `cost` seconds per frame drawn, and whatever is waited."""

    def __init__(self) -> None:
        self.now = 10.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class FakeWindow:
    """Counts polls and swaps; closes after `frames` polls when asked to."""

    def __init__(self, close_after: int | None = None) -> None:
        self.calls: list[str] = []
        self.close_after = close_after

    @property
    def should_close(self) -> bool:
        return self.close_after is not None and self.calls.count("poll") >= self.close_after

    def poll(self) -> None:
        self.calls.append("poll")

    def swap(self) -> None:
        self.calls.append("swap")


class App:
    """Records what the loop handed it; draws every `every`-th frame."""

    def __init__(self, on_update=None, every: int = 1, window: FakeWindow | None = None) -> None:
        self.seen: list[tuple[float, float]] = []
        self.on_update = on_update
        self.every = every
        self.window = window

    def update(self, t: float, dt: float) -> None:
        if self.window is not None:
            self.window.calls.append("update")
        self.seen.append((t, dt))
        if self.on_update is not None:
            self.on_update(t, dt)

    def draw(self) -> bool:
        if self.window is not None:
            self.window.calls.append("draw")
        return len(self.seen) % self.every == 0


def test_offline_frames_are_at_exact_steps_whatever_the_wall_clock():
    clock = FixedStep(30.0)
    app = App()
    assert run(Offscreen(), clock, app, frames=91) == 91
    assert [clock.frame_index(t) for t, _ in app.seen] == list(range(91))
    assert app.seen[0] == (0.0, 0.0) and app.seen[45] == (45 / 30.0, 1 / 30.0)


def test_fixed_step_frame_numbers_survive_odd_rates():
    clock = FixedStep(29.97)
    times = [clock.tick()[0] for _ in range(100_000)]
    assert [clock.frame_index(t) for t in times] == list(range(100_000))


def test_each_frame_polls_then_updates_then_draws_and_swaps_only_what_was_drawn():
    window = FakeWindow()
    run(window, FixedStep(10.0), App(every=2, window=window), frames=3)
    assert window.calls == ["poll", "update", "draw", "poll", "update", "draw", "swap", "poll", "update", "draw"]


def test_real_time_gives_time_since_start_and_waits_out_the_rest_of_each_frame():
    fake = FakeTime()
    clock = RealTime(50.0, fake.wait, fake)
    app = App()

    def cost(_t: float, _dt: float) -> None:
        fake.now += 0.005 if len(app.seen) < 3 else 0.05  # two quick frames, then slow ones

    app.on_update = cost
    assert run(FakeWindow(), clock, app, frames=4) == 4
    assert [(round(t, 9), round(dt, 9)) for t, dt in app.seen] == [(0.0, 0.0), (0.02, 0.02), (0.04, 0.02),
                                                                   (0.09, 0.05)]
    assert [round(w, 9) for w in fake.waits] == [0.015, 0.015]  # a slow frame is not waited after
    assert round(clock.elapsed, 9) == 0.14


def test_the_loop_stops_when_the_window_closes_and_starts_afresh():
    clock = FixedStep(10.0)
    assert run(FakeWindow(close_after=3), clock, App()) == 3
    again = App()
    assert run(FakeWindow(close_after=2), clock, again) == 2
    assert again.seen[0] == (0.0, 0.0)


def test_a_sigterm_whose_exception_was_dropped_still_stops_the_loop_before_the_next_frame(monkeypatch):
    import signal

    import pytest

    from viz import signals

    monkeypatch.setattr(signals, "_received", [])
    app = App()

    def update(_t: float, _dt: float) -> None:
        if len(app.seen) == 3:  # as logging's at-fork hook does with a handler's exception
            try:
                signals._on_term(signal.SIGTERM, None)
            except signals.Terminated:
                pass

    app.on_update = update
    with pytest.raises(signals.Terminated):
        run(Offscreen(), FixedStep(30.0), app, frames=10)
    assert len(app.seen) == 3
    assert signals.interrupted_status() == 128 + signal.SIGTERM
