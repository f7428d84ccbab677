"""The CUDA kernel's layout, checkable without a GPU; its numbers face the check-value suite on one.

On a machine with an NVIDIA GPU: NNFRACTAL_TEST_ARCH=cuda pytest -k "engine or early or agree"
tests/test_check_values.py tests/test_early_stop.py tests/test_agreement.py
"""
import pytest

from viz.compute.kernels.lanes import WARP, lanes_for
from viz.errors import UsageError


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
