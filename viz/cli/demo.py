"""`nnfractal demo`: fullscreen, no HUD, zooming forever until Esc: a zoom's keyframes, or a live flight."""
from __future__ import annotations

import argparse
from pathlib import Path

from viz.cli import args as cliargs
from viz.compute.backend import ARCHES
from viz.problem.conditions import CONDITIONS, PRESETS
from viz.problem.spec import ProblemSpec
from viz.video.keyframes import KeyframeStore

#: Live keyframe resolution on a CPU and on CUDA: a 2x every couple of seconds at the default preset.
LIVE_RES = {"cpu": 96, "cuda": 256}


def register(subparsers) -> None:
    """Add the `demo` subcommand."""
    p = subparsers.add_parser(
        "demo", help="fullscreen self-running zoom (for talks and exhibitions)",
        description="Fullscreen, no HUD, looping until Esc or Q. Given keyframes from nnfractal zoom, plays "
                    "them in and back out with the interpolation done in the shader at the display rate. "
                    "Without them, flies live: a pilot picks points on the boundary and zooms into each "
                    "as fast as the backend computes, down to the float64 limit.")
    p.add_argument("keyframes", metavar="KEYFRAMES", nargs="?",
                   help="a keyframe store (NAME.keyframes/) or the video made with it (NAME.mp4)")
    p.add_argument("--seconds-per-2x", type=float, default=1.5,
                   help="seconds per halving of the width, at most (default %(default)g)")
    p.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    live = p.add_argument_group("live flight (no KEYFRAMES)")
    live.add_argument("--condition", default="tanh", choices=list(CONDITIONS),
                      help="condition to fly over (default %(default)s)")
    live.add_argument("--preset", choices=list(PRESETS), default=None,
                      help="default: paper on CUDA, quick on a CPU")
    live.add_argument("--res", type=int, default=None,
                      help="samples per keyframe side (default "
                           + ", ".join(f"{v} on {k}" for k, v in LIVE_RES.items()) + ")")
    live.add_argument("--seed", type=int, default=0, help="0 = the paper's arrays (default)")
    live.add_argument("--arch", choices=ARCHES, default="auto", help="Taichi backend (default auto)")
    p.set_defaults(run=run)


def store_path(name: str) -> Path:
    """The store a KEYFRAMES argument names: the folder itself, or the one beside a video."""
    path = Path(name)
    return path.with_suffix(".keyframes") if path.suffix.lower() == ".mp4" else path


def run(args: argparse.Namespace) -> int:
    """Check everything before any window opens, then play."""
    from viz.video.demo import run_demo

    cliargs.check_positive(seconds_per_2x=args.seconds_per_2x)
    make_player = keyframe_player(args) if args.keyframes else live_player(args)
    drawn, seconds = run_demo(make_player, fullscreen=not args.windowed)
    print(f"demo: drew {drawn} frames in {seconds:.1f} s ({drawn / max(seconds, 1e-9):.1f} frames/s)")
    return 0


def keyframe_player(args: argparse.Namespace):
    """Load every keyframe now (a damaged store fails before the window opens)."""
    from viz.video.demo import Player
    from viz.video.frames import ZoomFrames

    store = KeyframeStore.open(store_path(args.keyframes))
    measures = store.load_all(mapped=True)  # checked now, paged in as segments need them
    spec = store.spec

    def make(renderer, rate):
        path = spec.zoom_path(max(1, round(rate * args.seconds_per_2x)))
        frames = ZoomFrames(renderer, path, measures, spec.problem.readout, (1, 1))
        return Player(frames, rate), f"{path.n_keyframes} keyframes of {spec.res}^2 from {store.folder}"

    return make


def live_player(args: argparse.Namespace):
    """Check the live settings now; the pilot starts with the window (grey until its first keyframe)."""
    from viz.compute.capabilities import capabilities
    from viz.video import autopilot as autopilot
    from viz.video.demo import LivePlayer
    from viz.video.keyframes import check_res

    caps = capabilities(args.arch)
    arch, preset = caps.arch, PRESETS[args.preset or caps.default_preset]
    res = LIVE_RES[arch] if args.res is None else args.res
    check_res(res)
    settings = autopilot.PilotSettings(ProblemSpec(args.condition, preset.width, preset.steps, args.seed), res, arch)

    def make(renderer, _rate):
        return (LivePlayer(renderer, autopilot.Pilot(settings), args.seconds_per_2x),
                f"live flight over {args.condition} ({preset.name} preset, keyframes of {res}^2 on {arch})")

    return make
