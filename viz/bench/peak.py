"""The machine's float64 peak, probed in the same run as the benchmark it scales.

A CPU's is its dgemm rate; a GPU's, for scalar code like the engine's, the
rate of independent multiply-adds (tensor-core dgemm uses units that scalar
code cannot).
"""
# No `from __future__ import annotations`: Taichi reads kernel annotations as objects.
import time

import numpy as np


def seconds(fn) -> float:
    """Wall-clock seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def best_seconds(fn, repeats: int) -> float:
    """The fastest of `repeats` calls: on a shared machine the slower ones measure the neighbours."""
    return min(seconds(fn) for _ in range(repeats))


def dgemm_peak(size: int = 2048, repeats: int = 5) -> float:
    """This machine's float64 matrix-multiply rate in GFLOP/s (best of a few), all cores."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    a @ b
    best = best_seconds(lambda: a @ b, repeats)
    return 2.0 * size ** 3 / best / 1e9


def fma_peak(threads: int = 1 << 20, iters: int = 1 << 15) -> float:
    """The GPU's float64 arithmetic rate in GFLOP/s: eight independent multiply-add chains per thread.

    The ceiling for scalar float64 code such as the engine's (tensor-core
    dgemm reaches about twice this on Hopper, through units scalar code
    cannot use).
    """
    import taichi as ti

    @ti.kernel
    def chains(out: ti.types.ndarray(dtype=ti.f64, ndim=1), iters: ti.i32):
        for t in range(out.shape[0]):
            acc = ti.Vector([ti.cast(t, ti.f64) * 1e-9 + k for k in ti.static(range(8))], dt=ti.f64)
            for _ in range(iters):
                acc = acc * 0.9999999 + 1e-7
            out[t] = acc.sum()

    out = np.zeros(threads)
    chains(out, 16)
    best = best_seconds(lambda: chains(out, iters), 3)
    return threads * iters * 8 * 2 / best / 1e9


def float64_peak(arch: str) -> tuple[str, float]:
    """What this run takes as the machine's float64 peak: (how it was probed, GFLOP/s)."""
    if arch == "cuda":
        return "multiply-add probe on the GPU", fma_peak()
    return "dgemm probe, NumPy, all cores", dgemm_peak()


