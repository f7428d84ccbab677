"""Measure README's precision table: float64 against double-double on the Figure 1 panels.

For each panel (and any extra window given as exact decimal strings) it
computes the still in float64 and in double-double at the paper preset,
keeps both measure images in recordings/precision/ (a finished panel is
read back, so an interrupted run resumes), and prints one Markdown row:
the share of pixels whose sign differs, and the box-counting dimension
of each picture. It also writes each comparison picture (float64 |
double-double | differing pixels) as a PNG beside the images.

    python scripts/precision_table.py --res 32
    python scripts/precision_table.py --res 32 --only tanh --window deep4 X0 X1 Y0 Y1
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.outputs import save_npy, save_png
from viz.paper.dim import dimension
from viz.paper.still_file import comparison_picture, sign_differences
from viz.paper.stills import StillSpec, compute_still, panel_spec
from viz.problem.conditions import PANEL_WINDOWS

FOLDER = Path("recordings/precision")


def resolvable_in_float64(spec: StillSpec) -> bool:
    """Whether float64 gives the still's neighbouring pixels distinct learning rates (StillSpec refuses it if not)."""
    try:
        replace(spec, problem=replace(spec.problem, precision="f64")).validate()
    except UsageError:
        return False
    return True


def float64_collapsed(spec: StillSpec) -> np.ndarray:
    """What float64 computes on a window it cannot resolve: each pixel at its learning rates rounded to float64
    (the dd pairs' hi parts), so whole bands of pixels share one run."""
    from viz.compute.backend import init_backend
    from viz.compute.engine import build_engine

    x_hi, _, y_hi, _ = spec.axes_dd()
    xs, ys = np.meshgrid(x_hi, y_hi)
    engine = build_engine(replace(spec.problem, precision="f64"), init_backend("cpu"))
    return engine.measure(xs.ravel(), ys.ravel()).reshape(spec.rows, spec.cols)


def both_precisions(name: str, spec: StillSpec) -> tuple[np.ndarray, np.ndarray, float]:
    """The float64 and dd images of a still (read back when already computed), and the seconds spent now."""
    path = FOLDER / f"{name}-{spec.cols}.npy"
    if path.exists():
        f64, dd = np.load(path)
        return f64, dd, 0.0
    start = time.perf_counter()
    f64 = (compute_still(replace(spec, problem=replace(spec.problem, precision="f64")), arch="cpu")
           if resolvable_in_float64(spec) else float64_collapsed(spec))
    dd = compute_still(replace(spec, problem=replace(spec.problem, precision="dd")), arch="cpu")
    save_npy(path, np.stack([f64, dd]))
    return f64, dd, time.perf_counter() - start


def row(name: str, spec: StillSpec) -> str:
    """One Markdown row for a still: size, sign-differing share, both dimensions, seconds."""
    f64, dd, seconds = both_precisions(name, spec)
    differ = sign_differences(f64, dd)
    save_png(FOLDER / f"{name}-{spec.cols}.png", comparison_picture(f64, dd, scale=max(1, 256 // spec.rows)))
    dims = []
    for image in (f64, dd):
        try:
            dims.append(f"{dimension([image]).dimension:.2f}")
        except UsageError as exc:  # too small to box-count, or one colour (no boundary)
            dims.append(f"- ({exc})")
    return (f"| {name} | {spec.cols}x{spec.rows} | {int(differ.sum())} ({100 * differ.mean():.1f}%) | "
            f"{dims[0]} | {dims[1]} | {seconds:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--res", type=int, default=32)
    parser.add_argument("--only", nargs="*", default=list(PANEL_WINDOWS),
                        help="panels and --window names, in the order to compute them")
    parser.add_argument("--window", nargs=5, action="append", default=[], metavar=("NAME", "X0", "X1", "Y0", "Y1"),
                        help="an extra tanh window (paper preset), its ends as exact decimal strings; float64's side "
                             "of one it cannot resolve is computed at the learning rates rounded to float64")
    args = parser.parse_args()
    args.windows = {name: ends for name, *ends in args.window}
    args.only = args.only + [name for name in args.windows if name not in args.only]
    FOLDER.mkdir(parents=True, exist_ok=True)
    print("| panel | pixels | sign differs | dimension f64 | dimension dd | seconds |")
    print("|---|---|---|---|---|---|")
    for name in args.only:
        if name in args.windows:
            spec = replace(panel_spec("tanh", args.res), window=tuple(Decimal(e) for e in args.windows[name]))
        else:
            spec = panel_spec(name, args.res)
        print(row(name, spec), flush=True)


if __name__ == "__main__":
    main()
