"""`nnfractal dim`: the boundary's dimension, by the paper's box count or by the uncertainty exponent.

What is measured and reported is viz.paper.dim_report's (box counting) and
viz.paper.uncertainty_run's (pairs of runs at distance eps).
"""
from __future__ import annotations

import argparse

from viz.cli import args as cliargs
from viz.errors import UsageError

#: Pixels per side of a --panel still: the notebook's default resolution.
DEFAULT_PANEL_RES = 512
#: Points of an uncertainty-exponent measurement by default (each eps costs this many runs).
DEFAULT_POINTS = 2000


def register(subparsers) -> None:
    """Add the `dim` subcommand."""
    parser = subparsers.add_parser(
        "dim", help="fractal dimension of the trainability boundary (box count or uncertainty exponent)",
        description="box: box-count the boundary between converged and diverged pixels and report the median "
                    "local slope, pooled over all images given (the paper's method). uncertainty: the share f(eps) "
                    "of random pairs of runs eps apart whose outcomes differ falls as eps^alpha; D = 2 - alpha, "
                    "with a bootstrap 95%% interval.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="FILE.npy (a measure image), FILE.png (coloured by nnfractal) or a "
                             "keyframe directory (every *.npy in it); all images are pooled")
    parser.add_argument("--method", choices=("box", "uncertainty"), default="box",
                        help="box: the paper's box count (default); uncertainty: the uncertainty exponent")
    parser.add_argument("--res", type=int, default=DEFAULT_PANEL_RES,
                        help=f"pixels per side of the --panel still (default {DEFAULT_PANEL_RES})")
    cliargs.add_window_args(parser)  # --panel: render that Figure 1 panel and measure it instead of reading files
    cliargs.add_problem_args(parser)
    parser.add_argument("--points", type=cliargs.positive_int, default=DEFAULT_POINTS,
                        help=f"uncertainty: random points M, each with a partner per eps (default {DEFAULT_POINTS})")
    parser.add_argument("--points-seed", type=int, default=0,
                        help="uncertainty: seed of the points, their directions and the bootstrap (default 0)")
    parser.add_argument("--json", metavar="FILE.json",
                        help="uncertainty: write the result (dimension, interval, alpha, eps, f) here; the finished "
                             "eps are kept beside it (FILE.json.pairs.npz) and a rerun resumes from them")
    parser.add_argument("--plot", metavar="FILE.png", help="uncertainty: log f against log eps with the fit")
    parser.add_argument("--quiet", action="store_true", help="uncertainty: no line per eps")
    cliargs.add_cluster_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Measure the images named on the command line, or the view's pairs, and print the report."""
    if args.method == "uncertainty":
        return run_uncertainty(args)
    from viz.paper.dim_report import dimension_report

    if bool(args.paths) == bool(args.panel):
        raise UsageError("dim: give either image paths or --panel NAME")
    if args.cluster and not args.panel:
        raise UsageError("dim: --cluster renders a --panel; stored images are only read")
    print(dimension_report(args.paths, args.panel, args.res, cluster=args.cluster, tile=args.tile))
    return 0


def run_uncertainty(args: argparse.Namespace) -> int:
    """The uncertainty exponent of a --panel's or --window's view, resumable through its --json checkpoint."""
    from viz.outputs import check_writable
    from viz.paper.uncertainty_run import UncertaintyJob, log10_sides, measure_uncertainty, plot
    from viz.sampling.region import Region

    if args.paths:
        raise UsageError("dim --method uncertainty measures a --panel or a --window, not stored images")
    if args.cluster:
        raise UsageError("dim --method uncertainty runs on this machine (no --cluster yet)")
    window = Region.of(cliargs.log_window(args)).floats
    problem = cliargs.problem_spec(args).validate()
    json_path = check_writable(args.json or f"uncertainty-{problem.condition}.json", (".json",))
    plot_path = check_writable(args.plot, (".png",)) if args.plot else None
    job = UncertaintyJob(problem, log10_sides(window), args.points, args.points_seed)
    result = measure_uncertainty(job, json_path, args.arch, args.quiet)
    low, high = result.interval
    used = [e for e, u in zip(result.eps, result.fitted) if u]
    print(f"D = {result.dimension:.3f} (95% interval {low:.3f} .. {high:.3f}), alpha = {result.alpha:.3f}, "
          f"fitted on eps {min(used):.3g} .. {max(used):.3g} of the window's width, {args.points} points; "
          f"wrote {json_path}")
    if plot_path is not None:
        plot(result, plot_path, f"{problem.label}: uncertainty exponent")
        print(f"wrote {plot_path}")
    return 0

