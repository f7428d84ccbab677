"""What `nnfractal dim` measures: measure images read from files, or a Figure 1 panel rendered, and its report.

Inputs become measure images (row 0 = bottom, the sign being all the method
uses); the arithmetic is in viz.paper.dim. Only measure images are read: a
.npy (its header checked before loading), or a PNG whose text says it is a
still of ours with exactly its pixels. A window screenshot (HUD and all) or
the Figure 1 composite (titles, axes) is refused, since their pixels are
not one measure each. Images without a boundary are skipped with a note
while others remain, and an image too small for the estimate to hold gets
a caution naming where it starts to (MIN_RELIABLE_SIDE).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from viz import limits
from viz.colour.equalise import sign_from_rgb
from viz.errors import UsageError
from viz.explore.bookmarks import is_explorer_view
from viz.outputs import read_png_meta
from viz.paper.dim import (
    MIN_RELIABLE_SIDE,
    BoxCount,
    DimensionResult,
    NoBoundary,
    check_countable_side,
    count_image,
    pool,
)
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
    counted, notes = count_all(images)
    notes += small_image_cautions(images)
    return report(pool(counted), PAPER_DIMENSIONS.get(panel), notes)


def count_all(images: list[tuple[str, np.ndarray]]) -> tuple[list[BoxCount], list[str]]:
    """Box-count every image; those without a boundary are skipped with a note while any other is counted."""
    counted, notes, first_refusal = [], [], None
    for name, image in images:
        try:
            counted.append(count_named(name, image))
        except NoBoundary as exc:
            notes.append(f"note: skipped {exc}")
            first_refusal = first_refusal or exc
    if not counted and first_refusal is not None:
        raise first_refusal
    return counted, notes


def small_image_cautions(images: list[tuple[str, np.ndarray]]) -> list[str]:
    """One caution per image too small for its box sizes to mean anything."""
    return [f"caution: {name} is {image.shape[1]}x{image.shape[0]}: its box sizes span too little for the estimate "
            f"to mean anything; it holds from about {MIN_RELIABLE_SIDE} px a side (measured on the tanh panel: "
            "3.33 at 16 px and 1.13 at 48 px against 1.48 at 128 px)"
            for name, image in images if min(image.shape) < MIN_RELIABLE_SIDE]


def count_named(name: str, image: np.ndarray) -> BoxCount:
    """Box-count one image; a refusal names the image it is about."""
    try:
        return count_image(image)
    except NoBoundary as exc:
        raise NoBoundary(f"{name}: {exc}") from None
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
    """A raw measure image, its header checked first; pickled objects are refused, never executed."""
    shape, dtype = limits.npy_header(path)
    if dtype.kind not in "iuf" or len(shape) != 2:
        raise UsageError(f"{path}: expected a 2-D real array, got {dtype} array of shape {shape}")
    try:
        image = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise UsageError(f"{path}: not a readable .npy array ({str(exc).splitlines()[0]})") from None
    return image.astype(np.float64)


def load_png(path: Path) -> np.ndarray:
    """Signs (+1 diverged, -1 converged, row 0 = bottom) of a still PNG saved by `nnfractal render`."""
    from PIL import Image  # only PNG input needs Pillow

    meta = read_png_meta(path)  # the size is checked before anything is decoded
    if "figure" in meta:
        raise UsageError(f"{path}: a Figure 1 composite (titles, axes, six panels) is not one measure image; "
                         f"measure its panels' .npy files in {path.with_suffix('.panels')} instead")
    if is_explorer_view(meta):
        raise UsageError(f"{path}: a window screenshot (HUD and all) is not a measure image; "
                         "render its view with `nnfractal render --window ... --out FILE.npy` and measure that")
    cols, rows = meta.get("cols"), meta.get("rows")
    if not (type(cols) is int and type(rows) is int):
        raise UsageError(f"{path}: its nnfractal text names no still size (cols, rows), so it is no measure image")
    try:
        with Image.open(path, formats=["PNG"]) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UsageError(f"{path}: not a readable PNG ({exc})") from None
    if rgb.shape[:2] != (rows, cols):
        raise UsageError(f"{path}: its text describes a {cols}x{rows} still but it holds "
                         f"{rgb.shape[1]}x{rgb.shape[0]} pixels, so they are not its measures")
    return sign_from_rgb(rgb)[::-1].astype(np.float64)


def report(result: DimensionResult, paper: float | None = None, notes: list[str] = ()) -> str:
    """A few lines: the dimension, what it was pooled from, the box sizes, then any notes and cautions."""
    q1, q3 = np.percentile(result.slopes, [25, 75])
    lines = [f"fractal dimension {result.dimension:.4f}"
             + (f" (paper: {paper:.2f})" if paper is not None else ""),
             f"median of {result.slopes.size} local slopes from {result.n_images} image(s); "
             f"middle half {q1:.4f} .. {q3:.4f}"]
    for sizes in sorted({tuple(int(d) for d in c.sizes) for c in result.images}):
        lines.append("box sizes (px): " + " ".join(str(d) for d in sizes))
    return "\n".join([*lines, *notes])
