"""An Engine whose kernels run in a child process, so Ctrl-C and SIGTERM stop a command at once.

A Taichi kernel launch holds the GIL for its whole duration (measured), and
Python runs signal handlers only between bytecodes: in-process, a chunk of
pixels at 1,000,000 steps would hold off Ctrl-C for minutes. Here the
command's main thread only waits on a pipe, so a signal's handler runs at
once; the interrupted call stops the child (mid-kernel, by signal) and the
command keeps what earlier calls returned. The child is the explorer's
worker (compute/worker.py), one per backend, started on first use and
shared by every engine of the command (figure1's six panels start one).
"""
from __future__ import annotations

import itertools
import multiprocessing

import numpy as np

from viz.compute.backend import resolve_arch
from viz.compute.engine import chunk_pixels, flops_per_run, load_arrays
from viz.errors import UsageError
from viz.numeric.dd import as_samples
from viz.problem.spec import ProblemSpec

#: Seconds the child may take to stop once asked before it is killed.
STOP_SECONDS = 1.0


class _Worker:
    """One engine process and its pipe."""

    def __init__(self, arch: str) -> None:
        from viz.compute.worker import serve

        # Spawn, not fork: the parent may hold Taichi or GL state that a fork would copy half-working.
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, arch), daemon=True, name="nnfractal-engine")
        self.process.start()
        child.close()
        self.jobs = itertools.count()
        self.arch = self._reply("ready")[1]

    def _reply(self, kind: str) -> tuple:
        """The next message of this kind; a UsageError for the child's own one-line error."""
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, ConnectionError):
                raise RuntimeError(f"the compute worker stopped unexpectedly "
                                   f"(exit status {self.process.exitcode})") from None
            if message[0] == "error":
                raise UsageError(message[1])
            if message[0] == kind:
                return message

    def measure(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, int]:
        """Measures of one batch, and the worker's evaluations so far."""
        job = next(self.jobs)
        self.conn.send((job, spec, xs, ys))
        while True:
            _, done, measures, _seconds, evaluations = self._reply("done")
            if done == job:
                return measures, evaluations

    def stop(self) -> None:
        """End the child now, whatever it is running (a kernel cannot be stopped any other way)."""
        self.conn.close()
        self.process.terminate()
        self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


#: The running worker of each requested arch ("auto" included), started on first use.
_workers: dict[str, _Worker] = {}


def _worker(arch: str) -> _Worker:
    worker = _workers.get(arch)
    if worker is None or not worker.process.is_alive():
        worker = _workers[arch] = _Worker(arch)
    return worker


def stop_workers() -> None:
    """End every engine process this process started."""
    while _workers:
        _workers.popitem()[1].stop()


class IsolatedEngine:
    """The Engine's interface (measure, prepare, arch, chunk_pixels, evaluations), computed in a child process."""

    def __init__(self, spec: ProblemSpec, arch: str = "auto") -> None:
        self.spec = spec
        self.flops_per_run = flops_per_run(*load_arrays(spec.validate()))
        self._requested = resolve_arch(arch)
        self.arch = self._call(lambda: _worker(self._requested).arch)
        self.evaluations = 0

    @property
    def chunk_pixels(self) -> int:
        """Pixels per call, as the in-process Engine would take them."""
        return chunk_pixels(self.arch, self.flops_per_run, self.spec.precision)

    def prepare(self) -> None:
        """Build the kernel now (one throwaway pixel, not counted)."""
        self.measure(np.ones(1), np.ones(1))
        self.evaluations -= 1

    def measure(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """One float64 per pair (x, y); an interrupt stops the child at once and goes on.

        Double-double hyperparameters (numeric.dd.DD_PAIRS arrays) go to the child as they are.
        """
        xs, ys = as_samples(xs, self.spec.precision), as_samples(ys, self.spec.precision)
        if xs.shape != ys.shape:
            raise ValueError("xs and ys must have the same number of values")
        measures, _ = self._call(lambda: _worker(self._requested).measure(self.spec, xs, ys))
        self.evaluations += xs.size
        return measures

    def _call(self, work):
        """Run `work` against the worker; on any exception (Ctrl-C, SIGTERM) stop the worker first."""
        try:
            return work()
        except BaseException:
            stop_workers()
            raise
