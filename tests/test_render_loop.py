"""The one render loop: times from the injected clock, pacing, and where it stops."""
from __future__ import annotations

from viz.display.loop import FixedStep, RealTime, run_loop


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


def test_offline_frames_are_at_exact_steps_whatever_the_wall_clock():
    clock = FixedStep(30.0)
    seen = []
    assert run_loop(clock, lambda t, dt: seen.append((clock.frame_index(t), t, dt)), frames=91) == 91
    assert [i for i, _, _ in seen] == list(range(91))
    assert seen[0][1:] == (0.0, 0.0) and seen[45][1:] == (45 / 30.0, 1 / 30.0)


def test_fixed_step_frame_numbers_survive_odd_rates():
    clock = FixedStep(29.97)
    times = [clock.tick()[0] for _ in range(100_000)]
    assert [clock.frame_index(t) for t in times] == list(range(100_000))


def test_real_time_gives_time_since_start_and_waits_out_the_rest_of_each_frame():
    fake = FakeTime()
    clock = RealTime(50.0, fake.wait, fake)
    seen = []

    def frame(t: float, dt: float) -> None:
        seen.append((round(t, 9), round(dt, 9)))
        fake.now += 0.005 if len(seen) < 3 else 0.05  # two quick frames, then slow ones

    assert run_loop(clock, frame, frames=4) == 4
    assert seen == [(0.0, 0.0), (0.02, 0.02), (0.04, 0.02), (0.09, 0.05)]
    assert [round(w, 9) for w in fake.waits] == [0.015, 0.015]  # a slow frame is not waited after
    assert round(clock.elapsed, 9) == 0.14


def test_the_loop_stops_when_running_says_so_and_starts_afresh():
    clock = FixedStep(10.0)
    left = [3]

    def frame(_t: float, _dt: float) -> None:
        left[0] -= 1

    assert run_loop(clock, frame, lambda: left[0] > 0) == 3
    left[0] = 2
    first = []
    assert run_loop(clock, lambda t, dt: (first.append((t, dt)), frame(t, dt)), lambda: left[0] > 0) == 2
    assert first[0] == (0.0, 0.0)


def test_a_sigterm_whose_exception_was_dropped_still_stops_the_loop_before_the_next_frame(monkeypatch):
    import signal

    import pytest

    from viz import signals

    monkeypatch.setattr(signals, "_received", [])
    drawn = []

    def frame(_t: float, _dt: float) -> None:
        drawn.append(len(drawn))
        if len(drawn) == 3:  # as logging's at-fork hook does with a handler's exception
            try:
                signals._on_term(signal.SIGTERM, None)
            except signals.Terminated:
                pass

    with pytest.raises(signals.Terminated):
        run_loop(FixedStep(30.0), frame, frames=10)
    assert drawn == [0, 1, 2]
    assert signals.interrupted_status() == 128 + signal.SIGTERM
