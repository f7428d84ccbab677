"""`nnfractal bench`: the engine's speed beside its baselines and this machine's peak."""
from __future__ import annotations

import argparse

from viz.cli.args import add_precision_arg, check_precision, positive_int, positive_number
from viz.compute.backend import ARCHES


def register(subparsers) -> None:
    """Add the `bench` subcommand."""
    p = subparsers.add_parser("bench", help="measure the engine against its baselines",
                              description="Time the Taichi engine, the NumPy reference and (if installed) "
                                          "JAX on the same pixels, with a dgemm probe of this machine's peak.")
    p.add_argument("--arch", choices=ARCHES, default="auto")
    add_precision_arg(p)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--repeats", type=positive_int, default=3,
                   help="time each implementation this many times and keep the fastest (default %(default)s)")
    p.add_argument("--explore", action="store_true",
                   help="measure the live window instead (needs a display; Xvfb will do)")
    p.add_argument("--optimizers", action="store_true",
                   help="time each optimiser at both presets beside plain gd and the NumPy reference")
    p.add_argument("--seconds", type=positive_number, default=10.0,
                   help="--explore: seconds of continuous zoom to time")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run every workload and print the table."""
    from viz.bench.run import bench

    precision = check_precision(args)
    bench(args.arch, args.repeats, explore=args.explore, seconds=args.seconds, json_out=args.json,
          precision=precision, optimizers=args.optimizers)
    return 0
