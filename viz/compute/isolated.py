"""An Engine whose kernels run in the engine process, so Ctrl-C and SIGTERM stop a command at once.

The command's main thread only waits on a Future (compute/process.py), so
a signal's handler runs at once; the interrupted call kills the child
(mid-kernel) and the command keeps what earlier calls returned. The engine
owns the process it starts, or shares one its caller owns (figure1's six
panels, zoom's float64 and double-double keyframes: one child each).
"""
from __future__ import annotations

import numpy as np

from viz.compute.engine import chunk_pixels, flops_per_run, load_arrays
from viz.compute.process import EngineProcess
from viz.numeric.dd import as_samples
from viz.problem.spec import ProblemSpec


class IsolatedEngine:
    """The Engine's interface (measure, prepare, arch, chunk_pixels, evaluations), computed in the engine process.

    Without `process` it starts its own and closes it on `close` (or `with`).
    """

    def __init__(self, spec: ProblemSpec, arch: str = "auto", process: EngineProcess | None = None) -> None:
        self.spec = spec
        self.flops_per_run = flops_per_run(*load_arrays(spec.validate()))
        self._owned = process is None
        self.process = EngineProcess(arch) if process is None else process
        self.arch = self._call(self.process.wait)
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
        """One float64 per pair (x, y); an interrupt kills the child at once and goes on.

        Double-double hyperparameters (numeric.dd.DD_PAIRS arrays) go to the child as they are.
        """
        xs, ys = as_samples(xs, self.spec.precision), as_samples(ys, self.spec.precision)
        if xs.shape != ys.shape:
            raise ValueError("xs and ys must have the same number of values")
        measures = self._call(lambda: self.process.submit(self.spec, xs, ys).result().values)
        self.evaluations += xs.size
        return measures

    def close(self) -> None:
        """End the process if this engine started it."""
        if self._owned:
            self.process.close()

    def __enter__(self) -> IsolatedEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, work):
        """Run `work` against the process; on any exception (Ctrl-C, SIGTERM, a refused problem) kill it first."""
        try:
            return work()
        except BaseException:
            self.process.close()
            raise
