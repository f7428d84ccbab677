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

from viz.outputs import save_npy, save_png
from viz.paper.dim import dimension
from viz.paper.still_file import comparison_picture, sign_differences
from viz.paper.stills import StillSpec, compute_still, panel_spec
from viz.problem.conditions import PANEL_WINDOWS

FOLDER = Path("recordings/precision")


def both_precisions(name: str, spec: StillSpec) -> tuple[np.ndarray, np.ndarray, float]:
    """The float64 and dd images of a still (read back when already computed), and the seconds spent now."""
    path = FOLDER / f"{name}-{spec.cols}.npy"
    if path.exists():
        f64, dd = np.load(path)
        return f64, dd, 0.0
    start = time.perf_counter()
    f64 = compute_still(replace(spec, problem=replace(spec.problem, precision="f64")), arch="cpu")
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
        except Exception as exc:  # a one-colour picture has no boundary to count
            dims.append(f"- ({exc})")
    return (f"| {name} | {spec.cols}x{spec.rows} | {int(differ.sum())} ({100 * differ.mean():.1f}%) | "
            f"{dims[0]} | {dims[1]} | {seconds:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--res", type=int, default=32)
    parser.add_argument("--only", nargs="*", default=list(PANEL_WINDOWS))
    parser.add_argument("--window", nargs=5, action="append", default=[], metavar=("NAME", "X0", "X1", "Y0", "Y1"),
                        help="an extra tanh window (paper preset), its ends as exact decimal strings")
    args = parser.parse_args()
    FOLDER.mkdir(parents=True, exist_ok=True)
    print("| panel | pixels | sign differs | dimension f64 | dimension dd | seconds |")
    print("|---|---|---|---|---|---|")
    for name in args.only:
        print(row(name, panel_spec(name, args.res)), flush=True)
    for name, *ends in args.window:
        spec = replace(panel_spec("tanh", args.res), window=tuple(Decimal(e) for e in ends))
        print(row(name, spec), flush=True)


if __name__ == "__main__":
    main()
