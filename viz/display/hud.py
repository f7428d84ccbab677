"""The explorer's heads-up display: what the researcher reads off the screen.

`hud_lines` is plain text (tested without a window; the key list comes from viz.explore.actions);
`Hud` draws them with Dear ImGui (imgui-bundle) over the picture. The HUD
takes no input, so every key and mouse event stays the explorer's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from viz.numeric.fixed import FRAC_BITS, exp10_decimal
from viz.sampling.view import View, at_limit, depth, hyper_at


@dataclass(frozen=True)
class Status:
    """Everything the HUD shows besides the view."""

    condition: str
    axis_names: tuple[str, str]
    preset: str
    backend: str | None  # None while the engine starts
    compiling: int | None  # width whose kernel is being built or loaded
    fraction: float  # computed share of the view's samples
    level: tuple[int, int]  # levels complete, levels in all
    rate: float  # samples per second
    cursor: tuple[float, float] | None  # pixel position (bottom-left origin) of the mouse
    message: str = ""
    recording: bool = False
    building: bool = False  # the kernel in `compiling` is built (not in Taichi's cache), not loaded
    cluster: str | None = None  # the cluster's workers and px/s, when batches run on one
    precision: str = ""  # the arithmetic in use and why, as the HUD says it
    limit: str = "f64"  # the arithmetic whose limit zooming stops at ("f64" or "dd")
    dropped: int = 0  # recorded frames the encoder fell too far behind to take
    one_minus: tuple[bool, bool] = (False, False)  # an axis whose coordinate is log10(1 - value) (momentum, betas)


def digits(view: View, most: int = 17) -> int:
    """Significant digits that tell neighbouring pixels' hyperparameters apart (3 to `most`)."""
    relative = view.pixel * math.log(10.0)  # relative step between neighbouring pixels
    return min(max(math.ceil(-math.log10(relative)) + 1, 3), most)


def _num(value, sig: int) -> str:
    return format(value if isinstance(value, Decimal) else float(value), f".{sig}g")


def _in_units(power, one_minus: bool, sig: int) -> str:
    """An axis's 10**coordinate as its hyperparameter's value: itself, or 1 - it (mu = 0.999, not -3),
    with the digits that reach the power's own `sig` significant ones."""
    if not one_minus:
        return _num(power, sig)
    p = power if isinstance(power, Decimal) else float(power)
    lead = max(0, math.ceil(-math.log10(float(p)))) if p > 0 else 0
    return _num(1 - p, sig + lead)


def _exact_at(view: View, px: float, py: float) -> tuple[Decimal, Decimal]:
    """Hyperparameters at a pixel position in decimal: past float64, floats would print neighbours alike."""
    return tuple(exp10_decimal(Fraction(centre, 1 << FRAC_BITS) + (Fraction(p) - Fraction(n, 2)) * Fraction(view.pixel))
                 for centre, n, p in ((view.cx, view.cols, px), (view.cy, view.rows, py)))


def view_lines(view: View, axis_names: tuple[str, str], cursor: tuple[float, float] | None = None,
               exact: bool = False, one_minus: tuple[bool, bool] = (False, False)) -> list[str]:
    """The view in hyperparameter units (not logs): the ranges, the centre, the cursor and the depth.

    exact: the numbers in decimal, with up to 34 digits (a double-double view past float64's 17).
    one_minus: per axis, whether its coordinate is log10(1 - value), so the value printed is 1 - 10**coordinate.
    """
    sig = digits(view, 34 if exact else 17)
    at = (lambda px, py: _exact_at(view, px, py)) if exact else (lambda px, py: hyper_at(view, px, py))

    def pair(px, py) -> tuple[str, str]:
        x, y = at(px, py)
        return _in_units(x, one_minus[0], sig), _in_units(y, one_minus[1], sig)

    (x0, y0), (x1, y1) = pair(0.0, 0.0), pair(view.cols, view.rows)
    cx, cy = pair(view.cols / 2.0, view.rows / 2.0)
    lines = [
        f"x {axis_names[0]}: {x0} .. {x1}",
        f"y {axis_names[1]}: {y0} .. {y1}",
        f"centre: ({cx}, {cy})",
    ]
    if cursor is not None:
        mx, my = pair(cursor[0], cursor[1])
        lines.append(f"cursor: ({mx}, {my})")
    lines.append(f"depth: {depth(view):.2f} decades   pixel: {view.pixel:.3g} decades")
    return lines


def status_lines(status: Status) -> list[str]:
    """Condition, preset, backend, progress and throughput."""
    rate = f"{status.rate:,.0f} px/s"
    if status.backend is None:
        work = ["starting the engine...", rate]
    elif status.compiling is not None and status.building:
        work = [f"building the kernel for n={status.compiling}: its first use on this machine",
                f"(up to half a minute, once: it is cached for later launches)   {rate}"]
    elif status.compiling is not None:
        work = [f"loading the kernel for n={status.compiling} from the cache...   {rate}"]
    elif status.fraction >= 1.0:
        work = [f"complete   {rate}"]
    else:
        work = [f"refining {100.0 * status.fraction:.0f}%  (level {status.level[0]}/{status.level[1]})   {rate}"]
    lines = [f"{status.condition}   preset {status.preset}   backend {status.backend or '...'}", *work]
    if status.precision:
        lines.append(status.precision)
    if status.cluster:
        lines.append(f"cluster: {status.cluster}")
    if status.recording:
        lines.append(f"REC ({status.dropped} frames dropped: the encoder is behind)" if status.dropped else "REC")
    if status.message:
        lines.append(status.message)
    return lines


def warning_line(view: View, limit: str = "f64") -> str | None:
    """The warning at the limit of the arithmetic zooming stops at, or None while zooming in is still possible."""
    if not at_limit(view, limit):
        return None
    if limit == "dd":
        return "double-double limit: neighbouring pixels would be equal; zoom in refused"
    return "float64 limit: neighbouring pixels would be equal; zoom in refused (D: dd)"


def hud_lines(view: View, status: Status) -> list[str]:
    """All HUD text, top to bottom; the numbers in decimal once float64 cannot print them apart."""
    warning = warning_line(view, status.limit)
    cursor = status.cursor
    if cursor is not None and not (0 <= cursor[0] < view.cols and 0 <= cursor[1] < view.rows):
        cursor = None
    exact = status.limit == "dd" and digits(view, 34) > 17
    return (status_lines(status) + view_lines(view, status.axis_names, cursor, exact, status.one_minus)
            + ([warning] if warning else []))


class Hud:
    """Dear ImGui over a glfw window's current GL context."""

    def __init__(self, window) -> None:
        from imgui_bundle import imgui
        from imgui_bundle.python_backends.glfw_backend import GlfwRenderer

        self._imgui = imgui
        self._context = imgui.create_context()
        imgui.get_io().set_ini_filename("")  # no imgui.ini left in the user's folder
        self._backend = GlfwRenderer(window, attach_callbacks=False)

    def draw(self, lines: list[str], help_text: list[str] | None, warn: bool) -> None:
        """Draw one frame of HUD text (and the key list when asked) into the bound framebuffer."""
        imgui = self._imgui
        self._backend.process_inputs()
        imgui.new_frame()
        flags = (imgui.WindowFlags_.no_decoration | imgui.WindowFlags_.always_auto_resize
                 | imgui.WindowFlags_.no_inputs | imgui.WindowFlags_.no_saved_settings
                 | imgui.WindowFlags_.no_focus_on_appearing | imgui.WindowFlags_.no_nav)
        imgui.set_next_window_pos(imgui.ImVec2(8, 8))
        imgui.set_next_window_bg_alpha(0.6)
        imgui.begin("status", None, flags)
        for i, line in enumerate(lines):
            if warn and i == len(lines) - 1:
                imgui.text_colored(imgui.ImVec4(1.0, 0.35, 0.25, 1.0), line)
            else:
                imgui.text(line)
        imgui.end()
        if help_text:
            size = imgui.get_io().display_size
            imgui.set_next_window_pos(imgui.ImVec2(size.x / 2, size.y / 2), 0, imgui.ImVec2(0.5, 0.5))
            imgui.set_next_window_bg_alpha(0.85)
            imgui.begin("keys", None, flags)
            for line in help_text:
                imgui.text(line)
            imgui.end()
        imgui.render()
        self._backend.render(imgui.get_draw_data())

    def shutdown(self) -> None:
        """Free imgui's GL objects and context."""
        self._backend.shutdown()
        self._imgui.destroy_context(self._context)
