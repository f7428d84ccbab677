"""Who computes the explorer's batches: the engine process or a Dask cluster, behind one executor interface.

Both take `submit(spec, xs, ys) -> concurrent.futures.Future` of a
TileResult (values, seconds of compute), `cancel(futures)` and `close()`,
and say `started()` (what computes, None while it starts), `workers` (task
slots), `kernel` ((width, building) while a kernel is built or loaded) and
`builds` (widths whose kernel was built into the cache), so the refiner
needs no branch per back end. `distributed.Client.submit` already returns
Futures; the adapter here only names the task and turns Dask's into
concurrent.futures ones.
"""
from __future__ import annotations

import contextlib
import time
from concurrent.futures import Future
from typing import Protocol

import numpy as np

from viz.errors import UsageError
from viz.problem.spec import ProblemSpec

#: Seconds between two counts of a cluster's workers (each a round trip to the scheduler).
COUNT_EVERY = 1.0


class Executor(Protocol):
    """What the refiner computes with."""

    workers: int
    kernel: tuple[int, bool] | None
    builds: list[int]

    def started(self) -> str | None: ...

    def submit(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> Future: ...

    def cancel(self, futures) -> None: ...

    def close(self) -> None: ...


def open_executor(arch: str, cluster: str | None = None) -> Executor:
    """The engine process on `arch` (with the NumPy reference drawing while its kernel builds:
    compute/warming.py), or with `cluster` (a --cluster value) a connection to that Dask cluster."""
    if cluster is None:
        from viz.compute.process import EngineProcess
        from viz.compute.warming import WarmingExecutor

        return WarmingExecutor(EngineProcess(arch))
    return DaskExecutor.open(cluster, arch)


class DaskExecutor:
    """A Dask client as an executor: each submit is one task (compute.tiles.measure_points), timed."""

    def __init__(self, client, closing=lambda: None) -> None:
        self.builds: list[int] = []  # stays empty: the workers write their own kernel caches
        self._client = client
        self._closing = closing
        self._tasks: dict[Future, object] = {}  # ours -> Dask's, while not done
        self._first: dict[int, Future] = {}  # each width's first task: its time includes the kernel's build
        self._workers, self._counted = 0, -float("inf")

    @classmethod
    def open(cls, cluster: str, arch: str) -> DaskExecutor:
        """Connect to (or start) the cluster; one line and UsageError if it cannot run the project."""
        from viz.compute.cluster import open_cluster

        stack = contextlib.ExitStack()
        try:
            client = stack.enter_context(open_cluster(cluster, arch=arch))
        except BaseException:
            stack.close()
            raise
        return cls(client, stack.close)

    @property
    def workers(self) -> int:
        """The cluster's workers, counted at most once a second (once closed: as last counted)."""
        now = time.monotonic()
        if now - self._counted > COUNT_EVERY and self._client is not None:
            self._workers, self._counted = len(self._client.scheduler_info()["workers"]), now
        return self._workers

    @property
    def kernel(self) -> tuple[int, bool] | None:
        """(width, False) while a width's first task is out: the workers build or load its kernel."""
        waiting = [width for width, future in self._first.items() if not future.done()]
        return (waiting[0], False) if waiting else None

    def started(self) -> str:
        return "dask"

    def submit(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> Future:
        from viz.compute.tiles import measure_points, timed_tile

        ours: Future = Future()
        task = self._client.submit(timed_tile, spec, xs, ys, measure_points, pure=False)
        self._tasks[ours] = task
        self._first.setdefault(spec.width, ours)
        task.add_done_callback(lambda done: self._settle(ours, done))
        return ours

    def cancel(self, futures) -> None:
        tasks = [self._tasks.pop(future) for future in futures if future in self._tasks]
        for future in futures:
            future.cancel()
        if tasks:
            self._client.cancel(tasks)

    def close(self) -> None:
        """Cancel the tasks out, then stop what `open` started."""
        self.cancel(list(self._tasks))
        self._client = None
        self._closing()

    def _settle(self, ours: Future, task) -> None:
        """Copy a finished Dask task into our Future (run in Dask's callback thread)."""
        from distributed import KilledWorker

        self._tasks.pop(ours, None)
        if task.cancelled():
            ours.cancel()
        if not ours.set_running_or_notify_cancel():
            return
        try:
            ours.set_result(task.result())
        except KilledWorker:
            ours.set_exception(UsageError("a batch's worker died on every try (Dask's allowed-failures); "
                                          "see the workers' logs"))
        except Exception as exc:  # any: the task's own error reaches whoever waits on it
            ours.set_exception(exc)
