"""`nnfractal boundary` and bisect_boundary_dd: a boundary point bisected in double-double, and its bad input."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from viz.cli.app import main
from viz.errors import UsageError
from viz.numeric.dd import from_dd
from viz.numeric.fixed import exp10_decimal

#: A converged and a diverged x on the quick preset's row log10 y = 1.5 (tanh), 1e-5 decades apart.
ROW = ["--row", "1.5", "--converged", "2.45301", "--diverged", "2.45302", "--preset", "quick"]


@pytest.mark.parametrize("extra, message", [
    (["--decades", "40"], "at most 30 decades"),
    (["--decades", "0"], "at most 30 decades"),
    (["--diverged", "2.45301000"], "must differ"),
    (["--readout", "probe"], "--readout measure"),
    (["--row", "1.5x"], "finite number"),
    (["--arch", "cuda"], "CPU only"),
])
def test_bad_input_is_one_line_and_exit_2_before_any_work(capsys, extra, message):
    assert main(["boundary", *ROW, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


class ThresholdEngine:
    """A stand-in engine whose boundary is one exact point: runs diverge for log10 x past THRESHOLD."""

    THRESHOLD = Fraction(Decimal("2.45301234567890123456789012345"))
    problems = []

    def __init__(self, spec, arch):
        self.problems.append(spec)
        self.value = Fraction(exp10_decimal(self.THRESHOLD))  # the learning rate there, to 60 digits

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def measure(self, xs, ys):
        return np.array([1.0 if from_dd(x["hi"], x["lo"]) > self.value else -1.0 for x in xs])


@pytest.mark.parametrize("decades", [6, 20, 28])
def test_bisection_lands_within_its_decades_of_the_boundary(monkeypatch, decades):
    import viz.compute.isolated
    from viz.problem.spec import ProblemSpec
    from viz.sampling.boundary import bisect_boundary_dd

    monkeypatch.setattr(viz.compute.isolated, "IsolatedEngine", ThresholdEngine)
    x = bisect_boundary_dd(ProblemSpec("tanh", 8, 100), "1.5", "2.45301", "2.45302", decades)
    assert abs(Fraction(x) - ThresholdEngine.THRESHOLD) <= Fraction(1, 10 ** decades)
    assert -x.as_tuple().exponent == decades + 2 and ThresholdEngine.problems[-1].precision == "dd"
    with pytest.raises(UsageError, match="does not converge"):  # the two sides swapped
        bisect_boundary_dd(ProblemSpec("tanh", 8, 100), "1.5", "2.45302", "2.45301", decades)


def test_the_command_prints_a_point_between_its_two_sides(capsys):
    assert main(["boundary", *ROW, "--decades", "6", "--arch", "cpu"]) == 0
    x = Decimal(capsys.readouterr().out.strip())
    assert Decimal("2.45301") < x < Decimal("2.45302") and -x.as_tuple().exponent == 8  # 6 decades + 2 digits
