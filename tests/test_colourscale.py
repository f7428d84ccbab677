"""The live colour scale: knots, levels, easing, and the shader that applies them."""
from __future__ import annotations

import numpy as np
import pytest

from viz.colour.equalise import equalise, equalise_rank, lut_index, to_rgb8
from viz.colour.scale import KNOTS, ColourScale, knots_of, levels_of


def measures(seed=0, shape=(90, 120)):
    """Converged (negative, heavy-tailed) and diverged (positive) measures, as the engine gives them."""
    rng = np.random.default_rng(seed)
    m = np.where(rng.random(shape) < 0.4, 1.0 + rng.exponential(3.0, shape), -np.exp(rng.normal(5, 1.5, shape)))
    return m


def test_knots_are_increasing_and_split_by_sign():
    k = knots_of(measures())
    assert k.shape == (2, KNOTS)
    assert (np.diff(k.ravel()) >= 0).all()
    assert (k[0] < 0).all() and (k[1] >= 0).all()


def test_no_finite_measure_gives_no_knots():
    assert knots_of(np.full((4, 4), np.nan)) is None


def test_levels_keep_sides_apart_and_follow_rank():
    m = measures()
    levels = levels_of(m, knots_of(m))
    assert (levels[m >= 0] <= -0.25).all() and (levels[m < 0] >= 0.25).all()
    # With every measure in the reference, the knot table is the paper's equalisation to within a knot.
    np.testing.assert_allclose(levels, equalise(m), atol=0.75 / (KNOTS - 1) + 1e-9)


def test_an_empty_side_still_colours_its_measures_on_their_side():
    m = -np.linspace(1, 100, 50)
    levels = levels_of(np.array([-5.0, 3.0]), knots_of(m))
    assert levels[0] >= 0.25 and levels[1] <= -0.25  # converged, diverged


def test_probe_readout_ranks_over_the_whole_range_without_sides():
    m = np.random.default_rng(5).normal(0.0, 2.0, 5000)
    levels = levels_of(m, knots_of(m, split=False), split=False)
    np.testing.assert_allclose(levels, equalise_rank(m), atol=2.0 / (2 * KNOTS - 1) + 1e-9)
    assert levels.min() == -1.0 and levels.max() == 1.0


def test_nan_stays_missing():
    m = measures()
    assert np.isnan(levels_of(np.array([np.nan]), knots_of(m))).all()


def test_first_scale_is_shown_at_once_then_eases():
    scale = ColourScale()
    first, second = measures(1), measures(2) * 3.0
    scale.retarget(first)
    np.testing.assert_array_equal(scale.advance(0.016), knots_of(first))
    assert scale.advance(0.016) is None  # nothing moved
    scale.retarget(second)
    moved = scale.advance(0.05)
    assert not np.array_equal(moved, knots_of(first)) and not np.array_equal(moved, knots_of(second))
    for _ in range(100):
        scale.advance(0.016)
    np.testing.assert_array_equal(scale.shown, knots_of(second))


def test_easing_is_independent_of_frame_rate():
    a, b = ColourScale(), ColourScale()
    for scale in (a, b):
        scale.retarget(measures(1))
        scale.advance(0.0)
        scale.retarget(measures(2) * 5.0)
    a.advance(0.1)
    for _ in range(10):
        b.advance(0.01)
    np.testing.assert_allclose(a.shown, b.shown, rtol=1e-9)


def test_most_of_the_way_in_a_third_of_a_second():
    scale = ColourScale()
    scale.retarget(measures(1))
    start = scale.shown.copy()
    scale.retarget(measures(2) * 5.0)
    for _ in range(20):
        scale.advance(1 / 60)
    done = np.abs(scale.shown - start) / np.abs(scale.target - start)
    assert np.nanmin(done) > 0.9


@pytest.mark.parametrize("split", [True, False])
def test_shader_colours_as_levels_of(ctx, split):
    from viz.display.live import LiveRenderer
    from viz.display.renderer import MISSING_RGB8, read_rgb8

    m = measures(3, (61, 97))
    k = knots_of(m, split)
    probe = m.copy()
    probe[0, :6] = [k[0, 0] * 2, k[1, -1] * 2, -1e-30, 0.0, np.nan, k[0, -1] / 2]  # beyond, between, missing
    live = LiveRenderer(ctx)
    fbo = ctx.simple_framebuffer((97, 61))
    try:
        live.upload_measures(probe.astype(np.float32))
        live.upload_knots(k, split)
        live.draw(fbo)
        image = read_rgb8(fbo)
    finally:
        fbo.release()
        live.release()
    expected_levels = levels_of(probe.astype(np.float32).astype(np.float64), k.astype(np.float32), split)
    missing = np.isnan(expected_levels)[::-1]
    np.testing.assert_array_equal(image[missing], np.array([MISSING_RGB8] * int(missing.sum()), np.uint8))
    bins = lut_index(np.nan_to_num(expected_levels))[::-1]
    ours = lut_index(np.nan_to_num(levels_of_image(image)))
    off = np.abs(bins - ours)[~missing]
    assert off.max() <= 1 and (off == 0).mean() > 0.99  # float32 on the GPU may cross a bin edge
    expected = to_rgb8(np.nan_to_num(expected_levels))
    np.testing.assert_array_equal(image[~missing][off == 0], expected[~missing][off == 0])


def levels_of_image(image):
    """The table bin of each drawn colour, as a level at the bin's centre."""
    from viz.display.programs import spectral_table_rgb8

    table = spectral_table_rgb8().astype(int)
    nearest = np.argmin(((image[:, :, None, :].astype(int) - table[None, None]) ** 2).sum(-1), axis=-1)
    return (nearest + 0.5) / (len(table) / 2) - 1.0


def test_a_half_size_picture_is_coloured_then_stretched(ctx):
    from viz.display.live import LiveRenderer
    from viz.display.renderer import read_rgb8

    m = measures(4, (9, 14))
    k = knots_of(m)
    live = LiveRenderer(ctx)
    small, big = ctx.simple_framebuffer((14, 9)), ctx.simple_framebuffer((28, 18))
    try:
        live.upload_measures(m.astype(np.float32))
        live.upload_knots(k)
        live.draw(small)
        live.draw(big)
        one, two = read_rgb8(small), read_rgb8(big)
    finally:
        small.release()
        big.release()
        live.release()
    np.testing.assert_array_equal(two, np.repeat(np.repeat(one, 2, axis=0), 2, axis=1))
