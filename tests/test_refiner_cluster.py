"""The refiner's view of a store with batches in flight: no sample is handed out twice, nothing leaks into the store."""
from __future__ import annotations

import numpy as np

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
