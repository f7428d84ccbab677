"""Measured, not asserted: the engine against its baselines on the same pixels.

Each workload is a fixed still (condition, window, resolution, preset). The
Taichi engine, the NumPy reference and (when the optional `jax` extra is
installed) the reference notebook's own approach run the same pixels in one
process; a probe in the same run gives the machine's float64 peak (dgemm
on a CPU, a multiply-add kernel on a GPU).
"""
from __future__ import annotations

import math
import os
import platform
from dataclasses import dataclass, replace

import numpy as np

from viz.bench.peak import best_seconds, float64_peak
from viz.compute.backend import Backend
from viz.paper.stills import StillSpec
from viz.problem.conditions import DEFAULT_WINDOW, PRESETS, panel_log_window
from viz.problem.spec import ProblemSpec


@dataclass(frozen=True)
class Workload:
    """A named fixed still and how many of its pixels each baseline runs."""

    name: str
    spec: StillSpec
    reference_pixels: int  # the baselines run a coarser grid over the same view: about this many pixels
    jax_pixels: int
    dd_pixels: int = 16  # --precision dd: the double-double engine's share (about 100x the float64 cost)


def workloads(arch: str) -> list[Workload]:
    """The issue's fixed work: tanh panel at the paper preset, default view at the quick preset.

    A GPU gets the same windows at sizes that fill it (a 32x32 still would
    occupy a few of its 132 multiprocessors), and JAX, there on the GPU too,
    a matching share of them.
    """
    paper, quick = PRESETS["paper"], PRESETS["quick"]
    gpu = arch == "cuda"
    paper_res, quick_res = (256, 1024) if gpu else (32, 128)
    return [
        Workload(f"tanh panel, paper preset, {paper_res}x{paper_res}",
                 StillSpec(ProblemSpec("tanh", paper.width, paper.steps), panel_log_window("tanh"),
                           paper_res, paper_res),
                 1024, 16384 if gpu else 1024, 16),
        Workload(f"default view, quick preset, {quick_res}x{quick_res}",
                 StillSpec(ProblemSpec("tanh", quick.width, quick.steps), DEFAULT_WINDOW, quick_res, quick_res),
                 4096, 262144 if gpu else 4096, 256),
    ]


def workload_pixels(spec: StillSpec, count: int | None = None):
    """The still's pixels, or about `count` of them: every k-th row and column.

    A coarser grid over the same view keeps both the view's mix of pixels
    and their neighbourliness, which the engine's early stopping relies on
    (a random subset ran it 15% slower per pixel).
    """
    gx, gy = np.meshgrid(*spec.axes())
    if count is not None and count < gx.size:
        stride = max(1, round(math.sqrt(gx.size / count)))
        gx, gy = gx[::stride, ::stride], gy[::stride, ::stride]
    return gx.ravel(), gy.ravel()


def run_workload(work: Workload, backend: Backend, with_jax: bool, repeats: int = 1, precision: str = "f64") -> dict:
    """Time each implementation on the workload, the best of `repeats` calls each; pixels/s and GFLOP/s.

    A baseline that runs a subset of the pixels is compared with the engine
    timed on that same subset (its "engine_pixels_per_s"): early stopping
    makes a pixel's cost depend on where it lies.
    """
    from viz.compute.engine import build_engine
    from viz.problem import reference as reference

    spec = work.spec
    engine = build_engine(spec.problem, backend)
    problem, condition = engine.problem, engine.condition
    flops = engine.flops_per_run
    engine.prepare()  # build the kernel outside the timing
    xs, ys = workload_pixels(spec)
    t = best_seconds(lambda: engine.measure(xs, ys), repeats)
    full = build_engine(spec.problem, backend, early_stop=False)
    t_full = best_seconds(lambda: full.measure(xs, ys), repeats)
    results = {"workload": work.name, "pixels": int(xs.size), "flops_per_pixel": flops, "impls": {}}
    results["impls"]["taichi"] = _figures(xs.size, t, flops)
    results["impls"]["taichi, no early stop"] = _figures(xs.size, t_full, flops)
    results["steps_run_fraction"] = engine.steps_run / (engine.evaluations * problem.steps)

    rates = {xs.size: xs.size / t}  # the engine's px/s by subset size (subsets of one size are the same pixels)

    def engine_on(px, py) -> float:
        if px.size not in rates:
            rates[px.size] = px.size / best_seconds(lambda: engine.measure(px, py), repeats)
        return rates[px.size]

    bx, by = workload_pixels(spec, work.reference_pixels)
    with np.errstate(all="ignore"):
        t_ref = best_seconds(lambda: reference.measure(problem, condition, bx, by), repeats)
    results["impls"]["numpy reference"] = _figures(bx.size, t_ref, flops) | {"engine_pixels_per_s": engine_on(bx, by)}
    if precision == "dd":
        dd = build_engine(replace(spec.problem, precision="dd"), backend)
        dd.prepare()
        dx, dy = workload_pixels(spec, work.dd_pixels)
        t_dd = best_seconds(lambda: dd.measure(dx, dy), repeats)
        results["impls"]["taichi double-double"] = _figures(dx.size, t_dd, flops) | {"engine_pixels_per_s":
                                                                                    engine_on(dx, dy)}
    if with_jax:
        from viz.bench import jax_baseline as bench_jax

        jx, jy = workload_pixels(spec, work.jax_pixels)
        name = f"jax vmap+scan on {bench_jax.device()} (reference way)"
        results["impls"][name] = (bench_jax.time_jax(problem, condition, jx, jy, flops, repeats)
                                  | {"engine_pixels_per_s": engine_on(jx, jy)})
    return results


def _figures(pixels: int, seconds: float, flops: float) -> dict:
    return {"pixels": int(pixels), "seconds": seconds, "pixels_per_s": pixels / seconds,
            "gflops": pixels * flops / seconds / 1e9}


def machine(arch: str) -> dict:
    """What ran the benchmark."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    found = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}
    if arch == "cuda":
        found["gpu"] = gpu_name()
    return found


def gpu_name() -> str:
    """The NVIDIA card's name as the driver reports it."""
    from viz.compute.process import tool_output

    return tool_output(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]).strip() or "NVIDIA GPU"


def format_report(report: dict) -> str:
    """The figures side by side, as a plain-text table."""
    peak = report["peak_gflops"]
    m = report["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores" + (f", {m['gpu']}" if m.get("gpu") else "")
             + f"; backend {report['arch']}",
             f"float64 peak ({report['peak_probe']}, this run): {peak:.1f} GFLOP/s",
             f"each implementation: the best of {report['repeats']} timed call(s)", ""]
    for work in report["workloads"]:
        lines.append(f"{work['workload']}  ({work['flops_per_pixel']:.3g} flops/pixel)")
        lines.append(f"  {'implementation':40s} {'pixels':>7s} {'px/s':>10s} {'GFLOP/s':>8s} {'% peak':>7s} "
                     f"{'taichi x':>9s}")
        ours = work["impls"]["taichi"]["pixels_per_s"]
        subsets = {}
        for name, f in work["impls"].items():
            same = f.get("engine_pixels_per_s", ours)
            lines.append(f"  {name:40s} {f['pixels']:7d} {f['pixels_per_s']:10.1f} {f['gflops']:8.2f} "
                         f"{100 * f['gflops'] / peak:6.1f}% {same / f['pixels_per_s']:8.2f}x")
            if f["pixels"] != work["pixels"] and "engine_pixels_per_s" in f:
                subsets[f["pixels"]] = same
        lines.append(f"  early stop: {100 * (1 - work['steps_run_fraction']):.1f}% of steps skipped")
        if subsets:
            shown = ", ".join(f"{size} pixels: {rate:.1f}" for size, rate in subsets.items())
            lines.append(f"  taichi x compares the same pixels; taichi's px/s on the baselines' {shown}")
        lines.append("")
    if report.get("jax_note"):
        lines.append(report["jax_note"])
    return "\n".join(lines)


def run_bench(arch: str = "auto", repeats: int = 3, precision: str = "f64") -> dict:
    """Every workload plus the peak probe, as one report; each implementation timed `repeats` times.

    precision "dd" adds the double-double engine, timed on a coarser grid
    of each workload's pixels (Workload.dd_pixels) beside the float64
    engine on those same pixels.
    """
    from viz.compute.backend import init_backend

    try:
        import jax  # noqa: F401

        with_jax, note = True, ""
    except ImportError:
        with_jax, note = False, "jax not installed: the reference's approach skipped (pip install -e '.[jax]')"
    backend = init_backend(arch)
    used = backend.arch
    probe, peak = float64_peak(used)
    return {"machine": machine(used), "arch": used, "peak_probe": probe, "peak_gflops": peak, "jax_note": note,
            "repeats": repeats, "precision": precision,
            "workloads": [run_workload(w, backend, with_jax, repeats, precision) for w in workloads(used)]}
