"""The one exact Region: checked once when built, float views where float64 suffices, one saved encoding."""
import json
from decimal import Decimal

import pytest
import tomllib
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, parse_record, toml_text
from viz.numeric.fixed import to_fixed
from viz.problem.spec import ProblemSpec
from viz.sampling.region import Region
from viz.sampling.view import MAX_PIXEL, View


def test_ends_are_exact_and_floats_stand_for_themselves():
    deep = Region("1.1", "1.1" + "0" * 30 + "1", -2, Decimal("0.5"))
    assert deep.ends == (Decimal("1.1"), Decimal("1.1" + "0" * 30 + "1"), Decimal(-2), Decimal("0.5"))
    assert deep.floats[0] == deep.floats[1] == 1.1  # float64 cannot tell x0 and x1 apart; the region can
    plain = Region(-1.0, 0.5, 0.1, 2.0)
    assert plain.floats == (-1.0, 0.5, 0.1, 2.0) and plain == Region("-1", "0.5", "0.1", "2")
    assert Region.of(plain) is plain and Region.of(["-1", "0.5", "0.1", "2"]) == plain


@pytest.mark.parametrize("ends, message", [
    ((0.0, float("nan"), 0.0, 1.0), "four finite numbers"),
    ((0.0, float("inf"), 0.0, 1.0), "four finite numbers"),
    (("0", "1", "x", "1"), "four finite numbers"),
    ((1.0, 0.0, 0.0, 1.0), "X0 < X1 and Y0 < Y1"),
    (("1.1", "1.1", "0", "1"), "X0 < X1 and Y0 < Y1"),
    ((0.0, 1.0, 0.0, 250.0), "outside the axes"),
    (("0", "1", "0", "0." + "1" * 1001), "four finite numbers"),
    (("0", "1", "0", "1e-1001"), "decimal places"),
])
def test_a_bad_end_is_refused_in_one_line_when_the_region_is_built(ends, message):
    with pytest.raises(UsageError, match=message) as caught:
        Region(*ends)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("window", [(0.0, 1.0, 0.0), (), "0 1 0 1", None])
def test_not_four_ends_is_refused_in_one_line(window):
    with pytest.raises(UsageError, match="four finite numbers") as caught:
        Region.of(window)
    assert "\n" not in str(caught.value)


_end = st.one_of(
    st.floats(-200.0, 200.0, allow_nan=False),
    st.decimals(-200, 200, allow_nan=False, allow_infinity=False, places=40),
    st.integers(-200, 200),
)
_axis = st.tuples(_end, _end).map(sorted)


@settings(max_examples=200, deadline=None)
@given(x=_axis, y=_axis)
def test_a_region_round_trips_through_its_saved_encoding_exactly(x, y):
    assume(Decimal(str(x[0])) < Decimal(str(x[1])) and Decimal(str(y[0])) < Decimal(str(y[1])))  # str: shortest
    region = Region(*x, *y)
    assert Region.of(json.loads(json.dumps(region.record()))) == region
    saved = SavedView(ProblemSpec("tanh", 8, 100), region, 64, 36)
    marks = tomllib.loads(toml_text({"a": saved.record()}))
    assert parse_record(marks["a"], "a") == saved


@settings(max_examples=200, deadline=None)
@given(cx=st.floats(-100.0, 100.0), cy=st.floats(-100.0, 100.0), extra=st.integers(-2**70, 2**70),
       pixel=st.floats(1e-33, MAX_PIXEL), cols=st.integers(1, 1280), rows=st.integers(1, 1280))
def test_a_view_is_its_own_region_fitted(cx, cy, extra, pixel, cols, rows):
    view = View(to_fixed(cx) + extra, to_fixed(cy), pixel, cols, rows)
    assert View.of(view.region, cols, rows) == view
    assert SavedView.of(view, ProblemSpec()).view(cols, rows) == view
