"""Measured, not asserted: the engine against its baselines on the same pixels.

Each workload is a fixed still (condition, window, resolution, preset). The
Taichi engine, the NumPy reference and (when the optional `jax` extra is
installed) the reference notebook's own approach run the same pixels in one
process; a dgemm probe in the same run gives this machine's float64 peak.
"""
from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass

import numpy as np

from viz.conditions import CONDITIONS, DEFAULT_WINDOW, PRESETS, panel_log_window
from viz.problem import load_problem
from viz.stills import StillSpec


@dataclass(frozen=True)
class Workload:
    """A named fixed still and how many of its pixels each baseline runs."""

    name: str
    spec: StillSpec
    baseline_pixels: int  # the slow baselines run a deterministic subset of this many


def workloads() -> list[Workload]:
    """The issue's fixed work: tanh panel at the paper preset, default view at the quick preset."""
    paper, quick = PRESETS["paper"], PRESETS["quick"]
    return [
        Workload("tanh panel, paper preset, 32x32",
                 StillSpec("tanh", panel_log_window("tanh"), 32, 32, paper.width, paper.steps), 1024),
        Workload("default view, quick preset, 128x128",
                 StillSpec("tanh", DEFAULT_WINDOW, 128, 128, quick.width, quick.steps), 4096),
    ]


def dgemm_peak(size: int = 2048, repeats: int = 5) -> float:
    """This machine's float64 matrix-multiply rate in GFLOP/s (best of a few), all cores."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    a @ b
    best = min(_seconds(lambda: a @ b) for _ in range(repeats))
    return 2.0 * size ** 3 / best / 1e9


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _pixels(spec: StillSpec, count: int | None = None):
    gx, gy = np.meshgrid(*spec.axes())
    xs, ys = gx.ravel(), gy.ravel()
    if count is not None and count < xs.size:
        pick = np.random.default_rng(1).choice(xs.size, count, replace=False)
        xs, ys = xs[pick], ys[pick]
    return xs, ys


def run_workload(work: Workload, arch: str, with_jax: bool) -> dict:
    """Time each implementation on the workload; figures in pixels/s and GFLOP/s."""
    from viz import reference
    from viz.engine import Engine, init_backend

    spec = work.spec
    condition = CONDITIONS[spec.condition]
    problem = load_problem(condition, spec.width, spec.steps)
    init_backend(arch)
    engine = Engine(problem, condition)
    flops = engine.flops_per_run
    engine.prepare()  # build the kernel outside the timing
    xs, ys = _pixels(spec)
    t = _seconds(lambda: engine.measure(xs, ys))
    full = Engine(problem, condition, early_stop=False)
    t_full = _seconds(lambda: full.measure(xs, ys))
    results = {"workload": work.name, "pixels": int(xs.size), "flops_per_pixel": flops, "impls": {}}
    results["impls"]["taichi"] = _figures(xs.size, t, flops)
    results["impls"]["taichi, no early stop"] = _figures(xs.size, t_full, flops)
    results["steps_run_fraction"] = engine.steps_run / (xs.size * spec.steps)
    bx, by = _pixels(spec, work.baseline_pixels)
    with np.errstate(all="ignore"):
        t_ref = _seconds(lambda: reference.measure(problem, condition, bx, by))
    results["impls"]["numpy reference"] = _figures(bx.size, t_ref, flops)
    if with_jax:
        from viz import bench_jax

        results["impls"]["jax vmap+scan (reference's approach)"] = bench_jax.time_jax(problem, condition, bx, by, flops)
    return results


def _figures(pixels: int, seconds: float, flops: float) -> dict:
    return {"pixels": int(pixels), "seconds": seconds, "pixels_per_s": pixels / seconds,
            "gflops": pixels * flops / seconds / 1e9}


def machine() -> dict:
    """What ran the benchmark."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}


def format_report(report: dict) -> str:
    """The figures side by side, as a plain-text table."""
    peak = report["dgemm_gflops"]
    m = report["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores; backend {report['arch']}",
             f"float64 peak (dgemm probe, this run): {peak:.1f} GFLOP/s", ""]
    for work in report["workloads"]:
        lines.append(f"{work['workload']}  ({work['flops_per_pixel']:.3g} flops/pixel)")
        lines.append(f"  {'implementation':40s} {'pixels':>7s} {'px/s':>10s} {'GFLOP/s':>8s} {'% peak':>7s} {'taichi x':>9s}")
        ours = work["impls"]["taichi"]["pixels_per_s"]
        for name, f in work["impls"].items():
            lines.append(f"  {name:40s} {f['pixels']:7d} {f['pixels_per_s']:10.1f} {f['gflops']:8.2f} "
                         f"{100 * f['gflops'] / peak:6.1f}% {ours / f['pixels_per_s']:8.2f}x")
        lines.append(f"  early stop: {100 * (1 - work['steps_run_fraction']):.1f}% of steps skipped")
        lines.append("")
    if report.get("jax_note"):
        lines.append(report["jax_note"])
    return "\n".join(lines)


def run_bench(arch: str = "auto") -> dict:
    """Every workload plus the peak probe, as one report."""
    from viz.engine import init_backend

    try:
        import jax  # noqa: F401

        with_jax, note = True, ""
    except ImportError:
        with_jax, note = False, "jax not installed: the reference's approach skipped (pip install -e '.[jax]')"
    used = init_backend(arch)
    report = {"machine": machine(), "arch": used, "dgemm_gflops": dgemm_peak(), "jax_note": note,
              "workloads": [run_workload(w, arch, with_jax) for w in workloads()]}
    return report
