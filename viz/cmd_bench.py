"""`nnfractal bench`: the engine's speed beside its baselines and this machine's peak."""
from __future__ import annotations

import argparse
import json

from viz.engine import ARCHES
from viz.outputs import check_writable


def register(subparsers) -> None:
    """Add the `bench` subcommand."""
    p = subparsers.add_parser("bench", help="measure the engine against its baselines",
                              description="Time the Taichi engine, the NumPy reference and (if installed) "
                                          "JAX on the same pixels, with a dgemm probe of this machine's peak.")
    p.add_argument("--arch", choices=ARCHES, default="auto")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run every workload and print the table."""
    from viz.bench import format_report, run_bench

    out = check_writable(args.json, (".json",)) if args.json else None
    report = run_bench(args.arch)
    print(format_report(report))
    if out is not None:
        out.write_text(json.dumps(report, indent=2))
    return 0
