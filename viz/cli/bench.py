"""`nnfractal bench`: the engine's speed beside its baselines and this machine's peak."""
from __future__ import annotations

import argparse
import json

from viz.compute.backend import ARCHES
from viz.outputs import check_writable


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def register(subparsers) -> None:
    """Add the `bench` subcommand."""
    p = subparsers.add_parser("bench", help="measure the engine against its baselines",
                              description="Time the Taichi engine, the NumPy reference and (if installed) "
                                          "JAX on the same pixels, with a dgemm probe of this machine's peak.")
    p.add_argument("--arch", choices=ARCHES, default="auto")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--repeats", type=positive_int, default=3,
                   help="time each implementation this many times and keep the fastest (default %(default)s)")
    p.add_argument("--explore", action="store_true",
                   help="measure the live window instead (needs a display; Xvfb will do)")
    p.add_argument("--seconds", type=float, default=10.0, help="--explore: seconds of continuous zoom to time")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run every workload and print the table."""
    from viz.bench.compare import format_report, run_bench

    out = check_writable(args.json, (".json",)) if args.json else None
    if args.explore:
        from viz.bench.explore import format_explore, measure_explore

        report = measure_explore(seconds=args.seconds, arch=args.arch)
        print(format_explore(report))
    else:
        report = run_bench(args.arch, args.repeats)
        print(format_report(report))
    if out is not None:
        out.write_text(json.dumps(report, indent=2))
    return 0
