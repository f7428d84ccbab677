"""The explorer's window: glfw input becomes view changes, and one loop draws whatever is computed.

The loop never waits for compute (DESIGN.md, decision 1): each frame it
lets the refiner file finished work and start the next batch, recomposes
the picture from the sample store only when the view or the store changed,
eases the colour scale, and draws. Time comes from an injected clock, so a
benchmark or a test can run the same loop.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import glfw
import moderngl
import numpy as np

from viz.colour.scale import ColourScale
from viz.display.glwindow import open_window
from viz.display.hud import Hud, Status, help_lines, hud_lines, warning_line
from viz.display.live import LiveRenderer
from viz.display.loop import RealTime, run_loop
from viz.display.renderer import read_rgb8
from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, save_bookmark
from viz.explore.refiner import Refiner
from viz.explore.settings import PRECISION_MODES, Settings
from viz.outputs import save_png
from viz.problem.conditions import CONDITIONS, Preset, home_window
from viz.problem.spec import ProblemSpec
from viz.sampling.boundary import both_signs, nearest_boundary
from viz.sampling.coverage import coverage
from viz.sampling.picture import picture
from viz.sampling.view import View, min_pixel, pan, resize, zoom, zoom_at

#: Conditions on keys 1-6, in the paper's Figure 1 order.
CONDITION_KEYS = ("tanh", "relu", "linear", "minibatch", "single", "init")
#: Magnification per wheel notch, and per +/- or PageUp/PageDown press.
WHEEL_ZOOM = 2.0 ** 0.25
KEY_ZOOM = 2.0
#: Magnification per second while Z or X is held.
HOLD_ZOOM = 2.0
#: Share of the window an arrow key pans.
ARROW_PAN = 0.1
#: Seconds after the last view change that the picture is drawn at full size again.
STILL_AFTER = 0.2
#: Redraws per second for new samples and colour easing while the user does nothing.
REFINE_FPS = 12
#: Seconds between HUD refreshes when nothing else changes.
HUD_PERIOD = 0.25
#: Seconds between recounts of the refinement progress (it walks the view's tiles).
COVERAGE_PERIOD = 0.25
#: Seconds a message (saved file, refused zoom) stays on the HUD.
MESSAGE_SECONDS = 4.0
#: Most frames per second the loop draws.
MAX_FPS = 60
#: Frames per second of a V recording.
RECORD_FPS = 30
#: Under auto precision, double-double takes over when the pixel comes within this factor of
#: float64's limit, and float64 back once it is this factor above it (the gap keeps a zoom
#: hovering at one depth from switching to and fro, each switch a picture computed anew).
AUTO_DD, AUTO_F64 = 4.0, 8.0


@dataclass
class _Input:
    """Input state between callbacks and the frame."""

    cursor: tuple[float, float] | None = None  # framebuffer pixels, bottom-left origin
    dragging: bool = False
    hold: int = 0  # +1 Z held, -1 X held
    messages: list[tuple[float, str]] = field(default_factory=list)


class Explorer:
    """The window, its renderer and HUD, the refiner, and the view they share."""

    def __init__(self, settings: Settings, clock=time.perf_counter) -> None:
        self.settings = settings
        self.clock = clock
        self.window = open_window(settings.size, settings.title, settings.fullscreen, settings.vsync)
        self.ctx = moderngl.create_context()
        self.live = LiveRenderer(self.ctx)
        self.hud = Hud(self.window)
        self.show_hud = settings.hud
        self.show_help = False
        cols, rows = glfw.get_framebuffer_size(self.window)
        start = settings.start
        self.condition = start.problem.condition if start else settings.condition
        self.preset = settings.preset
        self.view = start.view(cols, rows) if start else View.fit(*settings.home, cols, rows)
        self.precision_mode = settings.precision if settings.dd_available else "f64"
        self.precision = "f64"  # the arithmetic in use: the mode's, or under auto the view's
        self._update_precision(announce=False)
        if self.precision_mode == "auto" and start is not None and start.problem.precision != self.precision:
            self.precision_mode = self.precision = start.problem.precision  # a saved view reopens as it was saved
        self.refiner = Refiner(self._key(), settings.arch, settings.cache_mb, cluster=settings.cluster)
        self.scale = ColourScale(split=settings.readout != "probe")
        self.input = _Input()
        self.recorder = None
        self._recorded = 0
        self._record_start = 0.0
        self._windowed = (0, 0, *settings.size)  # where leaving fullscreen goes
        self._buffer = np.empty((rows, cols), np.float32)
        self._dirty = True
        self._moved_at = -math.inf
        self._half = False  # the picture on the GPU is the half-size one drawn while moving
        self._urgent = True  # the user changed something: draw at the next frame
        self._stale = False  # new samples or colours: draw at the refinement rate
        self._drawn_at = -math.inf
        self._drawn_lines: list[str] = []  # the HUD text last drawn
        self._coverage = coverage(self.view, self.refiner.store)
        self._coverage_at = -math.inf
        self._coverage_stale = False
        self._last = None
        self._check_colours = False  # a switch of problem waits for its coarse picture to judge the view
        if start is None:
            self._say_if_widened(settings.home)
        self._install_callbacks()

    # -- problem and view ---------------------------------------------------

    def _key(self) -> ProblemSpec:
        """The problem on show: the condition and preset chosen in the window, the seed and readout it started
        with, and the arithmetic in use (each keeps its own samples)."""
        return ProblemSpec(self.condition, self.preset.width, self.preset.steps, self.settings.seed,
                           self.settings.readout, self.precision)

    @property
    def limit(self) -> str:
        """The arithmetic whose limit zooming stops at: float64's only when float64 is forced."""
        return "f64" if self.precision_mode == "f64" else "dd"

    def set_view(self, view: View) -> None:
        """Show another view at once: what is computed is resampled now, the rest fills in."""
        if view != self.view:
            self.view = view
            self._dirty = self._urgent = True
            self._moved_at = self.clock()
            self._update_precision()

    def _update_precision(self, announce: bool = True) -> None:
        """Under auto, take double-double near float64's limit and float64 back well above it; switch the samples."""
        if self.precision_mode != "auto":
            wanted = self.precision_mode
        else:
            near = self.view.pixel / min_pixel(self.view, "f64")
            wanted = "dd" if near <= AUTO_DD or (self.precision == "dd" and near <= AUTO_F64) else "f64"
        if wanted == self.precision:
            return
        self.precision = wanted
        self._dirty = True
        if announce:
            self.refiner.select(self._key())
            if self.precision_mode == "auto":
                self.say("double-double from here: float64 would soon merge neighbouring pixels (slower)"
                         if wanted == "dd" else "float64 again: this view is well above its limit")

    def cycle_precision(self) -> None:
        """D: auto -> f64 -> dd -> auto. Forcing float64 past its limit first zooms out to that limit."""
        if not self.settings.dd_available:
            self.say("double-double runs on the CPU only: this explorer computes in float64")
            return
        mode = PRECISION_MODES[(PRECISION_MODES.index(self.precision_mode) + 1) % len(PRECISION_MODES)]
        self.precision_mode = mode
        clamped = False
        if mode == "f64":
            view, clamped = zoom(self.view, 1.0, "f64")
            self.set_view(view)
        self._update_precision()
        self.say(self._precision_line() + ("; zoomed out to float64's limit" if clamped else ""))

    def _precision_line(self) -> str:
        if not self.settings.dd_available:
            return "precision: f64 (double-double: CPU only)"
        if self.precision_mode == "auto":
            return "precision: dd (auto: past float64)" if self.precision == "dd" else "precision: f64 (auto)"
        return f"precision: {self.precision} (forced; D cycles auto / f64 / dd)"

    def _refused(self, view: View) -> None:
        """Say why a zoom in stopped, and which key goes further where one does."""
        if warning_line(view, self.limit):
            self.say("zoom refused: at the double-double limit" if self.limit == "dd"
                     else "zoom refused: at the float64 limit (D: double-double goes deeper)")

    def zoom_by(self, factor: float, at: tuple[float, float] | None = None) -> None:
        """Zoom about a pixel position (bottom-left origin), or the centre; say so when refused."""
        view, clamped = (zoom(self.view, factor, self.limit) if at is None
                         else zoom_at(self.view, at[0], at[1], factor, self.limit))
        if clamped and factor > 1.0:
            self._refused(view)
        self.set_view(view)

    def select(self, condition: str | None = None, preset: Preset | None = None) -> None:
        """Switch condition and/or preset; each keeps its own samples.

        The view stays if it still shows both colours once its coarse
        picture is in; otherwise the window goes to the new problem's home.
        """
        changed = (condition or self.condition, preset or self.preset) != (self.condition, self.preset)
        self.condition = condition or self.condition
        self.preset = preset or self.preset
        self.refiner.select(self._key())
        self._dirty = True
        self._check_colours = self._check_colours or changed

    def home(self) -> tuple[float, float, float, float]:
        """The log10 window where the current condition's boundary shows at the current preset."""
        return home_window(self.condition, self.preset.name)

    def _go_home_if_one_colour(self) -> None:
        """After a switch, once the coarse picture is in: go home if the view shows one colour only."""
        if not self._coverage.coarse_done:
            return
        self._check_colours = False
        if not both_signs(self._buffer):
            self.reset()
            self.say(f"this view is one colour for {self.condition} at {self.preset.name}: "
                     "went to its home view (R)")

    def seek_boundary(self) -> bool:
        """Centre the boundary crossing nearest the centre of the picture and zoom in on it; False if none shows."""
        measures = self._buffer
        scale = self.view.cols / measures.shape[1]  # the picture may be the half-size one drawn while moving
        point = nearest_boundary(measures, (self.view.cols / 2.0 / scale, self.view.rows / 2.0 / scale))
        if point is None:
            self.say("no boundary in this picture: zoom out or press R")
            return False
        centred = pan(self.view, point[0] * scale - self.view.cols / 2.0, point[1] * scale - self.view.rows / 2.0)
        view, clamped = zoom(centred, KEY_ZOOM, self.limit)
        if clamped:
            self._refused(view)
        self.set_view(view)
        return True

    def _say_if_widened(self, window: tuple[float, float, float, float]) -> None:
        """Say so when the asked window was widened on one axis to the window's aspect ratio."""
        x0, x1, y0, y1 = window
        spans = self.view.spans
        if not (math.isclose(spans[0], x1 - x0) and math.isclose(spans[1], y1 - y0)):
            axis = "x" if spans[0] > x1 - x0 else "y"
            self.say(f"the window {x0:g} {x1:g} {y0:g} {y1:g} is widened along {axis} to this window's "
                     f"{self.view.cols}:{self.view.rows} aspect")

    def say(self, text: str) -> None:
        """Show a message on the HUD for a few seconds."""
        self.input.messages.append((self.clock() + MESSAGE_SECONDS, text))
        self._urgent = True

    # -- input ----------------------------------------------------------------

    def _install_callbacks(self) -> None:
        glfw.set_key_callback(self.window, self._on_key)
        glfw.set_char_callback(self.window, self._on_char)
        glfw.set_scroll_callback(self.window, self._on_scroll)
        glfw.set_mouse_button_callback(self.window, self._on_button)
        glfw.set_cursor_pos_callback(self.window, self._on_cursor)
        glfw.set_framebuffer_size_callback(self.window, self._on_resize)

    def _pixel(self, wx: float, wy: float) -> tuple[float, float]:
        """Window (y-down, screen units) to framebuffer pixel position (bottom-left origin)."""
        w, h = glfw.get_window_size(self.window)
        sx, sy = self.view.cols / max(w, 1), self.view.rows / max(h, 1)
        return wx * sx, self.view.rows - wy * sy

    def _cursor(self) -> tuple[float, float]:
        """Where the pointer was at the event being handled.

        The last position a cursor callback reported, not glfw.get_cursor_pos:
        events are handled in a batch, and that query answers with the latest.
        """
        if self.input.cursor is None:
            self.input.cursor = self._pixel(*glfw.get_cursor_pos(self.window))
        return self.input.cursor

    def _on_scroll(self, _window, _dx: float, dy: float) -> None:
        if dy:
            self.zoom_by(WHEEL_ZOOM ** dy, self._cursor())

    def _on_button(self, _window, button: int, action: int, _mods: int) -> None:
        if button == glfw.MOUSE_BUTTON_LEFT:
            self._cursor()
            self.input.dragging = action == glfw.PRESS

    def _on_cursor(self, _window, wx: float, wy: float) -> None:
        here = self._pixel(wx, wy)
        if self.input.dragging and self.input.cursor is not None:
            self.set_view(pan(self.view, self.input.cursor[0] - here[0], self.input.cursor[1] - here[1]))
        self.input.cursor = here

    def _on_resize(self, _window, cols: int, rows: int) -> None:
        if self.recorder is not None:  # a video keeps one frame size: finish it here
            self.toggle_recording()
        if cols > 0 and rows > 0:
            self.set_view(resize(self.view, cols, rows))

    def _on_char(self, _window, char: int) -> None:
        self._urgent = True
        if chr(char) == "?":
            self.show_help = not self.show_help

    def _on_key(self, _window, key: int, _scancode: int, action: int, _mods: int) -> None:
        self._urgent = True  # whatever the key did shows at the next frame
        if key in (glfw.KEY_Z, glfw.KEY_X):
            held = {glfw.KEY_Z: 1, glfw.KEY_X: -1}[key]
            if action == glfw.PRESS:
                self.input.hold = held
            elif action == glfw.RELEASE and self.input.hold == held:
                self.input.hold = 0
            return
        if action == glfw.RELEASE:
            return
        repeatable = {
            glfw.KEY_EQUAL: lambda: self.zoom_by(KEY_ZOOM), glfw.KEY_KP_ADD: lambda: self.zoom_by(KEY_ZOOM),
            glfw.KEY_PAGE_UP: lambda: self.zoom_by(KEY_ZOOM),
            glfw.KEY_MINUS: lambda: self.zoom_by(1 / KEY_ZOOM),
            glfw.KEY_KP_SUBTRACT: lambda: self.zoom_by(1 / KEY_ZOOM),
            glfw.KEY_PAGE_DOWN: lambda: self.zoom_by(1 / KEY_ZOOM),
            glfw.KEY_LEFT: lambda: self._arrow(-1, 0), glfw.KEY_RIGHT: lambda: self._arrow(1, 0),
            glfw.KEY_UP: lambda: self._arrow(0, 1), glfw.KEY_DOWN: lambda: self._arrow(0, -1),
        }
        if key in repeatable:
            repeatable[key]()
            return
        if action != glfw.PRESS:
            return
        once = {
            glfw.KEY_ESCAPE: self.quit, glfw.KEY_Q: self.quit,
            glfw.KEY_P: self._next_preset, glfw.KEY_R: self.reset,
            glfw.KEY_N: self.seek_boundary, glfw.KEY_TAB: self.seek_boundary,
            glfw.KEY_F: self.toggle_fullscreen, glfw.KEY_F11: self.toggle_fullscreen,
            glfw.KEY_S: self.screenshot, glfw.KEY_B: self.bookmark, glfw.KEY_V: self.toggle_recording,
            glfw.KEY_H: self._toggle_hud, glfw.KEY_F1: self._toggle_help, glfw.KEY_D: self.cycle_precision,
        }
        for number, name in enumerate(CONDITION_KEYS):
            once[glfw.KEY_1 + number] = lambda name=name: self.select(condition=name)
        if key in once:
            once[key]()

    def _arrow(self, dx: int, dy: int) -> None:
        self.set_view(pan(self.view, dx * ARROW_PAN * self.view.cols, dy * ARROW_PAN * self.view.rows))

    def _toggle_hud(self) -> None:
        self.show_hud = not self.show_hud

    def _toggle_help(self) -> None:
        self.show_help = not self.show_help

    def _next_preset(self) -> None:
        presets = self.settings.presets
        index = presets.index(self.preset) if self.preset in presets else -1
        self.select(preset=presets[(index + 1) % len(presets)])
        self.say(f"preset {self.preset.name}: n={self.preset.width}, {self.preset.steps} steps")

    # -- actions --------------------------------------------------------------

    def quit(self) -> None:
        """Close the window at the end of this frame."""
        glfw.set_window_should_close(self.window, True)

    def reset(self) -> None:
        """Back to the current condition's home view at the current preset."""
        self.set_view(View.fit(*self.home(), self.view.cols, self.view.rows))

    def toggle_fullscreen(self) -> None:
        """Fullscreen on the primary monitor, or back to the window it was."""
        monitor = glfw.get_window_monitor(self.window)
        if monitor:
            x, y, w, h = self._windowed
            glfw.set_window_monitor(self.window, None, x, y, w, h, 0)
        else:
            self._windowed = (*glfw.get_window_pos(self.window), *glfw.get_window_size(self.window))
            monitor = glfw.get_primary_monitor()
            mode = glfw.get_video_mode(monitor)
            glfw.set_window_monitor(self.window, monitor, 0, 0, mode.size.width, mode.size.height,
                                    mode.refresh_rate)

    def saved_view(self) -> SavedView:
        """The current view and problem as a bookmark / PNG record."""
        return SavedView.of(self.view, self._key())

    def _stamped(self, suffix: str) -> Path:
        folder = self.settings.recordings
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"explore-{self.condition}-{datetime.now():%Y%m%d-%H%M%S-%f}{suffix}"

    def screenshot(self) -> Path | None:
        """Save the picture (no HUD) as a PNG with the view as its text; reopen with `nnfractal explore FILE`.

        A file that cannot be written is said on the HUD; the session goes on.
        """
        try:
            path = self._stamped(".png")
            save_png(path, self.grab(), meta=self.saved_view().record())
        except (OSError, UsageError) as exc:
            self.say(f"screenshot not saved: {_reason(exc)}")
            return None
        self.say(f"saved {path}")
        return path

    def bookmark(self) -> str:
        """Save the view under a new name in the bookmarks file; a failure is said on the HUD."""
        name = f"{self.condition}-{datetime.now():%Y%m%d-%H%M%S}"
        try:
            save_bookmark(self.settings.bookmarks, name, self.saved_view())
        except (OSError, UsageError) as exc:
            self.say(f"bookmark not saved: {_reason(exc)}")
            return ""
        self.say(f"bookmark {name!r} saved to {self.settings.bookmarks}")
        return name

    def toggle_recording(self) -> None:
        """Start or stop recording the picture to an MP4 in recordings/; a failure is said on the HUD."""
        from viz.video.recorder import Recorder

        if self.recorder is not None:
            self.say(self._finish_recording())
            return
        cols, rows = self.view.cols & ~1, self.view.rows & ~1
        try:
            self.recorder = Recorder(self._stamped(".mp4"), RECORD_FPS, (cols, rows))
        except (OSError, UsageError) as exc:
            self.say(f"recording not started: {_reason(exc)}")
            return
        self._recorded = 0
        self._record_start = self.clock()

    def _finish_recording(self) -> str:
        """Finalise the recording into a playable MP4; what became of it, in words."""
        recorder, self.recorder = self.recorder, None
        try:
            path = recorder.close()
        except (OSError, UsageError) as exc:
            return f"recording not saved: {_reason(exc)}"
        return f"saved {path}" if path else "recording empty: nothing saved"

    def _record(self, now: float) -> None:
        """Write the frames due by now (a slow frame is repeated, so the video keeps wall-clock time).

        A recording that cannot be written (its file or ffmpeg failed) stops, and the HUD says why.
        """
        due = int((now - self._record_start) * RECORD_FPS) + 1
        if due <= self._recorded:
            return
        cols, rows = self.recorder.size
        frame = self.grab()[:rows, :cols]
        try:
            for _ in range(min(due - self._recorded, RECORD_FPS)):
                self.recorder.write(frame)
        except OSError as exc:
            self._finish_recording()
            self.say(f"recording stopped: {_reason(exc)}")
            return
        self._recorded = due

    # -- the loop ---------------------------------------------------------------

    def grab(self) -> np.ndarray:
        """The picture at full size (no HUD), 8-bit RGB, top row first."""
        if self._half or self._dirty:
            self._compose(half=False)
        fbo = self.ctx.simple_framebuffer((self.view.cols, self.view.rows))
        try:
            self.live.draw(fbo)
            return read_rgb8(fbo)
        finally:
            fbo.release()

    def grab_screen(self) -> np.ndarray:
        """The window's contents including the HUD, 8-bit RGB, top row first."""
        if self._half or self._dirty:
            self._compose(half=False)
        self._draw()
        cols, rows = self.view.cols, self.view.rows
        data = self.ctx.screen.read(viewport=(0, 0, cols, rows), components=3, alignment=1)
        _ = self.ctx.error  # Mesa flags GL_INVALID_OPERATION after reading the default framebuffer
        return np.frombuffer(data, np.uint8).reshape(rows, cols, 3)[::-1].copy()

    def _status(self) -> Status:
        now = self.clock()
        self.input.messages = [(t, m) for t, m in self.input.messages if t > now]
        cov = self._coverage
        done = sum(1 for _, c, n in cov.levels if c == n)
        condition = CONDITIONS[self.condition]
        return Status(condition.label, condition.axis_names, f"{self.preset.name} (n={self.preset.width}, "
                      f"{self.preset.steps} steps)", self.refiner.backend, self.refiner.compiling, cov.fraction,
                      (done, len(cov.levels)), self.refiner.rate, self.input.cursor,
                      self.input.messages[-1][1] if self.input.messages else "", self.recorder is not None,
                      self.refiner.building, self.refiner.cluster_line, self._precision_line(), self.limit)

    def update(self, dt: float) -> None:
        """Everything but drawing: held keys, compute, the picture and its colour scale."""
        if self.input.hold:
            self.zoom_by(HOLD_ZOOM ** (self.input.hold * dt))
        if self.refiner.step(self.view):
            self._dirty = True
        now = self.clock()
        moving = bool(self.input.hold) or self.input.dragging or now - self._moved_at < STILL_AFTER
        if self._dirty or self._half != moving:
            self._compose(half=moving)
            self._stale = self._coverage_stale = True
        if self._coverage_stale and now - self._coverage_at >= COVERAGE_PERIOD:
            self._coverage = coverage(self.view, self.refiner.store)
            self._coverage_at, self._coverage_stale = now, False
            if self._check_colours:
                self._go_home_if_one_colour()
        knots = self.scale.advance(dt)
        if knots is not None:
            self.live.upload_knots(knots, self.scale.split)
            self._stale = True
        if self.recorder is not None:
            self._record(now)

    def _compose(self, half: bool) -> None:
        """Recompose the picture from the store and hand it to the GPU (half size while moving)."""
        view = self.view
        if half:
            view = View(view.cx, view.cy, view.pixel * 2.0, (view.cols + 1) // 2, (view.rows + 1) // 2)
        if self._buffer.shape != (view.rows, view.cols):
            self._buffer = np.empty((view.rows, view.cols), np.float32)
        picture(view, self.refiner.store, out=self._buffer)
        self.live.upload_measures(self._buffer)
        self.scale.retarget(self._buffer)
        self._dirty = False
        self._half = half

    def _hud_lines(self) -> list[str]:
        return hud_lines(self.view, self._status()) if self.show_hud else []

    def _draw(self, lines: list[str] | None = None) -> None:
        self.ctx.screen.viewport = (0, 0, self.view.cols, self.view.rows)
        self.live.draw(self.ctx.screen)
        if self.show_hud:
            lines = self._hud_lines() if lines is None else lines
            warn = warning_line(self.view, self.limit) is not None
            self.hud.draw(lines, help_lines() if self.show_help else None, warn)
            self._drawn_lines = lines

    def frame(self) -> None:
        """One pass of the loop: input, compute, and a redraw if anything on screen changed.

        What the user did is drawn at once. New samples and the easing colour
        scale are drawn at REFINE_FPS, a changed HUD text alone every
        HUD_PERIOD: on a software rasteriser each redraw costs tens of
        milliseconds of the CPU that the worker computes with.
        """
        now = self.clock()
        dt = 0.0 if self._last is None else now - self._last
        glfw.poll_events()
        self.update(dt)
        self._last = now
        wait = 0.0 if self._urgent else 1.0 / REFINE_FPS if self._stale else HUD_PERIOD if self.show_hud else math.inf
        if now - self._drawn_at < wait:
            return
        lines = self._hud_lines()
        if self._urgent or self._stale or lines != self._drawn_lines:
            self._draw(lines)
            glfw.swap_buffers(self.window)
            self._urgent = self._stale = False
        self._drawn_at = now

    @property
    def running(self) -> bool:
        """False once Esc or Q was pressed or the window was closed."""
        return not glfw.window_should_close(self.window)

    def run(self, frames: int | None = None) -> int:
        """Draw until the window closes (or for `frames` frames), at most MAX_FPS; exit status 0.

        The cap matters where buffer swaps do not wait for the display (Xvfb):
        an uncapped loop would take CPU from the compute worker for frames
        nobody sees. Waiting is done in glfw, so input still wakes the loop.
        The display's one loop paces it on the explorer's clock; `frame` reads
        that clock itself, since it also stamps view changes and messages.
        """
        ticks = RealTime(MAX_FPS, glfw.wait_events_timeout, self.clock)
        run_loop(ticks, lambda _t, _dt: self.frame(), lambda: self.running, frames)
        return 0

    def close(self) -> None:
        """Stop the worker first (it may be mid-batch), then finish any recording and the window."""
        self.refiner.close()
        if self.recorder is not None:  # Esc, Q, the close button, Ctrl-C and SIGTERM all end here
            print(f"nnfractal: {self._finish_recording()}", file=sys.stderr)
        self.hud.shutdown()
        self.live.release()
        glfw.destroy_window(self.window)
        glfw.terminate()

    def __enter__(self) -> Explorer:
        self.refiner.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    """A failed save in a few words: the OS's reason and the file, or our own one-line message."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
