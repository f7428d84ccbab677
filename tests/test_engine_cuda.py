"""The CUDA kernel's layout, checkable without a GPU; its numbers face the check-value suite on one.

On a machine with an NVIDIA GPU: NNFRACTAL_TEST_ARCH=cuda pytest -k "engine or early or agree"
tests/test_check_values.py tests/test_early_stop.py tests/test_agreement.py
"""
import numpy as np
import pytest

from viz.conditions import CONDITIONS
from viz.engine import Engine
from viz.engine_cuda import WARP, lanes_for
from viz.errors import UsageError
from viz.problem import load_problem


@pytest.mark.parametrize("width,lanes", [(1, 1), (2, 2), (3, 4), (8, 8), (9, 16), (16, 16), (17, 32), (32, 32)])
def test_with_one_column_a_lane_a_pixel_gets_the_smallest_power_of_two_lanes_holding_its_width(width, lanes):
    assert lanes_for(width, 1) == lanes
    assert WARP % lanes_for(width, 1) == 0  # a group never straddles two warps


@pytest.mark.parametrize("width,cols,most", [(0, 1, 32), (33, 1, 32), (64, 1, 32), (65, 2, 64)])
def test_widths_beyond_a_warp_are_refused(width, cols, most):
    with pytest.raises(UsageError, match=f"widths 1..{most},"):
        lanes_for(width, cols)


@pytest.mark.parametrize("width,cols,lanes", [(16, 2, 8), (16, 1, 16), (8, 2, 4), (6, 8, 1), (33, 2, 32)])
def test_lanes_hold_the_width_a_few_columns_each(width, cols, lanes):
    assert lanes_for(width, cols) == lanes
    assert lanes * cols >= width > (lanes // 2) * cols


@pytest.mark.parametrize("condition", ["tanh", "relu", "linear", "minibatch", "single", "init", "init-once"])
@pytest.mark.parametrize("width,cols", [(8, 8), (6, 8)])
def test_the_lane_kernels_arithmetic_matches_the_cpu_kernel(engine_arch, monkeypatch, condition, width, cols):
    """With one lane holding all the columns there are no shuffles, so the CUDA kernel runs on a CPU.

    That checks its column bookkeeping (which columns a lane holds, the
    zero padding beyond the width, the init offsets, the readouts) against
    the CPU kernel. 12 steps keep rounding differences (the kernels sum in
    different orders) from growing chaotic: at 30 steps a few tanh pixels
    near the boundary already differ by 1e-3.
    """
    if engine_arch != "cpu":
        pytest.skip("the one-lane layout is built for the CPU here")
    from viz import engine, engine_cuda

    problem = load_problem(CONDITIONS[condition], width, 12, seed=3)
    axis = 10.0 ** np.linspace(-2, 4, 9)
    xs, ys = (a.ravel() for a in np.meshgrid(axis, axis))
    cpu = {readout: Engine(problem, CONDITIONS[condition], readout).measure(xs, ys) for readout in ("measure", "probe")}
    lane_kernel = engine_cuda.build_lane_kernel(width, cols)
    monkeypatch.setattr(engine, "_kernel_for_width", lambda _width: lane_kernel)
    # The probe output of a diverging run magnifies rounding: compare it where runs converge.
    where = {"measure": np.ones(xs.size, bool), "probe": cpu["measure"] < 0}
    for readout, expected in cpu.items():
        got = Engine(problem, CONDITIONS[condition], readout).measure(xs, ys)
        np.testing.assert_allclose(got[where[readout]], expected[where[readout]], rtol=1e-9,
                                   err_msg=f"{condition}, {readout}")
    assert (cpu["measure"] > 0).any() and (cpu["measure"] < 0).any(), "the grid must hold both outcomes"
