"""Each condition's home view shows its boundary: both colours at both presets, at 32 x 32."""
from __future__ import annotations

import numpy as np
import pytest
from experiment_cases import EXPERIMENTS

from viz.compute.engine import build_engine
from viz.problem.conditions import PRESETS, home_window
from viz.problem.spec import ProblemSpec

CONDITIONS = ("tanh", "relu", "linear", "minibatch", "single", "init")
#: The least share of pixels of each sign that counts as showing the boundary.
LEAST_SHARE = 0.05
RES = 32


@pytest.mark.parametrize("preset", ["quick", "paper"])
@pytest.mark.parametrize("condition", CONDITIONS)
def test_the_home_view_shows_both_colours(condition, preset, engine_backend):
    p = PRESETS[preset]
    x0, x1, y0, y1 = home_window(condition, preset)
    xs, ys = np.meshgrid(10.0 ** np.linspace(x0, x1, RES), 10.0 ** np.linspace(y0, y1, RES))
    engine = build_engine(ProblemSpec(condition, p.width, p.steps), engine_backend)
    measures = engine.measure(xs.ravel(), ys.ravel())
    diverged = float(np.mean(measures > 0))
    assert LEAST_SHARE <= diverged <= 1.0 - LEAST_SHARE, f"{condition} at {preset}: {diverged:.2f} diverged"


def test_the_figure1_window_is_home_only_where_it_shows_the_boundary():
    assert home_window("tanh", "paper") != home_window("tanh", "quick")
    assert home_window("minibatch", "paper") == home_window("minibatch", "quick")


@pytest.mark.parametrize("preset, res", [("quick", 16), ("paper", 12)])
@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_each_experiments_home_view_shows_both_colours(name, preset, res):
    """Measured with the NumPy reference (the engine meets it: test_optimiser_agreement.py)."""
    from viz.problem import reference
    from viz.problem.arrays import load_problem
    from viz.problem.conditions import CONDITIONS as ALL

    experiment, p = EXPERIMENTS[name], PRESETS[preset]
    x0, x1, y0, y1 = home_window("tanh", preset, experiment)
    xs, ys = np.meshgrid(10.0 ** np.linspace(x0, x1, res), 10.0 ** np.linspace(y0, y1, res))
    measures = reference.measure(load_problem(ALL["tanh"], p.width, p.steps), ALL["tanh"], xs.ravel(), ys.ravel(),
                                 experiment=experiment)
    diverged = float(np.mean(measures > 0))
    assert LEAST_SHARE <= diverged <= 1.0 - LEAST_SHARE, f"{name} at {preset}: {diverged:.2f} diverged"
