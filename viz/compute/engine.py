"""Taichi float64 kernels: a batch of hyperparameter pairs in, one measure each out.

One thread trains one network. The width is the only compile-time
specialisation (its loops are unrolled); the condition, readout, dataset
size and number of steps are run-time values, so switching condition never
recompiles. Nothing happens at import: `init_backend` must be called first.
"""
# No `from __future__ import annotations`: Taichi reads kernel annotations as objects.
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from viz.problem.conditions import Condition
from viz.errors import UsageError
from viz.compute.kernels.lockstep import MAX_WIDTH as SIMD_MAX_WIDTH
from viz.compute.kernels.lockstep import block_order, build_simd_kernel
from viz.compute.kernels.parts import INIT_CODE, NONLINEARITY_CODE, make_activations, make_parts
from viz.problem.arrays import Problem

ARCHES = ("auto", "cpu", "cuda")

_state: dict = {}


def cuda_available() -> bool:
    """Whether an NVIDIA driver is present, judged without starting Taichi's CUDA backend."""
    libs = ("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/libcuda.so.1")
    return os.path.exists("/proc/driver/nvidia/version") or any(os.path.exists(p) for p in libs)


def init_backend(arch: str = "auto") -> str:
    """Start Taichi once, in float64, on the CPU or CUDA; return the arch in use.

    Never asks for ti.gpu or ti.opengl: without a display they crash rather
    than fail. fast_math stays off: it would delete the NaN tests the
    measure depends on.
    """
    if arch not in ARCHES:
        raise UsageError(f"unknown --arch {arch!r}; choose one of {', '.join(ARCHES)}")
    if "arch" in _state:
        if arch not in ("auto", _state["arch"]):
            raise UsageError(f"the engine already runs on {_state['arch']}; cannot switch to {arch} in one process")
        return _state["arch"]
    if arch == "cuda" and not cuda_available():
        raise UsageError("--arch cuda: no NVIDIA driver found on this machine; use --arch cpu or auto")
    want = "cuda" if arch == "cuda" or (arch == "auto" and cuda_available()) else "cpu"
    import taichi as ti

    # make_cpu_multithreading_loop=False: Taichi 1.7's default cuts a CPU
    # range-for into chunks of at least 512 iterations, so a 512-pixel call
    # ran on one core (measured: 3,300 px/s on one core against 6,000 on
    # two at the quick preset); without it the runtime splits any batch.
    # advanced_optimization off on the CPU: Taichi's own passes over the
    # unrolled kernels took most of a build (n = 16: 60 s, now 3 s) and LLVM
    # optimises as well without them (101.8 px/s a core before, 105.7 after).
    # The CUDA kernel keeps the setting it was verified with on an H100.
    # unrolling_limit=0 silences the warning on ti.static loops over more than
    # 32 items: the kernels unroll their widths (and lanes) on purpose.
    ti.init(arch=ti.cuda if want == "cuda" else ti.cpu, default_fp=ti.f64, default_ip=ti.i32,
            fast_math=False, offline_cache=True, make_cpu_multithreading_loop=False,
            advanced_optimization=want == "cuda", unrolling_limit=0, log_level=ti.WARN)
    got = "cuda" if ti.lang.impl.current_cfg().arch == ti.cuda else "cpu"
    if want == "cuda" and got != "cuda":
        raise UsageError("--arch cuda: Taichi could not start its CUDA backend; use --arch cpu")
    if got == "cuda" and not _supports_f64(ti):
        raise UsageError("this CUDA device has no float64 support; the measure needs float64")
    _state["arch"] = got
    return got


def _supports_f64(ti) -> bool:
    """Probe float64 by computing something only float64 gets right."""
    field = ti.field(ti.f64, shape=())

    @ti.kernel
    def probe():
        field[None] = ti.f64(1.0) + ti.f64(1e-12)

    probe()
    return field[None] != 1.0


def current_arch() -> str | None:
    """The backend Taichi runs on, or None before init_backend."""
    return _state.get("arch")


@dataclass(frozen=True)
class RunCounts:
    """What a batch cost: how many runs, and how many steps the early stop skipped."""

    runs: int
    steps_run: int
    steps_total: int


class Engine:
    """Measures of one problem and condition, for any batch of hyperparameter pairs."""

    def __init__(self, problem: Problem, condition: Condition, readout: str = "measure",
                 early_stop: bool = True):
        if "arch" not in _state:
            raise RuntimeError("call viz.compute.engine.init_backend() before building an Engine")
        self.problem = problem
        self.condition = condition
        self.readout = readout
        self.early_stop = early_stop
        self.arch = _state["arch"]
        self._kernel = _kernel_for_width(problem.width)
        steps = problem.steps
        self._batches = (problem.batches if problem.batches is not None
                         else np.zeros((steps, 1), np.int32)).astype(np.int32)
        self.evaluations = 0
        self.steps_run = 0

    @property
    def chunk_pixels(self) -> int:
        """Pixels per call that keep the device busy yet give prompt progress and Ctrl-C.

        A GPU needs a hundred thousand threads in flight; a CPU core needs few.
        """
        return 1 << 17 if self.arch == "cuda" else 512

    @property
    def flops_per_run(self) -> float:
        """Flops of one full run (SPEC.md's count), the unit of GFLOP/s figures."""
        n, D, T = self.problem.width, self.problem.dataset_size, self.problem.steps
        rows = self.condition.minibatch or D
        forward_only = D if self.condition.minibatch else 0
        return T * (rows * (4 * n * n + 10 * n) + forward_only * (2 * n * n + 4 * n) + 2 * (n * n + n))

    def prepare(self) -> None:
        """Build the kernel now (a width's first build takes 3-25 s on a 2-core CPU, the lockstep kernel's longest).

        Runs one throwaway pixel, not counted in `evaluations`.
        """
        self.measure(np.ones(1), np.ones(1))
        self.evaluations -= 1
        self.steps_run = 0

    def measure(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """One float64 per pair (x, y): hyperparameter values, not their logs."""
        xs = np.ascontiguousarray(np.asarray(xs, dtype=np.float64).ravel())
        ys = np.ascontiguousarray(np.asarray(ys, dtype=np.float64).ravel())
        if xs.shape != ys.shape:
            raise ValueError("xs and ys must have the same number of values")
        out = np.empty_like(xs)
        steps_run = np.zeros(xs.size, np.int32)
        if xs.size == 0:
            return out
        p, c = self.problem, self.condition
        self._kernel.train(
            xs, ys, self._kernel.order(xs.size), out, steps_run,
            p.X, p.Y, p.W0, p.W1, p.probe, self._batches,
            p.steps, p.dataset_size, c.minibatch,
            NONLINEARITY_CODE[c.nonlinearity], INIT_CODE[c.init_offset],
            int(self.readout == "probe"), int(self.early_stop),
        )
        self.evaluations += xs.size
        self.steps_run += int(steps_run.sum())
        return out


def engine_for(condition_name: str, width: int, steps: int, seed: int, readout: str, arch: str) -> Engine:
    """Start the backend and build the engine for these settings; settings the paper's arrays lack are a UsageError."""
    from viz.problem.conditions import CONDITIONS
    from viz.problem.arrays import load_problem

    condition = CONDITIONS[condition_name]
    try:
        problem = load_problem(condition, width, steps, seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    init_backend(arch)
    return Engine(problem, condition, readout)


@dataclass(frozen=True)
class Kernel:
    """A compiled training kernel and the order in which it wants a batch's pixels."""

    train: Callable
    order: Callable[[int], np.ndarray]


def shuffled(count: int) -> np.ndarray:
    """Pixels interleaved across CPU threads.

    Diverged runs cluster in an image, and contiguous chunks would leave one
    thread with all the long runs.
    """
    return np.random.default_rng(count).permutation(count).astype(np.int32)


def in_order(count: int) -> np.ndarray:
    """Neighbouring pixels share a warp: similar run lengths waste less of it on early stops."""
    return np.arange(count, dtype=np.int32)


def build_kernel(layout: str, width: int) -> Kernel:
    """Compile one layout for width n: "per-pixel" or "lockstep" (CPU), "lanes" (CUDA)."""
    if layout == "lanes":
        from viz.compute.kernels.lanes import build_lane_kernel

        return Kernel(build_lane_kernel(width), in_order)
    if layout == "lockstep":
        return Kernel(build_simd_kernel(width), block_order)
    return Kernel(_build_kernel(width), shuffled)


def _kernel_for_width(width: int) -> Kernel:
    """The kernel for one width on the running backend (built once per process)."""
    kernels = _state.setdefault("kernels", {})
    if width not in kernels:
        if _state["arch"] == "cuda":
            layout = "lanes"
        else:
            layout = "lockstep" if width <= SIMD_MAX_WIDTH else "per-pixel"
        kernels[width] = build_kernel(layout, width)
    return kernels[width]


def _build_kernel(n: int):
    """Define the CPU training kernel with the width n unrolled into it: one thread per pixel."""
    import taichi as ti

    f64 = ti.f64
    vec = ti.types.vector(n, f64)
    mat = ti.types.matrix(n, n, f64)
    # Multiplying by 1/sqrt(n) equals the notebook's division whenever sqrt(n)
    # is a power of two (n = 4, 16, 64, ...): exact at the paper's n = 16.
    inv_s = 1.0 / math.sqrt(n)
    parts = make_parts(n)
    is_finite, load_row = parts.is_finite, parts.load_row
    activate, activate_backward = make_activations(n, parts.tanh)

    @ti.kernel
    def train(
        xs: ti.types.ndarray(dtype=f64, ndim=1), ys: ti.types.ndarray(dtype=f64, ndim=1),
        order: ti.types.ndarray(dtype=ti.i32, ndim=1), out: ti.types.ndarray(dtype=f64, ndim=1),
        steps_run: ti.types.ndarray(dtype=ti.i32, ndim=1),
        X: ti.types.ndarray(dtype=f64, ndim=2), Y: ti.types.ndarray(dtype=f64, ndim=1),
        W0: ti.types.ndarray(dtype=f64, ndim=2), W1: ti.types.ndarray(dtype=f64, ndim=1),
        probe: ti.types.ndarray(dtype=f64, ndim=1), batches: ti.types.ndarray(dtype=ti.i32, ndim=2),
        steps: ti.i32, data: ti.i32, minibatch: ti.i32, kind: ti.i32, init_mode: ti.i32,
        want_probe: ti.i32, early_stop: ti.i32,
    ):
        for q in range(xs.shape[0]):
            p = order[q]
            lr0, lr1, offset = parts.pixel_rates(xs, ys, p, init_mode)
            w0 = mat(0.0)
            w1 = vec(0.0)
            for i in ti.static(range(n)):
                w1[i] = W1[i]
                for j in ti.static(range(n)):
                    w0[i, j] = W0[i, j] + (offset if init_mode == 2 else 0.0)
            grad_rows, loss_rows, inv_grad_rows = parts.row_counts(data, minibatch)
            l0 = 0.0
            sum_v = 0.0
            sum_inv = 0.0
            sum_tail = 0.0
            probe_out = 0.0
            t_stop = steps
            for t in range(steps):
                if early_stop != 0:
                    # W1 non-finite makes every later output, hence loss, non-finite.
                    stop = False
                    for j in ti.static(range(n)):
                        if not is_finite(w1[j]):
                            stop = True
                    if stop:
                        t_stop = t
                        break
                if init_mode == 1:
                    for i in ti.static(range(n)):
                        for j in ti.static(range(n)):
                            w0[i, j] = w0[i, j] + offset
                g0 = mat(0.0)
                g1 = vec(0.0)
                loss_sum = 0.0
                probe_row = want_probe != 0 and t == steps - 1
                rows = grad_rows + loss_rows + (1 if probe_row else 0)
                # Two rows per pass: each load of W0 and each update of its
                # gradient serve two data points (half the memory traffic).
                for pair in range((rows + 1) // 2):
                    xa, ta, ga, la, pa = load_row(X, Y, probe, batches, t, 2 * pair, rows, grad_rows, loss_rows, minibatch)
                    xb, tb, gb, lb, pb = load_row(X, Y, probe, batches, t, 2 * pair + 1, rows, grad_rows, loss_rows, minibatch)
                    za = vec(0.0)
                    zb = vec(0.0)
                    for i in ti.static(range(n)):
                        for j in ti.static(range(n)):
                            za[j] += xa[i] * w0[i, j]
                            zb[j] += xb[i] * w0[i, j]
                    za *= inv_s
                    zb *= inv_s
                    ha = activate(kind, za)
                    hb = activate(kind, zb)
                    ya = 0.0
                    yb = 0.0
                    for j in ti.static(range(n)):
                        ya += ha[j] * w1[j]
                        yb += hb[j] * w1[j]
                    ya = ya * inv_s * inv_s
                    yb = yb * inv_s * inv_s
                    ra = ya - ta
                    rb = yb - tb
                    if pa:
                        probe_out = ya
                    if pb:
                        probe_out = yb
                    if la:
                        loss_sum += ra * ra
                    if lb:
                        loss_sum += rb * rb
                    if ga or gb:
                        ct_a = inv_grad_rows * (2.0 * ra) * inv_s * inv_s
                        ct_b = inv_grad_rows * (2.0 * rb) * inv_s * inv_s
                        ca = activate_backward(kind, za, ha, w1 * ct_a) * inv_s
                        cb = activate_backward(kind, zb, hb, w1 * ct_b) * inv_s
                        # A row that is not a gradient row adds exactly zero
                        # (a select, so a non-finite value cannot leak in as NaN).
                        zero = vec(0.0)
                        ca = ca if ga else zero
                        cb = cb if gb else zero
                        g1 += (ha * ct_a if ga else zero) + (hb * ct_b if gb else zero)
                        for i in ti.static(range(n)):
                            for j in ti.static(range(n)):
                                g0[i, j] += xa[i] * ca[j] + xb[i] * cb[j]
                l0, sum_v, sum_inv, sum_tail = parts.record_loss(t, steps, loss_sum, data, l0, sum_v, sum_inv, sum_tail)
                for i in ti.static(range(n)):
                    w1[i] = w1[i] - lr1 * g1[i]
                    for j in ti.static(range(n)):
                        w0[i, j] = w0[i, j] - lr0 * g0[i, j]
            steps_run[p] = t_stop
            out[p] = parts.finish(steps, t_stop, l0, sum_v, sum_inv, sum_tail, probe_out, want_probe)

    return train
