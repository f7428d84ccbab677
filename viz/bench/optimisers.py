"""`nnfractal bench --optimizers`: each optimiser's px/s at both presets, beside plain gd and the NumPy reference.

Optimiser state costs registers and memory traffic (a momentum buffer per
weight, Adam's two), so it is measured, not guessed: every experiment runs
on its own home view (where its boundary shows, so early stopping matters
as it would live), and on those same pixels the gd engine and the NumPy
reference of that experiment run in the same process.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from viz.bench.peak import best_seconds
from viz.compute.backend import Backend
from viz.problem.conditions import PRESETS, home_window
from viz.problem.experiment import Experiment
from viz.problem.spec import ProblemSpec

#: The experiments timed, each with SPEC's common fixed values.
EXPERIMENTS = (Experiment("gd"), Experiment("momentum"), Experiment("nesterov"), Experiment("adam"),
               Experiment("adamw", fixed=(("weight-decay", 0.01),)), Experiment("gd", fixed=(("weight-decay", 0.01),)))
#: Pixels per preset on a CPU: the engine's grid and the reference's coarser grid over the same view.
GRIDS = {"quick": (64, 16), "paper": (16, 8)}


def _pixels(window, res: int) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = window
    xs, ys = np.meshgrid(10.0 ** np.linspace(x0, x1, res), 10.0 ** np.linspace(y0, y1, res))
    return xs.ravel(), ys.ravel()


def time_experiment(backend: Backend, preset: str, experiment: Experiment, repeats: int) -> dict:
    """px/s of this experiment's engine, of gd's on the same pixels, and of the reference on a coarser grid."""
    from viz.compute.engine import build_engine
    from viz.problem import reference

    p = PRESETS[preset]
    spec = ProblemSpec("tanh", p.width, p.steps, experiment=experiment).validate()
    window = home_window("tanh", preset, experiment)
    res, ref_res = GRIDS[preset]
    xs, ys = _pixels(window, res)
    ours, gd = build_engine(spec, backend), build_engine(replace(spec, experiment=Experiment()), backend)
    ours.prepare()
    gd.prepare()
    t_ours = best_seconds(lambda: ours.measure(xs, ys), repeats)
    t_gd = best_seconds(lambda: gd.measure(xs, ys), repeats)
    rx, ry = _pixels(window, ref_res)
    with np.errstate(all="ignore"):
        t_ref = best_seconds(lambda: reference.measure(ours.problem, ours.condition, rx, ry, experiment=experiment),
                             repeats)
    t_ours_ref = best_seconds(lambda: ours.measure(rx, ry), repeats)
    return {"preset": preset, "experiment": experiment.label, "window": list(window), "pixels": int(xs.size),
            "taichi": xs.size / t_ours, "taichi gd, same pixels": xs.size / t_gd,
            "numpy reference": rx.size / t_ref, "reference pixels": int(rx.size),
            "taichi on the reference pixels": rx.size / t_ours_ref}


def run_optimisers(backend: Backend, repeats: int) -> list[dict]:
    """Every experiment at both presets, in one run."""
    return [time_experiment(backend, preset, e, repeats) for preset in GRIDS for e in EXPERIMENTS]


def format_optimisers(rows: list[dict]) -> str:
    """The figures side by side: px/s, the cost against gd, the speed against the reference."""
    lines = [f"{'preset':7s} {'experiment':24s} {'pixels':>6s} {'taichi px/s':>12s} {'gd px/s':>10s} "
             f"{'cost vs gd':>10s} {'numpy px/s':>11s} {'taichi x numpy':>15s}"]
    for r in rows:
        lines.append(f"{r['preset']:7s} {r['experiment']:24s} {r['pixels']:6d} {r['taichi']:12.1f} "
                     f"{r['taichi gd, same pixels']:10.1f} {r['taichi gd, same pixels'] / r['taichi']:9.2f}x "
                     f"{r['numpy reference']:11.1f} "
                     f"{r['taichi on the reference pixels'] / r['numpy reference']:14.1f}x")
    lines.append("each experiment on its home view (tanh); gd on the same pixels; numpy on a coarser grid of "
                 "the same view, compared with taichi on those pixels")
    return "\n".join(lines)
