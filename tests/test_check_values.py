"""SPEC.md's check values (n = 16, 500 steps, the paper's arrays), for the engine and the reference.

Held to 1e-6 relative, except where round-off provably decides the outcome:
SPEC names three points where two JAX versions disagree (sign and 15%), and
the init conditions at (1, 2) flip between converging and diverging when the
learning rate moves by one ulp (shown below), so there the check value must
be among the outcomes of the neighbouring ulps.
"""
import numpy as np
import pytest

from viz.compute.engine import Engine
from viz.problem import reference
from viz.problem.arrays import load_problem
from viz.problem.conditions import CONDITIONS

POINTS = [(0.0, 0.0), (1.0, 2.0), (2.0, 0.5), (-1.0, 3.0)]
CHECK = {
    "tanh": [-436.178134829, -139.442985842, -93.8888594568, 1.42180330717],
    "relu": [-422.026865119, 2.37726688796, -292.515209862, 1.03976033341],
    "linear": [-54.3947521173, 3.74139876652, -10.8106608698, 1.02075401792],
    "single": [-3.66664718531, 1.51809762096, -1.00025606412, 1.00079052844],
    "minibatch": [-440.15197921, 199.213478157, -309.575654205, 1.05072846688],
    "init": [-494.032574949, 1.31909017329, -485.756958849, 1.39107340674],
    "init-once": [-451.919499837, -245330863.544, -483.764600442, 1.38849762703],
}
PROBE = [0.417748144617, -0.693337984209, -0.620052139837, 1e6]
#: SPEC: the reference's own JAX versions disagree here beyond round-off.
SPEC_CHAOTIC = {("minibatch", 1), ("minibatch", 2), ("linear", 2)}
#: Outcome decided by one ulp of the learning rate (test_ulp_chaos shows it).
ULP_CHAOTIC = {("init", 1), ("init-once", 1)}
ULPS = np.arange(-8, 9)


def _measure(impl, name, xs, ys, readout="measure"):
    """`impl` is the engine's Backend, or "reference"."""
    condition = CONDITIONS[name]
    problem = load_problem(condition, 16, 500)
    if impl != "reference":
        return Engine(impl, problem, condition, readout).measure(xs, ys)
    return reference.measure(problem, condition, xs, ys, readout)


@pytest.fixture(params=["engine", "reference"])
def impl(request):
    """The session's Backend for the engine, or "reference"."""
    if request.param == "engine":
        return request.getfixturevalue("engine_backend")
    return request.param


def _points():
    xs = np.array([10.0 ** x for x, _ in POINTS])
    ys = np.array([10.0 ** y for _, y in POINTS])
    return xs, ys


def _ulp_neighbours(i):
    x, y = POINTS[i]
    ys = 10.0 ** y * (1.0 + ULPS * 2.0 ** -52)
    return np.full(ys.size, 10.0 ** x), ys


@pytest.mark.parametrize("name", list(CHECK))
def test_check_values(impl, name):
    with np.errstate(all="ignore"):
        got = _measure(impl, name, *_points())
    for i, want in enumerate(CHECK[name]):
        if (name, i) in SPEC_CHAOTIC:
            assert np.sign(got[i]) == np.sign(want), (name, POINTS[i], got[i], want)
            assert got[i] == pytest.approx(want, rel=0.15), (name, POINTS[i])
        elif (name, i) not in ULP_CHAOTIC:
            assert got[i] == pytest.approx(want, rel=1e-6), (name, POINTS[i])


@pytest.mark.parametrize("name,i", sorted(ULP_CHAOTIC))
def test_ulp_chaotic_points_hold_the_check_value_among_neighbours(impl, name, i):
    with np.errstate(all="ignore"):
        got = _measure(impl, name, *_ulp_neighbours(i))
    want = CHECK[name][i]
    same_side = got[np.sign(got) == np.sign(want)]
    if want > 0:
        # A diverged run blows up within a few steps: its sum is stable to round-off.
        assert np.any(np.abs(same_side - want) <= 1e-6 * want), (got, want)
    else:
        # A converged run's sum comes from a long chaotic transient at the 1e6
        # clip: its size varies between neighbouring ulps by tens of percent
        # (the CUDA kernel, summing over lanes in another order, lands at
        # 0.58-0.66 of SPEC's value on an H200; the CPU kernel within 1.5x).
        assert np.any(np.abs(np.log(same_side / want)) < np.log(2.0)), (got, want)


@pytest.mark.parametrize("name,i", sorted(ULP_CHAOTIC))
def test_ulp_chaos(impl, name, i):
    """Why those points are exempt: one ulp of learning rate flips converge/diverge."""
    with np.errstate(all="ignore"):
        got = _measure(impl, name, *_ulp_neighbours(i))
    assert np.any(got < 0) and np.any(got > 0), got


def test_probe_values(impl):
    got = _measure(impl, "tanh", *_points(), readout="probe")
    np.testing.assert_allclose(got, PROBE, rtol=1e-6)
