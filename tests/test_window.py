"""The explorer's window under a private Xvfb: real input through xdotool, the framebuffer read back."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import private_xvfb
from lattice_points import distinct_points

from viz.colour.equalise import sign_from_rgb
from viz.display.hud import hud_lines
from viz.explore.status import status
from viz.problem.conditions import DEFAULT_WINDOW, PRESETS, home_window, panel_log_window
from viz.sampling.coverage import coverage
from viz.sampling.lattice import axis_map, level_for, sample_values
from viz.sampling.view import View, hyper_at, log_at, pixel_of, zoom

pytestmark = pytest.mark.display

TITLE = "nnfractal window test"
SIZE = (192, 108)


@pytest.fixture(scope="module")
def display():
    """A private X server for this module (its DISPLAY value)."""
    with private_xvfb() as server:
        yield server


def settings(tmp_path, **changes):
    from explore_fakes import settings as base

    return base(tmp_path, **dict(dict(size=SIZE, vsync=False, title=TITLE), **changes))


@pytest.fixture(scope="module")
def built_kernels(engine_backend):
    """Both widths' kernels built and in Taichi's disk cache before the window starts.

    The explorer's worker process loads them from there; building one
    inside a test (a first build takes minutes on a busy 2-core machine)
    would stall the worker past the tests' deadlines.
    """
    from viz.compute.engine import build_engine
    from viz.problem.spec import ProblemSpec

    for preset in PRESETS.values():
        build_engine(ProblemSpec("tanh", preset.width, preset.steps), engine_backend).prepare()


@pytest.fixture(scope="module")
def window(display, tmp_path_factory, built_kernels):
    """One real window for the module (each start loads the kernel in a new worker: seconds)."""
    from conftest import release_current_egl

    from viz.explore.window import Explorer

    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    release_current_egl()
    try:
        with Explorer(settings(tmp_path_factory.mktemp("explore"))) as running:
            yield running
    finally:
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old


@pytest.fixture
def explorer(window):
    """The module's window as it first opened, whatever the test before did: tests do not depend on order."""
    session = window.session
    if session.files.recording is not None:
        session.files.toggle_recording()
    session.select(condition="tanh", preset=PRESETS["quick"])
    session.arithmetic.mode = "auto"
    session.follow_precision()
    session.set_view(View.fit(*DEFAULT_WINDOW, *SIZE))
    session.show_hud = session.show_help = False
    session.pointer.hold, session.pointer.dragging, session.messages = 0, False, []  # the cursor is X's
    window.frame()
    return window


def xdo(display, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True, timeout=10, check=True)
    return done.stdout


def pump(explorer, until, timeout: float = 120.0) -> None:
    """Run frames until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out"
        explorer.frame()


def settled(explorer) -> bool:
    """The view is computed and its colour scale has finished easing."""
    scale = explorer.session.frame.scale
    refiner = explorer.session.refiner
    return (coverage(explorer.session.view, refiner.store).fraction == 1.0 and not refiner.busy
            and scale.shown is not None and np.array_equal(scale.shown, scale.target))


def go_home(explorer) -> None:
    explorer.session.select(condition="tanh", preset=PRESETS["quick"])
    explorer.session.reset()
    # Generous: the worker runs niced, and on a loaded 2-core machine a full
    # refine of the home view can take minutes instead of seconds.
    pump(explorer, lambda: settled(explorer), timeout=400.0)


def point_at(display, explorer, col: int, row_from_top: int) -> tuple[float, float]:
    """Put the pointer over a window pixel; its position in view pixels (bottom-left origin)."""
    xdo(display, "mousemove", str(col), str(row_from_top))  # no --sync: it hangs if already there
    session = explorer.session
    pump(explorer, lambda: session.pointer.cursor == (col, session.view.rows - row_from_top), timeout=5)
    return float(col), float(explorer.session.view.rows - row_from_top)


def test_window_opens_at_the_asked_size(explorer, display):
    window = xdo(display, "search", "--sync", "--name", TITLE).split()[0]
    assert f"Geometry: {SIZE[0]}x{SIZE[1]}" in xdo(display, "getwindowgeometry", window)
    assert (explorer.session.view.cols, explorer.session.view.rows) == SIZE


def test_red_and_blue_regions_match_the_engine(explorer, engine_backend):
    from viz.compute.engine import build_engine
    from viz.problem.spec import ProblemSpec

    go_home(explorer)
    image = explorer.grab_screen()  # the window's own framebuffer (HUD hidden)
    view = explorer.session.view
    level = level_for(view.pixel)
    # The sample each pixel shows, on a 48 x 27 grid of pixels, measured by the engine in this process.
    cols, rows = np.arange(0, view.cols, 4), np.arange(0, view.rows, 4)
    mx, my = axis_map(view.cx, view.cols, view.pixel, level), axis_map(view.cy, view.rows, view.pixel, level)
    xs = sample_values(level, mx.base + mx.rel[cols])
    ys = sample_values(level, my.base + my.rel[rows])
    gx, gy = np.meshgrid(xs, ys)
    engine = build_engine(ProblemSpec("tanh", 8, 100), engine_backend)
    diverged = engine.measure(gx.ravel(), gy.ravel()).reshape(gx.shape) >= 0
    drawn = sign_from_rgb(image[::-1][np.ix_(rows, cols)]) > 0  # row 0 = bottom, as the view counts
    assert 0.1 < diverged.mean() < 0.9  # both colours are on screen
    np.testing.assert_array_equal(drawn, diverged)


def test_wheel_zooms_about_the_cursor(explorer, display):
    go_home(explorer)
    before = explorer.session.view
    px, py = point_at(display, explorer, 50, 30)
    under = hyper_at(before, px, py)
    xdo(display, "click", "--repeat", "3", "--delay", "20", "4")  # wheel up three notches
    pump(explorer, lambda: explorer.session.view.pixel < before.pixel / 1.6, timeout=10)
    after = explorer.session.view
    np.testing.assert_allclose(after.pixel, before.pixel / 2.0 ** 0.75, rtol=1e-12)
    np.testing.assert_allclose(hyper_at(after, px, py), under, rtol=1e-12)


def test_drag_pans_with_the_pointer(explorer, display):
    go_home(explorer)
    before = explorer.session.view
    point_at(display, explorer, 100, 50)
    was = log_at(before, 100, before.rows - 50)
    xdo(display, "mousedown", "1")
    for x, y in ((90, 55), (75, 62), (60, 70)):
        xdo(display, "mousemove", "--sync", str(x), str(y))
    xdo(display, "mouseup", "1")
    pump(explorer, lambda: explorer.session.view != before and not explorer.session.pointer.dragging, timeout=5)
    np.testing.assert_allclose(log_at(explorer.session.view, 60, before.rows - 70), was, atol=1e-12)


def test_zoom_in_computes_no_lattice_point_twice(explorer, display):
    from viz.explore.actions import KEY_ZOOM

    go_home(explorer)
    home = explorer.session.view
    inner = zoom(home, KEY_ZOOM)[0]
    store = explorer.session.refiner.store
    held, before = distinct_points(store, [home, inner]), explorer.session.refiner.evaluations
    needed = sum(n for _, _, n in coverage(inner, store).levels)
    point_at(display, explorer, 96, 54)
    xdo(display, "key", "Prior")  # PageUp: 2x about the centre
    pump(explorer, lambda: explorer.session.view == inner, timeout=5)
    pump(explorer, lambda: settled(explorer))
    computed = explorer.session.refiner.evaluations - before
    assert computed == distinct_points(store, [home, inner]) - held  # each new point once
    assert 0 < computed < needed  # and the points the home view had were not computed again


def test_keys_switch_condition_and_preset_and_reset(explorer, display):
    go_home(explorer)
    point_at(display, explorer, 96, 54)
    xdo(display, "key", "2")
    pump(explorer, lambda: explorer.session.problem.condition == "relu", timeout=5)
    xdo(display, "key", "p")
    pump(explorer, lambda: explorer.session.preset.name == "paper", timeout=5)
    xdo(display, "key", "1", "p", "Next", "Left")  # back to tanh quick, zoom out, pan
    pump(explorer, lambda: explorer.session.preset.name == "quick" and explorer.session.view.pixel > 0.09, timeout=5)
    xdo(display, "key", "r")
    pump(explorer, lambda: explorer.session.view == View.fit(*DEFAULT_WINDOW, *SIZE), timeout=5)
    assert explorer.session.problem.condition == "tanh"
    xdo(display, "key", "question", "h")
    pump(explorer, lambda: explorer.session.show_help and explorer.session.show_hud, timeout=5)
    xdo(display, "key", "question", "h")
    pump(explorer, lambda: not explorer.session.show_help and not explorer.session.show_hud, timeout=5)


def test_a_switch_that_leaves_one_colour_goes_home_and_one_that_shows_both_keeps_the_view(explorer, display):
    go_home(explorer)
    xdo(display, "key", "Left")
    pump(explorer, lambda: explorer.session.view != View.fit(*DEFAULT_WINDOW, *SIZE), timeout=5)
    panned = explorer.session.view
    xdo(display, "key", "2")  # relu: this view shows both colours at the quick preset
    session = explorer.session
    pump(explorer, lambda: session.problem.condition == "relu" and not session.check_colours, timeout=400)
    assert explorer.session.view == panned
    tanh_panel = View.fit(*panel_log_window("tanh"), *SIZE)  # all diverged at the quick preset
    explorer.session.set_view(tanh_panel)
    xdo(display, "key", "3")
    pump(explorer, lambda: session.problem.condition == "linear" and not session.check_colours, timeout=400)
    assert explorer.session.view == View.fit(*home_window("linear", "quick"), *SIZE)
    assert "home view" in status(explorer.session).message


def test_r_goes_to_the_conditions_home_at_the_preset_with_its_own_axes(explorer, display):
    go_home(explorer)
    xdo(display, "key", "6", "p", "r")
    pump(explorer, lambda: explorer.session.problem.condition == "init" and explorer.session.preset.name == "paper"
         and explorer.session.view == View.fit(*panel_log_window("init"), *SIZE), timeout=10)
    lines = hud_lines(explorer.session.view, status(explorer.session))
    assert any(line.startswith("x W0 offset: 0.19606182") for line in lines), lines
    assert any(line.startswith("y learning rate: 39.02546") for line in lines), lines


def test_n_zooms_in_on_the_boundary_nearest_the_centre(explorer, display):
    go_home(explorer)
    before, shown = explorer.session.view, explorer.session.frame.measures.copy()
    xdo(display, "key", "n")
    pump(explorer, lambda: explorer.session.view != before, timeout=5)
    after = explorer.session.view
    assert after.pixel == before.pixel / 2
    lx, ly = log_at(after, after.cols / 2.0, after.rows / 2.0)
    px, py = pixel_of(before, float(lx), float(ly))
    col, row = round(px), int(py)
    assert (shown[row, col - 1] > 0) != (shown[row, col] > 0)  # the new centre sits on a sign change


def test_holding_z_zooms_in_and_x_out(explorer, display):
    go_home(explorer)
    point_at(display, explorer, 96, 54)
    start = explorer.session.view.pixel
    xdo(display, "keydown", "z")
    pump(explorer, lambda: explorer.session.view.pixel < start / 1.3, timeout=10)
    xdo(display, "keyup", "z")
    xdo(display, "keydown", "x")
    pump(explorer, lambda: explorer.session.view.pixel > start, timeout=10)
    xdo(display, "keyup", "x")
    pump(explorer, lambda: explorer.session.pointer.hold == 0, timeout=5)


def test_s_saves_a_screenshot_and_b_a_bookmark_that_reopen_the_view(explorer, display):
    from viz.explore.bookmarks import find_bookmark, from_png, load_bookmarks

    go_home(explorer)
    point_at(display, explorer, 96, 54)
    xdo(display, "key", "Prior", "Prior")
    pump(explorer, lambda: explorer.session.view.pixel < View.fit(*DEFAULT_WINDOW, *SIZE).pixel / 3, timeout=5)
    view = explorer.session.view
    xdo(display, "key", "s", "b")
    folder = explorer.session.settings.recordings
    pump(explorer, lambda: folder.is_dir() and any(folder.glob("*.png"))
         and explorer.session.settings.bookmarks.exists(), timeout=10)
    shot = next(folder.glob("*.png"))
    assert from_png(shot).view(*SIZE) == view
    (name,) = load_bookmarks(explorer.session.settings.bookmarks)
    saved = find_bookmark(explorer.session.settings.bookmarks, name)
    assert saved.view(*SIZE) == view and saved.problem.condition == "tanh" and saved.problem.width == 8


def test_f_toggles_fullscreen_and_the_view_follows_the_window(explorer, display):
    go_home(explorer)
    point_at(display, explorer, 96, 54)
    centre = (explorer.session.view.cx, explorer.session.view.cy)
    xdo(display, "key", "f")
    pump(explorer, lambda: (explorer.session.view.cols, explorer.session.view.rows) == (640, 480), timeout=10)
    assert (explorer.session.view.cx, explorer.session.view.cy) == centre
    xdo(display, "mousemove", "96", "54", "key", "F11")
    pump(explorer, lambda: (explorer.session.view.cols, explorer.session.view.rows) == SIZE, timeout=10)
    assert explorer.grab().shape == (SIZE[1], SIZE[0], 3)


def test_v_records_the_picture_to_an_mp4(explorer, display):
    go_home(explorer)
    point_at(display, explorer, 96, 54)
    xdo(display, "key", "v")
    pump(explorer, lambda: explorer.session.files.recording is not None, timeout=5)
    started = time.monotonic()
    pump(explorer, lambda: time.monotonic() - started > 0.5, timeout=5)
    xdo(display, "key", "v")
    pump(explorer, lambda: explorer.session.files.recording is None, timeout=10)
    (video,) = explorer.session.settings.recordings.glob("*.mp4")
    assert video.stat().st_size > 1000


def test_hud_draws_without_gl_errors(explorer, display):
    go_home(explorer)
    explorer.session.show_hud, explorer.session.show_help = True, True
    try:
        plain = explorer.grab()
        explorer.grab_screen()  # imgui sizes auto-resized panels on their first frame, unseen
        with_hud = explorer.grab_screen()
    finally:
        explorer.session.show_hud, explorer.session.show_help = False, False
    assert explorer.ctx.error == "GL_NO_ERROR"
    assert (plain != with_hud).any(axis=2).mean() > 0.05  # text and panels over the picture


def test_frames_keep_coming_while_the_worker_is_busy(explorer):
    # The paper preset's first batch (256 runs, 4e10 flops, and a kernel compile unless cached)
    # keeps the CPU worker busy for seconds; the next test's fixture switches back to quick.
    explorer.session.select(preset=PRESETS["paper"])
    pump(explorer, lambda: explorer.session.refiner.busy, timeout=10)
    frames, start = 0, time.monotonic()
    while time.monotonic() - start < 1.0:
        explorer.session.zoom_by(1.01)  # a moving view is drawn every frame
        explorer.frame()
        frames += 1
    assert explorer.session.refiner.busy  # still compiling or training
    assert frames >= 10


def test_escape_quits_within_a_second_even_mid_compute(display, tmp_path):
    env = dict(os.environ, DISPLAY=display)
    proc = subprocess.Popen([sys.executable, "-m", "viz", "explore", "--preset", "paper", "--arch", "cpu",
                             "--size", "320x180", "--bookmarks", str(tmp_path / "m.toml")],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = xdo(display, "search", "--sync", "--name", "nnfractal explore").split()[0]
        time.sleep(2.0)  # the worker is compiling or training at the paper's setting now
        xdo(display, "mousemove", "--window", window, "40", "40")
        start = time.monotonic()
        xdo(display, "key", "Escape")
        proc.wait(timeout=10)
        elapsed = time.monotonic() - start
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert elapsed < 1.0


@pytest.mark.slow
def test_bench_explore_reports_frame_times_and_throughput(display):
    code = ("from viz.bench.explore import measure_explore, format_explore\n"
            "print(format_explore(measure_explore(2.0, (320, 180), arch='cpu', boundary_size=None)))\n")
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "frame time while zooming and computing: median" in done.stdout
    assert "px/s" in done.stdout
