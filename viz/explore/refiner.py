"""Which samples next, computed by whom: the explorer's background compute.

Measured on this machine (Taichi 1.7, CPU backend): a kernel launch holds
the GIL for its whole duration; a pure-Python loop on the main thread ran at
0.7% of its speed while a 1.6 s batch ran in another thread, and a 5 ms
sleep loop saw one 1.6 s gap. A worker thread would freeze the window, so
the batches go to an executor (compute/executor.py): the engine process
(compute/process.py, niced so that the display wins the CPU when both want
it) or a Dask cluster, as tasks. Batches are small (a time budget of
BATCH_SECONDS), so their hyperparameters and measures travel through a
pipe; shared memory would save nothing measurable.

The display loop calls `Refiner.step(view)` once per frame. It never
blocks: it files every finished batch into its store, then keeps one batch
in flight per task slot of the executor (one for the engine process, one
per worker of a cluster) with the batches the scheduler picks for the
current view; samples out are never handed out twice (explore/batches.py).
Each problem (condition, width, steps, seed, readout, precision) keeps its
own sample store, so float64 and double-double samples never mix; all
stores together stay within the cache limit, the least recently shown
giving way first. Closing closes the executor at once, even mid-batch, so
quitting never waits for a kernel.
"""
from __future__ import annotations

from viz.compute.executor import Executor
from viz.errors import UsageError
from viz.explore.batches import Batches, Job
from viz.problem.spec import ProblemSpec
from viz.sampling.scheduler import BatchSizer, deliver, next_batch
from viz.sampling.store import SampleStore
from viz.sampling.view import View

#: Wall time a batch should take: bounds how long a view change waits for the worker.
BATCH_SECONDS = 0.1


class Refiner:
    """Fills the current problem's sample store for whatever view the window shows, with its executor.

    The executor (compute.executor.open_executor: the engine process or a
    Dask cluster) is the refiner's from then on: `close` closes it. Without
    one the refiner holds stores and computes nothing.
    """

    def __init__(self, key: ProblemSpec, executor: Executor | None = None, cache_mb: float = 512.0,
                 batch_seconds: float = BATCH_SECONDS) -> None:
        if not cache_mb > 0:
            raise UsageError(f"--cache-mb must be positive, got {cache_mb:g}")
        self.executor = executor
        self.cache_mb = float(cache_mb)
        self.batch_seconds = batch_seconds
        self.key = key
        self._stores: dict[ProblemSpec, SampleStore] = {}
        self._sizers: dict[ProblemSpec, BatchSizer] = {}
        self.backend: str | None = None  # what computes ("cpu", "cuda" or "dask"), once it takes work
        self.evaluations = 0
        self.delivered = 0
        self.rate = 0.0  # samples per second of the executor's task slots together, smoothed
        self._batches = Batches()
        self._complete: tuple[ProblemSpec, View] | None = None  # the last problem and view found complete
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
        return bool(self._batches)

    @property
    def in_flight(self) -> int:
        """Batches in flight now."""
        return len(self._batches)

    @property
    def workers(self) -> int:
        """The executor's task slots, as last seen."""
        return self.executor.workers if self.executor is not None else 0

    @property
    def compiling(self) -> int | None:
        """The width whose kernel is being built or loaded, if any."""
        kernel = self.executor.kernel if self.executor is not None else None
        return kernel[0] if kernel else None

    @property
    def building(self) -> bool:
        """Whether that is a build (not in Taichi's offline cache) rather than a load."""
        kernel = self.executor.kernel if self.executor is not None else None
        return bool(kernel and kernel[1])

    @property
    def builds(self) -> list[int]:
        """Widths whose kernel the engine process built (its cache flush wrote a new kernel file)."""
        return self.executor.builds if self.executor is not None else []

    @property
    def cluster_line(self) -> str | None:
        """For the HUD: the cluster's workers and px/s (None without a cluster)."""
        if self.backend != "dask":
            return None
        return f"{self.workers} worker{'s' if self.workers != 1 else ''}, {self.rate:,.0f} px/s"

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

    def step(self, view: View) -> bool:
        """File finished work and keep the executor busy on `view`; True if the store gained samples.

        Never blocks. Raises UsageError if the engine could not start or refuses the problem.
        """
        if self.executor is None:
            return False
        changed = False
        for job, future in self._batches.finished():
            result = future.result()
            self.evaluations += len(result.values)
            changed |= self._file(job, result) and job.key == self.key
        self.backend = self.executor.started()
        while self.backend is not None and len(self._batches) < max(1, self.workers) and self._submit(view):
            pass
        return changed

    def _file(self, job: Job, result) -> bool:
        """Put a finished batch into its problem's store; False if that store was dropped meanwhile."""
        store = self._stores.get(job.key)
        if store is None:  # dropped from the cache while the batch ran
            return False
        deliver(store, job.batch, result.values)
        self._share_cache()
        self.delivered += len(result.values)
        self._sizers[job.key].record(len(result.values), result.seconds)
        if job.key == self.key:
            rate = len(result.values) / max(result.seconds, 1e-9) * max(1, self.workers)
            self.rate = rate if self.rate == 0.0 else 0.7 * self.rate + 0.3 * rate
        return True

    def _submit(self, view: View) -> bool:
        """Send the next batch of `view`; False when nothing is left to send."""
        if self._complete == (self.key, view) and not self._batches:
            return False  # nothing was written since the scheduler found this view complete
        seen = self._batches.seen_by_scheduler(self.key, self.store)
        batch = next_batch(view, seen, self._sizers[self.key].size)
        if batch is None:
            if not self._batches:
                self._complete = (self.key, view)
            return False
        self._batches.add(self.executor.submit(self.key, batch.xs, batch.ys), Job(self.key, batch))
        return True

    def close(self) -> None:
        """Stop the executor now, even mid-batch, dropping the batches out."""
        if self.executor is not None:
            self.executor.cancel(self._batches.futures)
            self.executor.close()
        self._batches.clear()

    def __enter__(self) -> Refiner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
