"""The sample lattice: a quadtree of exact points in log10 hyperparameter space.

Level L has spacing 2**-L decades on both axes, from the origin log10 = 0,
so sample i of level L is sample 2i of level L + 1: a sample once computed is
never computed again at a finer level. Samples are grouped in tiles of
TILE x TILE, keyed by exact Python integers (level, tx, ty) like map tiles;
tile (L, tx, ty) holds the samples with indices 64 tx .. 64 tx + 63 along x
and 64 ty .. along y, and is exactly the union of four tiles of level L + 1.

A sample's hyperparameter is a function of the exact point alone
(`numeric.fixed.exp10` of its fixed-point coordinate, correctly rounded), so the same
point gives the same float64 whichever level or tile asks for it, and
neighbouring samples stay distinct and ordered down to MAX_LEVEL. A
double-double picture takes the same points as (hi, lo) pairs
(`sample_values_dd`, from `numeric.fixed.exp10_dd`) and goes down to MAX_LEVEL_DD.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from viz.numeric.fixed import FRAC_BITS, exp10, exp10_dd
from viz.sampling.view import View

TILE_BITS = 6
#: Samples per tile side.
TILE = 1 << TILE_BITS
#: The deepest level: its spacing, 2**-53 decades, is ln(10) * 2**-53 > 2**-52
#: in relative terms, above one ulp everywhere, so correctly rounded
#: neighbours are distinct. One level deeper they can collide.
MAX_LEVEL = 53
#: The deepest level of a double-double picture: its spacing, 2**-100
#: decades, is ln(10) * 2**-100 = 2**-98.8 relative, 2.3 times the dd view
#: limit (view.DD_RELATIVE_LIMIT, 2**-100) and 40 times the 2**-104 to which
#: the engine's dd inputs are accurate, so neighbours (each within 2**-106 of
#: its point) are distinct and ordered with room to spare.
MAX_LEVEL_DD = 100


class TileKey(NamedTuple):
    """Which tile: its level and its column and row among that level's tiles."""

    level: int
    tx: int
    ty: int


class AxisMap(NamedTuple):
    """The nearest lattice sample of one level to each pixel along one axis.

    Pixel k maps to sample index base + rel[k]; rel starts at 0 and never
    decreases. Exact at any depth: base is a Python integer.
    """

    base: int
    rel: np.ndarray

    @property
    def count(self) -> int:
        """How many consecutive samples the pixels span."""
        return int(self.rel[-1]) + 1

    @property
    def tiles(self) -> range:
        """The tile indices along this axis that the pixels touch."""
        return range(self.base >> TILE_BITS, ((self.base + self.count - 1) >> TILE_BITS) + 1)


def spacing(level: int) -> float:
    """Distance between neighbouring samples of a level, in decades."""
    return math.ldexp(1.0, -level)


def max_level(precision: str = "f64") -> int:
    """The deepest level whose neighbours this arithmetic ("f64" or "dd") keeps distinct."""
    return {"f64": MAX_LEVEL, "dd": MAX_LEVEL_DD}[precision]


def level_for(pixel: float, precision: str = "f64") -> int:
    """The finest level with at most one sample per pixel (spacing >= pixel), within [0, max_level(precision)]."""
    mantissa, exponent = math.frexp(pixel)  # pixel = mantissa * 2**exponent, mantissa in [0.5, 1)
    level = -exponent + (1 if mantissa == 0.5 else 0)
    return min(max(level, 0), max_level(precision))


def sample_values(level: int, indices) -> np.ndarray:
    """Hyperparameter values (not logs) of samples `indices` (Python ints) of `level`."""
    shift = FRAC_BITS - level
    return np.array([exp10(int(i) << shift) for i in indices], dtype=np.float64)


def sample_values_dd(level: int, indices) -> tuple[np.ndarray, np.ndarray]:
    """`sample_values` as double-double: (hi, lo) arrays, each pair the nearest to its lattice point."""
    shift = FRAC_BITS - level
    pairs = [exp10_dd(int(i) << shift) for i in indices]
    return np.array([p[0] for p in pairs], dtype=np.float64), np.array([p[1] for p in pairs], dtype=np.float64)


@lru_cache(maxsize=4096)
def axis_values(level: int, t: int) -> np.ndarray:
    """The TILE hyperparameter values along one axis of tile index t of `level` (read-only)."""
    values = sample_values(level, range(t << TILE_BITS, (t + 1) << TILE_BITS))
    values.flags.writeable = False
    return values


@lru_cache(maxsize=1024)
def axis_values_dd(level: int, t: int) -> np.ndarray:
    """`axis_values` as double-double: one DD_PAIRS array (read-only), so a batch travels to the engine as one array.

    Costs TILE decimal powers per tile, hence the cache.
    """
    from viz.numeric.dd import dd_pairs

    values = dd_pairs(*sample_values_dd(level, range(t << TILE_BITS, (t + 1) << TILE_BITS)))
    values.flags.writeable = False
    return values


def axis_map(centre: int, n: int, pixel: float, level: int) -> AxisMap:
    """Nearest samples of `level` to the centres of n pixels of `pixel` decades around `centre`.

    `centre` is fixed point (see numeric.fixed.to_fixed). The centre's integer part in
    sample units is split off exactly, so only small numbers meet floats.
    Ties (a pixel centre exactly between two samples) go to the upper sample.
    """
    shift = FRAC_BITS - level
    whole = centre >> shift
    frac = (centre - (whole << shift)) / (1 << shift)
    pos = frac + 0.5 + (np.arange(n) + 0.5 - n / 2.0) * math.ldexp(pixel, level)
    index = np.floor(pos).astype(np.int64)
    return AxisMap(whole + int(index[0]), index - index[0])


def view_maps(view: View, level: int) -> tuple[AxisMap, AxisMap]:
    """The x (columns) and y (rows) axis maps of a view at a level."""
    return (axis_map(view.cx, view.cols, view.pixel, level),
            axis_map(view.cy, view.rows, view.pixel, level))


def visible(amap: AxisMap, t: int) -> slice:
    """The positions within tile index t that the axis map's pixels use."""
    start = t << TILE_BITS
    return slice(max(amap.base - start, 0), min(amap.base + amap.count - start, TILE))


class TileSpot(NamedTuple):
    """One tile a view's pixels touch at a level: its key, the part of it they use, and where that part lies
    in the level's samples behind the view (sample (my.base, mx.base) at [0, 0])."""

    key: TileKey
    rows: slice  # within the tile
    cols: slice
    at_rows: slice  # within the level's (my.count, mx.count) samples
    at_cols: slice


def tile_walk(level: int, mx: AxisMap, my: AxisMap) -> Iterator[TileSpot]:
    """The tiles of `level` that the axis maps touch, row of tiles by row from the bottom, left to right:
    the one walk the scheduler's plan, the picture and the explorer's coverage all take."""
    for ty in my.tiles:
        rows = visible(my, ty)
        dy = (ty << TILE_BITS) + rows.start - my.base
        for tx in mx.tiles:
            cols = visible(mx, tx)
            dx = (tx << TILE_BITS) + cols.start - mx.base
            yield TileSpot(TileKey(level, tx, ty), rows, cols,
                           slice(dy, dy + rows.stop - rows.start), slice(dx, dx + cols.stop - cols.start))
