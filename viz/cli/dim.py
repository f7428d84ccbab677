"""`nnfractal dim`: the paper's box-counting dimension of stored images or a Figure 1 panel.

What is measured and reported is viz.paper.dim_report's.
"""
from __future__ import annotations

import argparse

from viz.cli import args as cliargs
from viz.errors import UsageError
from viz.problem.conditions import PANEL_WINDOWS

#: Pixels per side of a --panel still: the notebook's default resolution.
DEFAULT_PANEL_RES = 512


def register(subparsers) -> None:
    """Add the `dim` subcommand."""
    parser = subparsers.add_parser(
        "dim", help="fractal dimension of the trainability boundary (the paper's method)",
        description="Box-count the boundary between converged and diverged pixels and report "
                    "the median local slope, pooled over all images given.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="FILE.npy (a measure image), FILE.png (coloured by nnfractal) or a "
                             "keyframe directory (every *.npy in it); all images are pooled")
    parser.add_argument("--panel", choices=sorted(PANEL_WINDOWS),
                        help="render this Figure 1 panel and measure it instead of reading files")
    parser.add_argument("--res", type=int, default=DEFAULT_PANEL_RES,
                        help=f"pixels per side of the --panel still (default {DEFAULT_PANEL_RES})")
    cliargs.add_cluster_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Measure the images named on the command line and print the report."""
    from viz.paper.dim_report import dimension_report

    if bool(args.paths) == bool(args.panel):
        raise UsageError("dim: give either image paths or --panel NAME")
    if args.cluster and not args.panel:
        raise UsageError("dim: --cluster renders a --panel; stored images are only read")
    print(dimension_report(args.paths, args.panel, args.res, cluster=args.cluster, tile=args.tile))
    return 0
