"""The first picture never waits for Taichi: the NumPy reference answers batches while the kernel builds.

A first launch builds the engine's kernel for minutes on a CPU, and even a
cached one takes seconds to load. The NumPy reference needs no compile
(about 2,500 px/s at the quick preset here, a 64 x 36 level in about a
second), and its values follow SPEC exactly, so they go into the sample
store like the engine's. `WarmingExecutor` wraps the engine process: while
the process starts or builds, one pixel goes to the process (so its kernel
gets built or loaded) and the batches to a NumPy thread (one task slot:
a batch sent to the process would wait for the build); once the process
has answered, everything goes to it. `started()` says which drew the
picture, for the HUD.
"""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

import numpy as np

from viz.compute.executor import Executor
from viz.compute.tiles import TileResult
from viz.problem.spec import ProblemSpec

#: What `started()` says while the reference draws.
REFERENCE = "numpy reference (the kernel is still building)"


def reference_tile(spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> TileResult:
    """A batch's measures by the NumPy reference, timed like an engine's tile."""
    from viz.compute.engine import load_arrays
    from viz.problem import reference

    problem, condition = load_arrays(spec)
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        values = reference.measure(problem, condition, xs, ys, spec.readout, spec.experiment)
    return TileResult(values, time.perf_counter() - start)


def kernel_key(spec: ProblemSpec) -> tuple:
    """What decides which kernel a problem runs: a new one of these builds (or loads) a kernel."""
    return spec.width, spec.experiment.optimizer, spec.precision


class ReferenceThread:
    """One daemon thread running the reference's batches in order: never joined at exit, so quitting
    mid-batch is immediate (a ThreadPoolExecutor's threads are joined when the interpreter exits)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, daemon=True, name="nnfractal-reference").start()

    def submit(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> Future:
        future: Future = Future()
        self._jobs.put((future, spec, xs, ys))
        return future

    def shutdown(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, spec, xs, ys = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(reference_tile(spec, xs, ys))
                except Exception as exc:  # noqa: BLE001 - the refiner raises it where it reads the result
                    future.set_exception(exc)


class WarmingExecutor:
    """The engine process, with the NumPy reference in its place while the kernel a problem needs is not ready.

    Warm is per kernel (kernel_key): switching to a width or optimiser not yet run
    warms again, so its picture does not wait for its build either.
    """

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self._reference = ReferenceThread()
        self._priming: dict[Future, tuple] = {}  # the engine's batches in flight, by kernel
        self._at_reference: set[Future] = set()
        self._ready: set[tuple] = set()  # kernels the engine has answered a batch with
        self._key: tuple | None = None  # the kernel of the latest batch

    @property
    def kernel(self):
        return self.inner.kernel

    @property
    def builds(self) -> list[int]:
        return self.inner.builds

    @property
    def warming(self) -> bool:
        """Whether the engine has yet to answer a batch with the latest batch's kernel (starting, building, loading)."""
        for future, key in list(self._priming.items()):
            if future.done():
                if not future.cancelled() and future.exception() is None:
                    self._ready.add(key)
                del self._priming[future]
        return self._key not in self._ready

    @property
    def workers(self) -> int:
        """One slot (the reference's) while the engine warms: a batch sent there would wait for the build."""
        return 1 if self.warming else self.inner.workers

    def started(self) -> str | None:
        """What computes: the reference's line while the engine warms, then the engine's arch (raises its failure)."""
        arch = self.inner.started()
        return REFERENCE if self.warming else arch

    def submit(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> Future:
        """While the engine warms, to the reference (after one pixel to the engine, which builds or loads the
        kernel); then to the engine. A dd batch goes to the engine (the reference is float64)."""
        key = self._key = kernel_key(spec)
        if self.warming and spec.precision == "f64":
            if key not in self._priming.values():
                self._priming[self.inner.submit(spec, np.asarray(xs)[:1], np.asarray(ys)[:1])] = key
            future = self._reference.submit(spec, np.asarray(xs), np.asarray(ys))
            self._at_reference = {f for f in self._at_reference if not f.done()} | {future}
            return future
        future = self.inner.submit(spec, xs, ys)
        self._priming[future] = key
        return future

    def cancel(self, futures) -> None:
        futures = list(futures)
        for future in futures:
            if future in self._at_reference:
                future.cancel()
        self.inner.cancel([f for f in futures if f not in self._at_reference])

    def close(self) -> None:
        for future in self._at_reference:
            future.cancel()
        self._reference.shutdown()
        self.inner.close()
