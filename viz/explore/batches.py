"""The refiner's batches out at its executor, and the samples they hold, so none is handed out twice.

With several batches in flight (one per worker of a cluster) the scheduler
sees the samples out as if computed (`InFlight`); a finer tile opened
meanwhile inherits them as missing, at worst one sample computed twice,
with the same bits.
"""
from __future__ import annotations

from concurrent.futures import Future
from typing import NamedTuple

import numpy as np

from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import TILE, TileKey
from viz.sampling.store import SampleStore


class Job(NamedTuple):
    """A batch out: its problem and the scheduler's batch (parts, xs, ys)."""

    key: ProblemSpec
    batch: object  # scheduler.Batch


class InFlight:
    """A problem's store as the scheduler should see it while batches are out: their samples read as computed.

    Reads only: `get` and `open` return masked copies, so nothing written
    here reaches the store; the store's own `open` still creates tiles.
    """

    def __init__(self, store: SampleStore, pending: dict[TileKey, np.ndarray]) -> None:
        self._store = store
        self._pending = pending
        self.precision = store.precision

    def is_complete(self, key: TileKey) -> bool:
        return self._store.is_complete(key)

    def get(self, key: TileKey) -> np.ndarray | None:
        return self._masked(key, self._store.get(key))

    def open(self, key: TileKey) -> np.ndarray:
        return self._masked(key, self._store.open(key))

    def _masked(self, key: TileKey, tile: np.ndarray | None) -> np.ndarray | None:
        mask = self._pending.get(key)
        return tile if tile is None or mask is None else np.where(mask > 0, 0.0, tile)


class Batches:
    """The Futures out, each with its Job, and per problem a count of each sample's batches out."""

    def __init__(self) -> None:
        self._jobs: dict[Future, Job] = {}
        self._pending: dict[ProblemSpec, dict[TileKey, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def futures(self) -> list[Future]:
        return list(self._jobs)

    def seen_by_scheduler(self, key: ProblemSpec, store: SampleStore) -> InFlight:
        """The problem's store with its samples out read as computed."""
        return InFlight(store, self._pending.setdefault(key, {}))

    def add(self, future: Future, job: Job) -> None:
        self._jobs[future] = job
        self._track(job, +1)

    def finished(self) -> list[tuple[Job, Future]]:
        """The batches done since the last call, their samples no longer out."""
        done = [(self._jobs.pop(future), future) for future in [f for f in self._jobs if f.done()]]
        for job, _ in done:
            self._track(job, -1)
        return done

    def clear(self) -> None:
        self._jobs.clear()
        self._pending.clear()

    def _track(self, job: Job, sign: int) -> None:
        """Count a batch's samples in or out of flight."""
        pending = self._pending.setdefault(job.key, {})
        for part in job.batch.parts:
            mask = pending.setdefault(part.key, np.zeros((TILE, TILE), np.int32))
            mask[part.rows, part.cols] += sign
            if not mask.any():
                del pending[part.key]
