"""The paper's colouring: matplotlib's Spectral, and the notebook's equalisation (cdf_img)."""
import numpy as np
import pytest

from viz.colour.equalise import (
    PALE_BAND,
    colour_measures,
    equalise,
    equalise_rank,
    lut_index,
    sign_from_rgb,
    spectral_lut,
)


def test_lut_equals_matplotlib_spectral():
    matplotlib = pytest.importorskip("matplotlib")
    np.testing.assert_allclose(spectral_lut(), matplotlib.colormaps["Spectral"](np.arange(256))[:, :3], atol=1e-12)


def test_binning_equals_matplotlib():
    matplotlib = pytest.importorskip("matplotlib")
    levels = np.concatenate([np.linspace(-1, 1, 10001), [-1.0, 1.0, 0.0]])
    ours = spectral_lut()[lut_index(levels)]
    theirs = matplotlib.colormaps["Spectral"](matplotlib.colors.Normalize(-1, 1)(levels))[:, :3]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_equalise_splits_the_sides_by_rank():
    rng = np.random.default_rng(3)
    m = np.concatenate([-rng.uniform(1, 500, 300), rng.uniform(1, 5, 200)])
    levels = equalise(m)
    # Diverged (positive measures) go to the red end (negative levels) and vice versa.
    assert np.all(levels[m > 0] <= -PALE_BAND) and np.all(levels[m < 0] >= PALE_BAND)
    assert levels.min() == -1.0 and levels.max() == 1.0
    # Evenly spread by rank on each side: the order of the measures is kept.
    neg = np.sort(levels[m < 0])
    np.testing.assert_allclose(np.diff(neg), (1 - PALE_BAND) / (neg.size - 1))
    assert np.all(np.argsort(-levels[m > 0]) == np.argsort(m[m > 0]))


def test_equalise_against_another_reference_interpolates():
    ref = np.array([-4.0, -2.0, 1.0, 3.0])
    np.testing.assert_allclose(equalise(np.array([-3.0, 2.0]), ref), [0.625, -0.625])


def test_probe_rank_has_no_pale_band():
    levels = equalise_rank(np.array([5.0, -1.0, 0.5, 2.0, 9.0]))
    np.testing.assert_allclose(np.sort(levels), np.linspace(-1, 1, 5))


def test_sign_round_trip_through_the_picture():
    rng = np.random.default_rng(4)
    m = rng.normal(size=(40, 50)) * 100
    rgb = colour_measures(m)
    assert rgb.shape == (40, 50, 3) and rgb.dtype == np.uint8
    # Picture is top row first; the measure's row 0 is the bottom.
    np.testing.assert_array_equal(sign_from_rgb(rgb)[::-1], np.sign(m))
