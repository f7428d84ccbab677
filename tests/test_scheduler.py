"""The scheduler: coarse to fine, centre first, only what is missing, each sample once."""
import math

import numpy as np
import pytest

from viz.numeric.fixed import to_fixed
from viz.sampling.boundary import at_full_resolution, boundary_pixels
from viz.sampling.lattice import TILE, level_for, view_maps
from viz.sampling.picture import picture
from viz.sampling.scheduler import BatchSizer, deliver, levels, next_batch, plan
from viz.sampling.store import SampleStore
from viz.sampling.view import View, hyper_at, pan, zoom, zoom_at


def measure(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """A stand-in engine: cheap, and a function of the hyperparameters only."""
    return np.log10(xs) - 0.5 * np.log10(ys)


def run(view: View, store: SampleStore, budget: int = 1000, seen: set | None = None,
        boundary_first: bool = True) -> list:
    """Compute the view to completion; return the batches, checking no pair is handed out twice."""
    batches = []
    while (batch := next_batch(view, store, budget, boundary_first=boundary_first)) is not None:
        assert 0 < len(batch) <= budget
        if seen is not None:
            pairs = set(zip(batch.xs.tolist(), batch.ys.tolist()))
            assert len(pairs) == len(batch) and not pairs & seen
            seen |= pairs
        deliver(store, batch, measure(batch.xs, batch.ys))
        batches.append(batch)
    return batches


def small_view() -> View:
    return View.fit(-3.0, 6.0, -3.0, 6.0, 160, 90)


def test_levels_run_from_a_coarse_screenful_to_the_views_own():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    found = levels(view, coarse_samples=16)
    assert found[-1] == level_for(view.pixel)
    assert min(view.spans) / 2.0 ** -found[0] >= 16 > min(view.spans) / 2.0 ** -(found[0] - 1)


def test_a_view_computed_to_completion_has_every_pixel_and_asks_for_nothing_more():
    view, store = small_view(), SampleStore()
    run(view, store)
    assert next_batch(view, store, 1000) is None
    assert list(plan(view, store)) == []
    got = picture(view, store)
    assert not np.isnan(got).any()


def test_the_picture_shows_what_the_engine_computed_at_the_pixels():
    view, store = small_view(), SampleStore()
    run(view, store)
    got = picture(view, store)
    mx, my = view_maps(view, level_for(view.pixel))
    x = (mx.base + mx.rel) / 2.0 ** level_for(view.pixel)
    y = (my.base + my.rel) / 2.0 ** level_for(view.pixel)
    np.testing.assert_allclose(got, x[None, :] - 0.5 * y[:, None], atol=1e-12)


def test_batches_go_coarse_to_fine_and_centre_first():
    view, store = small_view(), SampleStore()
    parts = []  # (level, key, tile distance, sample distances) in the order handed out
    for batch in run(view, store, budget=300, boundary_first=False):
        for part in batch.parts:
            mx, my = view_maps(view, part.key.level)
            ox = part.key.tx * TILE - mx.base - (mx.count - 1) / 2.0
            oy = part.key.ty * TILE - my.base - (my.count - 1) / 2.0
            tile_distance = math.hypot(ox + TILE / 2, oy + TILE / 2)
            parts.append((part.key.level, part.key, tile_distance, np.hypot(ox + part.cols, oy + part.rows)))
    assert [p[0] for p in parts] == sorted(p[0] for p in parts)
    for level in levels(view):
        mine = [p for p in parts if p[0] == level]
        assert mine[0][3][0] <= 1.0  # each level starts at the sample under the centre
        assert [p[2] for p in mine] == sorted(p[2] for p in mine)
        for prev, nxt in zip(mine, mine[1:]):
            assert np.all(np.diff(nxt[3]) >= 0)
            if prev[1] == nxt[1]:  # one tile split across batches: nearer samples first
                assert prev[3].max() <= nxt[3].min()


def test_a_zoom_in_reuses_every_sample_already_computed():
    view, store, seen = small_view(), SampleStore(), set()
    run(view, store, seen=seen)
    first = len(seen)
    deeper, _ = zoom(view, 2.0)
    run(deeper, store, seen=seen)
    # the new finest level shares one sample in four with the old one
    mx, my = view_maps(deeper, level_for(deeper.pixel))
    assert len(seen) - first <= mx.count * my.count - (mx.count // 2) * (my.count // 2)


def test_pan_zoom_and_back_never_compute_a_sample_twice():
    view, store, seen = small_view(), SampleStore(), set()
    for step in (lambda v: v, lambda v: zoom_at(v, 30.0, 70.0, 3.0)[0], lambda v: pan(v, 55.0, -21.0),
                 lambda v: zoom(v, 0.25)[0], lambda v: pan(v, -55.0, 21.0), lambda v: zoom(v, 8.0)[0]):
        view = step(view)
        run(view, store, seen=seen)
        assert not np.isnan(picture(view, store)).any()


def test_a_view_deep_in_the_lattice_fills_and_keeps_its_samples_distinct():
    # 1e-12 decades across, at the tanh Figure 1 window
    view = View(to_fixed(math.log10(13.29976231)), to_fixed(math.log10(200.3582269)), 1e-12 / 160, 160, 90)
    store, seen = SampleStore(), set()
    run(view, store, budget=5000, seen=seen)
    assert not np.isnan(picture(view, store)).any()
    xs = sorted({x for x, _ in seen})
    # half a view (5e-13 decades) and half a sample either side of the centre
    reach = math.log(10) * (0.5e-12 * (1 + 1 / 160))
    assert 13.29976231 * (1 - reach) < xs[0] and xs[-1] < 13.29976231 * (1 + reach)
    assert len(xs) >= view_maps(view, level_for(view.pixel))[0].count  # every column distinct


def test_deliver_refuses_a_wrong_count_or_a_nan_and_stores_nothing():
    view, store = small_view(), SampleStore()
    batch = next_batch(view, store, 10)
    with pytest.raises(ValueError):
        deliver(store, batch, np.zeros(9))
    with pytest.raises(ValueError):
        deliver(store, batch, np.r_[np.zeros(9), np.nan])
    assert next_batch(view, store, 10).xs.tolist() == batch.xs.tolist()


def test_batch_sizer_follows_throughput_within_bounds():
    sizer = BatchSizer(seconds=0.5, size=100, lo=10, hi=10_000)
    sizer.record(100, 10.0)  # a slow first batch (a compile)
    assert sizer.size == 10
    sizes = []
    for _ in range(12):
        sizer.record(sizer.size, sizer.size / 4000.0)  # 4000 samples per second
        sizes.append(sizer.size)
    assert sizes[:3] == [20, 40, 80] and sizes[-1] == 2000
    for _ in range(5):
        sizer.record(1, 1e-9)
    assert sizer.size == 10_000


def test_boundary_first_ends_in_the_same_picture_bitwise_and_reaches_the_boundary_sooner():
    view = zoom(small_view(), 4.0)[0]
    pictures, batches_to_boundary = [], []
    for boundary_first in (True, False):
        store, count, boundary, reached = SampleStore(), 0, None, None
        while (batch := next_batch(view, store, 200, boundary_first=boundary_first)) is not None:
            deliver(store, batch, measure(batch.xs, batch.ys))
            count += 1
            if boundary is None:
                boundary = boundary_pixels(measure(*np.meshgrid(*hyper_at(view, np.arange(view.cols) + 0.5,
                                                                          np.arange(view.rows) + 0.5))))
            if reached is None and at_full_resolution(view, store)[boundary].all():
                reached = count
        pictures.append(picture(view, store))
        batches_to_boundary.append(reached)
    assert pictures[0].tobytes() == pictures[1].tobytes()
    first, today = batches_to_boundary
    assert first < today, (first, today)
