"""The hands-off demo: fullscreen, no HUD, zooming forever; Esc or Q quits.

Until the live pilot's first keyframe arrives, one line says what it is
doing (building or loading the kernel, mapping the plane) instead of a
blank screen.

Two players share one window loop (viz.display.loop.run). `Player` plays a zoom's keyframes in
and back out. `LivePlayer` flies live: a pilot thread (viz.video.autopilot)
sends keyframes towards points on the boundary, and the player zooms in as
fast as they arrive (at most one 2x per `seconds_per_2x`), flies back out
when a flight ends, and cross-fades to the next flight.

Frame i of a zoom is a pure function of i (zoompath), so a player picks i
from the clock: a slow frame skips ahead rather than slowing the zoom.
Equalising a segment's three layers is the only heavy step; `Player` does
it in a worker thread for the segments either side of the one playing.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol

import moderngl
import numpy as np

from viz.display.hud import Hud
from viz.display.loop import RealTime, run
from viz.display.renderer import Renderer
from viz.video.frames import ZoomFrames

#: Refresh rate assumed when the display does not report one.
DEFAULT_REFRESH = 60
#: Zoom frames per 2x of a live flight: its position is continuous, this only quantises it.
LIVE_FRAMES_PER_2X = 1000
#: A live flight flies back out this many times faster than in.
OUT_SPEEDUP = 3.0
#: Seconds of cross-fade from one live flight to the next.
FADE_SECONDS = 1.0


class Playing(Protocol):
    """What the window loop drives."""

    def update(self, t: float, dt: float) -> None: ...

    def draw(self, framebuffer: moderngl.Framebuffer, size: tuple[int, int]) -> None: ...

    @property
    def notice(self) -> str:
        """What the player waits for while it has nothing to show ("" while it shows a zoom)."""
        ...

    def close(self) -> None: ...


def pingpong(position: int, n_frames: int) -> int:
    """Frame shown at step `position` of an endless zoom in (0 .. n - 1) and back out."""
    if n_frames < 2:
        return 0
    cycle = 2 * (n_frames - 1)
    step = position % cycle
    return step if step < n_frames else cycle - step


class Player:
    """Plays a zoom's keyframes in and out, one zoom frame per display frame at `rate` frames per second."""

    def __init__(self, frames: ZoomFrames, rate: float) -> None:
        self.frames = frames
        self.rate = rate
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segments")
        self._pending: dict[int, Future] = {}
        self._segment: int | None = None
        self._t = 0.0

    def update(self, t: float, _dt: float) -> None:
        """The zoom frame is a pure function of t: a slow frame skips ahead."""
        self._t = t

    def draw(self, framebuffer: moderngl.Framebuffer, size: tuple[int, int] | None = None) -> int:
        """Draw the frame due at the time of the last update; returns its index."""
        if size is not None:
            self.frames.size = size
        path = self.frames.path
        index = pingpong(int(self._t * self.rate), path.n_frames)
        segment = path.view_at(index).keyframe
        if segment != self._segment:
            ready = self._pending.pop(segment, None)
            self.frames.show_segment(segment, ready.result() if ready is not None else None)
            self._segment = segment
            self._prefetch(segment)
        self.frames.draw(framebuffer, index)
        return index

    @property
    def notice(self) -> str:
        """Never waiting: a recorded zoom's keyframes are all on disk."""
        return ""

    def _prefetch(self, segment: int) -> None:
        """Prepare both neighbours (the zoom may be on its way in or out); forget the rest."""
        wanted = {k for k in (segment - 1, segment + 1) if 0 <= k < self.frames.path.n_keyframes}
        for k in set(self._pending) - wanted:
            self._pending.pop(k).cancel()
        for k in wanted - set(self._pending):
            self._pending[k] = self._pool.submit(self.frames.segment_levels, k)

    def close(self) -> None:
        """Stop the worker (a segment in progress finishes; queued ones are dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.frames.release()


class Flight:
    """One live flight: its keyframe spec, the keyframes received so far, and where the view is."""

    def __init__(self, spec) -> None:
        self.spec = spec
        self.measures: list[np.ndarray] = []
        self.ended = False
        self.position = 0.0  # in keyframes: 0 = the outer one
        self.outbound = False
        self.frames: ZoomFrames | None = None

    def step(self, dt: float, speed: float) -> None:
        """Move in (as far as the keyframes allow, slowing as it nears the last) or back out."""
        last = len(self.measures) - 1
        if not self.outbound:
            lead = last - self.position
            self.position = min(last, self.position + dt * speed * min(1.0, max(lead, 0.0)))
            if self.ended and last - self.position < 1e-3:
                self.outbound = True
        else:
            self.position = max(0.0, self.position - dt * speed * OUT_SPEEDUP)

    @property
    def back_home(self) -> bool:
        return self.outbound and self.position <= 0.0

    def draw(self, renderer: Renderer, framebuffer: moderngl.Framebuffer, size: tuple[int, int]) -> None:
        """Draw the flight's current view (rebuilding its frames when a keyframe has arrived)."""
        if self.frames is None or self.frames.path.n_keyframes != len(self.measures):
            if self.frames is not None:
                self.frames.release()
            first = self.spec.levels[0]
            arrived = replace(self.spec, levels=tuple(range(first, first + len(self.measures))))
            path = arrived.zoom_path(LIVE_FRAMES_PER_2X)
            self.frames = ZoomFrames(renderer, path, self.measures, "measure", size)
        self.frames.size = size
        index = min(round(self.position * LIVE_FRAMES_PER_2X), self.frames.path.n_frames - 1)
        self.frames.draw(framebuffer, index)

    def release(self) -> None:
        if self.frames is not None:
            self.frames.release()
            self.frames = None


class LivePlayer:
    """Flies the pilot's flights one after another, cross-fading between them."""

    def __init__(self, renderer: Renderer, pilot, seconds_per_2x: float) -> None:
        self.renderer = renderer
        self.pilot = pilot  # an autopilot.Pilot, closed with the player
        self.speed = 1.0 / seconds_per_2x
        self.flights: dict[int, Flight] = {}
        self.current: int | None = None
        self.fading: tuple[Flight, float] | None = None  # the previous flight, and when its fade began
        self._t = 0.0
        self._fade = renderer.programs.fullscreen("fade.frag.glsl")
        self._fade["u_frame"] = 0
        self._old: moderngl.Framebuffer | None = None
        self._status = "starting the engine..."  # the pilot's last "status" message

    @property
    def notice(self) -> str:
        """The pilot's status (building the kernel, mapping the plane) until the first keyframe is on screen."""
        flight = self.flights.get(self.current) if self.current is not None else None
        return "" if flight is not None and flight.measures else self._status

    def _receive(self) -> None:
        """Take what the pilot thread has computed since the last frame."""
        self.pilot.check()
        self._status = self.pilot.status
        for number, leg in list(self.pilot.flights.items()):
            if number not in self.flights:
                self.flights[number] = Flight(leg.spec)
            flight = self.flights[number]
            ended = leg.ended  # read first: once it is set, every keyframe is in the list
            flight.measures.extend(leg.keyframes[len(flight.measures):])
            flight.ended = ended

    def update(self, t: float, dt: float) -> None:
        """Take the pilot's news, move on to the next flight when this one is home, and fly."""
        self._t = t
        self._receive()
        if self.current is None or self.flights[self.current].back_home:
            self._next_flight(t)
        flight = self.flights.get(self.current) if self.current is not None else None
        if flight is not None and flight.measures:
            flight.step(dt, self.speed)

    def draw(self, framebuffer: moderngl.Framebuffer, size: tuple[int, int]) -> None:
        flight = self.flights.get(self.current) if self.current is not None else None
        if flight is None or not flight.measures:
            self.renderer.clear(framebuffer)
            return
        flight.draw(self.renderer, framebuffer, size)
        if self.fading is not None:
            self._draw_fade(framebuffer, size, self._t)

    def _next_flight(self, seconds: float) -> None:
        """Move on to the next flight once its first keyframe is here; the one before fades out."""
        following = 0 if self.current is None else self.current + 1
        nxt = self.flights.get(following)
        if nxt is None or not nxt.measures:
            return
        if self.current is not None:
            old = self.flights.pop(self.current)
            if self.fading is not None:
                self.fading[0].release()
            self.fading = (old, seconds)
            self.pilot.flew(self.current)
        self.current = following

    def _draw_fade(self, framebuffer: moderngl.Framebuffer, size: tuple[int, int], seconds: float) -> None:
        old, began = self.fading
        alpha = 1.0 - (seconds - began) / FADE_SECONDS
        if alpha <= 0.0:
            old.release()
            self.fading = None
            return
        ctx = self.renderer.ctx
        if self._old is None or self._old.size != size:
            if self._old is not None:
                self._old.release()
            self._old = ctx.framebuffer(color_attachments=[ctx.texture(size, 3)])
        old.draw(self.renderer, self._old, size)
        self._fade["u_alpha"] = float(alpha)
        self._fade.draw(framebuffer, [(self._old.color_attachments[0], 0)], blend=True)

    def close(self) -> None:
        """Stop the pilot at once (mid-kernel is fine: it keeps nothing) and free the GL objects."""
        self.pilot.close()
        for flight in list(self.flights.values()) + ([self.fading[0]] if self.fading else []):
            flight.release()
        if self._old is not None:
            self._old.color_attachments[0].release()
            self._old.release()
        self._fade.release()


class _Show:
    """The demo as the render loop's app: the player's frame and, while it waits, one line saying why."""

    def __init__(self, window, ctx: moderngl.Context, hud: Hud, player: Playing) -> None:
        self.window, self.ctx, self.hud, self.player = window, ctx, hud, player
        self.drawn = 0

    def update(self, t: float, dt: float) -> None:
        self.player.update(t, dt)

    def draw(self) -> bool:
        width, height = self.window.framebuffer_size
        if width and height:
            self.ctx.screen.viewport = (0, 0, width, height)
            self.player.draw(self.ctx.screen, (width, height))
            if self.player.notice:  # instead of a silent blank screen while the pilot prepares
                self.hud.draw([self.player.notice], None, False)
            self.drawn += 1
        return True


def run_demo(make_player: Callable[[Renderer, float], tuple[Playing, str]], fullscreen: bool = True,
             size: tuple[int, int] = (1280, 720),
             clock: Callable[[], float] = time.perf_counter) -> tuple[int, float]:
    """Open the window and play until Esc, Q or the window closes; returns (frames drawn, seconds).

    `make_player(renderer, refresh_rate)` gives the player and a line saying
    what it plays; it is called once the window exists, since the pace of a
    keyframe zoom depends on the display's refresh rate.
    """
    import glfw

    from viz.display.glwindow import GlWindow

    window = GlWindow(size, "nnfractal demo", fullscreen, vsync=True)
    glfw.set_input_mode(window.handle, glfw.CURSOR, glfw.CURSOR_HIDDEN)
    refresh = window.refresh_rate or DEFAULT_REFRESH
    ticks = RealTime(refresh, time.sleep, clock)  # sleeps where vsync does not pace us (software GL)
    player = hud = show = None
    try:
        ctx = moderngl.create_context()
        hud = Hud(window.handle)
        player, what = make_player(Renderer(ctx), float(refresh))
        glfw.set_key_callback(window.handle, _quit_on_escape)
        width, height = window.framebuffer_size
        print(f"demo: {what}, {'fullscreen' if fullscreen else 'window'} {width}x{height} at {refresh:g} Hz; "
              "Esc or Q quits", flush=True)
        show = _Show(window, ctx, hud, player)
        run(window, ticks, show)
    finally:
        if player is not None:
            player.close()
        if hud is not None:
            hud.shutdown()
        window.close()
    return (show.drawn if show is not None else 0), ticks.elapsed


def _quit_on_escape(window, key: int, _scancode: int, action: int, _mods: int) -> None:
    import glfw

    if action == glfw.PRESS and key in (glfw.KEY_ESCAPE, glfw.KEY_Q):
        glfw.set_window_should_close(window, True)
