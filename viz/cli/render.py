"""`nnfractal render`: one still, as raw float64 measures (.npy) or the paper's picture (.png)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viz.cli import args as cliargs
from viz.colour.equalise import colour_measures
from viz.outputs import check_writable, save_npy, save_png

DEFAULT_RES = 96


def register(subparsers) -> None:
    """Add the `render` subcommand."""
    p = subparsers.add_parser(
        "render", help="compute a still image of the trainability measure",
        description="Train one network per pixel and save the measure (.npy) or its picture (.png).")
    cliargs.add_window_args(p)
    cliargs.add_resolution_args(p, DEFAULT_RES)
    cliargs.add_problem_args(p)
    p.add_argument("--out", required=True, help="output file: .npy (raw float64 measure) or .png (coloured)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute the still and write it; nothing is written if interrupted."""
    from viz.paper.stills import compute_still

    spec = cliargs.still_spec(args, DEFAULT_RES)
    out = check_writable(args.out)
    try:
        measure = compute_still(spec, arch=args.arch, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"nnfractal: interrupted; nothing written ({out} is untouched)", file=sys.stderr)
        return 130
    if out.suffix.lower() == ".npy":
        save_npy(out, measure)
    else:
        save_png(out, colour_measures(measure, spec.problem.readout), meta=spec.as_metadata())
    problem = spec.problem
    print(f"wrote {Path(out)} ({spec.cols}x{spec.rows}, {problem.condition}, n={problem.width}, {problem.steps} steps)")
    return 0
