"""The uncertainty exponent against boundaries of known dimension (synthetic sign fields, no engine)."""
from __future__ import annotations

import numpy as np
import pytest

from viz.errors import UsageError
from viz.paper.uncertainty import fit, uncertainty_exponent

UNIT = ((0.0, 1.0), (0.0, 1.0))


def below_line(points: np.ndarray) -> np.ndarray:
    return points[:, 1] < 0.3 * points[:, 0] + 0.2


def inside_circle(points: np.ndarray) -> np.ndarray:
    return np.hypot(points[:, 0] - 0.5, points[:, 1] - 0.5) < 0.3


def weierstrass(x: np.ndarray, b: float = 2.0, hurst: float = 0.5, terms: int = 48) -> np.ndarray:
    """W(x) = sum_k b^(-k H) cos(b^k x): its graph has box dimension 2 - H."""
    k = np.arange(terms)[:, None]
    return (b ** (-k * hurst) * np.cos(b ** k * x[None, :])).sum(axis=0)


def below_weierstrass(points: np.ndarray) -> np.ndarray:
    return points[:, 1] < weierstrass(points[:, 0])


@pytest.mark.parametrize("outcome", [below_line, inside_circle])
def test_a_smooth_boundary_has_dimension_one(outcome):
    result = uncertainty_exponent(outcome, UNIT, points=40_000, seed=1)
    assert abs(result.dimension - 1.0) < 0.05
    assert result.interval[0] <= 1.0 <= result.interval[1]
    assert sum(result.fitted) >= 3


def test_the_region_under_a_weierstrass_graph_has_dimension_one_and_a_half():
    window = ((0.0, 2 * np.pi), (-3.5, 3.5))
    result = uncertainty_exponent(below_weierstrass, window, points=20_000, seed=2)
    assert abs(result.dimension - 1.5) < 0.1
    assert result.interval[0] <= 1.5 <= result.interval[1]
    fitted = [e for e, used in zip(result.eps, result.fitted) if used]
    assert max(fitted) / min(fitted) >= 1e4  # the fit spans decades, not one step


def test_a_fixed_seed_gives_the_same_numbers_twice_and_another_seed_does_not():
    first, again = (uncertainty_exponent(inside_circle, UNIT, points=4000, seed=7) for _ in range(2))
    assert first == again
    other = uncertainty_exponent(inside_circle, UNIT, points=4000, seed=8)
    assert other.f != first.f


def test_the_json_record_holds_the_lists_and_the_interval():
    result = uncertainty_exponent(inside_circle, UNIT, points=4000, seed=3)
    record = result.as_json()
    assert record["dimension"] == result.dimension and record["interval"][0] <= record["dimension"]
    assert len(record["eps"]) == len(record["f"]) == len(result.eps)
    assert record["fit_eps"][0] <= record["fit_eps"][1]


def test_progress_reports_each_eps_in_order():
    seen = []
    uncertainty_exponent(inside_circle, UNIT, points=500, seed=0, eps=(0.1, 0.03, 0.01),
                         progress=lambda e, f, n: seen.append(e))
    assert seen == [0.1, 0.03, 0.01]


def test_too_few_changes_to_fit_is_one_usage_line():
    none_changed = np.zeros((100, 4), dtype=bool)
    with pytest.raises(UsageError, match="too few eps"):
        fit((1e-1, 1e-2, 1e-3, 1e-4), none_changed, 2)


def test_a_bad_window_or_count_is_a_usage_error():
    with pytest.raises(UsageError):
        uncertainty_exponent(inside_circle, ((1.0, 0.0), (0.0, 1.0)))
    with pytest.raises(UsageError):
        uncertainty_exponent(inside_circle, UNIT, points=1)
