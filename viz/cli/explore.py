"""`nnfractal explore`: the live window that flies into the trainability boundary."""
from __future__ import annotations

import argparse
from pathlib import Path

from viz.cli import args as cliargs
from viz.explore.bookmarks import DEFAULT_FILE, SavedView, find_bookmark, from_png
from viz.problem.conditions import DEFAULT_WINDOW, PANEL_STEPS, PRESETS, Preset, panel_log_window
from viz.errors import UsageError

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
    p.add_argument("--size", type=cliargs.parse_size, default=DEFAULT_SIZE, metavar="WxH",
                   help="window size in pixels (default 1280x720)")
    p.add_argument("--fullscreen", action="store_true", help="start fullscreen (F or F11 toggles)")
    p.add_argument("--cache-mb", type=float, default=512.0,
                   help="memory for computed samples, all conditions together (default %(default)s)")
    p.add_argument("--bookmark", metavar="NAME", help="open a bookmark saved with B")
    p.add_argument("--bookmarks", type=Path, default=DEFAULT_FILE, metavar="FILE",
                   help="bookmarks file, .toml or .json (default %(default)s)")
    p.set_defaults(run=run)


def _saved(args: argparse.Namespace) -> SavedView | None:
    if args.still and args.bookmark:
        raise UsageError("give a PNG or --bookmark, not both")
    if (args.still or args.bookmark) and (args.window or args.panel):
        raise UsageError("--window/--panel contradict the saved view being reopened")
    if args.still:
        return from_png(args.still)
    if args.bookmark:
        return find_bookmark(args.bookmarks, args.bookmark)
    return None


def _default_preset(arch: str) -> str:
    """Quick on a CPU, the paper's setting on CUDA (DESIGN.md)."""
    from viz.compute.backend import cuda_available

    return "paper" if arch == "cuda" or (arch == "auto" and cuda_available()) else "quick"


def settings_from(args: argparse.Namespace):
    """The explorer's settings from the parsed arguments, every input checked before a window opens."""
    from viz.problem.conditions import CONDITIONS
    from viz.compute.backend import cuda_available
    from viz.problem.arrays import load_problem
    from viz.explore.window import Settings

    saved = _saved(args)
    if args.arch == "cuda" and not cuda_available():
        raise UsageError("--arch cuda: no NVIDIA driver found on this machine; use --arch cpu or auto")
    if min(args.size) < 16:
        raise UsageError(f"--size must be at least 16x16, got {args.size[0]}x{args.size[1]}")
    if not args.cache_mb > 0:
        raise UsageError(f"--cache-mb must be positive, got {args.cache_mb:g}")
    base = PRESETS[_default_preset(args.arch) if args.preset == "auto" else args.preset]
    if saved is not None:
        problem = saved.problem
        condition, width, steps, seed, readout = (problem.condition, problem.width, problem.steps, problem.seed,
                                                  problem.readout)
        home = saved.window
    else:
        condition = cliargs.condition_name(args)
        seed, readout = args.seed, args.readout
        width = args.width or base.width
        steps = args.steps or (PANEL_STEPS.get(args.panel, base.steps) if args.panel else base.steps)
        home = panel_log_window(args.panel) if args.panel else tuple(args.window or DEFAULT_WINDOW)
        if not (home[0] < home[1] and home[2] < home[3]):
            raise UsageError("--window needs X0 < X1 and Y0 < Y1")
    if steps < 20 and readout == "measure":
        raise UsageError("the measure averages the last 20 steps: use --steps 20 or more")
    try:
        load_problem(CONDITIONS[condition], width, steps, seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    preset = next((p for p in PRESETS.values() if (p.width, p.steps) == (width, steps)),
                  Preset("custom", width, steps))
    presets = tuple(PRESETS.values()) if preset.name != "custom" else (preset, *PRESETS.values())
    return Settings(condition=condition, preset=preset, presets=presets, home=home, size=args.size,
                    start=saved, seed=seed, readout=readout, arch=args.arch, cache_mb=args.cache_mb,
                    fullscreen=args.fullscreen, bookmarks=args.bookmarks)


def run(args: argparse.Namespace) -> int:
    """Open the window and run until Esc or Q."""
    from viz.explore.window import Explorer

    with Explorer(settings_from(args)) as explorer:
        return explorer.run()
