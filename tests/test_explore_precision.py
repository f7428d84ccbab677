"""The explorer past float64: double-double samples in their own store, on lattice levels float64 cannot reach."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from test_exact_windows import ACROSS
from test_refiner import refine

from viz.compute.process import EngineProcess
from viz.display.hud import Status, hud_lines
from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, find_bookmark, save_bookmark
from viz.explore.refiner import Refiner
from viz.explore.settings import ExploreRequest, settings_for
from viz.numeric.fixed import decimal_to_fixed
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import MAX_LEVEL, level_for
from viz.sampling.picture import picture
from viz.sampling.scheduler import next_batch
from viz.sampling.store import SampleStore
from viz.sampling.view import View, at_limit

QUICK = ProblemSpec("tanh", 8, 100)
QUICK_DD = ProblemSpec("tanh", 8, 100, precision="dd")


def across(cols: int = 8, rows: int = 2) -> View:
    """A view of 2**-69-decade pixels centred on ACROSS: 14,000 times finer than float64 resolves there."""
    x0, x1, y0, y1 = (Decimal(v) for v in ACROSS)
    return View(decimal_to_fixed((x0 + x1) / 2), decimal_to_fixed((y0 + y1) / 2), 2.0 ** -69, cols, rows)


def test_a_dd_store_asks_for_dd_pairs_on_levels_past_float64_and_an_f64_one_does_not():
    view = across()
    dd = next_batch(view, SampleStore(precision="dd"), 256)
    f64 = next_batch(view, SampleStore(), 256)
    assert dd.parts[0].key.level == level_for(view.pixel, "dd") == 69 and f64.parts[0].key.level == MAX_LEVEL
    assert dd.xs.dtype.names == ("hi", "lo") and len(np.unique(dd.xs)) == view.cols
    assert f64.xs.dtype == np.float64 and len(np.unique(f64.xs)) == 1  # float64: one value for all 8 columns


def test_the_worker_computes_distinct_dd_columns_across_the_boundary_in_a_store_of_their_own():
    view = across()
    with Refiner(QUICK_DD, EngineProcess("cpu"), cache_mb=16) as refiner:
        refine(refiner, view, timeout=400.0)
        deep = picture(view, refiner.store)
        refiner.select(QUICK)
        refine(refiner, view, timeout=120.0)
        flat = picture(view, refiner.store)
        stores = {key.precision: refiner._stores[key] for key in refiner.problems}
    assert set(stores) == {"f64", "dd"} and stores["dd"].precision == "dd" and stores["f64"].precision == "f64"
    assert len({deep[:, col].tobytes() for col in range(view.cols)}) == view.cols
    assert (deep < 0).any() and (deep > 0).any()  # both signs: the boundary runs through these 1.4e-20 decades
    assert len(np.unique(flat)) == 1  # float64 sees one point; its sample stayed out of the dd store
    assert {key.level for key in stores["dd"]._tiles} == {69}
    assert {key.level for key in stores["f64"]._tiles} == {MAX_LEVEL}


def status(precision: str, limit: str) -> Status:
    return Status("tanh", ("eta0", "eta1"), "quick", "cpu", None, 0.5, (1, 2), 30.0, None,
                  precision=precision, limit=limit)


def test_the_hud_prints_deep_numbers_apart_and_warns_at_the_limit_zooming_stops_at():
    view = across(4, 2)
    lines = hud_lines(view, status("precision: dd (auto: past float64)", "dd"))
    assert "precision: dd (auto: past float64)" in lines
    x_line = next(line for line in lines if line.startswith("x eta0: "))
    low, high = x_line.removeprefix("x eta0: ").split(" .. ")
    assert low != high and len(low.replace(".", "")) > 20, x_line
    assert not any("limit" in line for line in lines)
    limit = View(view.cx, view.cy, 1e-31, 4, 2)
    assert at_limit(limit, "dd")
    assert "double-double limit" in hud_lines(limit, status("precision: dd (forced)", "dd"))[-1]


def test_a_dd_bookmark_reopens_exactly_and_float64_refuses_it(tmp_path):
    view = across(64, 36)
    marks = tmp_path / "marks.toml"
    save_bookmark(marks, "deep", SavedView.of(view, QUICK_DD))
    text = marks.read_text()
    assert '"2.4530605526161081959' in text and 'precision = "dd"' in text  # the window's digits, not float64's
    saved = find_bookmark(marks, "deep")
    assert saved.problem == QUICK_DD and saved.view(64, 36) == view
    made = settings_for(ExploreRequest(bookmark="deep", bookmarks=marks, arch="cpu", size=(64, 36)))
    assert made.start.view(64, 36) == view and made.precision == "auto"
    with pytest.raises(UsageError, match="finer than float64 resolves"):
        settings_for(ExploreRequest(bookmark="deep", bookmarks=marks, arch="cpu", size=(64, 36), precision="f64"))


def test_a_typed_window_narrower_than_float64_opens_exactly_and_float64_refuses_it():
    made = settings_for(ExploreRequest(home=ACROSS, arch="cpu", size=(64, 36)))
    assert made.home.ends == tuple(Decimal(v) for v in ACROSS) and made.precision == "auto"
    view = View.of(made.home, 64, 36)
    x0, x1, y0, y1 = (Decimal(v) for v in ACROSS)
    assert (view.cx, view.cy) == (decimal_to_fixed((x0 + x1) / 2), decimal_to_fixed((y0 + y1) / 2))
    assert view.pixel == float((y1 - y0) / 36) and at_limit(view, "f64") and not at_limit(view, "dd")
    with pytest.raises(UsageError, match="finer than float64 resolves"):
        settings_for(ExploreRequest(home=ACROSS, arch="cpu", size=(64, 36), precision="f64"))
    with pytest.raises(UsageError, match="X0 < X1"):
        settings_for(ExploreRequest(home=(ACROSS[1], ACROSS[0], *ACROSS[2:]), arch="cpu", size=(64, 36)))
    plain = settings_for(ExploreRequest(home=(2.0, 3.0, 1.0, 2.0), arch="cpu", size=(64, 36)))
    assert plain.home.floats == (2.0, 3.0, 1.0, 2.0)  # a panel's floats read back as themselves
