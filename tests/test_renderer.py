"""The GPU colouring pass against viz.colour.equalise, drawn offscreen on a headless context.

Levels are drawn through the zoom video's own program: one keyframe layer
holding the levels (both of its levels alike, so any blend shows them), the
two layers above it empty.
"""
from __future__ import annotations

import numpy as np

from viz.colour.equalise import LUT_SIZE, to_rgb8
from viz.display.renderer import MISSING_RGB8, read_rgb8

NO_SHIFT = (0.0, 0.0)


def as_layer(levels):
    """One level per sample as a zoom layer's pair (reference k and k+1 alike)."""
    return np.stack([levels, levels], axis=-1)


def draw_layers(renderer, layers, size, views, blend=0.0):
    """Up to three level images as layers 0, 1, 2; `views[k]` is the rectangle of layer k's texture
    (left, bottom, right, top) that fills the frame. Read back top row first."""
    fbo = renderer.offscreen(*size)
    textures = [renderer.upload_layer(as_layer(levels)) for levels in layers]
    textures += [renderer.upload_layer(np.full((1, 1, 2), np.nan)) for _ in range(3 - len(layers))]
    views = list(views) + [(0.0, 0.0, 1.0, 1.0)] * (3 - len(views))
    scales = [(r - left, t - b) for left, b, r, t in views]
    shifts = [((left + r) / 2 - 0.5, (b + t) / 2 - 0.5) for left, b, r, t in views]
    renderer.draw_zoom_frame(fbo, textures, scales, shifts, blend=blend, fade=0.0)
    image = read_rgb8(fbo)
    for texture in textures:
        texture.release()
    fbo.release()
    return image


def draw(renderer, levels, size=None, view=(0.0, 0.0, 1.0, 1.0), blend=0.0):
    """Levels drawn as the only layer (default: 1:1), read back top row first."""
    rows, cols = levels.shape
    return draw_layers(renderer, [levels], size or (cols, rows), [view], blend)


def boundary_levels() -> np.ndarray:
    """Every bin edge of the table, the float32 neighbours on both sides, and the ends beyond [-1, 1].

    Finite only: a layer's levels always are (layer_levels equalises them), and the blend's 0 * inf is NaN.
    """
    edges = (np.arange(LUT_SIZE + 1) / (LUT_SIZE / 2) - 1.0).astype(np.float32)
    below = np.nextafter(edges, np.float32(-np.inf))
    above = np.nextafter(edges, np.float32(np.inf))
    tiny = np.float32(2.0**-54)  # float64 rounds 1 - tiny up to 1: lut_index's own quirk
    around_tiny = [-tiny, np.nextafter(-tiny, np.float32(-1)), np.nextafter(-tiny, np.float32(0))]
    extra = np.array([-3.0, -1.5, 1.5, 3.0, 1e30, -1e30, 1e-30, -1e-30, *around_tiny], dtype=np.float32)
    values = np.concatenate([edges, below, above, extra])
    return np.resize(values, (24, 33))  # rows x cols, odd on purpose


def test_one_to_one_equals_to_rgb8_at_every_bin_edge(renderer):
    levels = boundary_levels()
    np.testing.assert_array_equal(draw(renderer, levels), to_rgb8(levels.astype(np.float64)))


def test_one_to_one_equals_to_rgb8_on_random_levels(renderer):
    levels = np.random.default_rng(7).uniform(-1.0, 1.0, (61, 97)).astype(np.float32)
    np.testing.assert_array_equal(draw(renderer, levels), to_rgb8(levels.astype(np.float64)))
    np.testing.assert_array_equal(draw(renderer, levels, blend=1.0), to_rgb8(levels.astype(np.float64)))


def test_row_zero_is_drawn_at_the_bottom(renderer):
    levels = np.full((4, 3), -0.9, dtype=np.float32)
    levels[0] = 0.9  # bottom row diverged (red side), the rest converged
    image = draw(renderer, levels)
    np.testing.assert_array_equal(image[-1], to_rgb8(np.array([[0.9]]))[0, 0][None].repeat(3, 0))
    assert not np.array_equal(image[0], image[-1])


def test_half_view_shows_each_sample_as_a_2x2_block(renderer):
    levels = np.random.default_rng(1).uniform(-1.0, 1.0, (6, 8)).astype(np.float32)
    # Top-right quadrant of the texture (columns 4..7, rows 3..5) on a viewport of the full size.
    image = draw(renderer, levels, view=(0.5, 0.5, 1.0, 1.0))
    blocks = np.repeat(np.repeat(levels[3:, 4:], 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(image, to_rgb8(blocks.astype(np.float64)))


def test_view_beyond_the_texture_leaves_the_background(renderer):
    levels = np.random.default_rng(2).uniform(-1.0, 1.0, (4, 4)).astype(np.float32)
    # The texture fills the left half of the viewport; the right half is outside it.
    image = draw(renderer, levels, size=(8, 4), view=(0.0, 0.0, 2.0, 1.0))
    np.testing.assert_array_equal(image[:, :4], to_rgb8(levels.astype(np.float64)))
    assert (image[:, 4:] == MISSING_RGB8).all()


def test_missing_samples_are_grey(renderer):
    levels = np.random.default_rng(3).uniform(-1.0, 1.0, (5, 7)).astype(np.float32)
    levels[1, 2] = levels[4, 6] = np.nan
    image = draw(renderer, levels)[::-1]  # bottom row first, like levels
    missing = np.isnan(levels)
    assert (image[missing] == MISSING_RGB8).all()
    np.testing.assert_array_equal(image[~missing], to_rgb8(np.nan_to_num(levels).astype(np.float64))[::-1][~missing])


def test_a_coarser_level_shows_through_missing_samples(renderer):
    rng = np.random.default_rng(4)
    coarse = rng.uniform(-1.0, 1.0, (3, 4)).astype(np.float32)
    fine = rng.uniform(-1.0, 1.0, (6, 8)).astype(np.float32)
    fine[rng.random(fine.shape) < 0.3] = np.nan
    image = draw_layers(renderer, [coarse, fine], (8, 6), [(0.0, 0.0, 1.0, 1.0)] * 2)
    expected = np.where(np.isnan(fine), np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1), fine)
    np.testing.assert_array_equal(image, to_rgb8(expected.astype(np.float64)))


def test_upload_reuses_a_texture_of_the_same_size(renderer):
    first = renderer.upload_layer(np.zeros((3, 5, 2)))
    same = renderer.upload_layer(np.full((3, 5, 2), 0.5), first)
    assert same is first
    assert np.frombuffer(same.read(), np.float32).reshape(3, 5, 2).tolist() == np.full((3, 5, 2), 0.5).tolist()
    resized = renderer.upload_layer(np.zeros((4, 5, 2)), same)
    assert resized is not first and resized.size == (5, 4)
    resized.release()


def test_blending_left_on_by_another_pass_does_not_leak_in(renderer, ctx):
    import moderngl

    levels = np.random.default_rng(5).uniform(-1.0, 1.0, (4, 6)).astype(np.float32)
    ctx.enable(moderngl.BLEND)
    ctx.blend_func = moderngl.ZERO, moderngl.ONE  # would keep the grey background
    try:
        image = draw(renderer, levels)
    finally:
        ctx.blend_func = moderngl.DEFAULT_BLENDING
        ctx.disable(moderngl.BLEND)
    np.testing.assert_array_equal(image, to_rgb8(levels.astype(np.float64)))
