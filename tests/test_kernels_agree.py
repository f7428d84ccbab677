"""Every training kernel computes what the one-thread-per-pixel CPU kernel computes.

The lockstep CPU kernel (viz/compute/kernels/lockstep.py) serves narrow networks; the
CUDA kernel (viz/compute/kernels/lanes.py) with one lane holding all the columns has
no shuffles, so its arithmetic runs on a CPU too. Both face the per-pixel
kernel on every condition and readout, at width 8 and at width 6 (which
leaves padding: lanes' columns beyond the width, a lockstep block's spare
lanes). 12 steps keep rounding differences (the kernels sum in different
orders) from growing chaotic: at 30 steps a few tanh pixels near the
boundary already differ by 1e-3.
"""
import numpy as np
import pytest

from viz.compute.engine import Engine
from viz.compute.kernels.choice import Kernel, build_kernel, in_order
from viz.compute.kernels.lockstep import block_order
from viz.problem.arrays import load_problem
from viz.problem.conditions import CONDITIONS

CONDITION_NAMES = ["tanh", "relu", "linear", "minibatch", "single", "init", "init-once"]


def _build(layout: str, width: int) -> Kernel:
    if layout == "cuda, one lane":
        from viz.compute.kernels.lanes import build_lane_kernel

        return Kernel(build_lane_kernel(width, 8), in_order)
    return build_kernel(layout, width)


def _measures(backend, kernel, problem, condition, readout, xs, ys):
    return Engine(backend, problem, CONDITIONS[condition], readout, kernel=kernel).measure(xs, ys)


@pytest.mark.parametrize("condition", CONDITION_NAMES)
@pytest.mark.parametrize("width", [8, 6])
@pytest.mark.parametrize("kernel", ["lockstep", "cuda, one lane"])
def test_the_kernel_matches_the_per_pixel_kernel(engine_backend, kernel, width, condition):
    if engine_backend.arch != "cpu":
        pytest.skip("these layouts are built for the CPU here")
    problem = load_problem(CONDITIONS[condition], width, 12, seed=3)
    axis = 10.0 ** np.linspace(-2, 4, 9)
    xs, ys = (a.ravel() for a in np.meshgrid(axis, axis))
    reference, candidate = _build("per-pixel", width), _build(kernel, width)
    expected = _measures(engine_backend, reference, problem, condition, "measure", xs, ys)
    assert (expected > 0).any() and (expected < 0).any(), "the grid must hold both outcomes"
    np.testing.assert_allclose(_measures(engine_backend, candidate, problem, condition, "measure", xs, ys),
                               expected, rtol=1e-9)
    # The probe output of a diverging run magnifies rounding: compare it where runs converge.
    converged = expected < 0
    probe = _measures(engine_backend, candidate, problem, condition, "probe", xs, ys)
    np.testing.assert_allclose(probe[converged],
                               _measures(engine_backend, reference, problem, condition, "probe", xs, ys)[converged],
                               rtol=1e-9)


@pytest.mark.parametrize("count", [1, 15, 16, 17, 100])
def test_block_order_gives_each_thread_neighbouring_pixels_and_covers_all(count):
    order = block_order(count, lanes=16)
    assert order.size % 16 == 0 and order.size < count + 16
    assert set(order.tolist()) == set(range(count))
    for block in order.reshape(-1, 16):
        assert np.all(np.diff(block) >= 0) and np.all(np.diff(block) <= 1)  # a run of neighbours, then padding
    assert (order == count - 1).sum() == order.size - count + 1  # the padding repeats the last pixel


def test_the_cuda_kernel_trains_an_optimiser_as_the_per_pixel_kernel_does(engine_backend):
    """One experiment that takes most of make_optimiser's paths: AdamW's two states and decoupled decay,
    an lr axis and an init-scale axis; the CUDA kernel in its one-lane form (no shuffles) on the CPU."""
    if engine_backend.arch != "cpu":
        pytest.skip("these layouts are built for the CPU here")
    from viz.compute.kernels.lanes import build_lane_kernel
    from viz.compute.kernels.per_pixel import build_per_pixel_kernel
    from viz.problem.experiment import Experiment

    experiment = Experiment("adamw", "lr", "init-scale", (("weight-decay", 0.01),))
    problem = load_problem(CONDITIONS["tanh"], 6, 12, seed=3)
    xs, ys = (a.ravel() for a in np.meshgrid(10.0 ** np.linspace(-2, 3, 9), 10.0 ** np.linspace(-1, 1, 9)))
    kernels = (Kernel(build_per_pixel_kernel(6, "adamw"), in_order),
               Kernel(build_lane_kernel(6, 8, "adamw"), in_order))
    expected, got = (Engine(engine_backend, problem, CONDITIONS["tanh"], kernel=k, experiment=experiment)
                     .measure(xs, ys) for k in kernels)
    assert (expected > 0).any() and (expected < 0).any(), "the grid must hold both outcomes"
    converged = expected < 0  # diverging runs magnify the kernels' different summation orders (8e-8 seen)
    np.testing.assert_allclose(got[converged], expected[converged], rtol=1e-9)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
