"""`nnfractal bench --explore`: how the live window holds up while it zooms and computes.

Measured on the real window (it needs a display: X or Xvfb) at 1280 x 720
with the HUD on and vsync off, so a frame's time is its cost, not the
display's pace:
- time from a zoom (8x, about a point on the tanh boundary) to the first
  complete coarse picture of the new view, median over a few zooms;
- frame times (median, p99, max) while zooming in continuously (Z held)
  with the worker computing throughout;
- samples per second the worker delivered meanwhile.
The kernel is compiled and the first view filled before anything is timed.
"""
from __future__ import annotations

import time

import numpy as np

from viz.problem.conditions import DEFAULT_WINDOW, PRESETS, panel_log_window

#: Where the zooms go: the centre of the paper's tanh Figure 1 window.
TARGET = tuple(float(np.mean(pair)) for pair in np.reshape(panel_log_window("tanh"), (2, 2)))
#: Magnification of each timed zoom, and how many.
ZOOM_FACTOR = 8.0
ZOOMS = 3
#: Longest wait for one coarse picture or for the warm-up.
WAIT = 300.0


def _home() -> tuple[float, float, float, float]:
    """The notebook's starting window, recentred on TARGET."""
    half_w = (DEFAULT_WINDOW[1] - DEFAULT_WINDOW[0]) / 2
    half_h = (DEFAULT_WINDOW[3] - DEFAULT_WINDOW[2]) / 2
    return (TARGET[0] - half_w, TARGET[0] + half_w, TARGET[1] - half_h, TARGET[1] + half_h)


def _run_until(explorer, done, what: str) -> float:
    """Draw frames until done(); the seconds it took."""
    from viz.errors import UsageError

    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > WAIT:
            raise UsageError(f"bench --explore: {what} took over {WAIT:.0f} s")
        explorer.frame()
    return time.perf_counter() - start


def measure_explore(seconds: float = 10.0, size: tuple[int, int] = (1280, 720), arch: str = "auto",
                    preset: str = "quick") -> dict:
    """Open the explorer, warm it up, then time zooms and a continuous zoom; the figures as a dict."""
    from viz.explore.refiner import coverage
    from viz.explore.settings import Settings
    from viz.explore.window import Explorer
    from viz.sampling.view import pixel_of

    chosen = PRESETS[preset]
    settings = Settings(condition="tanh", preset=chosen, presets=(chosen,), home=_home(), size=size, arch=arch,
                        vsync=False, title="nnfractal bench --explore")
    with Explorer(settings) as explorer:
        renderer = explorer.ctx.info["GL_RENDERER"]
        coarse = lambda: coverage(explorer.view, explorer.refiner.store).coarse_done  # noqa: E731
        warm_up = _run_until(explorer, lambda: explorer.refiner.backend is not None and coarse()
                             and explorer.refiner.compiling is None, "starting the engine")
        to_coarse = []
        for _ in range(ZOOMS):
            explorer.zoom_by(ZOOM_FACTOR, pixel_of(explorer.view, *TARGET))
            to_coarse.append(_run_until(explorer, coarse, "a coarse picture"))
        explorer.input.hold = 1
        delivered = explorer.refiner.delivered
        times = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            began = time.perf_counter()
            explorer.frame()
            times.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
        explorer.input.hold = 0
        delivered = explorer.refiner.delivered - delivered
        backend = explorer.refiner.backend
    ms = np.array(times) * 1000.0
    return {
        "size": f"{size[0]}x{size[1]}", "renderer": renderer, "backend": backend,
        "preset": f"{chosen.name} (n={chosen.width}, {chosen.steps} steps)", "warm_up_s": warm_up,
        "zoom_to_coarse_s": to_coarse, "zoom_to_coarse_median_s": float(np.median(to_coarse)),
        "frames": len(times), "seconds": elapsed, "fps": len(times) / elapsed,
        "frame_ms": {"median": float(np.median(ms)), "p99": float(np.percentile(ms, 99)), "max": float(ms.max())},
        "pixels_per_s": delivered / elapsed,
    }


def format_explore(report: dict) -> str:
    """The figures as a few lines for the terminal and BENCHMARKS.md."""
    f = report["frame_ms"]
    zooms = ", ".join(f"{s:.2f}" for s in report["zoom_to_coarse_s"])
    return "\n".join([
        f"explore at {report['size']} on {report['renderer']}, engine {report['backend']}, {report['preset']}",
        f"  frame time while zooming and computing: median {f['median']:.1f} ms, p99 {f['p99']:.1f} ms, "
        f"max {f['max']:.1f} ms ({report['frames']} frames, {report['fps']:.0f} fps)",
        f"  zoom {ZOOM_FACTOR:g}x to first complete coarse picture: median {report['zoom_to_coarse_median_s']:.2f} s "
        f"({zooms})",
        f"  samples delivered while zooming: {report['pixels_per_s']:,.0f} px/s",
        f"  (warm-up: engine start, kernel compile, first coarse picture: {report['warm_up_s']:.1f} s)",
    ])
