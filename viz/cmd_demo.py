"""`nnfractal demo`: a zoom's keyframes played fullscreen, in and out, until Esc."""
from __future__ import annotations

import argparse
from pathlib import Path

from viz.errors import UsageError
from viz.keyframes import KeyframeStore


def register(subparsers) -> None:
    """Add the `demo` subcommand."""
    p = subparsers.add_parser(
        "demo", help="play a zoom's keyframes fullscreen, looping (for talks and exhibitions)",
        description="Play the keyframes that nnfractal zoom computed, fullscreen with no HUD, zooming in "
                    "and back out forever; the interpolation runs in the shader at the display rate.")
    p.add_argument("keyframes", metavar="KEYFRAMES",
                   help="a keyframe store (NAME.keyframes/) or the video made with it (NAME.mp4)")
    p.add_argument("--seconds-per-2x", type=float, default=1.5,
                   help="seconds per halving of the width (default %(default)g)")
    p.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    p.set_defaults(run=run)


def store_path(name: str) -> Path:
    """The store a KEYFRAMES argument names: the folder itself, or the one beside a video."""
    path = Path(name)
    return path.with_suffix(".keyframes") if path.suffix.lower() == ".mp4" else path


def run(args: argparse.Namespace) -> int:
    """Load every keyframe first (a damaged store fails before any window opens), then play."""
    from viz.demo import run_demo
    from viz.zoomvideo import ZoomFrames

    if not args.seconds_per_2x > 0:
        raise UsageError("--seconds-per-2x must be positive")
    store = KeyframeStore.open(store_path(args.keyframes))
    measures = store.load_all()
    spec = store.spec

    def make_frames(renderer, size, frames_per_2x):
        return ZoomFrames(renderer, spec.zoom_path(frames_per_2x), measures, spec.readout, size)

    drawn, seconds = run_demo(make_frames, args.seconds_per_2x, fullscreen=not args.windowed)
    print(f"demo: drew {drawn} frames in {seconds:.1f} s ({drawn / max(seconds, 1e-9):.1f} frames/s)")
    return 0
