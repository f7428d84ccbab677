"""The zoom path's maths, and the GPU video frame against its NumPy reference."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from viz.colour.equalise import equalise, to_rgb8
from viz.display.renderer import read_rgb8
from viz.numeric.fixed import FRAC_BITS
from viz.problem.spec import ProblemSpec
from viz.video.frames import ZoomFrames
from viz.video.keyframes import KeyframeSpec, keyframe_axes
from viz.video.path import FRAMES_PER_2X, ZoomPath, blend_weight, layer_levels, reference_frame

widths = st.floats(min_value=1e-12, max_value=5.0)
paths = st.builds(
    ZoomPath,
    centre=st.tuples(st.floats(-3, 6), st.floats(-3, 6)),
    deepest=st.tuples(widths, widths),
    n_keyframes=st.integers(1, 12),
    keyframe_shape=st.tuples(st.integers(2, 64), st.integers(2, 64)),
    frames_per_2x=st.integers(1, 90),
)


def small_path(n_keyframes=4, frames_per_2x=8, shape=(24, 32)) -> ZoomPath:
    return ZoomPath(centre=(1.1, 2.3), deepest=(1e-3, 0.75e-3), n_keyframes=n_keyframes,
                    keyframe_shape=shape, frames_per_2x=frames_per_2x)


def keyframe_measures(path: ZoomPath, seed: int = 0) -> list[np.ndarray]:
    """Made-up measures with both signs and a range of magnitudes, one image per keyframe."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=path.keyframe_shape) * 10.0 ** rng.uniform(0, 3, path.keyframe_shape)
            for _ in range(path.n_keyframes)]


@given(paths)
def test_keyframes_halve_in_width_from_the_widest(path):
    for k in range(path.n_keyframes - 1):
        wide, narrow = path.keyframe_width(k), path.keyframe_width(k + 1)
        assert wide == (2 * narrow[0], 2 * narrow[1])
    assert path.keyframe_width(path.n_keyframes - 1) == path.deepest


@given(st.tuples(widths, widths), st.floats(0.5, 20))
def test_reaching_stops_at_the_first_keyframe_wide_enough(deepest, outer):
    path = ZoomPath.reaching((0.0, 0.0), deepest, (8, 8), outer_width=outer)
    assert min(path.keyframe_width(0)) >= outer
    if path.n_keyframes > 1:
        assert min(path.keyframe_width(1)) < outer


def test_reaching_defaults_to_six_decades_and_45_frames_per_2x():
    path = ZoomPath.reaching((1.12, 2.3), (1e-6, 1e-6), (16, 16))
    assert path.frames_per_2x == FRAMES_PER_2X == 45
    assert path.n_keyframes == 24  # 1e-6 * 2^22 = 4.19 < 6 <= 1e-6 * 2^23 = 8.39
    assert path.n_frames == 45 * 23 + 1


@given(paths, st.data())
def test_view_at_frame_i(path, data):
    i = data.draw(st.integers(0, path.n_frames - 1))
    view = path.view_at(i)
    k, step = divmod(i, path.frames_per_2x)
    assert (view.index, view.keyframe, view.alpha) == (i, k, step / path.frames_per_2x)
    assert view.centre == path.centre
    last = path.n_keyframes - 1
    assert view.layers == (k, min(k + 1, last), min(k + 2, last))
    assert view.references == view.layers[:2]
    for axis in (0, 1):
        expected = path.keyframe_width(k)[axis] * 2.0 ** -view.alpha
        assert view.width[axis] == pytest.approx(expected, rel=1e-13)
    assert view == ZoomPath(**vars(path)).view_at(i)  # a pure function of the index


@given(paths)
def test_zoom_goes_in_from_the_widest_to_the_deepest(path):
    views = [path.view_at(i) for i in range(path.n_frames)]
    assert views[0].width == path.keyframe_width(0)
    assert views[-1].width == path.deepest
    assert all(a.width[0] > b.width[0] and a.width[1] > b.width[1] for a, b in zip(views, views[1:]))


def test_width_is_geometric_between_keyframes():
    path = small_path(frames_per_2x=10)
    ratios = [path.view_at(i + 1).width[0] / path.view_at(i).width[0] for i in range(path.n_frames - 1)]
    assert ratios == pytest.approx([2.0 ** -0.1] * len(ratios), rel=1e-13)


def test_frames_past_the_end_are_refused():
    path = small_path()
    with pytest.raises(IndexError):
        path.view_at(path.n_frames)
    with pytest.raises(IndexError):
        path.view_at(-1)


def test_blend_weights_at_alpha_0_half_and_1():
    assert blend_weight(0.0) == 0.0
    assert blend_weight(0.5) == pytest.approx(0.5, abs=1e-15)
    assert blend_weight(1.0) == pytest.approx(1.0, abs=1e-15)
    view = small_path(frames_per_2x=8).view_at(8 + 4)
    assert (view.alpha, view.fade) == (0.5, 0.5)
    assert view.blend == pytest.approx(0.5, abs=1e-15)


def test_keyframe_offsets_are_centred_linspace():
    path = small_path()
    xs, ys = path.keyframe_offsets(1)
    assert (len(xs), len(ys)) == (32, 24)
    np.testing.assert_allclose(xs, -xs[::-1], rtol=0, atol=1e-18)
    assert (xs[-1] - xs[0], ys[-1] - ys[0]) == pytest.approx(path.keyframe_width(1), rel=1e-15)


def test_layer_scales_place_cells_centred_on_samples():
    path = small_path(shape=(24, 32))
    view = path.view_at(path.frames_per_2x)  # alpha 0: the frame is keyframe 1's box
    scales = path.layer_scales(view)
    # Keyframe 1's texture reaches half a spacing past its box: 32 cells for 31 spacings.
    assert scales[0] == pytest.approx((31 / 32, 23 / 24), rel=1e-15)
    assert scales[1] == pytest.approx((2 * 31 / 32, 2 * 23 / 24), rel=1e-15)
    assert scales[2] == pytest.approx((4 * 31 / 32, 4 * 23 / 24), rel=1e-15)


def test_reference_frame_puts_the_finer_keyframe_in_the_middle_half():
    path = small_path(n_keyframes=3, frames_per_2x=4, shape=(16, 16))
    rng = np.random.default_rng(5)
    coarse = 10.0 ** rng.uniform(0, 3, (16, 16)) * np.where(rng.random((16, 16)) < 0.5, -1, 1)
    coarse[0, :2] = (-1.0, 1.0)                # the two measures nearest zero
    fine = np.zeros((16, 16))                  # between them: the pale band, which coarse never uses
    frame = reference_frame(path, 0, [coarse, fine, fine], (64, 64))
    pale = to_rgb8(np.zeros((1, 1)))[0, 0]
    # Keyframe 1's cells reach half a spacing past its box: 16/15 of half the frame,
    # pixels 14.93 .. 49.07, so the pixel centres 15.5 .. 48.5 show it.
    inside = np.zeros((64, 64), dtype=bool)
    inside[15:49, 15:49] = True
    np.testing.assert_array_equal((frame == pale).all(axis=2), inside)


def test_layer_levels_are_the_two_equalisations():
    measures = keyframe_measures(small_path())
    pair = layer_levels(measures[2], measures[0], measures[1])
    np.testing.assert_array_equal(pair[..., 0], equalise(measures[2], measures[0]))
    np.testing.assert_array_equal(pair[..., 1], equalise(measures[2], measures[1]))


def draw_frame(renderer, path, index, measures, size):
    view = path.view_at(index)
    ref_a, ref_b = (measures[k] for k in view.references)
    textures = [renderer.upload_layer(layer_levels(measures[k], ref_a, ref_b)) for k in view.layers]
    fbo = renderer.offscreen(*size)
    renderer.clear(fbo)
    renderer.draw_zoom_frame(fbo, textures, path.layer_scales(view), path.layer_shifts(view), view.blend, view.fade)
    image = read_rgb8(fbo)
    for texture in textures:
        texture.release()
    fbo.release()
    return image


@pytest.mark.parametrize("middles", [None, ((0.3, -0.2), (-0.5, 0.45), (0.1, 0.5), (-0.4, 0.0))])
@pytest.mark.parametrize("index", [0, 3, 4, 9, 13, 20, 23, 24])
def test_gpu_frame_matches_the_numpy_reference(renderer, index, middles):
    path = replace(small_path(n_keyframes=4, frames_per_2x=8), middles=middles)
    measures = keyframe_measures(path)
    size = (96, 72)
    gpu = draw_frame(renderer, path, index, measures, size).astype(int)
    cpu = reference_frame(path, index, measures, size).astype(int)
    off = np.abs(gpu - cpu).max(axis=2)
    assert (off <= 1).mean() >= 0.99, f"{(off > 1).sum()} pixels differ by more than one level"
    assert np.abs(gpu - cpu).mean() < 0.05


def test_gpu_frame_blends_references_and_skips_missing_layers(renderer):
    rng = np.random.default_rng(9)
    pair = rng.uniform(-1.0, 1.0, (10, 14, 2))
    missing = np.full((10, 14, 2), np.nan)
    textures = [renderer.upload_layer(p) for p in (pair, missing, missing)]
    fbo = renderer.offscreen(14, 10)
    for blend, column in ((0.0, 0), (1.0, 1)):
        renderer.draw_zoom_frame(fbo, textures, [(1.0, 1.0)] * 3, [(0.0, 0.0)] * 3, blend, fade=0.5)
        expected = to_rgb8(pair[..., column].astype(np.float32).astype(np.float64))
        np.testing.assert_array_equal(read_rgb8(fbo), expected)
    for texture in textures:
        texture.release()
    fbo.release()


def test_the_last_frame_is_the_deepest_keyframe_alone():
    path = small_path(n_keyframes=3, frames_per_2x=4)
    view = path.view_at(path.n_frames - 1)
    assert (view.keyframe, view.alpha, view.layers, view.references) == (2, 0.0, (2, 2, 2), (2, 2))
    assert math.isclose(view.width[0], path.deepest[0])


# Lattice keyframes (viz.video.keyframes) off the zoom's centre: levels 3, 4, 5 of 16^2
# samples about a centre 0.3 (x) and 0.9 (y) of a level-3 spacing past a
# lattice point, so the keyframes' middles sit 0.2, -0.1, 0.3 samples off in x
# and -0.4, -0.3, -0.1 in y, each in its own spacing.
LATTICE_LEVELS = (3, 4, 5)


def lattice_spec(res: int = 16) -> KeyframeSpec:
    unit = 1 << (FRAC_BITS - 3)
    return KeyframeSpec(ProblemSpec("tanh", 8, 100), 9 * unit + round(0.3 * unit), 18 * unit + round(0.9 * unit),
                        res, LATTICE_LEVELS)


def exact_offsets(spec: KeyframeSpec, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Decades from the fixed centre to a lattice keyframe's samples, from their integer positions."""
    shift = FRAC_BITS - level
    ix, iy = keyframe_axes(spec, level)
    return (np.array([((int(i) << shift) - spec.cx) / (1 << FRAC_BITS) for i in ix]),
            np.array([((int(i) << shift) - spec.cy) / (1 << FRAC_BITS) for i in iy]))


def lattice_measures(spec: KeyframeSpec) -> list[np.ndarray]:
    """A measure of the exact lattice point (no two neighbours alike): keyframes that share a point agree."""
    deepest = spec.levels[-1]
    measures = []
    for level in spec.levels:
        ix, iy = (axis << (deepest - level) for axis in keyframe_axes(spec, level))
        measures.append(np.sin(1.7 * iy[:, None] + 0.4) * np.cos(2.3 * ix[None, :] + 0.1) * 100.0)
    return measures


def true_frame(spec: KeyframeSpec, k: int, measures: list[np.ndarray], size: int) -> np.ndarray:
    """Frame k * frames_per_2x (alpha 0) by sampling the true lattice positions: for each pixel
    centre, the nearest sample of keyframe k + 1 where it has one there, else of keyframe k,
    coloured against reference k. Independent of the path's scales and shifts."""
    res, levels = spec.res, spec.levels
    top = min(k + 1, len(levels) - 1)
    width = (res - 1) * 2.0 ** -levels[k]  # the frame spans keyframe k's box
    offset = ((np.arange(size) + 0.5) / size - 0.5) * width

    def nearest(level: int) -> tuple[np.ndarray, np.ndarray]:
        """Index within the keyframe of the sample nearest each pixel centre: per column, per row."""
        shift = FRAC_BITS - level
        index = []
        for fixed, first in zip((spec.cx, spec.cy), keyframe_axes(spec, level)):
            whole = fixed >> shift
            frac = (fixed - (whole << shift)) / (1 << shift)
            index.append(np.floor(frac + offset * 2.0 ** level + 0.5).astype(np.int64) + (whole - int(first[0])))
        return tuple(index)

    levels_k = equalise(measures[k], measures[k]).astype(np.float32).astype(np.float64)
    levels_top = equalise(measures[top], measures[k]).astype(np.float32).astype(np.float64)
    cols, rows = nearest(levels[top])
    inside = ((rows >= 0) & (rows < res))[:, None] & ((cols >= 0) & (cols < res))[None, :]
    shown = levels_top[np.clip(rows, 0, res - 1)[:, None], np.clip(cols, 0, res - 1)[None, :]]
    cols, rows = nearest(levels[k])
    assert cols.min() >= 0 and cols.max() < res and rows.min() >= 0 and rows.max() < res
    shown = np.where(inside, shown, levels_k[rows[:, None], cols[None, :]])
    return to_rgb8(shown)  # row 0 = bottom in, top row first out


def test_lattice_keyframes_sample_where_the_path_says():
    spec = lattice_spec()
    path = spec.zoom_path(4)
    middles = np.array(path.middles)
    np.testing.assert_allclose(middles, [(0.2, -0.4), (-0.1, -0.3), (0.3, -0.1)], atol=1e-12)
    for k, level in enumerate(spec.levels):
        for got, want in zip(path.keyframe_offsets(k), exact_offsets(spec, level)):
            np.testing.assert_allclose(got, want, rtol=0, atol=2.0 ** -level * 1e-12)


@pytest.mark.parametrize("k", [0, 1])
def test_off_centre_lattice_keyframes_meet_without_seams(renderer, k):
    """Keyframes 4x coarser than the video, each off the centre by its own fraction of a sample:
    every pixel, on both sides of the boundary between layers, shows the sample nearest to it."""
    spec, size = lattice_spec(), 64
    path = spec.zoom_path(4)
    measures = lattice_measures(spec)
    want = true_frame(spec, k, measures, size)
    cpu = reference_frame(path, k * path.frames_per_2x, measures, (size, size))
    wrong = (cpu != want).any(axis=2)
    assert not wrong.any(), f"NumPy frame: {wrong.sum()} of {wrong.size} pixels show the wrong sample"
    frames = ZoomFrames(renderer, path, measures, "measure", (size, size))
    fbo = renderer.offscreen(size, size)
    try:
        frames.draw(fbo, k * path.frames_per_2x)
        gpu = read_rgb8(fbo)
    finally:
        frames.release()
        fbo.release()
    wrong = np.abs(gpu.astype(int) - want).max(axis=2) > 1
    assert wrong.mean() < 0.002, f"GPU frame: {wrong.sum()} of {wrong.size} pixels show the wrong sample"


def test_middles_must_match_the_keyframes():
    with pytest.raises(ValueError):
        ZoomPath((0.0, 0.0), (1.0, 1.0), 2, (8, 8), 4, middles=((0.0, 0.0),))
    with pytest.raises(ValueError):
        ZoomPath((0.0, 0.0), (1.0, 1.0), 1, (8, 8), 4, middles=((math.nan, 0.0),))
