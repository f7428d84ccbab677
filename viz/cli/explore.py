"""`nnfractal explore`: the live window that flies into the trainability boundary."""
from __future__ import annotations

import argparse
from pathlib import Path

from viz.cli import args as cliargs
from viz.errors import UsageError
from viz.explore.settings import ExploreRequest, settings_for
from viz.sampling.precision import PRECISION_MODES

DEFAULT_SIZE = (1280, 720)


def register(subparsers) -> None:
    """Add the `explore` subcommand."""
    p = subparsers.add_parser(
        "explore", help="fly into the boundary in a live window",
        description="A live window: wheel zooms about the cursor, drag pans, ? lists the keys. "
                    "Compute runs in the background; what is on screen never waits for it. "
                    "The preset defaults to quick on a CPU and paper on CUDA.")
    p.add_argument("still", nargs="?", help="reopen the view a PNG saved by nnfractal carries")
    cliargs.add_window_args(p)
    cliargs.add_problem_args(p, default_preset="auto")
    cliargs.add_cluster_args(p, tiles=False)
    p.add_argument("--size", type=cliargs.parse_size, default=DEFAULT_SIZE, metavar="WxH",
                   help="window size in pixels (default 1280x720)")
    p.add_argument("--precision", choices=PRECISION_MODES, default="auto",
                   help="auto: float64, and double-double (CPU only, ~50-100x slower) once float64 nears its "
                        "limit; f64 or dd: always that (D cycles them in the window; default %(default)s)")
    p.add_argument("--fullscreen", action="store_true", help="start fullscreen (F or F11 toggles)")
    p.add_argument("--cache-mb", type=float, default=512.0,
                   help="memory for computed samples, all conditions together (default %(default)s)")
    p.add_argument("--bookmark", metavar="NAME", help="open a bookmark saved with B")
    p.add_argument("--bookmarks", type=Path, default=None, metavar="FILE",
                   help="bookmarks file, .toml or .json "
                        "(default: nnfractal/bookmarks.toml in $XDG_DATA_HOME, or in ~/.local/share without it)")
    p.set_defaults(run=run)


def request_from(args: argparse.Namespace) -> ExploreRequest:
    """The explorer's request: a saved view to reopen, or the problem and window the flags name."""
    if args.still and args.bookmark:
        raise UsageError("give a PNG or --bookmark, not both")
    if (args.still or args.bookmark) and (args.window or args.panel):
        raise UsageError("--window/--panel contradict the saved view being reopened")
    common = dict(png=args.still, bookmark=args.bookmark, bookmarks=args.bookmarks, preset=args.preset,
                  arch=args.arch, size=args.size, cache_mb=args.cache_mb, fullscreen=args.fullscreen,
                  cluster=args.cluster, precision=args.precision)
    if args.still or args.bookmark:
        return ExploreRequest(**common)
    return ExploreRequest(**common, condition=cliargs.condition_name(args), panel=args.panel,
                          home=cliargs.log_window(args), width=args.width, steps=args.steps, seed=args.seed,
                          readout=args.readout, experiment=cliargs.experiment(args))


def run(args: argparse.Namespace) -> int:
    """Open the window and run until Esc or Q."""
    from viz.explore.window import Explorer

    with Explorer(settings_for(request_from(args))) as explorer:
        return explorer.run()
