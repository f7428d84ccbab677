"""Which arithmetic a view needs: the one precision policy of the explorer, zoom keyframes and stills.

float64 resolves a view while neighbouring pixels have distinct float64
hyperparameters (`view.min_pixel`). Under "auto" the deeper arithmetic takes
over a little before that limit, when the pixel comes within AUTO_DEEPER of
it, and float64 comes back only once the pixel is AUTO_BACK above it: the
gap keeps a zoom hovering at one depth from switching to and fro, each
switch a picture computed anew. A zoom's keyframes halve per level, so
AUTO_DEEPER = 4 is two levels above float64's limit.
"""
from __future__ import annotations

#: The explorer's and zoom's arithmetic: auto (float64, then deeper near its limit), or one forced.
PRECISION_MODES = ("auto", "f64", "dd")
#: auto takes the deeper arithmetic when the pixel is within this factor of float64's smallest pixel...
AUTO_DEEPER = 4.0
#: ...and float64 back once the pixel is this factor above it.
AUTO_BACK = 8.0


def auto_precision(pixel: float, f64_min_pixel: float, current: str = "f64", deeper: str = "dd") -> str:
    """The arithmetic auto chooses for a pixel of this size, given float64's smallest and the one in use."""
    near = pixel / f64_min_pixel
    return deeper if near <= AUTO_DEEPER or (current == deeper and near <= AUTO_BACK) else "f64"


def view_precision(view, mode: str, current: str = "f64", deeper: str = "dd") -> str:
    """The arithmetic a view is computed in under a mode: the forced one, or auto's choice for it."""
    from viz.sampling.view import min_pixel

    if mode != "auto":
        return mode
    return auto_precision(view.pixel, min_pixel(view, "f64"), current, deeper)
