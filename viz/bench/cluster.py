"""Tiles on Dask against the engine in-process, on the same pixels: px/s, and what a tile costs beyond its compute.

Run `python -m viz.bench.cluster` (add `--json FILE` to keep the figures).
For each preset it times the engine in this process, then `local:1` and
`local:2` with every worker's engine built beforehand (a kernel build is a
one-off, not a per-tile cost). The per-tile overhead is the wall time no
task slot spent computing, per tile: scheduling, transfer, the store's
writes and the bar, which is what a larger cluster multiplies.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from viz.paper.stills import StillSpec
from viz.problem.conditions import DEFAULT_WINDOW, panel_log_window
from viz.problem.spec import ProblemSpec


@dataclass(frozen=True)
class Figure:
    """One timed configuration."""

    preset: str
    runner: str
    pixels: int
    tiles: int
    seconds: float
    px_per_s: float
    overhead_ms_per_tile: float | None = None
    overhead_percent: float | None = None


def cases(paper_res: int, paper_tile: int, quick_res: int, quick_tile: int) -> list[tuple[str, StillSpec, int]]:
    """(preset, still, tile): the tanh Figure 1 panel at the paper preset and the default view at the quick preset."""
    return [("paper", StillSpec(ProblemSpec("tanh", 16, 500), panel_log_window("tanh"), paper_res, paper_res),
             paper_tile),
            ("quick", StillSpec(ProblemSpec("tanh", 8, 100), DEFAULT_WINDOW, quick_res, quick_res), quick_tile)]


def time_in_process(preset: str, spec: StillSpec) -> tuple[Figure, np.ndarray]:
    """The engine in this process over the still's pixels, in compute_still's shuffled chunks."""
    from viz.compute.backend import init_backend
    from viz.compute.engine import build_engine
    from viz.paper.stills import compute_still

    build_engine(spec.problem, init_backend("cpu")).prepare()  # the kernel's build is not timed
    start = time.perf_counter()
    image = compute_still(spec, arch="cpu", progress=False)
    seconds = time.perf_counter() - start
    return Figure(preset, "in-process", image.size, 0, seconds, image.size / seconds), image


def time_cluster(preset: str, spec: StillSpec, tile: int, workers: int, store: Path) -> tuple[Figure, np.ndarray]:
    """The still on `local:N`, written to a fresh Zarr store, after every worker has built its engine."""
    from viz.compute.cluster import on_every_worker, open_cluster
    from viz.compute.tiles import warm
    from viz.paper.cluster_still import compute_still_on_cluster

    busy = []
    with open_cluster(f"local:{workers}", arch="cpu", quiet=True) as client:
        on_every_worker(client, warm, spec.problem)
        start = time.perf_counter()
        image = compute_still_on_cluster(client, spec, tile, store=store, progress=False,
                                         on_tile=lambda tile, result: busy.append(result.seconds))
        seconds = time.perf_counter() - start
    tiles = len(busy)
    overhead = (seconds * workers - sum(busy)) / tiles
    return (Figure(preset, f"local:{workers}", image.size, tiles, seconds, image.size / seconds,
                   1000 * overhead, 100 * overhead / (sum(busy) / tiles)), image)


def run(paper_res: int = 128, paper_tile: int = 64, quick_res: int = 256, quick_tile: int = 64) -> list[Figure]:
    """Every configuration at both presets; the images must agree bitwise, or the figures mean nothing."""
    figures = []
    with tempfile.TemporaryDirectory(prefix="nnfractal-bench-") as folder:
        for preset, spec, tile in cases(paper_res, paper_tile, quick_res, quick_tile):
            figure, reference = time_in_process(preset, spec)
            figures.append(figure)
            print(format_figure(figure), flush=True)
            for workers in (1, 2):
                figure, image = time_cluster(preset, spec, tile, workers, Path(folder) / f"{preset}-{workers}.zarr")
                if image.tobytes() != reference.tobytes():
                    raise AssertionError(f"{preset} local:{workers} differs from the in-process image")
                figures.append(figure)
                print(format_figure(figure), flush=True)
    return figures


def format_figure(f: Figure) -> str:
    """One line; with several workers the idle time also holds the wait for the last tiles (imbalance)."""
    line = f"{f.preset:5s} {f.runner:10s} {f.pixels:7d} px {f.seconds:8.2f} s {f.px_per_s:10.1f} px/s"
    if f.overhead_ms_per_tile is not None:
        what = "overhead" if f.runner == "local:1" else "idle (overhead + last tiles)"
        line += (f"   {f.tiles} tiles, {what} {f.overhead_ms_per_tile:.1f} ms/tile "
                 f"= {f.overhead_percent:.2f}% of a tile's compute")
    return line


def main(argv: list[str] | None = None) -> int:
    """Print the figures (and write them as JSON if asked)."""
    parser = argparse.ArgumentParser(prog="python -m viz.bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--paper-res", type=int, default=128, help="paper preset still side (default %(default)s)")
    parser.add_argument("--paper-tile", type=int, default=64, help="paper preset tile side (default %(default)s)")
    parser.add_argument("--quick-res", type=int, default=256, help="quick preset still side (default %(default)s)")
    parser.add_argument("--quick-tile", type=int, default=64, help="quick preset tile side (default %(default)s)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    figures = run(args.paper_res, args.paper_tile, args.quick_res, args.quick_tile)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(f) for f in figures], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
