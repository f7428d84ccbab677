"""The one render loop: the explorer's window, the demo and offline video frames all run it.

`run(window, clock, app)` polls the window's events, asks the clock for
(t, dt), calls `app.update(t, dt)`, lets the app draw and swaps what it
drew: no caller times, pumps or swaps itself.

As in moderngl-window, the loop does not read the time itself: an injected
clock hands each frame its time t (seconds since the loop began) and the
step dt since the frame before, then paces the loop. A window runs on
`RealTime`, which waits out the rest of each frame where vsync does not
(Xvfb, software GL) so that idle frames leave the CPU to compute; offline
frames run on `FixedStep`, frame i at exactly i / fps however long drawing
it took.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from viz.signals import raise_if_stopped


class Clock(Protocol):
    """Times the loop's frames and paces them."""

    def start(self) -> None:
        """The loop begins: t counts from here."""

    def tick(self) -> tuple[float, float]:
        """(t, dt) of the frame about to be drawn; dt is 0 for the first."""

    def pace(self) -> None:
        """The frame is done: wait as long as this clock wants before the next."""


class RealTime:
    """Wall-clock time from `now`, at most `fps` frames per second; `wait(seconds)` spends the spare time."""

    def __init__(self, fps: float, wait: Callable[[float], object] = time.sleep,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.fps = fps
        self.wait = wait
        self.now = now
        self._start = self._frame = 0.0
        self._last: float | None = None

    def start(self) -> None:
        self._start = self.now()
        self._last = None

    def tick(self) -> tuple[float, float]:
        self._frame = self.now()
        dt = 0.0 if self._last is None else self._frame - self._last
        self._last = self._frame
        return self._frame - self._start, dt

    def pace(self) -> None:
        spare = 1.0 / self.fps - (self.now() - self._frame)
        if spare > 0:
            self.wait(spare)

    @property
    def elapsed(self) -> float:
        """Seconds since the loop began."""
        return self.now() - self._start


class FixedStep:
    """Frame i at t = i / fps, whatever the wall clock says: for frames drawn offline."""

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self._index = 0

    def start(self) -> None:
        self._index = 0

    def tick(self) -> tuple[float, float]:
        index, self._index = self._index, self._index + 1
        return index / self.fps, 0.0 if index == 0 else 1.0 / self.fps

    def pace(self) -> None:
        pass

    def frame_index(self, t: float) -> int:
        """The frame number whose time is t."""
        return round(t * self.fps)


class Window(Protocol):
    """What the loop drives: a glfw window (viz.display.glwindow.GlWindow) or `Offscreen`."""

    should_close: bool

    def poll(self) -> None: ...

    def swap(self) -> None: ...


class App(Protocol):
    """What the loop runs: the explorer's session, a demo player, offline video frames."""

    def update(self, t: float, dt: float) -> None:
        """Everything but drawing, at time t, dt after the frame before."""

    def draw(self) -> bool:
        """Draw the frame if it is due; whether it drew (only then is it swapped)."""


class Offscreen:
    """The window of frames drawn offline: nothing to poll, nothing to swap, never closed."""

    should_close = False

    def poll(self) -> None:
        pass

    def swap(self) -> None:
        pass


def run(window: Window, clock: Clock, app: App, frames: int | None = None) -> int:
    """Poll, update, draw and swap until the window closes (or `frames` frames); the number of frames run.

    The clock alone says t and dt, and paces the loop. A SIGTERM whose
    exception was lost still stops the loop, before the next frame.
    """
    clock.start()
    count = 0
    while not window.should_close and (frames is None or count < frames):
        raise_if_stopped()
        window.poll()
        t, dt = clock.tick()
        app.update(t, dt)
        if app.draw():
            window.swap()
        count += 1
        clock.pace()
    return count
