"""When the explorer draws: the one decision that replaced its redraw flags and timestamps.

What the user did is drawn at the next frame. New samples and the easing
colour scale are drawn at REFINE_FPS, a changed HUD text alone every
HUD_PERIOD: on a software rasteriser each redraw costs tens of milliseconds
of the CPU that the worker computes with.
"""
from __future__ import annotations

import math

#: Redraws per second for new samples and colour easing while the user does nothing.
REFINE_FPS = 12
#: Seconds between HUD refreshes when nothing else changes.
HUD_PERIOD = 0.25


class Redraw:
    """Whether the next frame must be drawn: urgent (the user acted), stale (new pixels), or HUD text changed."""

    def __init__(self) -> None:
        self.urgent = True
        self.stale = False
        self._checked_at = -math.inf
        self._lines: list[str] | None = None

    def due(self, now: float, hud_shown: bool) -> bool:
        """Whether it is time to look at this frame at all (the HUD text is then compared by `wanted`)."""
        wait = 0.0 if self.urgent else 1.0 / REFINE_FPS if self.stale else HUD_PERIOD if hud_shown else math.inf
        return now - self._checked_at >= wait

    def wanted(self, now: float, lines: list[str]) -> bool:
        """Whether to draw, given the HUD text it would show; marks the frame looked at."""
        self._checked_at = now
        return self.urgent or self.stale or lines != self._lines

    def drawn(self, lines: list[str]) -> None:
        self.urgent = self.stale = False
        self._lines = lines
