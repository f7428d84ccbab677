"""A whole `nnfractal bench`: measure, print the table, keep the figures as JSON where asked."""
from __future__ import annotations

import json

from viz.bench.compare import format_report, run_bench
from viz.outputs import check_writable


def bench(arch: str = "auto", repeats: int = 3, explore: bool = False, seconds: float = 10.0,
          json_out: str | None = None, precision: str = "f64", optimizers: bool = False) -> dict:
    """The engine against its baselines (or, with `explore`, the live window for `seconds`; with
    `optimizers`, every optimiser beside gd and the reference); the figures.

    The JSON path is checked before anything is timed.
    """
    out = check_writable(json_out, (".json",)) if json_out else None
    if explore:
        from viz.bench.explore import format_explore, measure_explore  # opens a window

        report = measure_explore(seconds=seconds, arch=arch)
        print(format_explore(report))
    elif optimizers:
        from viz.bench.optimisers import format_optimisers, run_optimisers
        from viz.compute.backend import init_backend

        report = {"optimizers": run_optimisers(init_backend(arch), repeats)}
        print(format_optimisers(report["optimizers"]))
    else:
        report = run_bench(arch, repeats, precision)
        print(format_report(report))
    if out is not None:
        out.write_text(json.dumps(report, indent=2))
    return report
