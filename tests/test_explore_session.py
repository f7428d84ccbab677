"""The explorer's session without a display: its actions, time, precision, redraws and files (no glfw, no X)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from explore_fakes import diagonal, run_for, session

from viz.explore.actions import ACTIONS, KEY_ZOOM, by_char, by_key, help_lines
from viz.problem.conditions import DEFAULT_WINDOW, PRESETS, home_window, panel_log_window
from viz.sampling.view import View, min_pixel, zoom

ROOT = Path(__file__).resolve().parents[1]


def press(made, key: str) -> None:
    by_key()[key].press(made, key)


def test_a_session_runs_without_glfw_or_gl(tmp_path):
    """In a fresh process: a session driven through its actions imports neither glfw nor moderngl."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from pathlib import Path
from explore_fakes import run_for, session
from viz.explore.actions import by_key
s = session(Path({str(tmp_path)!r}))
run_for(s, 0.5)
for key in ("EQUAL", "LEFT", "2", "P", "R", "N", "D", "V"):
    by_key()[key].press(s, key)
    run_for(s, 0.2)
s.close()
bad = [m for m in ("glfw", "moderngl", "imgui_bundle") if m in sys.modules]
print("imported:", bad)
assert not bad
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "imported: []" in done.stdout, done.stderr


def test_help_comes_from_the_action_table_and_lists_every_key():
    lines = help_lines()
    assert len(lines) == len(ACTIONS)
    for key in ("wheel", "Z / X", "1-6", "Esc / Q", "?", "B", "S", "V"):
        assert any(key in line for line in lines)
    assert by_char()["?"] is by_key()["F1"]  # one row: the key and the typed character


def test_keys_zoom_pan_switch_and_reset(tmp_path):
    made = session(tmp_path)
    home = made.view
    press(made, "EQUAL")
    press(made, "PAGE_UP")
    assert made.view.pixel == pytest.approx(home.pixel / KEY_ZOOM**2)
    press(made, "PAGE_DOWN")
    assert made.view.pixel == pytest.approx(home.pixel / KEY_ZOOM)
    press(made, "RIGHT")
    assert made.view.cx > home.cx and made.view.cy == home.cy
    press(made, "2")
    assert made.problem.condition == "relu" and made.refiner.key.condition == "relu"
    press(made, "P")
    assert made.preset.name == "paper" and "preset paper" in made.message
    press(made, "R")
    assert made.view == View.fit(*home_window("relu", "paper"), 64, 36)
    press(made, "6")
    press(made, "R")
    assert made.view == View.fit(*panel_log_window("init"), 64, 36)


def test_toggles_and_quit_are_actions_too(tmp_path):
    made = session(tmp_path)
    press(made, "H")
    by_char()["?"].press(made, "?")
    assert made.show_hud and made.show_help
    press(made, "F")
    assert made.requests == ["fullscreen"]  # only the window can do it
    press(made, "Q")
    assert made.quitting


def test_held_zoom_follows_time_not_the_frame_rate(tmp_path):
    views = []
    for fps in (15.0, 90.0):
        made = session(tmp_path)
        press(made, "EQUAL")  # inside the domain: from the widest view a zoom first snaps into it
        start = made.view.pixel
        by_key()["Z"].press(made, "Z")
        run_for(made, 1.0, fps)
        by_key()["Z"].release(made, "Z")
        assert made.pointer.hold == 0
        views.append(made.view)
    assert views[0].pixel == pytest.approx(views[1].pixel, rel=1e-9)
    assert views[0].pixel == pytest.approx(start / 2.0, rel=1e-9)  # HOLD_ZOOM per second


def test_x_released_does_not_end_a_z_hold(tmp_path):
    made = session(tmp_path)
    by_key()["Z"].press(made, "Z")
    by_key()["X"].release(made, "X")
    assert made.pointer.hold == 1


def test_messages_last_four_seconds_of_session_time(tmp_path):
    made = session(tmp_path)
    made.say("hello")
    run_for(made, 3.9)
    assert made.message == "hello"
    run_for(made, 0.2)
    assert made.message == ""


def test_the_picture_fills_in_and_is_drawn_at_half_size_while_moving(tmp_path):
    made = session(tmp_path)
    run_for(made, 0.1)
    assert made.frame.coverage.fraction == 1.0 and not np.isnan(made.frame.measures).any()
    made.drag_to((10.0, 10.0))
    made.pointer.dragging = True
    made.drag_to((20.0, 10.0))
    run_for(made, 1 / 30)
    assert made.frame.half and made.frame.measures.shape == (18, 32)
    made.pointer.dragging = False
    run_for(made, 0.3)
    assert not made.frame.half and made.frame.measures.shape == (36, 64)


def test_redraws_come_at_once_for_input_at_the_refine_rate_for_new_pixels_and_never_when_idle(tmp_path):
    from viz.explore.redraw import REFINE_FPS, Redraw

    redraw = Redraw()
    assert redraw.due(0.0, False) and redraw.wanted(0.0, [])
    redraw.drawn([])
    assert not redraw.due(100.0, False)  # nothing changed, no HUD: never
    redraw.stale = True
    assert not redraw.due(0.5 / REFINE_FPS, False) and redraw.due(1.0 / REFINE_FPS, False)
    redraw.wanted(1.0 / REFINE_FPS, [])
    redraw.drawn([])
    assert not redraw.due(0.3, True) and redraw.due(0.4, True) and redraw.wanted(0.4, ["x"])  # HUD text changed
    redraw.drawn(["x"])
    assert redraw.due(0.7, True) and not redraw.wanted(0.7, ["x"])  # it did not
    redraw.urgent = True
    assert redraw.due(0.7, True) and redraw.wanted(0.7, ["x"])


def near_float64_limit(factor: float, size=(64, 36)) -> View:
    """A view at ACROSS (the tanh quick boundary) whose pixel is `factor` times float64's limit there."""
    from decimal import Decimal

    from test_exact_windows import ACROSS

    from viz.numeric.fixed import decimal_to_fixed

    x0, x1, y0, y1 = (Decimal(v) for v in ACROSS)
    view = View(decimal_to_fixed((x0 + x1) / 2), decimal_to_fixed((y0 + y1) / 2), 1e-15, *size)
    return View(view.cx, view.cy, factor * min_pixel(view, "f64"), *size)


def test_auto_takes_double_double_near_the_float64_limit_and_float64_back(tmp_path):
    made = session(tmp_path)
    made.set_view(near_float64_limit(12.0))
    assert made.arithmetic.current == "f64" and made.arithmetic.line() == "precision: f64 (auto)"
    made.set_view(near_float64_limit(3.9))
    assert made.problem.precision == made.refiner.key.precision == "dd" and "double-double from here" in made.message
    made.set_view(near_float64_limit(7.0))
    assert made.arithmetic.current == "dd"  # the gap: no switching to and fro
    made.set_view(near_float64_limit(8.5))
    assert made.refiner.key.precision == "f64" and made.arithmetic.line() == "precision: f64 (auto)"


def test_d_forces_float64_which_refuses_past_its_limit_and_double_double_which_goes_on(tmp_path):
    made = session(tmp_path)
    made.set_view(near_float64_limit(0.25))
    assert made.arithmetic.current == "dd"
    press(made, "D")
    assert made.arithmetic.mode == "f64" and made.view.pixel >= 0.999 * near_float64_limit(1.0).pixel
    assert "zoomed out to float64's limit" in made.message
    at_limit = made.view
    press(made, "EQUAL")
    assert made.view.pixel > 0.999 * at_limit.pixel and "D: double-double" in made.message
    press(made, "D")
    press(made, "EQUAL")
    assert made.view.pixel < at_limit.pixel and made.arithmetic.mode == made.arithmetic.current == "dd"
    press(made, "D")
    assert made.arithmetic.mode == "auto"


def test_without_double_double_d_says_so(tmp_path, monkeypatch):
    from viz.compute import capabilities as caps

    monkeypatch.setattr(caps, "PRECISION_ARCHES", {"f64": ("cpu", "cuda"), "dd": ()})
    made = session(tmp_path)
    press(made, "D")
    assert made.arithmetic.mode == "f64" and "CPU only" in made.message


def test_a_switch_that_leaves_one_colour_goes_home_and_one_that_shows_both_keeps_the_view(tmp_path):
    made = session(tmp_path)
    run_for(made, 0.5)
    press(made, "RIGHT")
    panned = made.view
    press(made, "2")  # the diagonal field shows both colours on the panned view too
    run_for(made, 0.5)
    assert made.view == panned and not made.check_colours
    one = session(tmp_path, field=lambda xs, _ys: np.ones_like(xs))
    one.set_view(zoom(one.view, 4.0)[0])
    press(one, "3")
    run_for(one, 0.5)
    assert one.view == View.fit(*home_window("linear", "quick"), 64, 36) and "home view" in one.message


def test_n_centres_the_nearest_boundary_and_zooms_in(tmp_path):
    made = session(tmp_path)
    run_for(made, 0.5)
    before = made.view
    assert made.seek_boundary()
    assert made.view.pixel == pytest.approx(before.pixel / KEY_ZOOM)
    run_for(made, 0.5)
    centre = made.frame.measures[17:19, 31:33]
    assert np.nanmin(centre) < 0.5 and np.nanmax(centre) > -0.5  # the line y = x runs through the centre
    flat = session(tmp_path, field=lambda xs, _ys: np.ones_like(xs))
    run_for(flat, 0.5)
    assert not flat.seek_boundary() and "no boundary" in flat.message


def test_the_window_asked_for_is_said_when_widened(tmp_path):
    assert "widened along x" in session(tmp_path).message
    assert session(tmp_path, size=(64, 64)).message == ""


def test_a_recording_writes_frames_in_session_time_and_stopping_frees_it(tmp_path):
    import imageio.v3 as iio

    made = session(tmp_path)
    press(made, "V")
    assert made.files.recording is not None
    run_for(made, 1.0)
    press(made, "V")
    assert made.files.recording is None and made.message.startswith("saved ")
    (video,) = (tmp_path / "recordings").glob("*.mp4")
    frames = iio.imread(video)
    assert frames.shape[1:] == (36, 64, 3) and 29 <= frames.shape[0] <= 32


def test_a_session_closed_while_recording_keeps_the_video_and_stops_the_refiner(tmp_path):
    made = session(tmp_path)
    press(made, "V")
    run_for(made, 0.5)
    said = made.close()
    assert said.startswith("saved ") and made.refiner.closed
    assert len(list((tmp_path / "recordings").glob("*.mp4"))) == 1


def test_the_encoders_queue_is_bounded_and_counts_what_it_drops(tmp_path):
    from viz.video.queued import QueuedRecorder

    class Slow:
        size = (4, 2)

        def __init__(self) -> None:
            self.written = 0

        def write(self, _frame) -> None:
            time.sleep(0.02)
            self.written += 1

        def close(self, complete: bool = True):
            return tmp_path / "done.mp4"

    slow = Slow()
    queued = QueuedRecorder(slow, capacity=5)
    frame = np.zeros((2, 4, 3), np.uint8)
    for _ in range(100):
        queued.offer(frame)
        assert queued._queue.qsize() <= 5
    assert queued.close() == tmp_path / "done.mp4"
    assert queued.dropped > 80 and slow.written + queued.dropped == 100


def test_the_hud_shows_the_frames_the_encoder_dropped(tmp_path):
    from viz.explore.status import lines

    made = session(tmp_path, hud=True)
    press(made, "V")
    run_for(made, 0.1)
    made.files.recording.encoder.dropped = 7
    assert "REC (7 frames dropped: the encoder is behind)" in lines(made)
    press(made, "V")
    assert "7 frames dropped" in made.message


def test_the_default_view_shows_both_colours(tmp_path):
    made = session(tmp_path)
    run_for(made, 0.2)
    assert made.view == View.fit(*DEFAULT_WINDOW, 64, 36)
    assert (made.frame.measures > 0).any() and (made.frame.measures < 0).any()
    assert diagonal(np.array([10.0]), np.array([1.0]))[0] == 1.0


def test_switching_preset_keeps_each_problems_samples(tmp_path):
    made = session(tmp_path)
    run_for(made, 0.2)
    quick = made.problem
    made.select(preset=PRESETS["paper"])
    run_for(made, 0.2)
    assert set(made.refiner.stores) == {quick, made.problem} and len(made.refiner.stores[quick]) > 0


def test_o_cycles_the_optimizer_keeping_what_the_next_one_has_and_names_both_axes(tmp_path):
    from viz.explore.status import status
    from viz.problem.experiment import Experiment

    made = session(tmp_path)
    run_for(made, 0.2)
    press(made, "O")
    assert made.problem.experiment == Experiment("momentum")
    assert "optimizer momentum" in made.message
    assert status(made).axis_names == ("lr0 (input-layer learning rate eta0)", "lr1 (output-layer learning rate eta1)")
    made.select(experiment=Experiment("momentum", "lr0", "momentum", (("lr1", 10.0), ("weight-decay", 0.01))))
    assert status(made).one_minus == (False, True)
    press(made, "O")  # nesterov has momentum: axes and values kept
    assert made.problem.experiment == Experiment("nesterov", "lr0", "momentum", (("lr1", 10.0), ("weight-decay", 0.01)))
    press(made, "O")  # adam has no momentum: that axis goes back to the condition's own, lr1, and its value goes
    assert made.problem.experiment == Experiment("adam", "lr0", "", (("weight-decay", 0.01),))
    made.problem.validate()
    run_for(made, 0.2)
    assert made.refiner.stores  # every problem keeps its own samples
