"""The background refiner: the engine process fills the view's samples once each, and quits at once."""
from __future__ import annotations

import time

import numpy as np
import pytest
from lattice_points import distinct_points, view_tiles

from viz.compute.process import EngineProcess
from viz.errors import UsageError
from viz.explore.refiner import Refiner
from viz.problem.spec import ProblemSpec
from viz.sampling.coverage import coverage
from viz.sampling.lattice import TileKey, axis_values
from viz.sampling.store import TILE_BYTES, SampleStore
from viz.sampling.view import View, zoom_at

QUICK = ProblemSpec("tanh", 8, 100)
#: A small window on the notebook's starting view.
HOME = View.fit(-3.0, 6.0, -3.0, 6.0, 48, 27)


def refine(refiner: Refiner, view: View, timeout: float = 180.0) -> None:
    """Step the refiner (as a display loop would) until the view is complete."""
    deadline = time.monotonic() + timeout
    while coverage(view, refiner.store).fraction < 1.0 or refiner.busy:
        assert time.monotonic() < deadline, f"not complete in {timeout} s: {coverage(view, refiner.store)}"
        refiner.step(view)
        time.sleep(0.005)


@pytest.fixture
def refiner():
    """A fresh refiner and worker per test: the tests count the worker's evaluations from zero."""
    with Refiner(QUICK, EngineProcess("cpu"), cache_mb=64) as running:
        yield running


def test_fills_a_view_with_the_engines_own_measures_once_each(refiner, engine_backend):
    from viz.compute.engine import build_engine

    refine(refiner, HOME)
    assert refiner.backend == "cpu"
    assert refiner.evaluations == distinct_points(refiner.store, [HOME])
    # Spot-check stored measures against the engine run here, in this process.
    key = sorted(view_tiles([HOME]))[-1]
    tile = refiner.store.get(key)
    rows, cols = np.nonzero(~np.isnan(tile))
    pick = np.random.default_rng(0).choice(rows.size, size=min(40, rows.size), replace=False)
    xs, ys = axis_values(key.level, key.tx)[cols[pick]], axis_values(key.level, key.ty)[rows[pick]]
    engine = build_engine(QUICK, engine_backend)
    np.testing.assert_array_equal(tile[rows[pick], cols[pick]], engine.measure(xs, ys))


def test_zooming_in_computes_only_new_lattice_points(refiner):
    refine(refiner, HOME)
    before = refiner.evaluations
    inner, _ = zoom_at(HOME, 13.0, 20.0, 2.0)
    needed = sum(n for _, _, n in coverage(inner, refiner.store).levels)
    refine(refiner, inner)
    assert refiner.evaluations == distinct_points(refiner.store, [HOME, inner])
    assert 0 < refiner.evaluations - before < needed


def test_each_condition_keeps_its_samples(refiner):
    refine(refiner, HOME)
    tanh_store = refiner.store
    refiner.select(ProblemSpec("relu", 8, 100))
    refine(refiner, HOME)
    computed = refiner.evaluations
    refiner.select(QUICK)
    assert refiner.store is tanh_store and coverage(HOME, refiner.store).fraction == 1.0
    refiner.step(HOME)
    assert not refiner.busy and refiner.evaluations == computed


def test_stores_share_one_cache_limit_most_recent_first():
    shared = Refiner(QUICK, cache_mb=3 * TILE_BYTES / 2 ** 20)  # room for three tiles in all

    def fill_two_tiles():
        for tx in range(2):
            shared.store.write(TileKey(4, tx, 0), np.zeros(64, int), np.arange(64), np.zeros(64))

    for name in ("tanh", "relu", "linear"):
        shared.select(ProblemSpec(name, 8, 100))
        fill_two_tiles()
    shared.select(ProblemSpec("linear", 8, 100))
    held = {key.condition: tiles for key, tiles in shared.problems.items()}
    assert held == {"relu": 1, "linear": 2}  # the current problem first, the oldest dropped


def test_a_problem_the_engine_refuses_is_one_clear_line():
    with Refiner(ProblemSpec("tanh", 7, 100), EngineProcess("cpu")) as bad:
        deadline = time.monotonic() + 60
        with pytest.raises(UsageError, match="width 8 and 16"):
            while time.monotonic() < deadline:
                bad.step(HOME)
                time.sleep(0.01)


def test_close_is_immediate_even_mid_batch():
    with Refiner(ProblemSpec("tanh", 16, 500), EngineProcess("cpu"), batch_seconds=30.0) as slow:
        deadline = time.monotonic() + 60
        while not slow.busy:
            assert time.monotonic() < deadline
            slow.step(View.fit(-3.0, 6.0, -3.0, 6.0, 640, 360))
            time.sleep(0.01)
        time.sleep(0.3)  # the worker is compiling or training now
        start = time.monotonic()
        slow.close()
        assert time.monotonic() - start < 1.0
        assert not slow.busy


def test_a_nonpositive_cache_is_refused():
    with pytest.raises(UsageError, match="--cache-mb"):
        Refiner(QUICK, cache_mb=0)


def test_coverage_counts_per_level():
    store = SampleStore()
    cov = coverage(HOME, store)
    assert cov.fraction == 0.0 and not cov.coarse_done
    assert [lvl for lvl, _, _ in cov.levels] == sorted(lvl for lvl, _, _ in cov.levels)


def test_switching_problem_drops_the_old_rate():
    idle = Refiner(QUICK, cache_mb=16)  # no executor: computes nothing
    idle.rate = 5000.0
    idle.select(ProblemSpec("tanh", 16, 500))
    assert idle.rate == 0.0
