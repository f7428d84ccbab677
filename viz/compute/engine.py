"""The Engine: a batch of hyperparameter pairs in, one float64 measure each out.

One thread trains one network. The width is the only compile-time
specialisation (its loops are unrolled); the condition, readout, dataset
size and number of steps are run-time values, so switching condition never
recompiles. An Engine is built from a Backend (compute/backend.py), which
holds the kernels; `build_engine` makes one from a ProblemSpec.
"""
from __future__ import annotations

import os

import numpy as np

from viz.compute.backend import Backend
from viz.compute.kernels.choice import Kernel, build_kernel, dd_layout_for
from viz.compute.kernels.parts import HYPER_CODE, INIT_CODE, NONLINEARITY_CODE
from viz.errors import UsageError
from viz.numeric.dd import as_samples
from viz.problem.arrays import Problem, load_problem
from viz.problem.conditions import CONDITIONS, Condition
from viz.problem.experiment import HYPERPARAMETERS, PAPER_EXPERIMENT, Experiment
from viz.problem.spec import ProblemSpec


class Engine:
    """Measures of one problem, condition and experiment, for any batch of hyperparameter pairs."""

    def __init__(self, backend: Backend, problem: Problem, condition: Condition, readout: str = "measure",
                 early_stop: bool = True, kernel: Kernel | None = None, experiment: Experiment = PAPER_EXPERIMENT):
        self.problem = problem
        self.condition = condition
        self.readout = readout
        self.early_stop = early_stop
        self.arch = backend.arch
        self.experiment = experiment.validate(bool(condition.init_offset))
        self._kernel = kernel or backend.kernel(problem.width, experiment.optimizer)
        if self._kernel.precision == "dd" and experiment != PAPER_EXPERIMENT:
            raise UsageError("--precision dd trains the paper's experiment only so far (gd on its own axes)")
        fixed = experiment.fixed_values()
        self._hyper = np.array([fixed[name] for name in HYPERPARAMETERS], np.float64)
        self._axes = tuple(HYPER_CODE[name] for name in experiment.axes(bool(condition.init_offset)))
        steps = problem.steps
        self._batches = (problem.batches if problem.batches is not None
                         else np.zeros((steps, 1), np.int32)).astype(np.int32)
        self.evaluations = 0
        self.steps_run = 0
        self._scratch: np.ndarray | None = None

    @property
    def chunk_pixels(self) -> int:
        """Pixels per call: see `chunk_pixels`."""
        return chunk_pixels(self.arch, self.flops_per_run, self.precision)

    @property
    def flops_per_run(self) -> float:
        """Flops of one full run (SPEC.md's count), the unit of GFLOP/s figures."""
        return flops_per_run(self.problem, self.condition)

    def prepare(self) -> None:
        """Build the kernel now (a width's first build takes 3-25 s on a 2-core CPU, the lockstep kernel's longest).

        Runs one throwaway pixel for one step (the steps are a run-time value, so the kernel is the same;
        at 1,000,000 steps a whole run would be a minute), not counted in `evaluations`.
        """
        one = np.ones(1)
        dd = (np.zeros(1), np.zeros(1), np.zeros(1), self._dd_scratch()) if self.precision == "dd" else ()
        self._train(one, one, np.empty(1), dd, steps=1)
        self.evaluations -= 1
        self.steps_run = 0

    def measure(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """One float64 per pair (x, y): hyperparameter values, not their logs.

        A double-double engine takes its samples as numeric.dd.DD_PAIRS
        arrays (floats too: their low parts are zero): hyperparameters past
        float64's resolution, in one array each, so they pass through the
        compute loop and the worker's pipe unchanged.
        """
        xs, ys = as_samples(xs, self.precision), as_samples(ys, self.precision)
        if xs.shape != ys.shape:
            raise ValueError("xs and ys must have the same number of values")
        if self.precision == "dd":
            return self.measure_dd(xs["hi"], ys["hi"], xs["lo"], ys["lo"])[0]
        out = np.empty_like(xs)
        if xs.size:
            self._train(xs, ys, out)
        return out

    @property
    def precision(self) -> str:
        """"f64" or "dd": the arithmetic of the kernel this engine runs."""
        return self._kernel.precision

    def measure_dd(self, xs: np.ndarray, ys: np.ndarray, xs_lo: np.ndarray | None = None,
                   ys_lo: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """A double-double engine's values as (hi, lo); the hyperparameters are xs + xs_lo, ys + ys_lo.

        The low parts default to zero (float64 hyperparameters, exact in dd).
        """
        if self.precision != "dd":
            raise ValueError("measure_dd needs a double-double engine (precision 'dd')")
        xs = np.ascontiguousarray(np.asarray(xs, dtype=np.float64).ravel())
        ys = np.ascontiguousarray(np.asarray(ys, dtype=np.float64).ravel())
        xs_lo = np.zeros_like(xs) if xs_lo is None else np.ascontiguousarray(np.asarray(xs_lo, np.float64).ravel())
        ys_lo = np.zeros_like(ys) if ys_lo is None else np.ascontiguousarray(np.asarray(ys_lo, np.float64).ravel())
        if not xs.shape == ys.shape == xs_lo.shape == ys_lo.shape:
            raise ValueError("xs, ys and their low parts must have the same number of values")
        out, out_lo = np.empty_like(xs), np.zeros_like(xs)
        if xs.size:
            self._train(xs, ys, out, (xs_lo, ys_lo, out_lo, self._dd_scratch()))
        return out, out_lo

    def _dd_scratch(self) -> np.ndarray:
        """The dd kernel's per-thread weight matrices, allocated at the first dd call and kept."""
        from viz.compute.kernels.dd_per_pixel import scratch_shape

        if self._scratch is None:
            self._scratch = np.zeros(scratch_shape(self.problem.width))
        return self._scratch

    def _train(self, xs, ys, out, dd_arrays=(), steps: int | None = None) -> None:
        steps_run = np.zeros(xs.size, np.int32)
        p, c = self.problem, self.condition
        self._kernel.train(
            xs, ys, self._kernel.order(xs.size), out, steps_run,
            p.X, p.Y, p.W0, p.W1, p.probe, self._batches,
            steps or p.steps, p.dataset_size, c.minibatch,
            NONLINEARITY_CODE[c.nonlinearity], INIT_CODE[c.init_offset],
            int(self.readout == "probe"), int(self.early_stop), self._hyper, *self._axes, *dd_arrays,
        )
        self.evaluations += xs.size
        self.steps_run += int(steps_run.sum())


#: Seconds of work a CPU engine call aims at: prompt progress, and little lost on a checkpointed interrupt.
CPU_CHUNK_SECONDS = 1.0
#: float64 flop/s of the engine per CPU core (SPEC's count), measured at n=16: 6-11 on a shared 2-core VM.
CPU_FLOPS_PER_CORE = 5e9
#: CPU time of a double-double run over a float64 one, measured per data row and core: 55x at n = 16, 70x at
#: n = 8 (BENCHMARKS.md); a dd chunk is that much smaller, so progress and checkpoints still come every second.
DD_SLOWDOWN = 60
#: Most pixels per call: a CPU needs few in flight; a GPU needs a hundred thousand threads.
MAX_CHUNK = {"cpu": 512, "cuda": 1 << 17}


def flops_per_run(problem: Problem, condition: Condition) -> float:
    """Flops of one full run of this problem (SPEC.md's count)."""
    n, D, T = problem.width, problem.dataset_size, problem.steps
    rows = condition.minibatch or D
    forward_only = D if condition.minibatch else 0
    return T * (rows * (4 * n * n + 10 * n) + forward_only * (2 * n * n + 4 * n) + 2 * (n * n + n))


def chunk_pixels(arch: str, flops: float, precision: str = "f64") -> int:
    """Pixels per engine call: on a CPU about CPU_CHUNK_SECONDS of work (at least one pixel), on CUDA the most.

    Sized by time, not count: at 1,000,000 steps one pixel is minutes of
    work, at 100 steps 512 pixels are a fraction of a second. A
    double-double run costs DD_SLOWDOWN float64 runs.
    """
    if arch == "cuda":
        return MAX_CHUNK["cuda"]
    budget = CPU_CHUNK_SECONDS * CPU_FLOPS_PER_CORE * (os.cpu_count() or 1)
    if precision == "dd":
        budget /= DD_SLOWDOWN
    return max(1, min(MAX_CHUNK["cpu"], int(budget // max(flops, 1.0))))


def load_arrays(spec: ProblemSpec) -> tuple[Problem, Condition]:
    """The arrays and condition a problem names; a UsageError (before any work) for settings the arrays lack."""
    condition = CONDITIONS[spec.condition]
    try:
        return load_problem(condition, spec.width, spec.steps, spec.seed), condition
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def build_engine(spec: ProblemSpec, backend: Backend, early_stop: bool = True) -> Engine:
    """The engine for a problem on a started backend; settings the paper's arrays lack are a UsageError."""
    problem, condition = load_arrays(spec)
    return Engine(backend, problem, condition, spec.readout, early_stop,
                  kernel=dd_kernel(backend, spec.width) if spec.precision == "dd" else None,
                  experiment=spec.experiment)


def dd_kernel(backend: Backend, width: int) -> Kernel:
    """The double-double kernel for a width on this backend, built at its first use and kept beside the float64 ones."""
    key = (dd_layout_for(backend.arch, width), width)
    if key not in backend.kernels:
        backend.kernels[key] = build_kernel(key[0], width)  # type: ignore[index]
    return backend.kernels[key]  # type: ignore[index]
