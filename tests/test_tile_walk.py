"""The one tile walk: every sample a view uses at a level visited once, in the order the old walks used."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.numeric.fixed import to_fixed
from viz.sampling.lattice import TILE_BITS, TileKey, tile_walk, view_maps, visible
from viz.sampling.view import View


def _old_walk(level, mx, my):
    """The nested loops the scheduler, the picture and the coverage each wrote out before."""
    for ty in my.tiles:
        for tx in mx.tiles:
            yield TileKey(level, tx, ty), visible(my, ty), visible(mx, tx)


@settings(max_examples=60, deadline=None)
@given(cx=st.floats(-5.0, 5.0), cy=st.floats(-5.0, 5.0), pixel=st.floats(1e-4, 0.1),
       cols=st.integers(1, 300), rows=st.integers(1, 200), coarser=st.integers(0, 6))
def test_every_sample_of_every_level_is_visited_once_in_the_old_order(cx, cy, pixel, cols, rows, coarser):
    view = View(to_fixed(cx), to_fixed(cy), pixel, cols, rows)
    level = max(int(-np.log2(pixel)) - coarser, 0)
    mx, my = view_maps(view, level)
    spots = list(tile_walk(level, mx, my))
    assert [(s.key, s.rows, s.cols) for s in spots] == list(_old_walk(level, mx, my))
    seen = np.zeros((my.count, mx.count), np.int32)
    for spot in spots:
        seen[spot.at_rows, spot.at_cols] += 1
        # the tile's part and its place behind the view hold the same lattice samples
        assert (spot.key.ty << TILE_BITS) + spot.rows.start == my.base + spot.at_rows.start
        assert (spot.key.tx << TILE_BITS) + spot.cols.start == mx.base + spot.at_cols.start
    assert (seen == 1).all()
