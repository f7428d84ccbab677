"""The kernels' own tanh (a polynomial that vectorises) against libm's, in ulp.

Every pixel applies it hundreds of thousands of times, so an error of a few
ulp is what SPEC's check values allow; a wrong coefficient or range
reduction shows here directly rather than as a drift in a measure.
"""
import numpy as np
import pytest


@pytest.fixture(scope="module")
def kernel_tanh(engine_arch):
    """parts.tanh applied elementwise to a float64 array, in a Taichi kernel."""
    import taichi as ti

    from viz.compute.kernels.parts import make_parts

    tanh = make_parts(1).tanh

    @ti.kernel
    def apply(xs: ti.types.ndarray(dtype=ti.f64, ndim=1), out: ti.types.ndarray(dtype=ti.f64, ndim=1)):
        for i in range(xs.shape[0]):
            out[i] = tanh(xs[i])

    def run(xs):
        xs = np.ascontiguousarray(xs, dtype=np.float64)
        out = np.empty_like(xs)
        apply(xs, out)
        return out

    return run


def ulps(got, want):
    return np.abs(got - want) / np.spacing(np.abs(want))


def test_within_three_ulp_of_libm_from_tiny_to_saturated_on_both_signs(kernel_tanh):
    # From 1e-280: Taichi sets flush-to-zero, and below about 1e-292 an ulp is itself subnormal.
    magnitudes = np.concatenate([np.geomspace(1e-280, 25.0, 40_000),
                                 np.random.default_rng(0).uniform(0.0, 2.0, 40_000)])
    xs = np.concatenate([magnitudes, -magnitudes])
    errors = ulps(kernel_tanh(xs), np.tanh(xs))
    assert errors.max() <= 3.0, f"worst {errors.max():.2f} ulp at x = {xs[errors.argmax()]!r}"


def test_exact_at_zero_and_infinities_and_nan_passes_through(kernel_tanh):
    got = kernel_tanh(np.array([0.0, np.inf, -np.inf, 20.0, -40.0, np.nan]))
    assert got[0] == 0.0
    assert list(got[1:5]) == [1.0, -1.0, 1.0, -1.0]
    assert np.isnan(got[5])  # a non-finite weight must keep the loss non-finite
