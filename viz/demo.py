"""The hands-off demo: a zoom's keyframes played fullscreen at the display rate, in and out forever.

Frame i of the zoom is a pure function of i (zoompath), so the demo picks
i from the clock: a slow frame skips ahead rather than slowing the zoom.
The path's pace is one zoom frame per display frame at the display's
refresh rate. Equalising a segment's three layers is the only heavy step
(a few sorts and interpolations on the CPU); it runs in a worker thread for
the segments on either side of the one playing, so a segment change costs
only a texture upload.
"""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import moderngl

from viz.errors import UsageError
from viz.renderer import Renderer
from viz.zoomvideo import ZoomFrames

#: Refresh rate assumed when the display does not report one.
DEFAULT_REFRESH = 60


def pingpong(position: int, n_frames: int) -> int:
    """Frame shown at step `position` of an endless zoom in (0 .. n - 1) and back out."""
    if n_frames < 2:
        return 0
    cycle = 2 * (n_frames - 1)
    step = position % cycle
    return step if step < n_frames else cycle - step


class Player:
    """Keeps a ZoomFrames' segments ready and draws the frame the clock asks for."""

    def __init__(self, frames: ZoomFrames, rate: float) -> None:
        self.frames = frames
        self.rate = rate
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segments")
        self._pending: dict[int, Future] = {}
        self._segment: int | None = None

    def draw(self, framebuffer: moderngl.Framebuffer, seconds: float) -> int:
        """Draw the frame due `seconds` after the start; returns its index."""
        path = self.frames.path
        index = pingpong(int(seconds * self.rate), path.n_frames)
        segment = path.view_at(index).keyframe
        if segment != self._segment:
            ready = self._pending.pop(segment, None)
            self.frames.show_segment(segment, ready.result() if ready is not None else None)
            self._segment = segment
            self._prefetch(segment)
        self.frames.draw(framebuffer, index)
        return index

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


def open_fullscreen(title: str, fullscreen: bool, size: tuple[int, int]):
    """A glfw window with an OpenGL 3.3 core context, fullscreen on the primary monitor unless told not."""
    import glfw

    glfw.ERROR_REPORTING = "raise"
    try:
        if not glfw.init():
            raise UsageError("cannot start glfw (no display?)")
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        monitor = glfw.get_primary_monitor() if fullscreen else None
        refresh = DEFAULT_REFRESH
        if monitor is not None:
            mode = glfw.get_video_mode(monitor)
            size = (mode.size.width, mode.size.height)
            refresh = mode.refresh_rate or DEFAULT_REFRESH
        window = glfw.create_window(size[0], size[1], title, monitor, None)
    except glfw.GLFWError as exc:
        glfw.terminate()
        raise UsageError(f"cannot open a window: {exc}".splitlines()[0]) from None
    glfw.make_context_current(window)
    glfw.swap_interval(1)
    glfw.set_input_mode(window, glfw.CURSOR, glfw.CURSOR_HIDDEN)
    return window, refresh


def run_demo(make_frames: Callable[[Renderer, tuple[int, int], int], ZoomFrames], seconds_per_2x: float,
             fullscreen: bool = True, size: tuple[int, int] = (1280, 720),
             clock: Callable[[], float] = time.perf_counter) -> tuple[int, float]:
    """Play until Esc, Q or the window closes; returns (frames drawn, seconds).

    `make_frames(renderer, framebuffer_size, frames_per_2x)` builds the
    ZoomFrames once the window exists: the path's pace depends on the
    display's refresh rate, known only then (frames_per_2x = rate * seconds_per_2x).
    """
    import glfw

    window, refresh = open_fullscreen("nnfractal demo", fullscreen, size)
    player = None
    drawn = 0
    start = clock()
    try:
        ctx = moderngl.create_context()
        renderer = Renderer(ctx)
        rate = float(refresh)
        frames = make_frames(renderer, glfw.get_framebuffer_size(window), max(1, round(rate * seconds_per_2x)))
        player = Player(frames, rate)
        glfw.set_key_callback(window, _quit_on_escape)
        width, height = glfw.get_framebuffer_size(window)
        print(f"demo: {frames.path.n_keyframes} keyframes, {'fullscreen' if fullscreen else 'window'} "
              f"{width}x{height} at {rate:g} Hz; Esc or Q quits", flush=True)
        start = clock()
        while not glfw.window_should_close(window):
            frame_start = clock()
            width, height = glfw.get_framebuffer_size(window)
            if width and height:
                frames.size = (width, height)
                ctx.screen.viewport = (0, 0, width, height)
                player.draw(ctx.screen, frame_start - start)
                drawn += 1
            glfw.swap_buffers(window)
            glfw.poll_events()
            spare = 1.0 / rate - (clock() - frame_start)
            if spare > 0:  # where vsync does not pace us (software GL), do not spin
                time.sleep(spare)
    finally:
        if player is not None:
            player.close()
        glfw.destroy_window(window)
        glfw.terminate()
    return drawn, clock() - start


def _quit_on_escape(window, key: int, _scancode: int, action: int, _mods: int) -> None:
    import glfw

    if action == glfw.PRESS and key in (glfw.KEY_ESCAPE, glfw.KEY_Q):
        glfw.set_window_should_close(window, True)
