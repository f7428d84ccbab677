"""The explorer's arithmetic: the mode D cycles (auto / f64 / dd) and the one in use, by viz.sampling.precision."""
from __future__ import annotations

from viz.sampling.precision import PRECISION_MODES, view_precision
from viz.sampling.view import View


class Arithmetic:
    """The precision mode and the arithmetic in use; double-double only where the arch has its kernel."""

    def __init__(self, mode: str, dd_available: bool) -> None:
        self.dd_available = dd_available
        self.mode = mode if dd_available else "f64"
        self.current = "f64"

    @property
    def limit(self) -> str:
        """The arithmetic whose limit zooming stops at: float64's only when float64 is forced."""
        return "f64" if self.mode == "f64" else "dd"

    def follow(self, view: View) -> bool:
        """Take the arithmetic the mode wants for this view; whether it changed."""
        wanted = view_precision(view, self.mode, self.current)
        changed, self.current = wanted != self.current, wanted
        return changed

    def next_mode(self) -> str:
        """D: auto -> f64 -> dd -> auto."""
        self.mode = PRECISION_MODES[(PRECISION_MODES.index(self.mode) + 1) % len(PRECISION_MODES)]
        return self.mode

    def switched(self) -> str:
        """What an automatic switch says on the HUD ("" when the mode is forced)."""
        if self.mode != "auto":
            return ""
        return ("double-double from here: float64 would soon merge neighbouring pixels (slower)"
                if self.current == "dd" else "float64 again: this view is well above its limit")

    def line(self) -> str:
        """The HUD's precision line."""
        if not self.dd_available:
            return "precision: f64 (double-double: CPU only)"
        if self.mode == "auto":
            return "precision: dd (auto: past float64)" if self.current == "dd" else "precision: f64 (auto)"
        return f"precision: {self.current} (forced; D cycles auto / f64 / dd)"
