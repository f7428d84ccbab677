"""The sample store: computed measures by lattice tile, and the picture of a view.

A tile is a TILE x TILE float64 array of measures, row = y, NaN where a
sample is not computed yet (a measure is never NaN). Tiles may stay partial:
the scheduler computes only the samples a view shows. A new tile starts
with every sample it shares with a coarser tile already in the store, so a
sample is computed once, whatever the zoom. Memory is bounded: the least
recently used tiles go first.

The store is shared between the window (reading the picture) and a compute
worker (writing results); a lock keeps its bookkeeping consistent.
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import NamedTuple

import numpy as np

from viz.sampling.lattice import TILE, TILE_BITS, AxisMap, TileKey, level_for, view_maps, visible
from viz.sampling.view import View

TILE_BYTES = TILE * TILE * 8


class SampleStore:
    """Tiles of measures keyed by TileKey, least recently used dropped beyond limit_mb."""

    def __init__(self, limit_mb: float = 512.0) -> None:
        self._tiles: OrderedDict[TileKey, np.ndarray] = OrderedDict()
        self._complete: set[TileKey] = set()
        self._per_level: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._limit = 0
        self.limit_mb = limit_mb

    @property
    def limit_mb(self) -> float:
        """The memory bound in MiB; lowering it evicts at once."""
        return self._limit / 2 ** 20

    @limit_mb.setter
    def limit_mb(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"the store needs a positive memory limit, got {value} MB")
        with self._lock:
            self._limit = int(value * 2 ** 20)
            self._evict(keep=None)

    @property
    def nbytes(self) -> int:
        """Bytes of measures held."""
        return len(self._tiles) * TILE_BYTES

    def __len__(self) -> int:
        return len(self._tiles)

    def __contains__(self, key: TileKey) -> bool:
        return key in self._tiles

    def has_level(self, level: int) -> bool:
        """Whether any tile of this level is held (lets the picture skip empty levels)."""
        return self._per_level[level] > 0

    def is_complete(self, key: TileKey) -> bool:
        """Whether the tile is held with every sample computed."""
        return key in self._complete

    def get(self, key: TileKey) -> np.ndarray | None:
        """The tile's measures (NaN = not computed), marking it recently used; None if absent.

        The array is the store's own: read it, write through `write`.
        """
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def open(self, key: TileKey) -> np.ndarray:
        """The tile, created if absent; either way its missing samples are first
        filled from any coarser tile held that shares them."""
        with self._lock:
            return self._open(key)

    def write(self, key: TileKey, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        """Store computed measures at tile positions (rows[i], cols[i]); re-creates an evicted tile."""
        with self._lock:
            tile = self._open(key)
            tile[rows, cols] = values
            if not np.isnan(tile).any():
                self._complete.add(key)

    def _open(self, key: TileKey) -> np.ndarray:
        tile = self._tiles.get(key)
        created = tile is None
        if created:
            tile = np.full((TILE, TILE), np.nan)
            self._tiles[key] = tile
            self._per_level[key.level] += 1
        else:
            self._tiles.move_to_end(key)
        if key not in self._complete:
            self._inherit(key, tile)
            if not np.isnan(tile).any():
                self._complete.add(key)
        if created:
            self._evict(keep=key)
        return tile

    def _inherit(self, key: TileKey, tile: np.ndarray) -> None:
        """Fill the tile's holes from its ancestors, nearest first.

        k levels up, the shared samples are every 2**k-th of the tile, a
        contiguous block of the one ancestor tile that contains it.
        """
        level, tx, ty = key
        for k in range(1, level + 1):
            stride = 1 << k
            if (tx << TILE_BITS) % stride or (ty << TILE_BITS) % stride:
                return  # no sample of this tile lies on level - k, nor on any coarser level
            mine = tile[::stride, ::stride]
            holes = np.isnan(mine)
            if not holes.any():
                return
            ancestor = self._tiles.get(TileKey(level - k, tx >> k, ty >> k))
            if ancestor is not None:
                n = mine.shape[0]
                ax, ay = ((tx << TILE_BITS) >> k) % TILE, ((ty << TILE_BITS) >> k) % TILE
                mine[holes] = ancestor[ay:ay + n, ax:ax + n][holes]

    def _evict(self, keep: TileKey | None) -> None:
        while self.nbytes > self._limit and len(self._tiles) > (keep is not None):
            key = next(iter(self._tiles))
            if key == keep:
                self._tiles.move_to_end(key)
                continue
            del self._tiles[key]
            self._complete.discard(key)
            self._per_level[key.level] -= 1


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
    for ty in my.tiles:
        sy = visible(my, ty)
        dy = (ty << TILE_BITS) + sy.start - my.base
        for tx in mx.tiles:
            sx = visible(mx, tx)
            dx = (tx << TILE_BITS) + sx.start - mx.base
            dst = mosaic[dy:dy + sy.stop - sy.start, dx:dx + sx.stop - sx.start]
            tile = store.get(TileKey(level, tx, ty))
            if tile is None:
                dst.fill(np.nan)
            else:
                dst[...] = tile[sy, sx]
                found = True
    return mosaic if found else None


def layers(view: View, store: SampleStore, dtype=np.float64) -> list[Layer]:
    """The levels that can show something in the view, finest first.

    From the view's own level (`level_for`) down, skipping levels with no
    tile in view, and stopping after the first level that leaves no hole:
    nothing coarser could show through it. A pixel shows the first layer
    whose sample for it is not NaN.
    """
    found = []
    for level in range(level_for(view.pixel), -1, -1):
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
