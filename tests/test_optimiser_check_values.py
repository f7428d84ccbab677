"""SPEC's "Beyond the paper" check values: twelve optimiser/axes rows at the paper preset, to 1e-6 relative.

Every point is given in axis coordinates (log10 of the value, or log10(1 - value)
for momentum and the betas); the hyperparameters not named keep SPEC's defaults.
"""
import numpy as np
import pytest

from viz.compute.engine import Engine
from viz.errors import UsageError
from viz.problem import reference
from viz.problem.arrays import load_problem
from viz.problem.conditions import CONDITIONS
from viz.problem.experiment import Experiment
from viz.problem.spec import ProblemSpec

#: (condition, optimizer, x, y, fixed) -> [(point, measure)], as SPEC's table writes them.
ROWS = {
    ("tanh", "momentum", "lr0", "lr1", ()): [((-1, -1), -439.896477798), ((0, 0), -152.594906835),
                                            ((1, 1), -33.440321252), ((1, 3), 1.458145407)],
    ("tanh", "nesterov", "lr0", "lr1", ()): [((-1, -1), -439.531096845), ((0, 0), -149.61822145),
                                            ((1, 1), -30.904524435), ((2, 3), 1.228031485)],
    ("tanh", "adam", "lr0", "lr1", ()): [((-3, -3), -465.672990327), ((-1, -1), -40.282798503),
                                        ((1, 2), -4660.864582017), ((0, 3), 432.141943285)],
    ("tanh", "adamw", "lr0", "lr1", (("weight-decay", 0.01),)): [
        ((-3, -3), -465.729379106), ((-1, -1), -41.277663641), ((1, 2), -2052.779578376), ((3, 1), 315.545766733)],
    ("tanh", "gd", "lr0", "lr1", (("weight-decay", 0.01),)): [
        ((0, 0), -480.137998493), ((1, 2), -483.886139773), ((-1, 3), 1.108047454), ((3, 1), 331.374242763)],
    ("tanh", "gd", "lr", "init-scale", ()): [((0, 0), -436.178134829), ((1, 0.5), -100.071740795),
                                            ((-1, 1), -291.548148475), ((1, 1), -49.84453234)],
    ("tanh", "momentum", "lr0", "momentum", (("lr1", 10.0),)): [
        ((-1, -1), -230.775563411), ((0, -2), -81.756929891), ((-2, -0.5), -460.770324722),
        ((1.5, -0.5), -33.778831074)],
    ("tanh", "adam", "lr0", "beta2", (("lr1", 1.0),)): [((-3, -3), -320.621950399), ((-1, -3), -23.481632703),
                                                         ((-2, -4), -82.115231457)],
    ("minibatch", "momentum", "lr0", "lr1", ()): [((-1, -1), -443.281774059), ((0, 0), -254.558531695),
                                                 ((0, -3), -404.480976777), ((-2, 2), 10.367842965)],
    ("init", "momentum", "offset", "lr", ()): [((-2, -1), -468.360106557), ((-1, 0), -444.395777054),
                                              ((0, 1), -452.502160874), ((-3, 1), -33.423001244)],
    ("relu", "adam", "lr0", "lr1", ()): [((-3, -3), -460.266943689), ((-1, -1), -68.295551112),
                                        ((1, 1), -9178.651115604), ((-2, 1), -368.421268532)],
    ("linear", "momentum", "lr0", "lr1", ()): [((-2, -2), -307.565359238), ((0, 0), -16.060423396),
                                              ((1, -1), -10.186251862), ((2, 2), 1.99199472)],
}


def axis_values(points):
    """What the engines take at SPEC's coordinates: 10**coordinate along each axis."""
    return (10.0 ** np.array([p[0] for p in points], dtype=np.float64),
            10.0 ** np.array([p[1] for p in points], dtype=np.float64))


@pytest.mark.parametrize("row", list(ROWS), ids=lambda r: f"{r[0]}-{r[1]}-{r[2]}x{r[3]}")
def test_the_reference_meets_every_row(row):
    name, optimizer, x, y, fixed = row
    condition = CONDITIONS[name]
    experiment = Experiment(optimizer, x, y, fixed).validate(bool(condition.init_offset))
    points, expected = zip(*ROWS[row])
    xs, ys = axis_values(points)
    got = reference.measure(load_problem(condition, 16, 500), condition, xs, ys, experiment=experiment)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


#: The default suite's row for the engine (one optimiser kernel to build); the slow suite runs all twelve.
DEFAULT_ROW = ("tanh", "nesterov", "lr0", "lr1", ())


@pytest.mark.parametrize("row", [pytest.param(r, marks=() if r == DEFAULT_ROW else pytest.mark.slow) for r in ROWS],
                         ids=lambda r: f"{r[0]}-{r[1]}-{r[2]}x{r[3]}")
def test_the_engine_meets_every_row(row, engine_backend):
    name, optimizer, x, y, fixed = row
    condition = CONDITIONS[name]
    experiment = Experiment(optimizer, x, y, fixed)
    points, expected = zip(*ROWS[row])
    engine = Engine(engine_backend, load_problem(condition, 16, 500), condition, experiment=experiment)
    np.testing.assert_allclose(engine.measure(*axis_values(points)), expected, rtol=1e-6)


def test_double_double_refuses_an_experiment_beyond_the_paper_in_one_line():
    spec = ProblemSpec("tanh", 8, 100, precision="dd", experiment=Experiment("adam"))
    with pytest.raises(UsageError, match="--precision dd trains the paper's experiment only"):
        spec.validate()


def test_the_paper_experiment_is_plain_gd_bit_for_bit():
    condition = CONDITIONS["tanh"]
    problem = load_problem(condition, 8, 100)
    xs, ys = 10.0 ** np.linspace(-1, 2, 9), 10.0 ** np.linspace(0, 3, 9)
    explicit = Experiment("gd", "lr0", "lr1", (("weight-decay", 0.0), ("init-scale", 1.0))).validate()
    assert np.array_equal(reference.measure(problem, condition, xs, ys),
                          reference.measure(problem, condition, xs, ys, experiment=explicit))


#: One converging and one diverging quick-preset pixel per optimiser (coordinates), tanh full batch.
QUICK = {
    "gd": (Experiment("gd", fixed=(("weight-decay", 0.01),)), [(0, 0), (1, 3)]),
    "momentum": (Experiment("momentum"), [(0, 0), (1, 3)]),
    "nesterov": (Experiment("nesterov"), [(0, 0), (2, 3)]),
    "adam": (Experiment("adam"), [(-2, -2), (0, 3)]),
    "adamw": (Experiment("adamw", fixed=(("weight-decay", 0.01),)), [(-2, -2), (1, 3)]),
    "init-scale": (Experiment("gd", "lr", "init-scale"), [(0, 0.5), (2, 0.5)]),
}


@pytest.mark.parametrize("name", [n if n in ("momentum", "adamw") else pytest.param(n, marks=pytest.mark.slow)
                                  for n in QUICK])
def test_the_decimal_reference_agrees_with_numpys_on_quick_pixels(name):
    from viz.problem import reference_decimal

    experiment, points = QUICK[name]
    condition = CONDITIONS["tanh"]
    problem = load_problem(condition, 8, 100)
    xs, ys = axis_values(points)
    numpy_measures = reference.measure(problem, condition, xs, ys, experiment=experiment)
    decimal_measures = [float(reference_decimal.measure(problem, condition, x, y, experiment=experiment))
                        for x, y in zip(xs, ys)]
    np.testing.assert_allclose(decimal_measures, numpy_measures, rtol=1e-9)
    assert np.sign(numpy_measures).tolist() == [-1.0, 1.0]
