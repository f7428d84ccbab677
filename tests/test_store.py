"""The sample store: LRU bound, inheritance from coarser tiles, and the picture of a view."""
from fractions import Fraction

import numpy as np
import pytest

from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.sampling.lattice import TILE, TileKey, level_for, view_maps
from viz.sampling.picture import layers, picture
from viz.sampling.store import TILE_BYTES, SampleStore
from viz.sampling.view import View, zoom

MB = 2 ** 20


def fill(store: SampleStore, key: TileKey, values: np.ndarray) -> None:
    rows, cols = np.indices((TILE, TILE)).reshape(2, -1)
    store.write(key, rows, cols, values[rows, cols])


def lattice_code(level: int, ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """A measure that names its sample: level, then x and y index (small indices only)."""
    return level * 1e8 + ix * 1e4 + iy


def fill_level(store: SampleStore, view: View, level: int, skip=()) -> None:
    """Every tile the view touches at a level, with lattice_code measures."""
    mx, my = view_maps(view, level)
    for ty in my.tiles:
        for tx in mx.tiles:
            if (tx, ty) in skip:
                continue
            iy, ix = np.indices((TILE, TILE))
            fill(store, TileKey(level, tx, ty), lattice_code(level, ix + tx * TILE, iy + ty * TILE))


def test_the_memory_bound_drops_the_least_recently_used():
    store = SampleStore(limit_mb=10 * TILE_BYTES / MB)
    keys = [TileKey(5, i, 0) for i in range(25)]
    for key in keys:
        store.open(key)
        store.get(keys[0])  # keep using the first
        assert store.nbytes <= 10 * TILE_BYTES
    assert len(store) == 10
    assert keys[0] in store and keys[-1] in store and keys[1] not in store
    store.limit_mb = 3 * TILE_BYTES / MB
    assert len(store) == 3 and keys[-1] in store
    with pytest.raises(ValueError):
        store.limit_mb = 0


def test_a_tile_is_complete_once_every_sample_is_written():
    store = SampleStore()
    key = TileKey(4, 1, -2)
    store.write(key, np.array([0]), np.array([0]), np.array([1.5]))
    assert key in store and not store.is_complete(key)
    fill(store, key, np.ones((TILE, TILE)))
    assert store.is_complete(key)


def test_a_new_tile_starts_with_what_its_parent_holds():
    store = SampleStore()
    parent = np.arange(TILE * TILE, dtype=np.float64).reshape(TILE, TILE)
    fill(store, TileKey(3, 5, -1), parent)
    child = store.open(TileKey(4, 11, -1))  # right half of x, top half of y
    assert np.array_equal(child[::2, ::2], parent[32:, 32:])
    assert np.isnan(child[1::2, :]).all() and np.isnan(child[:, 1::2]).all()


def test_a_new_tile_skips_an_absent_parent_and_uses_grandparents_and_deeper():
    store = SampleStore()
    grand = np.arange(TILE * TILE, dtype=np.float64).reshape(TILE, TILE)
    fill(store, TileKey(2, 0, 0), grand)
    child = store.open(TileKey(4, 3, 1))
    assert np.array_equal(child[::4, ::4], grand[16:32, 48:64])
    # 9 levels below, only the tile whose first sample is on the ancestor shares it
    assert store.open(TileKey(11, 8 * 3, 8 * 5))[0, 0] == grand[5, 3]
    assert np.isnan(store.open(TileKey(11, 8 * 3 + 1, 8 * 5))).all()


def test_opening_again_takes_up_samples_the_parent_computed_since():
    store = SampleStore()
    child_key = TileKey(6, 0, 0)
    store.open(child_key)
    fill(store, TileKey(5, 0, 0), np.full((TILE, TILE), 7.0))
    assert (store.open(child_key)[::2, ::2] == 7.0).all()


def test_picture_of_an_empty_store_is_all_missing():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 64, 48)
    assert np.isnan(picture(view, SampleStore())).all()


def nearest_indices(view: View, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Each column's and row's nearest sample index of a level, by exact rational arithmetic."""
    def nearest(centre, n):
        unit = Fraction(1, 1 << FRAC_BITS)
        return np.array([int(np.floor((centre * unit + Fraction((k + 0.5 - n / 2) * view.pixel)) * (1 << level)
                                      + Fraction(1, 2))) for k in range(n)])
    return nearest(view.cx, view.cols), nearest(view.cy, view.rows)


def expected_codes(view: View, level: int) -> np.ndarray:
    ix, iy = nearest_indices(view, level)
    return lattice_code(level, ix[None, :], iy[:, None])


def test_picture_puts_each_pixels_nearest_sample_there_row_zero_at_the_bottom():
    view = View(to_fixed(0.3), to_fixed(-0.2), 0.011, 97, 61)
    level = level_for(view.pixel)
    store = SampleStore()
    fill_level(store, view, level)
    assert np.array_equal(picture(view, store), expected_codes(view, level))


def test_picture_takes_the_finest_level_held_at_each_pixel():
    view = View(to_fixed(0.5), to_fixed(0.0), 0.004, 97, 61)  # four tiles meet at the centre
    fine = level_for(view.pixel)
    store = SampleStore()
    fill_level(store, view, fine - 2)
    mx, my = view_maps(view, fine)
    kept = (mx.tiles[0], my.tiles[0])
    fill_level(store, view, fine, skip=[(tx, ty) for tx in mx.tiles for ty in my.tiles if (tx, ty) != kept])
    got = picture(view, store)
    fine_codes, coarse_codes = expected_codes(view, fine), expected_codes(view, fine - 2)
    ix, iy = nearest_indices(view, fine)
    in_kept = (iy[:, None] // TILE == kept[1]) & (ix[None, :] // TILE == kept[0])
    assert in_kept.any() and not in_kept.all()
    assert np.array_equal(got[in_kept], fine_codes[in_kept])
    assert np.array_equal(got[~in_kept], coarse_codes[~in_kept])


def test_picture_leaves_nan_where_no_level_holds_a_sample_and_reuses_out():
    view = View(to_fixed(0.3), to_fixed(-0.2), 0.011, 97, 61)
    level = level_for(view.pixel)
    store = SampleStore()
    mx, my = view_maps(view, level)
    fill_level(store, view, level, skip=[(mx.tiles[0], ty) for ty in my.tiles])
    out = np.zeros((61, 97))
    got = picture(view, store, out=out)
    assert got is out
    missing = np.isnan(got)
    assert missing[:, 0].all() and not missing[:, -1].any()


def test_picture_after_zooming_in_shows_the_coarser_samples_magnified():
    view = View(to_fixed(0.3), to_fixed(-0.2), 0.011, 97, 61)
    level = level_for(view.pixel)
    store = SampleStore()
    fill_level(store, view, level)
    deeper, _ = zoom(view, 3.0)
    assert np.array_equal(picture(deeper, store), expected_codes(deeper, level))


def knock_holes(store: SampleStore, view: View, level: int, corner: tuple[int, int] | None, rng) -> None:
    """NaN the level's samples beyond a pixel corner (col, row) (nested boxes), else at random."""
    mx, my = view_maps(view, level)
    for ty in my.tiles:
        for tx in mx.tiles:
            tile = store.get(TileKey(level, tx, ty))
            if corner is None:  # whole blocks and scattered samples
                r0, c0 = rng.integers(0, TILE, 2)
                tile[r0:r0 + rng.integers(0, TILE), c0:c0 + rng.integers(0, TILE)] = np.nan
                tile[rng.random((TILE, TILE)) < 0.2] = np.nan
            else:
                ix = tx * TILE + np.arange(TILE) - mx.base
                iy = ty * TILE + np.arange(TILE) - my.base
                tile[np.ix_(iy > my.rel[corner[1]], ix > mx.rel[corner[0]])] = np.nan


@pytest.mark.parametrize("seed, corners", [(0, None), (1, None), (2, None),
                                           (3, [(30, 20), (45, 30), (50, 33)]),
                                           (4, [(10, 40), (40, 42), (45, 44)])])
def test_picture_matches_a_pixel_by_pixel_search_through_partial_levels(seed, corners):
    rng = np.random.default_rng(seed)
    view = View(to_fixed(0.5 + rng.uniform(-0.1, 0.1)), to_fixed(rng.uniform(-0.1, 0.1)), 0.004, 83, 57)
    fine = level_for(view.pixel)
    store = SampleStore()
    for i, level in enumerate((fine, fine - 1, fine - 3)):
        fill_level(store, view, level)
        knock_holes(store, view, level, corners and corners[i], rng)
    expected = np.full((57, 83), np.nan)
    for level in (fine - 3, fine - 1, fine):  # finer levels overwrite where they hold a sample
        ix, iy = nearest_indices(view, level)
        for r in range(57):
            for c in range(83):
                tile = store.get(TileKey(level, ix[c] // TILE, iy[r] // TILE))
                value = tile[iy[r] % TILE, ix[c] % TILE]
                if not np.isnan(value):
                    expected[r, c] = value
    got = picture(view, store)
    assert np.isnan(got).any() and not np.isnan(got).all()
    for level in (fine, fine - 1, fine - 3):
        assert np.any(got // 1e8 == level)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(picture(view, store, out=np.empty((57, 83), np.float32)),
                                  expected.astype(np.float32))


def test_layers_run_finest_first_skip_empty_levels_and_stop_at_a_full_one():
    view = View(to_fixed(0.5), to_fixed(0.0), 0.004, 97, 61)
    fine = level_for(view.pixel)
    store = SampleStore()
    for level in (fine - 4, fine - 2):
        fill_level(store, view, level)
    mx, my = view_maps(view, fine)
    fill_level(store, view, fine, skip=[(mx.tiles[0], my.tiles[0])])
    found = layers(view, store)
    assert [layer.level for layer in found] == [fine, fine - 2]
    top = found[0]
    lookup = top.samples[top.my.rel[:, None], top.mx.rel[None, :]]  # what a shader would do
    shown = ~np.isnan(lookup)
    assert shown.any() and not shown.all()
    assert np.array_equal(lookup[shown], picture(view, store)[shown])
