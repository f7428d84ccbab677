"""`nnfractal dim --method uncertainty` on the engine: pairs of training runs, kept per eps, and a plot.

Each eps costs M runs (the M base runs are shared), so a panel at the paper
preset is tens of thousands of runs: every finished eps is written to a
checkpoint beside the JSON record, and a run stopped by Ctrl-C or SIGTERM
resumes from it with the same flags. A checkpoint of other flags is
refused rather than mixed in.
"""
from __future__ import annotations

import io
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.outputs import atomic_write
from viz.paper.uncertainty import DEFAULT_EPS, Exponent, Pairs, changed, fit
from viz.problem.spec import ProblemSpec

#: Smallest relative step of a hyperparameter that a float64 pair may take: about 450 ulps, so the
#: partner's learning rate is a different float64 number by a wide margin.
F64_STEP = 1e-13
#: The checkpoint's ending, after the JSON record's name.
CHECKPOINT_SUFFIX = ".pairs.npz"


@dataclass(frozen=True)
class UncertaintyJob:
    """What one measurement is: the problem, the log10 window, the number of points and their seed."""

    problem: ProblemSpec
    window: tuple[tuple[float, float], tuple[float, float]]
    points: int
    seed: int

    def eps(self) -> tuple[float, ...]:
        """The default eps grid down to where float64 still tells a pair's hyperparameters apart."""
        span = min(hi - lo for lo, hi in self.window)
        return tuple(e for e in DEFAULT_EPS if e * span * math.log(10) >= F64_STEP)

    def identity(self) -> str:
        """What a checkpoint must match to be resumed."""
        return json.dumps({"problem": self.problem.as_metadata(), "window": self.window, "points": self.points,
                           "seed": self.seed}, sort_keys=True)


def engine_outcome(measure, chunk: int):
    """outcome(points) for log10 coordinates: whether each run converged (its measure is negative)."""
    from viz.compute.loop import compute_pixels

    def outcome(points: np.ndarray) -> np.ndarray:
        xs, ys = 10.0 ** points[:, 0], 10.0 ** points[:, 1]
        out = np.full(len(points), np.nan)
        compute_pixels(measure, xs, ys, out, np.arange(len(points)), chunk=chunk)
        return out < 0

    return outcome


def load_checkpoint(path: Path, job: UncertaintyJob) -> tuple[np.ndarray | None, dict[float, np.ndarray]]:
    """The base outcomes and finished eps columns of an earlier run of this job (none if no file)."""
    if not path.exists():
        return None, {}
    try:
        with np.load(path, allow_pickle=False) as data:
            identity, base, eps, columns = str(data["identity"]), data["base"], data["eps"], data["columns"]
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"cannot read the checkpoint {str(path)!r} ({exc}): remove it to start again") from None
    if identity != job.identity():
        raise UsageError(f"the checkpoint {str(path)!r} is of another measurement (other problem, window, points "
                         "or seed): remove it, or give another --json")
    if base.shape != (job.points,) or columns.shape != (job.points, len(eps)):
        raise UsageError(f"the checkpoint {str(path)!r} is damaged: remove it to start again")
    return base.astype(bool), {float(e): columns[:, i].astype(bool) for i, e in enumerate(eps)}


def save_checkpoint(path: Path, job: UncertaintyJob, base: np.ndarray, done: dict[float, np.ndarray]) -> None:
    """Write what is finished, atomically, so a stop at any moment keeps every whole eps."""
    eps = np.array(sorted(done, reverse=True))
    columns = np.stack([done[e] for e in eps], axis=1) if len(eps) else np.zeros((job.points, 0), bool)

    def write(handle) -> None:
        np.savez(handle, identity=np.array(job.identity()), base=base, eps=eps, columns=columns)

    atomic_write(path, write)


def measure_uncertainty(job: UncertaintyJob, json_path: Path, arch: str = "auto", quiet: bool = False) -> Exponent:
    """Run (or resume) the pairs of every eps, print one line per eps, then fit and write the JSON record."""
    from viz.compute.isolated import IsolatedEngine

    checkpoint = json_path.with_name(json_path.name + CHECKPOINT_SUFFIX)
    base, done = load_checkpoint(checkpoint, job)
    pairs = Pairs(job.window, job.points, job.seed)
    eps = job.eps()
    with IsolatedEngine(job.problem, arch) as engine:
        outcome = engine_outcome(engine.measure, engine.chunk_pixels)
        started = time.monotonic()
        if base is None:
            base = np.asarray(outcome(pairs.points), bool)
            save_checkpoint(checkpoint, job, base, done)
        for e in eps:
            if e not in done:
                done[e] = changed(outcome, pairs, base, e)
                save_checkpoint(checkpoint, job, base, done)
            if not quiet:
                column = done[e]
                print(f"eps {e:.3g}: f = {column.mean():.4f} ({int(column.sum())} of {job.points} pairs changed), "
                      f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    result = fit(eps, np.stack([done[e] for e in eps], axis=1), pairs.dims, job.seed)
    record = {**result.as_json(), "problem": job.problem.as_metadata(), "window": job.window, "seed": job.seed}
    atomic_write(json_path, lambda handle: handle.write(json.dumps(record, indent=1) + "\n"), mode="w")
    return result


def plot(result: Exponent, path: Path, title: str) -> None:
    """log f against log eps with the fitted line over the eps that entered the fit, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    eps, share = np.array(result.eps), np.array(result.f)
    used = np.array(result.fitted)
    figure, axes = plt.subplots(figsize=(5, 3.6), dpi=120)
    shown = share > 0
    axes.loglog(eps[shown & ~used], share[shown & ~used], "o", mfc="none", color="grey", label="not fitted")
    axes.loglog(eps[used], share[used], "o", color="tab:blue", label="fitted")
    anchor = np.exp(np.mean(np.log(share[used])) - result.alpha * np.mean(np.log(eps[used])))
    span = eps[used][[0, -1]]
    axes.loglog(span, anchor * span ** result.alpha, "-", color="tab:red",
                label=f"alpha = {result.alpha:.3f}: D = {result.dimension:.3f} "
                      f"[{result.interval[0]:.3f}, {result.interval[1]:.3f}]")
    axes.set_xlabel("eps (fraction of the window's width)")
    axes.set_ylabel("f(eps): share of pairs that differ")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    atomic_write(path, lambda handle: handle.write(buffer.getvalue()))


def log10_sides(window: Sequence[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(x0, x1, y0, y1) in log10 units as the two sides Pairs takes."""
    x0, x1, y0, y1 = (float(v) for v in window)
    return (x0, x1), (y0, y1)
