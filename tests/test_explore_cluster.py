"""`explore --cluster local:2` under a private Xvfb: one batch in flight per worker, the engine's samples."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest
from conftest import private_xvfb, release_current_egl
from lattice_points import view_tiles

pytestmark = pytest.mark.display


@pytest.mark.slow  # test_refiner_cluster.py drives the refiner over a cluster in the default suite
def test_explore_on_local2_refines_the_default_view_with_the_engines_samples(tmp_path, engine_backend):
    from viz.cli.app import build_parser
    from viz.cli.explore import request_from
    from viz.compute.engine import build_engine
    from viz.display.hud import status_lines
    from viz.explore.settings import settings_for
    from viz.explore.status import status
    from viz.explore.window import Explorer
    from viz.problem.conditions import DEFAULT_WINDOW
    from viz.sampling.coverage import coverage
    from viz.sampling.lattice import axis_values

    args = build_parser().parse_args(["explore", "--cluster", "local:2", "--arch", "cpu", "--preset", "quick",
                                      "--size", "192x108", "--bookmarks", str(tmp_path / "marks.toml")])
    settings = settings_for(request_from(args))
    assert settings.cluster == "local:2" and settings.home.floats == DEFAULT_WINDOW
    settings.vsync = False
    with private_xvfb() as display:
        old = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = display
        release_current_egl()
        try:
            with Explorer(settings) as explorer:
                refiner, most = explorer.session.refiner, 0
                deadline = time.monotonic() + 600
                while refiner.busy or coverage(explorer.session.view, refiner.store).fraction < 1.0:
                    assert time.monotonic() < deadline, "the view was not refined in time"
                    explorer.frame()
                    most = max(most, refiner.in_flight)
                view, store = explorer.session.view, refiner.store
                lines = status_lines(status(explorer.session))
        finally:
            if old is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = old
    assert most == 2, "one batch in flight per worker"
    assert refiner.workers == 2 and any(line.startswith("cluster: 2 workers, ") for line in lines), lines
    engine = build_engine(settings.problem, engine_backend)
    checked = 0
    for key in view_tiles([view]):
        tile = store.get(key)
        if tile is None:
            continue
        rows, cols = np.nonzero(~np.isnan(tile))
        want = engine.measure(axis_values(key.level, key.tx)[cols], axis_values(key.level, key.ty)[rows])
        assert tile[rows, cols].tobytes() == want.tobytes(), f"tile {key} differs from the engine"
        checked += rows.size
    assert checked > 1000

