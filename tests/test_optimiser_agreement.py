"""Each experiment's picture from the engine against the NumPy reference: 32 x 32 on its home view, quick preset.

Near the boundary a different order of operations may flip a pixel (SPEC), so
the two must share the sign on at least 99% of the pixels.
"""
import numpy as np
import pytest
from experiment_cases import EXPERIMENTS

from viz.compute.engine import build_engine
from viz.problem import reference
from viz.problem.arrays import load_problem
from viz.problem.conditions import CONDITIONS, PRESETS, home_window
from viz.problem.spec import ProblemSpec

RES = 32
LEAST_AGREEMENT = 0.99


def agreement(name, backend, res):
    """The share of pixels where the engine and the reference agree in sign, and the reference's diverged share."""
    experiment, quick = EXPERIMENTS[name], PRESETS["quick"]
    x0, x1, y0, y1 = home_window("tanh", "quick", experiment)
    xs, ys = np.meshgrid(10.0 ** np.linspace(x0, x1, res), 10.0 ** np.linspace(y0, y1, res))
    spec = ProblemSpec("tanh", quick.width, quick.steps, experiment=experiment).validate()
    ours = build_engine(spec, backend).measure(xs.ravel(), ys.ravel())
    theirs = reference.measure(load_problem(CONDITIONS["tanh"], quick.width, quick.steps), CONDITIONS["tanh"],
                               xs.ravel(), ys.ravel(), experiment=experiment)
    return float(np.mean(np.sign(ours) == np.sign(theirs))), float(np.mean(theirs > 0))


@pytest.mark.slow
def test_adam_in_the_lockstep_kernel_shares_the_references_sign(engine_backend):
    """A quicker check of an optimiser's lockstep kernel (its build alone is a minute or two when not cached)."""
    share, diverged = agreement("adam", engine_backend, 16)
    assert share >= LEAST_AGREEMENT and 0 < diverged < 1, (share, diverged)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_the_engine_shares_the_references_sign_on_99_percent(name, engine_backend):
    share, diverged = agreement(name, engine_backend, RES)
    assert share >= LEAST_AGREEMENT, f"{name}: {share:.4f} of pixels share the sign"
    assert 0 < diverged < 1  # the view shows the boundary, so the check means something
