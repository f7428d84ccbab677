"""The one chunked compute loop: every pixel of the order once, a chunk per call, finished chunks kept on Ctrl-C."""
import numpy as np
import pytest

from viz.compute.loop import compute_pixels, still_order


def test_each_pixel_once_in_chunks_with_progress():
    xs, ys = np.arange(10.0), np.arange(10.0) * 2
    out = np.full(10, np.nan)
    calls, told = [], []

    def measure(px, py):
        calls.append(px.size)
        return px + py

    compute_pixels(measure, xs, ys, out, np.array([3, 1, 4, 0, 5, 9, 2, 6, 8, 7]), lambda d, t: told.append((d, t)), 4)
    np.testing.assert_array_equal(out, xs + ys)
    assert calls == [4, 4, 2] and told == [(4, 10), (8, 10), (10, 10)]


def test_an_interrupt_keeps_the_finished_chunks():
    out = np.full(6, np.nan)

    def measure(px, py):
        if px[0] >= 4:
            raise KeyboardInterrupt
        return px

    with pytest.raises(KeyboardInterrupt):
        compute_pixels(measure, np.arange(6.0), np.zeros(6), out, np.arange(6), chunk=2)
    np.testing.assert_array_equal(out[:4], [0, 1, 2, 3])
    assert np.isnan(out[4:]).all()


def test_a_still_scatters_its_pixels_on_a_cpu_and_keeps_them_in_order_on_cuda():
    assert sorted(still_order("cpu", 50)) == list(range(50)) and list(still_order("cpu", 50)) != list(range(50))
    assert list(still_order("cuda", 50)) == list(range(50))
