"""The explorer without a display: the view, the problem, the precision policy and the actions on them.

As in XaoS's platform-free uih_context, nothing here knows glfw or GL. A
window (viz.explore.window) turns events into the actions of
viz.explore.actions and draws what `frame` holds; a test drives the same
session with a fake refiner and its own times. Time comes only through
`update(t, dt)` from the render loop's clock, so a message, a held zoom or
a recording runs on whatever clock the loop was given.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from viz.compute.capabilities import capabilities
from viz.display.hud import warning_line
from viz.explore.actions import ARROW_PAN, KEY_ZOOM
from viz.explore.arithmetic import Arithmetic
from viz.explore.background import open_refiner
from viz.explore.bookmarks import SavedView
from viz.explore.files import Files
from viz.explore.frame import Frame
from viz.explore.pointer import Pointer
from viz.explore.redraw import Redraw
from viz.explore.settings import Settings, preset_of
from viz.problem.conditions import CONDITIONS, Preset, home_window
from viz.problem.experiment import Experiment, next_name
from viz.sampling.boundary import both_signs, nearest_boundary
from viz.sampling.view import View, pan, resize, zoom, zoom_at

#: Magnification per wheel notch.
WHEEL_ZOOM = 2.0 ** 0.25
#: Magnification per second while Z or X is held.
HOLD_ZOOM = 2.0
#: Seconds after the last view change that the picture is drawn at full size again.
STILL_AFTER = 0.2
#: Seconds a message (saved file, refused zoom) stays on the HUD.
MESSAGE_SECONDS = 4.0


class Session:
    """One exploring session: the state every action changes, and the frame they leave to be drawn."""

    def __init__(self, settings: Settings, size: tuple[int, int], refiner_factory=open_refiner,
                 grab: Callable[[], np.ndarray] | None = None) -> None:
        self.settings = settings
        self.now = 0.0
        self.messages: list[tuple[float, str]] = []
        self.pointer = Pointer()
        self.redraw = Redraw()
        self.show_hud, self.show_help, self.quitting = settings.hud, False, False
        self.requests: list[str] = []  # what only the window can do (fullscreen), for it to take
        self.files = Files(self, grab)
        self.arithmetic = Arithmetic(settings.precision, capabilities(settings.arch).supports("dd"))
        start = settings.start
        self.view = start.view(*size) if start else View.of(settings.home, *size)
        self.moved_at = -math.inf
        self.arithmetic.follow(self.view)
        if self.arithmetic.mode == "auto" and start is not None and start.problem.precision != self.arithmetic.current:
            self.arithmetic.mode = self.arithmetic.current = start.problem.precision  # reopens as it was saved
        self.problem = replace(start.problem if start else settings.problem, precision=self.arithmetic.current)
        self.refiner = refiner_factory(settings, self.problem)
        self.frame = Frame(self.view, self.refiner.store, split=settings.problem.readout != "probe")
        self.check_colours = False  # a switch of problem waits for its coarse picture to judge the view
        if settings.start is None:
            self.say_if_widened(settings.home.ends)

    # -- what the actions change ----------------------------------------------

    def changed(self, view_moved: bool = False) -> None:
        """Something the user did: draw at the next frame (recompose too if the view or problem changed)."""
        self.redraw.urgent = True
        if view_moved:
            self.frame.dirty = True
            self.moved_at = self.now

    def switch_problem(self) -> None:
        """The arithmetic or problem changed: the refiner computes (and keeps) its samples apart."""
        self.refiner.select(self.problem)
        self.frame.dirty = True

    def say(self, text: str) -> None:
        """Show a message on the HUD for a few seconds."""
        self.messages.append((self.now + MESSAGE_SECONDS, text))
        self.redraw.urgent = True

    @property
    def message(self) -> str:
        """The newest message still showing, or ""."""
        self.messages = [(t, m) for t, m in self.messages if t > self.now]
        return self.messages[-1][1] if self.messages else ""

    # -- the view and its arithmetic ---------------------------------------------

    def set_view(self, view: View) -> None:
        """Show another view at once: what is computed is resampled now, the rest fills in."""
        if view != self.view:
            self.view = view
            self.changed(view_moved=True)
            self.follow_precision()

    def follow_precision(self) -> None:
        """Under auto, double-double near float64's limit and float64 back well above it: switch the samples."""
        if self.arithmetic.follow(self.view):
            self.problem = replace(self.problem, precision=self.arithmetic.current)
            self.switch_problem()
            if self.arithmetic.switched():
                self.say(self.arithmetic.switched())

    def cycle_precision(self) -> None:
        """D: auto -> f64 -> dd -> auto. Forcing float64 past its limit first zooms out to that limit."""
        if not self.arithmetic.dd_available:
            self.say("double-double runs on the CPU only: this explorer computes in float64")
            return
        clamped = False
        if self.arithmetic.next_mode() == "f64":
            view, clamped = zoom(self.view, 1.0, "f64")
            self.set_view(view)
        self.follow_precision()
        self.say(self.arithmetic.line() + ("; zoomed out to float64's limit" if clamped else ""))

    def refused(self, view: View) -> None:
        """Say why a zoom in stopped, and which key goes further where one does."""
        if warning_line(view, self.arithmetic.limit):
            self.say("zoom refused: at the double-double limit" if self.arithmetic.limit == "dd"
                     else "zoom refused: at the float64 limit (D: double-double goes deeper)")

    def zoom_by(self, factor: float, at: tuple[float, float] | None = None) -> None:
        """Zoom about a pixel position (bottom-left origin), or the centre; say so when refused."""
        limit = self.arithmetic.limit
        view, clamped = (zoom(self.view, factor, limit) if at is None
                         else zoom_at(self.view, at[0], at[1], factor, limit))
        if clamped and factor > 1.0:
            self.refused(view)
        self.set_view(view)

    def home(self) -> tuple[float, float, float, float]:
        """The log10 window where the current condition's (and experiment's) boundary shows at the current preset."""
        return home_window(self.problem.condition, self.preset.name, self.problem.experiment)

    def reset(self) -> None:
        """R: back to the current condition's home view at the current preset."""
        self.set_view(View.fit(*self.home(), self.view.cols, self.view.rows))

    def go_home_if_one_colour(self) -> None:
        """After a switch, once the coarse picture is in: go home if the view shows one colour only."""
        if not self.frame.coverage.coarse_done:
            return
        self.check_colours = False
        if not both_signs(self.frame.measures):
            self.reset()
            self.say(f"this view is one colour for {self.problem.condition} at {self.preset.name}: "
                     "went to its home view (R)")

    def say_if_widened(self, window: tuple[float, float, float, float]) -> None:
        """Say so when the asked window was widened on one axis to the window's aspect ratio."""
        x0, x1, y0, y1 = window
        spans = self.view.spans
        if not (math.isclose(spans[0], x1 - x0) and math.isclose(spans[1], y1 - y0)):
            axis = "x" if spans[0] > x1 - x0 else "y"
            self.say(f"the window {x0:g} {x1:g} {y0:g} {y1:g} is widened along {axis} to this window's "
                     f"{self.view.cols}:{self.view.rows} aspect")

    # -- actions (the table in viz.explore.actions calls these) ----------------

    def arrow(self, dx: int, dy: int) -> None:
        self.set_view(pan(self.view, dx * ARROW_PAN * self.view.cols, dy * ARROW_PAN * self.view.rows))

    def wheel(self, notches: float, at: tuple[float, float]) -> None:
        if notches:
            self.zoom_by(WHEEL_ZOOM ** notches, at)

    def drag_to(self, here: tuple[float, float]) -> None:
        """The pointer moved to `here` (pixels); a left drag pans the view with it."""
        if self.pointer.dragging and self.pointer.cursor is not None:
            self.set_view(pan(self.view, self.pointer.cursor[0] - here[0], self.pointer.cursor[1] - here[1]))
        self.pointer.cursor = here

    def select(self, condition: str | None = None, preset: Preset | None = None,
               experiment: Experiment | None = None) -> None:
        """Switch condition, preset and/or experiment; each keeps its own samples.

        The view stays if it still shows both colours once its coarse
        picture is in; otherwise the window goes to the new problem's home.
        """
        wanted = replace(self.problem, condition=condition or self.problem.condition,
                         width=(preset or self.preset).width, steps=(preset or self.preset).steps,
                         experiment=experiment or self.problem.experiment)
        changed = wanted != self.problem
        self.problem = wanted
        self.switch_problem()
        self.check_colours = self.check_colours or changed
        self.changed()

    @property
    def preset(self) -> Preset:
        return preset_of(self.problem)

    def next_preset(self) -> None:
        presets = self.settings.presets
        index = presets.index(self.preset) if self.preset in presets else -1
        self.select(preset=presets[(index + 1) % len(presets)])
        self.say(f"preset {self.preset.name}: n={self.preset.width}, {self.preset.steps} steps")

    def next_optimizer(self) -> None:
        """O: the next optimiser, on the same axes where it has them, keeping the fixed values it has."""
        now = self.problem.experiment
        name = next_name(now.optimizer)
        self.select(experiment=now.with_optimizer(name, bool(CONDITIONS[self.problem.condition].init_offset)))
        self.say(f"optimizer {self.problem.experiment.label}")

    def seek_boundary(self) -> bool:
        """Centre the boundary crossing nearest the centre of the picture and zoom in on it; False if none shows."""
        measures = self.frame.measures
        scale = self.view.cols / measures.shape[1]  # the picture may be the half-size one drawn while moving
        point = nearest_boundary(measures, (self.view.cols / 2.0 / scale, self.view.rows / 2.0 / scale))
        if point is None:
            self.say("no boundary in this picture: zoom out or press R")
            return False
        centred = pan(self.view, point[0] * scale - self.view.cols / 2.0, point[1] * scale - self.view.rows / 2.0)
        view, clamped = zoom(centred, KEY_ZOOM, self.arithmetic.limit)
        if clamped:
            self.refused(view)
        self.set_view(view)
        return True

    def toggle(self, name: str) -> None:
        """Flip show_hud or show_help."""
        setattr(self, name, not getattr(self, name))
        self.changed()

    def window_request(self, what: str) -> None:
        self.requests.append(what)

    def quit(self) -> None:
        self.quitting = True

    def saved_view(self) -> SavedView:
        """The current view and problem as a bookmark / PNG record."""
        return SavedView.of(self.view, self.problem)

    def resized(self, cols: int, rows: int) -> None:
        """The window's framebuffer changed size: a video keeps one frame size, so it ends here."""
        if self.files.recording is not None:
            self.files.toggle_recording()
        if cols > 0 and rows > 0:
            self.set_view(resize(self.view, cols, rows))

    # -- each frame -------------------------------------------------------------

    def update(self, t: float, dt: float) -> None:
        """Everything but drawing: held keys, compute, the picture, its colours, the recording."""
        self.now = t
        if self.pointer.hold:
            self.zoom_by(HOLD_ZOOM ** (self.pointer.hold * dt))
        if self.refiner.step(self.view):
            self.frame.dirty = True
        moving = bool(self.pointer.hold) or self.pointer.dragging or t - self.moved_at < STILL_AFTER
        new_pixels, counted = self.frame.update(t, dt, self.view, self.refiner.store, moving)
        self.redraw.stale = self.redraw.stale or new_pixels
        if counted and self.check_colours:
            self.go_home_if_one_colour()
        self.files.record()

    def close(self) -> str | None:
        """Stop the worker (it may be mid-batch), then finish any recording; what became of that, if any."""
        self.refiner.close()
        return self.files.stop_recording() if self.files.recording is not None else None

