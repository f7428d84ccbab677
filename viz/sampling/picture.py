"""The picture of a view, composed from the sample store on the CPU.

Each pixel shows its nearest computed sample at the finest lattice level
that holds one (the store keeps the samples; this module only reads them),
so a zoom shows coarse samples at once and sharpens as finer ones arrive.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from viz.sampling.lattice import AxisMap, level_for, tile_walk, view_maps
from viz.sampling.store import SampleStore
from viz.sampling.view import View


class Layer(NamedTuple):
    """One level's samples behind a view, and which of them each pixel shows.

    Pixel (col, row) shows samples[my.rel[row], mx.rel[col]], the nearest
    sample of this level to its centre; samples[0, 0] is lattice sample
    (mx.base, my.base). Row 0 is the bottom. A shader can do the same lookup
    with the samples and the two rel arrays as textures.
    """

    level: int
    samples: np.ndarray
    mx: AxisMap
    my: AxisMap


def _mosaic(store: SampleStore, level: int, mx: AxisMap, my: AxisMap, dtype) -> np.ndarray | None:
    """The level's samples that the pixels use, as one array (NaN where not held).

    None when the store holds none of those tiles.
    """
    mosaic = np.empty((my.count, mx.count), dtype=dtype)
    found = False
    for spot in tile_walk(level, mx, my):
        dst = mosaic[spot.at_rows, spot.at_cols]
        tile = store.get(spot.key)
        if tile is None:
            dst.fill(np.nan)
        else:
            dst[...] = tile[spot.rows, spot.cols]
            found = True
    return mosaic if found else None


def layers(view: View, store: SampleStore, dtype=np.float64) -> list[Layer]:
    """The levels that can show something in the view, finest first.

    From the view's own level (`level_for` in the store's arithmetic) down, skipping levels with no
    tile in view, and stopping after the first level that leaves no hole:
    nothing coarser could show through it. A pixel shows the first layer
    whose sample for it is not NaN.
    """
    found = []
    for level in range(level_for(view.pixel, store.precision), -1, -1):
        if not store.has_level(level):
            continue
        mx, my = view_maps(view, level)
        samples = _mosaic(store, level, mx, my, dtype)
        if samples is None:
            continue
        found.append(Layer(level, samples, mx, my))
        if not np.isnan(samples).any():
            break
    return found


def _part(amap: AxisMap, pixels: slice) -> tuple[AxisMap, slice]:
    """The axis map of a run of pixels only, and the samples it uses."""
    first = int(amap.rel[pixels.start])
    rel = amap.rel[pixels] - first
    return AxisMap(amap.base + first, rel), slice(first, first + int(rel[-1]) + 1)


def _resample(samples: np.ndarray, mx: AxisMap, my: AxisMap, out: np.ndarray | None = None) -> np.ndarray:
    """Nearest-sample upsampling: one gather per axis (the axes are separable)."""
    return np.take(samples.take(mx.rel, axis=1, mode="clip"), my.rel, axis=0, out=out, mode="clip")


def _hole_box(holes: np.ndarray) -> tuple[slice, slice] | None:
    """The smallest rows x cols box holding every True, or None when there is none."""
    rows = np.flatnonzero(holes.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(holes.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def picture(view: View, store: SampleStore, out: np.ndarray | None = None) -> np.ndarray:
    """The measures on screen, composed from `layers` on the CPU: rows x cols, row 0 = bottom.

    Each pixel shows its nearest sample at the finest level that holds one;
    NaN where none does. Coarser layers are resampled only over the box that
    still has holes. Pass `out` (rows x cols, float64 or float32; float32
    saves the renderer a conversion) to reuse a buffer.
    """
    if out is None:
        out = np.empty((view.rows, view.cols))
    found = layers(view, store, out.dtype)
    if not found:
        out.fill(np.nan)
        return out
    _resample(found[0].samples, found[0].mx, found[0].my, out)
    rows, cols = slice(0, view.rows), slice(0, view.cols)  # the box that still has holes
    holes = np.isnan(out)
    for layer in found[1:]:
        box = _hole_box(holes)
        if box is None:
            break
        holes = holes[box]
        rows = slice(rows.start + box[0].start, rows.start + box[0].stop)
        cols = slice(cols.start + box[1].start, cols.start + box[1].stop)
        (mx, sx), (my, sy) = _part(layer.mx, cols), _part(layer.my, rows)
        samples = layer.samples[sy, sx]
        if np.isnan(samples).all():
            continue
        target = out[rows, cols]
        np.copyto(target, _resample(samples, mx, my), where=holes)
        holes = np.isnan(target)
    return out
