"""`nnfractal zoom`: the paper's flythrough video into a point, resumable, as an H.264 MP4.

The keyframes go to a store beside the video (NAME.keyframes/) as each is
finished; running the same command again after Ctrl-C or a crash computes
only what is missing, and changing only --fps, --seconds-per-2x or --size
re-encodes without computing anything.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from viz import limits
from viz.cli import args as cliargs
from viz.compute.capabilities import capabilities
from viz.errors import UsageError
from viz.numeric.fixed import decimal_to_fixed, to_fixed
from viz.outputs import check_writable
from viz.problem.conditions import PANEL_WINDOWS, panel_log_window
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import max_level
from viz.video.encode import encode_zoom
from viz.video.fill import panel_warning
from viz.video.keyframes import (
    KeyframeSpec,
    KeyframeStore,
    check_res,
    check_spec,
    level_for_width,
    outer_level,
    with_precision,
    zoom_levels,
)
from viz.video.recorder import Recorder

DEFAULT_RES = 256
DEFAULT_SIZE = (720, 720)
EXIT_INTERRUPTED = 130
#: Video frames per halving: an hour per 2x at 30 frames/s is far past any use.
MAX_FRAMES_PER_2X = 100_000
#: Frames per second a video player shows.
MAX_FPS = 240.0


def register(subparsers) -> None:
    """Add the `zoom` subcommand."""
    p = subparsers.add_parser(
        "zoom", help="render the paper's zoom video into a point of the boundary",
        description="Compute concentric keyframes 2x apart about a target (kept beside the video, "
                    "resumable) and play the paper's interpolation between them into an MP4.")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--center", nargs=2, metavar=("X", "Y"),
                        help="target in log10 units (x = log10 eta0, y = log10 eta1), every digit kept; "
                             "needs --depth or --keyframes")
    target.add_argument("--panel", choices=list(PANEL_WINDOWS), help="zoom into the paper's Figure 1 window")
    target.add_argument("--from", dest="still", metavar="PNG",
                        help="zoom into the view of a PNG saved by render or explore (its settings too)")
    target.add_argument("--bookmark", metavar="NAME", help="zoom into a bookmark saved in explore (its settings too)")
    depth = p.add_mutually_exclusive_group()
    depth.add_argument("--depth", type=float, metavar="DECADES",
                       help="decades of magnification from the outer keyframe (6+ decades wide) to the deepest")
    depth.add_argument("--keyframes", type=int, metavar="K", help="number of keyframes, each 2x narrower")
    p.add_argument("--bookmarks", type=Path, default=None, metavar="FILE",
                   help="bookmarks file for --bookmark, .toml or .json "
                        "(default: nnfractal/bookmarks.toml in $XDG_DATA_HOME, or in ~/.local/share without it)")
    cliargs.add_problem_args(p)
    cliargs.add_precision_arg(p, auto=True)
    p.add_argument("--res", type=int, default=DEFAULT_RES, help="samples per keyframe side (default %(default)s)")
    p.add_argument("--fps", type=float, default=30.0, help="video frames per second (default %(default)g)")
    p.add_argument("--seconds-per-2x", type=float, default=1.5,
                   help="seconds per halving of the width (default %(default)g)")
    p.add_argument("--size", type=cliargs.parse_size, default=DEFAULT_SIZE, metavar="WxH",
                   help=f"video size (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})")
    p.add_argument("--out", default=None, help="video file, .mp4 (default recordings/zoom-CONDITION.mp4)")
    p.add_argument("--store", default=None, help="keyframe folder (default: the video's name + .keyframes)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    cliargs.add_cluster_args(p)
    p.set_defaults(run=run)


def target(args: argparse.Namespace) -> tuple[ProblemSpec, tuple[int, int], float | None]:
    """(problem, fixed-point centre, target width in decades or None) from the arguments."""
    if args.still or args.bookmark:
        from viz.explore.bookmarks import default_file, find_bookmark, from_png

        saved = from_png(args.still) if args.still else find_bookmark(
            args.bookmarks or default_file(), args.bookmark)
        return saved.problem, saved.region.fixed_centre, float(max(saved.region.spans))
    problem = cliargs.problem_spec(args)
    if args.panel:
        x0, x1, y0, y1 = panel_log_window(args.panel)
        return problem, (to_fixed((x0 + x1) / 2), to_fixed((y0 + y1) / 2)), max(x1 - x0, y1 - y0)
    x, y = (limits.decimal_log10("--center", v) for v in args.center)
    return problem, (decimal_to_fixed(x), decimal_to_fixed(y)), None


def keyframe_spec(args: argparse.Namespace) -> KeyframeSpec:
    """The keyframes the arguments ask for, checked, in the arithmetic --precision names (--from and
    --bookmark included: the flag, not the saved view, chooses it)."""
    problem, (cx, cy), width = target(args)
    deepest_possible = max_level("f64" if args.precision == "f64" else "dd")
    check_res(args.res)
    first = outer_level(args.res)
    if args.keyframes is not None:
        if args.keyframes < 2:
            raise UsageError("a zoom needs at least 2 keyframes")
        deepest = first + args.keyframes - 1
    elif args.depth is not None:
        cliargs.check_positive(depth=args.depth)
        # max_level decades are far more than max_level halvings: deeper asks are refused by check_spec
        deepest = first + math.ceil(min(args.depth, deepest_possible) * math.log2(10) - 1e-9)
    elif width is not None:
        deepest = level_for_width(args.res, width)
    else:
        raise UsageError("--center needs --depth DECADES or --keyframes K")
    levels = zoom_levels(args.res, min(deepest, deepest_possible + 1))
    spec = KeyframeSpec(problem, cx=cx, cy=cy, res=args.res, levels=levels)
    spec = check_spec(with_precision(spec, args.precision))
    if spec.problem.precision == "dd":
        past = f"this zoom's keyframes from level {spec.dd_from} on are past float64's limit, computed in --precision"
        capabilities(args.arch, check_driver=False).require("dd", past)
    return spec


def run(args: argparse.Namespace) -> int:
    """Compute what is missing, then encode; Ctrl-C keeps every finished keyframe."""
    cliargs.check_positive(fps=args.fps, seconds_per_2x=args.seconds_per_2x)
    spec = keyframe_spec(args)
    if args.fps > MAX_FPS:
        raise UsageError(f"--fps must be at most {MAX_FPS:g}, got {args.fps:g}")
    if args.fps * args.seconds_per_2x > MAX_FRAMES_PER_2X:
        raise UsageError(f"--fps times --seconds-per-2x asks for {args.fps * args.seconds_per_2x:g} frames "
                         f"per halving; at most {MAX_FRAMES_PER_2X:,}")
    if args.panel and not (args.steps or args.width) and (warning := panel_warning(args.panel, args.preset)):
        print(f"nnfractal: {warning}", file=sys.stderr)
    frames_per_2x = max(1, round(args.fps * args.seconds_per_2x))
    out = check_writable(args.out, suffixes=(".mp4",)) if args.out else Path(
        f"recordings/zoom-{spec.problem.condition}.mp4")
    recorder = Recorder(out, args.fps, args.size, keep_partial=False)
    store = KeyframeStore.create_or_resume(Path(args.store) if args.store else out.with_suffix(".keyframes"), spec)
    try:
        if store.missing() and args.cluster:
            compute_on_cluster(store, args.cluster, args.arch, args.tile, quiet=args.quiet)
        elif store.missing():
            compute(store, args.arch, quiet=args.quiet)
        else:
            print(f"keyframes: all {len(spec.levels)} on disk in {store.folder}; nothing to compute")
        encode(store, recorder, frames_per_2x, quiet=args.quiet)
    except KeyboardInterrupt:
        done = len(spec.levels) - len(store.missing())
        print(f"nnfractal: interrupted; {done} of {len(spec.levels)} keyframes are kept in {store.folder}; "
              "run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def compute(store: KeyframeStore, arch: str, quiet: bool) -> None:
    """Fill the store's missing keyframes with the engine, with a progress bar."""
    from tqdm import tqdm

    from viz.video.fill import compute_keyframes

    with tqdm(unit="px", disable=quiet, smoothing=0.05) as bar:
        def progress(done: int, total: int, label: str) -> None:
            bar.total, bar.n = total, done
            bar.set_description(label)

        report = compute_keyframes(store, arch, progress)
    print(f"keyframes: {report.loaded} on disk, {report.computed} computed; {report.samples_computed} samples "
          f"computed at {report.rate:.0f}/s, {report.samples_reused} copied from the keyframe above, "
          f"{report.samples_resumed} from checkpoints")


def compute_on_cluster(store: KeyframeStore, cluster: str, arch: str, tile: int | None, quiet: bool) -> None:
    """Fill the store's missing keyframes in tiles on a Dask cluster, and say how many tiles were computed."""
    from viz.compute.tiles import DEFAULT_TILE
    from viz.video.fill import compute_keyframes_on_cluster

    missing = len(store.missing())
    count = compute_keyframes_on_cluster(store, cluster, arch, tile or DEFAULT_TILE, progress=not quiet)
    print(f"keyframes: {len(store.spec.levels) - missing} on disk, {missing} computed on the cluster; "
          f"{count.computed} of {count.total} tiles computed, {count.on_disk} already in {store.folder}")


def encode(store: KeyframeStore, recorder: Recorder, frames_per_2x: int, quiet: bool) -> None:
    """Draw every frame offscreen with the window's shaders and write the video."""
    encode_zoom(store, recorder, frames_per_2x, quiet)
