"""The quadtree lattice: exact reuse across levels, precision at depth, pixel -> sample maps."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.sampling.lattice import (
    MAX_LEVEL,
    TILE,
    AxisMap,
    axis_map,
    axis_values,
    level_for,
    sample_values,
    spacing,
    view_maps,
    visible,
)
from viz.sampling.view import View


def bits(values: np.ndarray) -> list[int]:
    return np.asarray(values, dtype=np.float64).view(np.int64).tolist()


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-18, 10.0))
def test_level_for_gives_at_most_one_sample_per_pixel(pixel):
    level = level_for(pixel)
    assert 0 <= level <= MAX_LEVEL
    assert spacing(level) >= pixel or level == 0
    assert spacing(level + 1) < pixel or level == MAX_LEVEL


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MAX_LEVEL - 1), st.data())
def test_a_sample_is_bit_identical_at_every_finer_level(level, data):
    k = data.draw(st.integers(1, MAX_LEVEL - level))
    index = data.draw(st.integers(-200 << level, 200 << level))
    assert bits(sample_values(level, [index])) == bits(sample_values(level + k, [index << k]))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, MAX_LEVEL - 1), st.integers(-1000, 1000))
def test_a_tile_shares_every_other_sample_with_its_two_children(level, t):
    coarse = axis_values(level, t)
    fine = np.concatenate([axis_values(level + 1, 2 * t), axis_values(level + 1, 2 * t + 1)])
    assert bits(coarse) == bits(fine[::2])


def test_sample_values_are_ten_to_the_lattice_point():
    indices = np.arange(-3 * 128, 6 * 128 + 1, 37)
    np.testing.assert_allclose(sample_values(7, indices.tolist()), 10.0 ** (indices / 128.0), rtol=2e-16 * 40)
    assert sample_values(0, [-3, 0, 2])[:].tolist() == [1e-3, 1.0, 100.0]


def test_axis_values_are_read_only():
    with pytest.raises(ValueError):
        axis_values(3, 0)[0] = 1.0


@pytest.mark.parametrize("log10", [np.log10(13.29976231), np.log10(200.3582269), -3.0, 6.0,
                                   np.log10(2.0 ** 10), np.log10(2.0 ** -7), 5.5])
def test_neighbours_at_the_deepest_level_are_distinct_and_ordered(log10):
    # two neighbouring tiles at the deepest level, around a point; the
    # powers of two put a binade edge (the widest relative ulp) in between
    t = (to_fixed(log10) >> (FRAC_BITS - MAX_LEVEL)) // TILE
    values = np.concatenate([axis_values(MAX_LEVEL, t - 1), axis_values(MAX_LEVEL, t)])
    assert np.all(np.diff(values) > 0)


def test_a_binade_edge_lies_between_the_deep_samples_tested():
    t = (to_fixed(np.log10(2.0 ** 10)) >> (FRAC_BITS - MAX_LEVEL)) // TILE
    values = np.concatenate([axis_values(MAX_LEVEL, t - 1), axis_values(MAX_LEVEL, t)])
    assert values[0] < 2.0 ** 10 < values[-1]


def exact_nearest(centre: int, n: int, pixel: float, level: int) -> list[Fraction]:
    """Pixel centres in units of the level's spacing, exactly."""
    return [(Fraction(centre, 1 << FRAC_BITS) + Fraction((k + 0.5 - n / 2.0) * pixel)) * (1 << level)
            for k in range(n)]


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10 << FRAC_BITS), 10 << FRAC_BITS), st.integers(1, 300),
       st.floats(1e-15, 0.1), st.integers(0, 12))
def test_axis_map_picks_the_nearest_sample_of_each_pixel(centre, n, pixel, coarser):
    level = max(level_for(pixel) - coarser, 0)
    amap = axis_map(centre, n, pixel, level)
    assert amap.rel[0] == 0 and np.all(np.diff(amap.rel) >= 0) and amap.count == amap.rel[-1] + 1
    for position, rel in zip(exact_nearest(centre, n, pixel, level), amap.rel.tolist()):
        assert abs(position - (amap.base + rel)) <= Fraction(1, 2) + Fraction(1, 10 ** 9)


def test_axis_map_tiles_and_visible_parts_cover_the_samples_exactly():
    amap = AxisMap(base=-70, rel=np.arange(200))  # samples -70 .. 129
    assert list(amap.tiles) == [-2, -1, 0, 1, 2]
    parts = [visible(amap, t) for t in amap.tiles]
    assert parts[0] == slice(58, 64) and parts[2] == slice(0, 64) and parts[-1] == slice(0, 2)
    assert sum(p.stop - p.start for p in parts) == amap.count


def test_view_maps_at_the_view_level_use_every_sample_at_most_about_once_per_pixel():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    mx, my = view_maps(view, level_for(view.pixel))
    assert np.all(np.diff(mx.rel) <= 1) and np.all(np.diff(my.rel) <= 1)
    assert mx.count <= 1280 and my.count <= 720
