"""What `nnfractal dim` measures: measure images read from files, or a Figure 1 panel rendered, and its report.

Inputs become measure images (row 0 = bottom, the sign being all the method
uses); the arithmetic is in viz.paper.dim.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from viz.colour.equalise import sign_from_rgb
from viz.errors import UsageError
from viz.paper.dim import BoxCount, DimensionResult, check_countable_side, count_image, pool
from viz.problem.conditions import PAPER_DIMENSIONS


def dimension_report(paths: list[str], panel: str | None = None, res: int = 0, cluster: str | None = None,
                     tile: int | None = None) -> str:
    """The pooled dimension of the images at `paths`, or of `panel` rendered at res x res, as a report.

    With `cluster` the panel is rendered there in tiles (tile x tile pixels each).
    """
    if panel:
        check_countable_side(res, "dim")
        if cluster is None:
            from viz.paper.stills import render_panel_measure  # the engine is needed only here
            images = [(f"panel {panel}", render_panel_measure(panel, res))]
        else:
            from viz.paper.cluster_still import DEFAULT_TILE, still_on_cluster
            from viz.paper.stills import panel_spec
            measure = still_on_cluster(panel_spec(panel, res), cluster, None, tile=tile or DEFAULT_TILE)
            images = [(f"panel {panel}", measure)]
    else:
        images = [item for path in paths for item in load_images(Path(path))]
    result = pool([count_named(name, image) for name, image in images])
    return report(result, PAPER_DIMENSIONS.get(panel))


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
