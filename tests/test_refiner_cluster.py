"""The refiner's view of a store with batches in flight: no sample is handed out twice, nothing leaks into the store."""
from __future__ import annotations

import numpy as np
import pytest

from viz.explore.batches import InFlight
from viz.problem.conditions import DEFAULT_WINDOW
from viz.sampling.lattice import TILE
from viz.sampling.scheduler import next_batch
from viz.sampling.store import SampleStore
from viz.sampling.view import View


def test_samples_in_flight_are_never_handed_out_twice():
    store, pending, seen = SampleStore(64.0), {}, set()
    view = View.fit(*DEFAULT_WINDOW, 64, 48)
    batches = 0
    while (batch := next_batch(view, InFlight(store, pending), 97)) is not None:
        for part in batch.parts:
            points = {(part.key, r, c) for r, c in zip(part.rows.tolist(), part.cols.tolist())}
            assert not points & seen, "a sample in flight was handed out again"
            seen |= points
            mask = pending.setdefault(part.key, np.zeros((TILE, TILE), np.int32))
            mask[part.rows, part.cols] += 1
        batches += 1
        if len({p.key.level for p in batch.parts}) > 1 or batches > 500:
            break
    assert batches > 3 and len(seen) > 300
    # Only reads went through the masked view: every sample handed out is still missing in the store.
    for key, r, c in seen:
        assert np.isnan(store.get(key)[r, c])


class SlotsExecutor:
    """An executor of several task slots whose Futures the test settles: the refiner sees no back end."""

    kernel = None
    builds: list = []

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.out: list = []  # (future, xs, ys), in order of submission
        self.closed = False

    def started(self) -> str:
        return "fake"

    def submit(self, spec, xs, ys):
        from concurrent.futures import Future

        future = Future()
        self.out.append((future, xs, ys))
        return future

    def cancel(self, futures) -> None:
        for future in futures:
            future.cancel()

    def close(self) -> None:
        self.closed = True


def test_the_refiner_keeps_one_batch_per_slot_and_files_each_result_once():
    from viz.compute.tiles import TileResult
    from viz.explore.refiner import Refiner
    from viz.problem.spec import ProblemSpec
    from viz.sampling.coverage import coverage

    executor = SlotsExecutor(3)
    view = View.fit(*DEFAULT_WINDOW, 64, 48)
    refiner = Refiner(ProblemSpec("tanh", 8, 100), executor, cache_mb=64)
    assert not refiner.step(view) and refiner.in_flight == 3 and refiner.backend == "fake"
    handed, again = set(), 0
    for _ in range(2000):
        if not executor.out:
            break
        future, xs, ys = executor.out.pop(0)
        pairs = set(zip(xs.tolist(), ys.tolist()))
        again += len(pairs & handed)  # a finer tile opened while its coarse samples were out
        handed |= pairs
        future.set_result(TileResult(xs * 0 - 1.0, len(xs) * 1e-5))  # 100,000 samples a second each
        assert refiner.step(view)
        assert refiner.in_flight <= 3
    assert coverage(view, refiner.store).fraction == 1.0 and not refiner.busy
    assert again < 0.05 * len(handed), f"{again} of {len(handed)} samples computed twice"
    assert refiner.evaluations == refiner.delivered == len(handed) + again
    assert refiner.rate == pytest.approx(3e5)  # the per-batch rate times the slots
    refiner.close()
    assert executor.closed


def test_a_refused_batch_is_raised_from_step():
    from viz.errors import UsageError
    from viz.explore.refiner import Refiner
    from viz.problem.spec import ProblemSpec

    executor = SlotsExecutor(1)
    view = View.fit(*DEFAULT_WINDOW, 64, 48)
    refiner = Refiner(ProblemSpec("tanh", 8, 100), executor, cache_mb=64)
    refiner.step(view)
    executor.out[0][0].set_exception(UsageError("no such kernel"))
    with pytest.raises(UsageError, match="no such kernel"):
        refiner.step(view)
