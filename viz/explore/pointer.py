"""What the pointer and held keys are doing between events and the frame that acts on them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Pointer:
    """The cursor (framebuffer pixels, bottom-left origin), a left drag, and a held zoom (+1 Z, -1 X)."""

    cursor: tuple[float, float] | None = None
    dragging: bool = False
    hold: int = 0

    def hold_zoom(self, inwards: bool) -> None:
        self.hold = 1 if inwards else -1

    def release_zoom(self, inwards: bool) -> None:
        """Let go of Z or X: the hold ends only if it was that key's."""
        if self.hold == (1 if inwards else -1):
            self.hold = 0
