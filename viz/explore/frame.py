"""The session's picture: measures composed from the sample store, its colour scale, and its progress.

Display-free: the window takes what changed (`take_measures`, `take_knots`)
and uploads it. The picture is recomposed only when the view or the store
changed, at half size while the view moves (colouring is the dearest pass on
a software rasteriser); progress is recounted at most every COVERAGE_PERIOD,
since counting walks the view's tiles.
"""
from __future__ import annotations

import math

import numpy as np

from viz.colour.scale import ColourScale
from viz.sampling.coverage import coverage
from viz.sampling.picture import picture
from viz.sampling.view import View

#: Seconds between recounts of the refinement progress.
COVERAGE_PERIOD = 0.25


def half_view(view: View) -> View:
    """The same region at half the pixels: what is drawn while the view moves."""
    return View(view.cx, view.cy, view.pixel * 2.0, (view.cols + 1) // 2, (view.rows + 1) // 2)


class Frame:
    """The picture of the current view, kept in step with the store."""

    def __init__(self, view: View, store, split: bool) -> None:
        self.scale = ColourScale(split=split)
        self.measures = np.empty((view.rows, view.cols), np.float32)
        self.dirty = True  # the view or the store changed since the picture was composed
        self.half = False  # the picture is the half-size one drawn while moving
        self.coverage = coverage(view, store)
        self._counted_at = -math.inf
        self._count_due = False
        self._new_measures = False
        self._knots: np.ndarray | None = None

    def compose(self, view: View, store, half: bool) -> None:
        """Recompose the picture from the store (half size while moving)."""
        if half:
            view = half_view(view)
        if self.measures.shape != (view.rows, view.cols):
            self.measures = np.empty((view.rows, view.cols), np.float32)
        picture(view, store, out=self.measures)
        self.scale.retarget(self.measures)
        self.dirty, self.half = False, half
        self._new_measures = self._count_due = True

    def full(self, view: View, store) -> None:
        """The picture at full size now (a screenshot or a recorded frame)."""
        if self.half or self.dirty:
            self.compose(view, store, half=False)

    def update(self, now: float, dt: float, view: View, store, moving: bool) -> tuple[bool, bool]:
        """Recompose if needed, recount progress when due, ease the colours: (pixels changed, recounted)."""
        changed = self.dirty or self.half != moving
        if changed:
            self.compose(view, store, half=moving)
        counted = self._count_due and now - self._counted_at >= COVERAGE_PERIOD
        if counted:
            self.coverage = coverage(view, store)
            self._counted_at, self._count_due = now, False
        knots = self.scale.advance(dt)
        if knots is not None:
            self._knots = knots
        return changed or knots is not None, counted

    def take_measures(self) -> np.ndarray | None:
        """The picture if it changed since last taken (for the GPU), else None."""
        new, self._new_measures = self._new_measures, False
        return self.measures if new else None

    def take_knots(self) -> np.ndarray | None:
        """The colour scale's knots if they moved since last taken, else None."""
        knots, self._knots = self._knots, None
        return knots
