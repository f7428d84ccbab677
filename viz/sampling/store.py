"""The sample store: computed measures by lattice tile, bounded in memory.

A tile is a TILE x TILE float64 array of measures, row = y, NaN where a
sample is not computed yet (a measure is never NaN). Tiles may stay partial:
the scheduler computes only the samples a view shows. A new tile starts
with every sample it shares with a coarser tile already in the store, so a
sample is computed once, whatever the zoom. Memory is bounded: the least
recently used tiles go first. Composing a view's picture from the tiles is
viz.sampling.picture's job. A store holds one arithmetic's samples
(`precision`, "f64" or "dd"): the levels a view uses and the values its
samples stand for follow from it, and float64 and double-double samples of
one point never meet in one store.
"""
from __future__ import annotations

from collections import Counter, OrderedDict

import numpy as np

from viz.sampling.lattice import TILE, TILE_BITS, TileKey

TILE_BYTES = TILE * TILE * 8


class SampleStore:
    """Tiles of measures keyed by TileKey, least recently used dropped beyond limit_mb."""

    def __init__(self, limit_mb: float = 512.0, precision: str = "f64") -> None:
        self.precision = precision
        self._tiles: OrderedDict[TileKey, np.ndarray] = OrderedDict()
        self._complete: set[TileKey] = set()
        self._per_level: Counter[int] = Counter()
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
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
        return tile

    def write(self, key: TileKey, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        """Store computed measures at tile positions (rows[i], cols[i]); re-creates an evicted tile."""
        tile = self.open(key)
        tile[rows, cols] = values
        if not np.isnan(tile).any():
            self._complete.add(key)

    def open(self, key: TileKey) -> np.ndarray:
        """The tile, created if absent; either way its missing samples are first
        filled from any coarser tile held that shares them."""
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
