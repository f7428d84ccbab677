"""The explorer's window: a thin adapter from glfw events to the session's actions, and the session's frame drawn.

Everything the explorer decides lives in the display-free session
(viz.explore.session); here are only what glfw and GL must do: key codes
turned into the action table's names, window units into pixels, the
measures and colour knots uploaded, the HUD drawn, the picture read back.
The loop never waits for compute (DESIGN.md, decision 1); it is the
display's one render loop (viz.display.loop.run) on real time.
"""
from __future__ import annotations

import sys
import time

import glfw
import moderngl
import numpy as np

from viz.display.glwindow import GlWindow
from viz.display.hud import Hud, warning_line
from viz.display.live import LiveRenderer
from viz.display.loop import RealTime, run
from viz.display.renderer import read_rgb8
from viz.explore import status
from viz.explore.actions import by_char, by_key, help_lines
from viz.explore.background import open_refiner
from viz.explore.session import Session
from viz.explore.settings import Settings

#: Most frames per second the loop draws.
MAX_FPS = 60


class Explorer:
    """The glfw window, its renderer and HUD, and the session they show."""

    def __init__(self, settings: Settings, clock=time.perf_counter, refiner_factory=open_refiner) -> None:
        self.window = GlWindow(settings.size, settings.title, settings.fullscreen, settings.vsync)
        self.ctx = moderngl.create_context()
        self.live = LiveRenderer(self.ctx)
        self.hud = Hud(self.window.handle)
        self._grab_fbo: moderngl.Framebuffer | None = None  # kept: one made per frame leaked (issue 27)
        self.session = Session(settings, self.window.framebuffer_size, refiner_factory, self.grab)
        self._keys = {getattr(glfw, f"KEY_{name}"): (name, action) for name, action in by_key().items()}
        self._chars = by_char()
        self._ticks = RealTime(MAX_FPS, self.window.wait, clock)
        self._ticks.start()
        self._install_callbacks()

    # -- events -> actions ---------------------------------------------------------

    def _install_callbacks(self) -> None:
        handle = self.window.handle
        glfw.set_key_callback(handle, self._on_key)
        glfw.set_char_callback(handle, self._on_char)
        glfw.set_scroll_callback(handle, lambda _w, _dx, dy: self.session.wheel(dy, self._cursor()))
        glfw.set_mouse_button_callback(handle, self._on_button)
        glfw.set_cursor_pos_callback(handle, lambda _w, wx, wy: self.session.drag_to(self._pixel(wx, wy)))
        glfw.set_framebuffer_size_callback(handle, lambda _w, cols, rows: self.session.resized(cols, rows))

    def _pixel(self, wx: float, wy: float) -> tuple[float, float]:
        """Window (y-down, screen units) to framebuffer pixel position (bottom-left origin)."""
        w, h = self.window.size
        view = self.session.view
        return wx * view.cols / max(w, 1), view.rows - wy * view.rows / max(h, 1)

    def _cursor(self) -> tuple[float, float]:
        """Where the pointer was at the event being handled.

        The last position a cursor callback reported, not glfw.get_cursor_pos:
        events are handled in a batch, and that query answers with the latest.
        """
        pointer = self.session.pointer
        if pointer.cursor is None:
            pointer.cursor = self._pixel(*glfw.get_cursor_pos(self.window.handle))
        return pointer.cursor

    def _on_button(self, _window, button: int, action: int, _mods: int) -> None:
        if button == glfw.MOUSE_BUTTON_LEFT:
            self._cursor()
            self.session.pointer.dragging = action == glfw.PRESS

    def _on_char(self, _window, char: int) -> None:
        self.session.changed()
        action = self._chars.get(chr(char))
        if action is not None:
            action.press(self.session, chr(char))

    def _on_key(self, _window, key: int, _scancode: int, action: int, _mods: int) -> None:
        self.session.changed()  # whatever the key did shows at the next frame
        name, row = self._keys.get(key, (None, None))
        if row is None:
            return
        if action == glfw.RELEASE:
            if row.release is not None:
                row.release(self.session, name)
        elif action == glfw.PRESS or (action == glfw.REPEAT and row.repeat):
            row.press(self.session, name)
        self._window_requests()

    def _window_requests(self) -> None:
        """Do what only the window can: quit, fullscreen."""
        session = self.session
        if session.quitting:
            self.window.close_soon()
        while session.requests:
            if session.requests.pop(0) == "fullscreen":
                self.window.toggle_fullscreen()

    # -- the session's frame, drawn -----------------------------------------------

    def update(self, t: float, dt: float) -> None:
        self.session.update(t, dt)
        self._window_requests()
        measures, knots = self.session.frame.take_measures(), self.session.frame.take_knots()
        if measures is not None:
            self.live.upload_measures(measures)
        if knots is not None:
            self.live.upload_knots(knots, self.session.frame.scale.split)

    def draw(self) -> bool:
        """Draw if the session's redraw rule says so; whether it drew."""
        session, now = self.session, self.session.now
        if not session.redraw.due(now, session.show_hud):
            return False
        lines = status.lines(session)
        if not session.redraw.wanted(now, lines):
            return False
        self._draw(lines)
        session.redraw.drawn(lines)
        return True

    def _draw(self, lines: list[str]) -> None:
        session = self.session
        self.ctx.screen.viewport = (0, 0, session.view.cols, session.view.rows)
        self.live.draw(self.ctx.screen)
        if session.show_hud:
            warn = warning_line(session.view, session.arithmetic.limit) is not None
            self.hud.draw(lines, help_lines() if session.show_help else None, warn)

    def _uploaded(self) -> None:
        """The full-size picture composed and on the GPU (a screenshot or a recorded frame)."""
        frame = self.session.frame
        frame.full(self.session.view, self.session.refiner.store)
        measures = frame.take_measures()
        if measures is not None:
            self.live.upload_measures(measures)

    def grab(self) -> np.ndarray:
        """The picture at full size (no HUD), 8-bit RGB, top row first."""
        self._uploaded()
        size = (self.session.view.cols, self.session.view.rows)
        if self._grab_fbo is None or self._grab_fbo.size != size:
            self._release_grab_fbo()
            self._grab_fbo = self.ctx.framebuffer(color_attachments=[self.ctx.renderbuffer(size)])
        self.live.draw(self._grab_fbo)
        return read_rgb8(self._grab_fbo)

    def _release_grab_fbo(self) -> None:
        """Free the offscreen framebuffer and its renderbuffer (Framebuffer.release keeps its attachments)."""
        if self._grab_fbo is not None:
            self._grab_fbo.color_attachments[0].release()
            self._grab_fbo.release()
            self._grab_fbo = None

    def grab_screen(self) -> np.ndarray:
        """The window's contents including the HUD, 8-bit RGB, top row first."""
        self._uploaded()
        self._draw(status.lines(self.session))
        cols, rows = self.session.view.cols, self.session.view.rows
        data = self.ctx.screen.read(viewport=(0, 0, cols, rows), components=3, alignment=1)
        _ = self.ctx.error  # Mesa flags GL_INVALID_OPERATION after reading the default framebuffer
        return np.frombuffer(data, np.uint8).reshape(rows, cols, 3)[::-1].copy()

    # -- running --------------------------------------------------------------------

    def frame(self) -> None:
        """One pass of the loop by hand (tests, benchmarks): poll, update, draw, swap."""
        run(self.window, _Continue(self._ticks, paced=False), self, frames=1)

    def run(self, frames: int | None = None) -> int:
        """Draw until the window closes (or for `frames` frames), at most MAX_FPS; exit status 0.

        The cap matters where buffer swaps do not wait for the display (Xvfb):
        an uncapped loop would take CPU from the compute worker for frames
        nobody sees. Waiting is done in glfw, so input still wakes the loop.
        """
        run(self.window, _Continue(self._ticks, paced=True), self, frames)
        return 0

    @property
    def running(self) -> bool:
        """False once Esc or Q was pressed or the window was closed."""
        return not self.window.should_close

    def close(self) -> None:
        """Stop the worker first (it may be mid-batch), then finish any recording and the window."""
        said = self.session.close()
        if said is not None:  # Esc, Q, the close button, Ctrl-C and SIGTERM all end here
            print(f"nnfractal: {said}", file=sys.stderr)
        self.hud.shutdown()
        self._release_grab_fbo()
        self.live.release()
        self.window.close()

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Continue:
    """The explorer's clock as the loop sees it: session time runs from the window opening, never restarted,
    whether frames are run by `run` (paced) or one at a time by `frame` (unpaced)."""

    def __init__(self, ticks: RealTime, paced: bool) -> None:
        self._ticks = ticks
        self._paced = paced

    def start(self) -> None:
        pass

    def tick(self) -> tuple[float, float]:
        return self._ticks.tick()

    def pace(self) -> None:
        if self._paced:
            self._ticks.pace()
