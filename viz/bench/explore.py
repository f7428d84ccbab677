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

Then, without the window, the boundary-first order against the order
before it (coarse to fine, centre first): on the tanh Figure 1 window at
the paper preset, a small view is filled both ways in one run, and each
reports the time and the samples until every boundary pixel of the view
(a neighbour of the other sign in the finished picture), and 90% of them,
show their own full-resolution sample. Both must end in the same picture, bitwise.
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
#: The boundary-first comparison's view (small: the paper preset fills it in a few minutes on 2 cores),
BOUNDARY_VIEW = (64, 36)
#: and its batch size, about what the explorer's sizer picks there;
BOUNDARY_BATCH = 128
#: The windows compared: the Figure 1 window (its boundary covers most of it) and the notebook's view
#: (a boundary curve across areas of one colour).
BOUNDARY_WINDOWS = ("the tanh Figure 1 window", "the notebook's view")
#: besides all of the boundary (a straggler finer than the coarser levels decides that), this share of it.
MOST_OF_BOUNDARY = 0.9


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


def fill_order(engine, view, boundary_first: bool, batch: int = BOUNDARY_BATCH) -> dict:
    """Fill a view in one scheduler order; seconds and samples until its boundary is at full resolution.

    Each batch's time is the engine's; the picture's boundary is known only
    at the end, so every batch's full-resolution mask is kept until then.
    """
    from viz.sampling.boundary import at_full_resolution, boundary_pixels
    from viz.sampling.picture import picture
    from viz.sampling.scheduler import deliver, next_batch
    from viz.sampling.store import SampleStore

    store, elapsed, samples, marks = SampleStore(), 0.0, 0, []
    while (work := next_batch(view, store, batch, boundary_first=boundary_first)) is not None:
        start = time.perf_counter()
        measures = engine.measure(work.xs, work.ys)
        elapsed += time.perf_counter() - start
        samples += len(work)
        deliver(store, work, measures)
        marks.append((elapsed, samples, at_full_resolution(view, store)))
    final = picture(view, store)
    boundary = boundary_pixels(final)
    shares = [(t, n, float(done[boundary].mean()) if boundary.any() else 1.0) for t, n, done in marks]
    seconds, count = next((t, n) for t, n, share in shares if share == 1.0)
    most_s, most = next((t, n) for t, n, share in shares if share >= MOST_OF_BOUNDARY)
    return {"boundary_s": seconds, "boundary_samples": count, "most_s": most_s, "most_samples": most,
            "total_s": elapsed, "total_samples": samples, "boundary_pixels": int(boundary.sum()), "picture": final}


def measure_boundary_first(arch: str = "auto", size: tuple[int, int] = BOUNDARY_VIEW, preset: str = "paper",
                           window: str = BOUNDARY_WINDOWS[0]) -> dict:
    """A tanh view (one of BOUNDARY_WINDOWS) filled boundary-first and in the order before it."""
    from viz.compute.backend import init_backend
    from viz.compute.engine import build_engine
    from viz.problem.spec import ProblemSpec
    from viz.sampling.view import View

    chosen = PRESETS[preset]
    engine = build_engine(ProblemSpec("tanh", chosen.width, chosen.steps), init_backend(arch))
    engine.prepare()
    log_window = panel_log_window("tanh") if window == BOUNDARY_WINDOWS[0] else DEFAULT_WINDOW
    view = View.fit(*log_window, *size)
    first = fill_order(engine, view, boundary_first=True)
    before = fill_order(engine, view, boundary_first=False)
    return {"window": window, "size": f"{size[0]}x{size[1]}",
            "preset": f"{chosen.name} (n={chosen.width}, {chosen.steps} steps)",
            "boundary_first": {k: v for k, v in first.items() if k != "picture"},
            "centre_first": {k: v for k, v in before.items() if k != "picture"},
            "same_picture": first["picture"].tobytes() == before["picture"].tobytes()}


def format_boundary_first(report: dict) -> str:
    """The boundary-first figures as a few lines."""
    first, before = report["boundary_first"], report["centre_first"]
    return "\n".join([
        f"boundary first on {report['window']}, {report['size']}, {report['preset']} "
        f"({first['boundary_pixels']} boundary pixels; same picture bitwise: {report['same_picture']}):",
        f"  boundary at full resolution after {first['boundary_s']:.1f} s ({first['boundary_samples']} samples) "
        f"boundary-first, {before['boundary_s']:.1f} s ({before['boundary_samples']} samples) centre-first",
        f"  {MOST_OF_BOUNDARY:.0%} of it after {first['most_s']:.1f} s ({first['most_samples']} samples) "
        f"boundary-first, {before['most_s']:.1f} s ({before['most_samples']} samples) centre-first; "
        f"whole view {first['total_s']:.1f} s / {before['total_s']:.1f} s ({first['total_samples']} samples)",
    ])


def measure_explore(seconds: float = 10.0, size: tuple[int, int] = (1280, 720), arch: str = "auto",
                    preset: str = "quick", boundary_size: tuple[int, int] | None = BOUNDARY_VIEW) -> dict:
    """Open the explorer, warm it up, then time zooms and a continuous zoom; the figures as a dict.

    With boundary_size, the boundary-first comparison follows (`measure_boundary_first`).
    """
    from viz.explore.settings import Settings
    from viz.explore.window import Explorer
    from viz.problem.spec import ProblemSpec
    from viz.sampling.coverage import coverage
    from viz.sampling.view import pixel_of

    chosen = PRESETS[preset]
    settings = Settings(problem=ProblemSpec("tanh", chosen.width, chosen.steps, seed=0), presets=(chosen,),
                        home=_home(), size=size, arch=arch, vsync=False, title="nnfractal bench --explore")
    with Explorer(settings) as explorer:
        renderer = explorer.ctx.info["GL_RENDERER"]
        coarse = lambda: coverage(explorer.session.view, explorer.session.refiner.store).coarse_done  # noqa: E731
        warm_up = _run_until(explorer, lambda: explorer.session.refiner.backend is not None and coarse()
                             and explorer.session.refiner.compiling is None, "starting the engine")
        to_coarse = []
        for _ in range(ZOOMS):
            explorer.session.zoom_by(ZOOM_FACTOR, pixel_of(explorer.session.view, *TARGET))
            to_coarse.append(_run_until(explorer, coarse, "a coarse picture"))
        explorer.session.pointer.hold = 1
        delivered = explorer.session.refiner.delivered
        times = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            began = time.perf_counter()
            explorer.frame()
            times.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
        explorer.session.pointer.hold = 0
        delivered = explorer.session.refiner.delivered - delivered
        backend = explorer.session.refiner.backend
    ms = np.array(times) * 1000.0
    boundary = ([measure_boundary_first(arch, boundary_size, window=name) for name in BOUNDARY_WINDOWS]
                if boundary_size else [])
    return {
        "boundary": boundary,
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
        *(format_boundary_first(boundary) for boundary in report.get("boundary", [])),
    ])
