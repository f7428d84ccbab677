"""How much of a view the store already holds: what the explorer's HUD and its tests wait on."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from viz.sampling.lattice import tile_walk, view_maps
from viz.sampling.scheduler import levels
from viz.sampling.store import SampleStore
from viz.sampling.view import View


@dataclass
class Coverage:
    """How much of a view is computed: per level, coarsest first, (level, computed, needed)."""

    levels: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        """Computed share of all samples the view needs, over every level."""
        needed = sum(n for _, _, n in self.levels)
        return sum(c for _, c, _ in self.levels) / needed if needed else 1.0

    @property
    def coarse_done(self) -> bool:
        """Whether the coarsest level is complete: the whole window shows something."""
        return bool(self.levels) and self.levels[0][1] == self.levels[0][2]


def coverage(view: View, store: SampleStore) -> Coverage:
    """Count the samples of each of the view's levels that the store holds (reads the store only)."""
    counts = []
    for level in levels(view, precision=store.precision):
        mx, my = view_maps(view, level)
        done = 0
        for spot in tile_walk(level, mx, my):
            tile = store.get(spot.key)
            if tile is not None:
                done += int(np.count_nonzero(~np.isnan(tile[spot.rows, spot.cols])))
        counts.append((level, done, mx.count * my.count))
    return Coverage(counts)
