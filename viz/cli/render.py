"""`nnfractal render`: one still, as raw float64 measures (.npy) or the paper's picture (.png)."""
from __future__ import annotations

import argparse

from viz.cli import args as cliargs

DEFAULT_RES = 96


def register(subparsers) -> None:
    """Add the `render` subcommand."""
    p = subparsers.add_parser(
        "render", help="compute a still image of the trainability measure",
        description="Train one network per pixel and save the measure (.npy) or its picture (.png).")
    cliargs.add_window_args(p)
    cliargs.add_resolution_args(p, DEFAULT_RES)
    cliargs.add_problem_args(p)
    cliargs.add_precision_arg(p)
    p.add_argument("--compare-precision", action="store_true",
                   help="compute the view in float64 and in double-double; write them side by side with the "
                        "pixels whose sign differs marked, and print their share")
    cliargs.add_cluster_args(p)
    p.add_argument("--out", required=True,
                   help="output file: .npy (raw float64 measure) or .png (coloured); with --cluster also .zarr "
                        "(the tile store itself, kept: a rerun resumes it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute the still and write it; interrupted, nothing is written (in-process) or the tiles are kept."""
    from viz.paper.still_file import write_precision_comparison, write_still

    if args.compare_precision:
        write_precision_comparison(cliargs.still_spec(args, DEFAULT_RES), args.out, arch=args.arch,
                                   progress=not args.quiet)
        return 0
    write_still(cliargs.still_spec(args, DEFAULT_RES), args.out, arch=args.arch, progress=not args.quiet,
                cluster=args.cluster, tile=args.tile)
    return 0
