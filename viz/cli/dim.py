"""`nnfractal dim`: the paper's box-counting dimension of stored images or a Figure 1 panel.

Inputs are read here and turned into measure images (row 0 = bottom, the
sign being all the method uses); the arithmetic is in viz.paper.dim.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from viz.colour.equalise import sign_from_rgb
from viz.problem.conditions import PANEL_WINDOWS, PAPER_DIMENSIONS
from viz.paper.dim import MIN_SIDE, BoxCount, DimensionResult, count_image, pool
from viz.errors import UsageError

#: Pixels per side of a --panel still: the notebook's default resolution.
DEFAULT_PANEL_RES = 512


def register(subparsers) -> None:
    """Add the `dim` subcommand."""
    parser = subparsers.add_parser(
        "dim", help="fractal dimension of the trainability boundary (the paper's method)",
        description="Box-count the boundary between converged and diverged pixels and report "
                    "the median local slope, pooled over all images given.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="FILE.npy (a measure image), FILE.png (coloured by nnfractal) or a "
                             "keyframe directory (every *.npy in it); all images are pooled")
    parser.add_argument("--panel", choices=sorted(PANEL_WINDOWS),
                        help="render this Figure 1 panel and measure it instead of reading files")
    parser.add_argument("--res", type=int, default=DEFAULT_PANEL_RES,
                        help=f"pixels per side of the --panel still (default {DEFAULT_PANEL_RES})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Measure the images named on the command line and print the report."""
    if bool(args.paths) == bool(args.panel):
        raise UsageError("dim: give either image paths or --panel NAME")
    if args.panel:
        if args.res < MIN_SIDE:
            raise UsageError(f"dim: --res must be at least {MIN_SIDE}")
        from viz.paper.stills import render_panel_measure  # the engine is needed only here
        images = [(f"panel {args.panel}", render_panel_measure(args.panel, args.res))]
    else:
        images = [item for path in args.paths for item in load_images(Path(path))]
    result = pool([count_named(name, image) for name, image in images])
    print(report(result, PAPER_DIMENSIONS.get(args.panel)))
    return 0


def count_named(name: str, image: np.ndarray) -> BoxCount:
    """Box-count one image; a refusal names the image it is about."""
    try:
        return count_image(image)
    except UsageError as exc:
        raise UsageError(f"{name}: {exc}") from None


def load_images(path: Path) -> list[tuple[str, np.ndarray]]:
    """(name, measure) pairs from a .npy, a .png, or a keyframe directory's *.npy, by name."""
    if path.is_dir():
        files = sorted(path.glob("*.npy"))
        if not files:
            raise UsageError(f"{path}: no .npy keyframes in this directory")
        return [(str(f), load_npy(f)) for f in files]
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    if path.suffix.lower() == ".npy":
        return [(str(path), load_npy(path))]
    if path.suffix.lower() == ".png":
        return [(str(path), load_png(path))]
    raise UsageError(f"{path}: expected a .npy, a .png or a directory")


def load_npy(path: Path) -> np.ndarray:
    """A raw measure image; pickled objects are refused, never executed."""
    try:
        image = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable .npy array ({exc})") from None
    if not isinstance(image, np.ndarray) or image.dtype.kind not in "iuf" or image.ndim != 2:
        raise UsageError(f"{path}: expected a 2-D real array, got {_describe(image)}")
    return image.astype(np.float64)


def load_png(path: Path) -> np.ndarray:
    """Signs (+1 diverged, -1 converged, row 0 = bottom) of a picture coloured by this program."""
    from PIL import Image, UnidentifiedImageError  # only PNG input needs Pillow

    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (OSError, UnidentifiedImageError) as exc:
        raise UsageError(f"{path}: not a readable PNG ({exc})") from None
    return sign_from_rgb(rgb)[::-1].astype(np.float64)


def _describe(obj) -> str:
    """A short description of what a .npy held, for an error line."""
    if isinstance(obj, np.ndarray):
        return f"{obj.dtype} array of shape {obj.shape}"
    return type(obj).__name__


def report(result: DimensionResult, paper: float | None = None) -> str:
    """A few lines: the dimension, what it was pooled from, the box sizes."""
    q1, q3 = np.percentile(result.slopes, [25, 75])
    lines = [f"fractal dimension {result.dimension:.4f}"
             + (f" (paper: {paper:.2f})" if paper is not None else ""),
             f"median of {result.slopes.size} local slopes from {result.n_images} image(s); "
             f"middle half {q1:.4f} .. {q3:.4f}"]
    for sizes in sorted({tuple(int(d) for d in c.sizes) for c in result.images}):
        lines.append("box sizes (px): " + " ".join(str(d) for d in sizes))
    return "\n".join(lines)
