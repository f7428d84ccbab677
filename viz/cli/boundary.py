"""`nnfractal boundary`: an exact decimal point of the boundary on one row, bisected in double-double.

It prints log10 x, every digit, for `nnfractal zoom --center X Y`: the
centre of a zoom that flies past float64's limit into the boundary.
"""
from __future__ import annotations

import argparse

from viz.cli import args as cliargs

DEFAULT_DECADES = 20.0


def register(subparsers) -> None:
    """Add the `boundary` subcommand."""
    p = subparsers.add_parser(
        "boundary", help="find a point of the boundary on a row to many decades (a centre for zoom)",
        description="Bisect in double-double between a converged and a diverged x on the row log10 y = ROW "
                    "and print log10 x of a boundary point, exact to 10**-DECADES decades.")
    p.add_argument("--row", required=True, metavar="Y", help="log10 y of the row, every digit kept")
    p.add_argument("--converged", required=True, metavar="X", help="log10 x on the row where training converges")
    p.add_argument("--diverged", required=True, metavar="X", help="log10 x on the row where training diverges")
    p.add_argument("--decades", type=float, default=DEFAULT_DECADES,
                   help="precision: the point is within 10**-DECADES decades of the boundary "
                        "(default %(default)g, at most 30)")
    cliargs.add_problem_args(p)
    p.set_defaults(run=run, precision="dd")  # every run of the bisection is double-double


def run(args: argparse.Namespace) -> int:
    """Print the boundary point's log10 x."""
    from viz.sampling.boundary import bisect_boundary_dd

    print(bisect_boundary_dd(cliargs.problem_spec(args), args.row, args.converged, args.diverged, args.decades,
                             arch=args.arch))
    return 0
