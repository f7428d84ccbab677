"""Which samples next, computed by whom: the explorer's background compute.

Measured on this machine (Taichi 1.7, CPU backend): a kernel launch holds
the GIL for its whole duration; a pure-Python loop on the main thread ran at
0.7% of its speed while a 1.6 s batch ran in another thread, and a 5 ms
sleep loop saw one 1.6 s gap. A worker thread would freeze the window, so
the engine runs in a worker process (viz/compute/worker.py), niced so that
the display wins the CPU when both want it. Batches are small (a time budget
of BATCH_SECONDS), so their hyperparameters and measures travel through a
pipe; shared memory would save nothing measurable.

The display loop calls `Refiner.step(view)` once per frame. It never
blocks: it files any finished batch into its store, then, if the worker is
idle, hands it the next batch the scheduler picks for the current view. One
batch is in flight at a time, so the scheduler never hands out a sample
twice. Each problem (condition, width, steps, seed, readout, precision)
keeps its own sample store, so float64 and double-double samples never
mix; all stores together stay within the cache limit, the least recently
shown giving way first. Closing kills the worker at once, even
mid-batch, so quitting never waits for a kernel.

With a Dask cluster (`cluster`, a --cluster value) the batches are Dask
tasks instead (compute.tiles.measure_points), and one batch is in flight
per worker, not one in total. The scheduler then sees the samples in flight
as if computed (`_InFlight`), so it never hands one out twice; a finer tile
opened meanwhile inherits them as missing, at worst one sample computed
twice, with the same bits.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from typing import NamedTuple

import numpy as np

from viz.compute.worker import serve
from viz.errors import UsageError
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import TILE, TileKey
from viz.sampling.scheduler import BatchSizer, deliver, next_batch
from viz.sampling.store import SampleStore
from viz.sampling.view import View

#: Wall time a batch should take: bounds how long a view change waits for the worker.
BATCH_SECONDS = 0.1
#: How long `close` waits for the worker to exit after killing it.
CLOSE_WAIT = 0.5
#: Seconds of deliveries a cluster's px/s is averaged over (wall time: all workers together).
RATE_WINDOW = 2.0


class _Job(NamedTuple):
    number: int
    key: ProblemSpec
    batch: object  # scheduler.Batch
    compiling: bool = False  # on a cluster: the first batch of a width, whose time includes the kernel's build


class _InFlight:
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


class Refiner:
    """Fills the current problem's sample store for whatever view the window shows."""

    def __init__(self, key: ProblemSpec, arch: str = "auto", cache_mb: float = 512.0,
                 batch_seconds: float = BATCH_SECONDS, cluster: str | None = None) -> None:
        if not cache_mb > 0:
            raise UsageError(f"--cache-mb must be positive, got {cache_mb:g}")
        self.arch = arch
        self.cache_mb = float(cache_mb)
        self.batch_seconds = batch_seconds
        self.key = key
        self._stores: dict[ProblemSpec, SampleStore] = {}
        self._sizers: dict[ProblemSpec, BatchSizer] = {}
        self.backend: str | None = None
        self.compiling: int | None = None  # width whose kernel the worker is building or loading
        self._widths: set[int] = set()  # on a cluster: widths whose first batch has been sent
        self.building = False  # whether that is a build (not in Taichi's offline cache) rather than a load
        self.builds: list[int] = []  # widths the worker built (its cache flush wrote a new kernel)
        self.evaluations = 0
        self.delivered = 0
        self.rate = 0.0  # samples per second of worker time, smoothed
        self._job: _Job | None = None
        self._jobs = 0
        self._complete: tuple[ProblemSpec, View] | None = None  # the last problem and view found complete
        self._process = None
        self._conn = None
        self.cluster = cluster
        self.workers = 0  # the cluster's workers, as last seen
        self._client = None
        self._stack: contextlib.ExitStack | None = None
        self._futures: dict = {}  # cluster mode: future -> _Job
        self._pending: dict[ProblemSpec, dict[TileKey, np.ndarray]] = {}  # samples in flight, per problem
        self._recent: deque = deque()  # (time, samples) of recent deliveries
        self._since = 0.0
        self._counted = -float("inf")
        self.select(key)

    @property
    def store(self) -> SampleStore:
        """The current problem's samples."""
        return self._stores[self.key]

    @property
    def problems(self) -> dict[ProblemSpec, int]:
        """Tiles kept per problem, least recently shown first."""
        return {key: len(store) for key, store in self._stores.items()}

    @property
    def busy(self) -> bool:
        """Whether a batch is in flight."""
        return self._job is not None or bool(self._futures)

    @property
    def in_flight(self) -> int:
        """Batches in flight now."""
        return len(self._futures) if self.cluster else int(self._job is not None)

    @property
    def cluster_line(self) -> str | None:
        """For the HUD: the cluster's workers and px/s (None without a cluster)."""
        if self._client is None:
            return None
        return f"{self.workers} worker{'s' if self.workers != 1 else ''}, {self.rate:,.0f} px/s"

    def start(self) -> None:
        """Start the worker process (its engine starts in the background), or connect to the cluster."""
        if self.cluster is not None:
            self._start_cluster()
            return
        # Spawn, not fork: the parent holds GL and glfw state. Spawn re-imports
        # the main script, so a script that starts a Refiner needs the usual
        # `if __name__ == "__main__"` guard (the console script has it).
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, self.arch), daemon=True,
                                        name="nnfractal-engine")
        self._process.start()
        child.close()

    def select(self, key: ProblemSpec) -> None:
        """Show another problem; each keeps its samples, within the shared cache limit.

        The throughput shown restarts: another problem runs at another rate.
        """
        if key != self.key:
            self.rate = 0.0
        self.key = key
        if key not in self._stores:
            self._stores[key] = SampleStore(self.cache_mb, key.precision)
            self._sizers[key] = BatchSizer(seconds=self.batch_seconds)
        self._stores[key] = self._stores.pop(key)  # most recently shown last
        self._share_cache()

    def _share_cache(self) -> None:
        """Keep all stores within the limit: the current one first, then the most recently shown.

        Run on every switch and delivery, so the total never grows past the limit for long.
        """
        left = self.cache_mb * 2 ** 20 - self.store.nbytes
        for key in reversed(list(self._stores)[:-1]):
            store = self._stores[key]
            if left <= 0:
                del self._stores[key], self._sizers[key]
                continue
            store.limit_mb = left / 2 ** 20
            left -= store.nbytes

    def _start_cluster(self) -> None:
        """Connect to (or start) the cluster; one line and UsageError if it cannot run the project."""
        from viz.compute.cluster import open_cluster

        self._stack = contextlib.ExitStack()
        try:
            self._client = self._stack.enter_context(open_cluster(self.cluster, arch=self.arch))
        except BaseException:
            self._stack.close()
            self._stack = None
            raise
        self.backend = "dask"
        self._since = time.monotonic()

    def step(self, view: View) -> bool:
        """File finished work and keep the worker busy on `view`; True if the store gained samples.

        Never blocks. Raises UsageError if the engine could not start.
        """
        if self._client is not None:
            return self._step_cluster(view)
        if self._conn is None:
            return False
        changed = False
        try:
            while self._conn.poll():
                changed |= self._receive(self._conn.recv())
        except (EOFError, ConnectionError):
            code = self._process.exitcode if self._process is not None else None
            self.close()
            raise RuntimeError(f"the compute worker stopped unexpectedly (exit status {code})") from None
        if self._job is None and self.backend is not None:
            self._send(view)
        return changed

    def _receive(self, message) -> bool:
        kind = message[0]
        if kind == "ready":
            self.backend = message[1]
        elif kind == "error":
            raise UsageError(message[1])
        elif kind == "kernel":
            _, self.compiling, self.building = message
        elif kind == "cached":
            if message[2]:
                self.builds.append(message[1])
        elif kind == "done":
            _, number, measures, seconds, evaluations = message
            job = self._job
            self._job = None
            loaded = self.compiling is not None  # this batch's time includes a kernel build or load
            self.compiling = None
            self.building = False
            self.evaluations = evaluations
            if job is None or job.number != number:
                return False
            if not self._file(job, measures):
                return False
            if not loaded:
                self._sizers[job.key].record(len(measures), seconds)
            if not loaded and job.key == self.key:
                rate = len(measures) / max(seconds, 1e-9)
                self.rate = rate if self.rate == 0.0 else 0.7 * self.rate + 0.3 * rate
            return job.key == self.key
        return False

    def _file(self, job: _Job, measures: np.ndarray) -> bool:
        """Put a finished batch into its problem's store; False if that store was dropped meanwhile."""
        store = self._stores.get(job.key)
        if store is None:  # dropped from the cache while the batch ran
            return False
        deliver(store, job.batch, measures)
        self._share_cache()
        self.delivered += len(measures)
        return True

    def _step_cluster(self, view: View) -> bool:
        """Cluster mode of `step`: file every finished task, then keep one batch in flight per worker."""
        from distributed import KilledWorker

        changed = False
        for future in [f for f in self._futures if f.done()]:
            job = self._futures.pop(future)
            self._track(job, -1)
            try:
                result = future.result()
            except KilledWorker:
                raise UsageError("a batch's worker died on every try (Dask's allowed-failures); "
                                 "see the workers' logs") from None
            if job.compiling:
                self.compiling = None
            self.evaluations += len(result.values)
            if self._file(job, result.values):
                self._sizers[job.key].record(len(result.values), result.seconds)
                self._recent.append((time.monotonic(), len(result.values)))
                changed |= job.key == self.key
        now = time.monotonic()
        while self._recent and self._recent[0][0] < now - RATE_WINDOW:
            self._recent.popleft()
        self.rate = sum(n for _, n in self._recent) / max(min(RATE_WINDOW, now - self._since), 1e-3)
        if now - self._counted > 1.0:  # a round trip to the scheduler: once a second, not once a frame
            self.workers = len(self._client.scheduler_info()["workers"])
            self._counted = now
        while len(self._futures) < max(1, self.workers) and self._submit(view):
            pass
        return changed

    def _submit(self, view: View) -> bool:
        """Send the next batch of `view` as a Dask task; False when nothing is left to send."""
        from viz.compute.tiles import measure_points, timed_tile

        if self._complete == (self.key, view) and not self._futures:
            return False
        pending = self._pending.setdefault(self.key, {})
        batch = next_batch(view, _InFlight(self.store, pending), self._sizers[self.key].size)
        if batch is None:
            if not self._futures:
                self._complete = (self.key, view)
            return False
        self._jobs += 1
        job = _Job(self._jobs, self.key, batch, self.key.width not in self._widths)
        if job.compiling:
            self.compiling = self.key.width
        self._widths.add(self.key.width)
        self._track(job, +1)
        future = self._client.submit(timed_tile, self.key, batch.xs, batch.ys, measure_points, pure=False)
        self._futures[future] = job
        return True

    def _track(self, job: _Job, sign: int) -> None:
        """Count a batch's samples in or out of flight."""
        pending = self._pending.setdefault(job.key, {})
        for part in job.batch.parts:
            mask = pending.setdefault(part.key, np.zeros((TILE, TILE), np.int32))
            mask[part.rows, part.cols] += sign
            if not mask.any():
                del pending[part.key]

    def _send(self, view: View) -> None:
        if self._complete == (self.key, view):
            return  # nothing was written since the scheduler found this view complete
        batch = next_batch(view, self.store, self._sizers[self.key].size)
        if batch is None:
            self._complete = (self.key, view)
            return
        self._jobs += 1
        self._job = _Job(self._jobs, self.key, batch)
        self._conn.send((self._jobs, self.key, batch.xs, batch.ys))

    def close(self) -> None:
        """Stop the worker now, even mid-batch (on a cluster: cancel the batches, stop what was started)."""
        if self._client is not None:
            if self._futures:
                self._client.cancel(list(self._futures))
            self._futures.clear()
            self._pending.clear()
            self._client = None
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        if self._process is not None:
            self._process.kill()
            self._process.join(CLOSE_WAIT)
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._job = None

    def __enter__(self) -> Refiner:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
