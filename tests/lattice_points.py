"""Test helper: the distinct lattice points a sample store holds for some views.

A sample shared by several levels sits in several tiles (a finer tile
inherits it); counted here once, as the lattice point it is.
"""
from __future__ import annotations

import numpy as np

from viz.sampling.lattice import MAX_LEVEL, TILE_BITS, TileKey, view_maps
from viz.sampling.scheduler import levels


def view_tiles(views) -> set[TileKey]:
    """Every tile the scheduler may compute for these views."""
    keys = set()
    for view in views:
        for level in levels(view):
            mx, my = view_maps(view, level)
            keys.update(TileKey(level, tx, ty) for tx in mx.tiles for ty in my.tiles)
    return keys


def distinct_points(store, views) -> int:
    """How many different lattice points hold a measure in the tiles of `views`."""
    points = set()
    for key in view_tiles(views):
        tile = store.get(key)
        if tile is None:
            continue
        rows, cols = np.nonzero(~np.isnan(tile))
        shift = MAX_LEVEL - key.level
        for r, c in zip(rows.tolist(), cols.tolist()):
            points.add((((key.tx << TILE_BITS) + c) << shift, ((key.ty << TILE_BITS) + r) << shift))
    return len(points)
