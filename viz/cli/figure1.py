"""`nnfractal figure1`: the paper's six Figure 1 panels, our fractal dimensions beside the paper's.

The work, resumable panel by panel, is viz.paper.figure1_build's.
"""
from __future__ import annotations

import argparse

from viz.cli import args as cliargs
from viz.compute.backend import ARCHES
from viz.problem.conditions import PRESETS

DEFAULT_RES = 256
DEFAULT_OUT = "figure1.png"


def register(subparsers) -> None:
    """Add the `figure1` subcommand."""
    p = subparsers.add_parser(
        "figure1", help="the paper's Figure 1: six conditions, each titled with its fractal dimension",
        description="Compute the paper's six Figure 1 windows from the paper's arrays, draw them as "
                    "one PNG and print our box-counting dimension of each beside the paper's. "
                    "Finished panels are kept in OUT.panels/ and reused when their settings match.")
    p.add_argument("--res", type=int, default=DEFAULT_RES, help="pixels per panel side (default %(default)s)")
    p.add_argument("--preset", choices=list(PRESETS), default="paper",
                   help="paper: n=16, 500 steps (1000 for minibatch), the paper's pictures; "
                        "quick: n=8, 100 steps, a fast smoke test (default %(default)s)")
    p.add_argument("--arch", choices=ARCHES, default="auto",
                   help="Taichi backend: auto takes CUDA where a driver is present (default)")
    cliargs.add_precision_arg(p)
    p.add_argument("--out", default=DEFAULT_OUT, help="output PNG (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    cliargs.add_cluster_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute or reuse each panel, then draw the figure and print the table."""
    from viz.paper.figure1_build import build_figure1

    build_figure1(args.out, args.res, args.preset, arch=args.arch, progress=not args.quiet, cluster=args.cluster,
                  tile=args.tile, precision=cliargs.check_precision(args))
    return 0
