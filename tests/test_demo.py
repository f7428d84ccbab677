"""`nnfractal demo`: the ping-pong clock, segment prefetch, and a fullscreen run under Xvfb that Esc ends."""
from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from functools import partial

import numpy as np
import pytest
from conftest import private_xvfb, run_nnfractal

from viz.display.renderer import read_rgb8
from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.problem.spec import ProblemSpec
from viz.video.demo import Player, pingpong
from viz.video.frames import ZoomFrames
from viz.video.keyframes import KeyframeSpec, KeyframeStore


def make_store(folder) -> KeyframeStore:
    """Three 16^2 keyframes of a made-up measure with both signs (no engine needed)."""
    spec = KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(1.1), to_fixed(2.3), 16, (1, 2, 3))
    store = KeyframeStore.create_or_resume(folder, spec)
    store.fill(lambda xs, ys: np.sin(9 * np.log(xs)) * np.cos(7 * np.log(ys)) * 50 + 0.5)
    return store


def test_the_demo_zooms_in_then_back_out_forever():
    shown = [pingpong(p, 4) for p in range(14)]
    assert shown == [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]
    assert [pingpong(p, 1) for p in range(3)] == [0, 0, 0]


class Frames:
    """A player driven as the render loop drives it: update(t, dt from the frame before), then draw."""

    def __init__(self, player) -> None:
        self.player, self.last = player, 0.0

    def at(self, fbo, t: float, size=None):
        self.player.update(t, t - self.last)
        self.last = t
        return self.player.draw(fbo) if size is None else self.player.draw(fbo, size)


def test_the_player_draws_the_frame_the_clock_asks_for(renderer, tmp_path):
    store = make_store(tmp_path / "kf")
    path = store.spec.zoom_path(4)
    size = (32, 24)
    direct = ZoomFrames(renderer, path, store.load_all(), "measure", size)
    played = ZoomFrames(renderer, path, store.load_all(), "measure", size)
    player = Player(played, rate=10.0)
    clock = Frames(player)
    fbo_a, fbo_b = renderer.offscreen(*size), renderer.offscreen(*size)
    try:
        for seconds in (0.0, 0.35, 0.81, 1.26):  # frames 0, 3, 8 (the last), then 4 on the way out
            index = clock.at(fbo_a, seconds)
            assert index == pingpong(int(seconds * 10), path.n_frames)
            direct.draw(fbo_b, index)
            assert np.array_equal(read_rgb8(fbo_a), read_rgb8(fbo_b))
        assert set(player._pending) == {0, 2}  # segment 1 plays: both neighbours are being prepared
    finally:
        player.close()
        for obj in (fbo_a, fbo_b):
            obj.release()
        direct.release()
        played.release()


run_cli = partial(run_nnfractal, timeout=60)


def test_a_missing_or_incomplete_store_is_one_line_and_exit_2(tmp_path):
    done = run_cli("demo", str(tmp_path / "nothing.keyframes"))
    assert done.returncode == 2 and "not a keyframe store" in done.stderr
    store = make_store(tmp_path / "kf.keyframes")
    store.path(2).unlink()
    done = run_cli("demo", str(tmp_path / "kf.mp4"))  # the video's name finds the store beside it
    assert done.returncode == 2 and "lacks level 2" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_display_is_one_line_and_exit_2(tmp_path):
    make_store(tmp_path / "kf")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = run_cli("demo", str(tmp_path / "kf"), env=env)
    assert done.returncode == 2 and "cannot open a window" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def screenshot(display: str) -> np.ndarray:
    """The X screen's pixels (480 x 640 x 3), through the bundled ffmpeg's x11grab."""
    import imageio_ffmpeg

    grab = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "x11grab",
                           "-video_size", "640x480", "-i", display, "-frames:v", "1", "-f", "rawvideo",
                           "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=20)
    assert grab.returncode == 0, grab.stderr
    return np.frombuffer(grab.stdout, np.uint8).reshape(480, 640, 3)


def shows_both_sides(rgb: np.ndarray) -> bool:
    """Not the missing-sample grey, and both diverged and converged colours present."""
    from viz.colour.equalise import sign_from_rgb
    from viz.display.renderer import MISSING_RGB8

    coloured = np.any(rgb[::8, ::8] != MISSING_RGB8, axis=-1)
    signs = sign_from_rgb(rgb[::8, ::8])[coloured]
    return coloured.mean() > 0.9 and 0.02 < np.mean(signs > 0) < 0.98


@pytest.fixture
def xvfb():
    """A private X server for one test (its DISPLAY value)."""
    with private_xvfb() as display:
        yield display


@pytest.mark.display
@contextlib.contextmanager
def running_demo(xvfb: str, *args: str):
    """`nnfractal demo ARGS` on the private display, with xdotool's keyword arguments; killed if still running."""
    env = dict(os.environ, DISPLAY=xvfb)
    proc = subprocess.Popen([sys.executable, "-m", "viz", "demo", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc, dict(env=env, capture_output=True, text=True, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_demo_plays_a_store_fullscreen_and_esc_quits(tmp_path, xvfb):
    make_store(tmp_path / "kf")
    with running_demo(xvfb, str(tmp_path / "kf")) as (proc, xdo):
        first = proc.stdout.readline()
        assert "fullscreen 640x480" in first, first + proc.stderr.read()
        window = subprocess.run(["xdotool", "search", "--sync", "--name", "nnfractal demo"], **xdo).stdout.split()[0]
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window], **xdo).stdout
        assert "Position: 0,0" in geometry and "Geometry: 640x480" in geometry
        time.sleep(1.0)
        assert shows_both_sides(screenshot(xvfb))
        subprocess.run(["xdotool", "key", "--window", window, "Escape"], **xdo)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    drawn = int(out.split("drew ")[1].split()[0])
    assert drawn >= 10


def test_the_pilot_bisects_to_neighbouring_float64s_across_the_boundary():
    from viz.video.autopilot import boundary_point
    from viz.video.keyframes import keyframe_values

    spec = KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(1.5), to_fixed(1.5), 16, (1,))
    edge = 10 ** 1.3712345678
    xs, ys = keyframe_values(spec, 1)
    world = np.where(xs[None, :] > edge, 5.0, -5.0) * np.ones((16, 1))
    calls = []

    def measure(x, y):
        calls.append(len(x))
        return np.where(x > edge, 5.0, -5.0)

    cx, cy = boundary_point(spec, world, measure, random.Random(0))
    x = 10 ** (cx / 2 ** FRAC_BITS)
    assert abs(x - edge) <= 4 * np.spacing(edge)
    assert cy % (1 << (FRAC_BITS - 1)) == 0  # a row of the level-1 map
    assert sum(calls) < 250  # about 4 bits per call of 15 points


def test_a_flight_never_outruns_its_keyframes_and_flies_back_out_when_it_ends():
    from viz.video.demo import Flight

    flight = Flight(spec=None)
    flight.measures = [np.zeros((2, 2))] * 3
    for _ in range(200):
        flight.step(0.1, speed=1.0)
        assert flight.position <= 2.0
    assert flight.position > 1.9 and not flight.outbound
    flight.ended = True
    flight.step(0.1, speed=1.0)
    assert flight.outbound
    while not flight.back_home:
        flight.step(0.1, speed=1.0)
    assert flight.position == 0.0


def test_a_flight_ends_where_the_map_runs_out_of_float64s_or_colours():
    from viz.video.autopilot import both_signs_near_centre, deeper_levels

    spec = KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(1.5), to_fixed(1.5), 16, (1,))
    levels = list(deeper_levels(spec))
    assert levels[0] == 1 and 45 < levels[-1] <= 53
    middle_only = np.full((8, 8), -1.0)
    middle_only[4, 4] = 1.0
    assert both_signs_near_centre(middle_only)
    middle_only[4, 4] = -1.0
    middle_only[0, 0] = 1.0
    assert not both_signs_near_centre(middle_only)


@pytest.mark.display
def test_the_live_demo_flies_and_esc_quits(xvfb):
    with running_demo(xvfb, "--res", "16", "--preset", "quick", "--arch", "cpu") as (proc, xdo):
        assert "live flight over tanh" in proc.stdout.readline()
        # The pilot starts Taichi, builds the kernel (a minute on an empty
        # offline cache), maps the plane and sends its first keyframes.
        deadline = time.monotonic() + 180
        while not shows_both_sides(screenshot(xvfb)):
            assert time.monotonic() < deadline, "the demo drew no map within 180 s"
            time.sleep(2)
        window = subprocess.run(["xdotool", "search", "--name", "nnfractal demo"], **xdo).stdout.split()[0]
        assert subprocess.run(["xdotool", "key", "--window", window, "Escape"], **xdo).returncode == 0
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert int(out.split("drew ")[1].split()[0]) >= 10


class FakePilot:
    """The pilot's side as the player reads it, filled by the test instead of a thread and an engine process."""

    def __init__(self):
        self.status = "starting the engine..."
        self.flights = {}
        self.flown = []
        self.closed = False

    def check(self):
        pass

    def flew(self, number):
        self.flights.pop(number)
        self.flown.append(number)

    def close(self):
        self.closed = True


def test_the_live_player_flies_in_back_out_and_fades_to_the_next_flight(renderer, tmp_path):
    from viz.video.demo import FADE_SECONDS, LivePlayer

    store = make_store(tmp_path / "kf")
    spec = store.spec
    pilot = FakePilot()
    player = LivePlayer(renderer, pilot, seconds_per_2x=0.5)
    clock = Frames(player)
    fbo = renderer.offscreen(32, 24)
    try:
        clock.at(fbo, 0.0, (32, 24))  # nothing yet: grey
        assert np.all(read_rgb8(fbo) == (128, 128, 128))
        from viz.video.autopilot import Leg

        pilot.flights[0] = Leg(spec, list(store.load_all()), ended=True)
        pilot.flights[1] = Leg(spec, [store.load(1)])
        t, deepest = 0.0, 0.0
        clock.at(fbo, t, (32, 24))
        assert player.current == 0
        while player.current == 0:
            t += 0.05
            clock.at(fbo, t, (32, 24))
            deepest = max(deepest, player.flights[0].position if 0 in player.flights else deepest)
            assert t < 10, "the first flight never came home"
        assert deepest == pytest.approx(2.0, abs=1e-3)  # all the way in to the last keyframe, then out
        assert pilot.flown == [0] and 0 not in pilot.flights  # the pilot may start another flight
        assert player.fading is not None
        mid_fade = t + FADE_SECONDS / 2
        clock.at(fbo, mid_fade, (32, 24))
        assert player.fading is not None
        clock.at(fbo, mid_fade + FADE_SECONDS, (32, 24))
        assert player.fading is None
        first_view = ZoomFrames(renderer, replace(spec, levels=(1,)).zoom_path(4), [store.load(1)], "measure", (32, 24))
        fbo2 = renderer.offscreen(32, 24)
        first_view.draw(fbo2, 0)
        assert np.array_equal(read_rgb8(fbo), read_rgb8(fbo2))  # after the fade: flight 1's first view
        first_view.release()
        fbo2.release()
    finally:
        player.close()
        fbo.release()


def test_the_live_player_says_what_the_pilot_does_until_its_first_keyframe(renderer, tmp_path):
    from viz.video.demo import LivePlayer

    store = make_store(tmp_path / "kf")
    pilot = FakePilot()
    player = LivePlayer(renderer, pilot, seconds_per_2x=0.5)
    clock = Frames(player)
    fbo = renderer.offscreen(32, 24)
    try:
        clock.at(fbo, 0.0, (32, 24))
        assert player.notice == "starting the engine..."
        pilot.status = "building the kernel for n=8: its first use"
        clock.at(fbo, 0.1, (32, 24))
        assert player.notice.startswith("building the kernel for n=8")
        from viz.video.autopilot import Leg

        pilot.flights[0] = Leg(store.spec, [store.load(store.spec.levels[0])])
        clock.at(fbo, 0.2, (32, 24))
        assert player.notice == ""  # a zoom is on screen: nothing to say
    finally:
        player.close()
        fbo.release()


def test_the_pilot_says_whether_the_engine_process_builds_or_loads_its_kernel():
    from concurrent.futures import Future

    from viz.compute.tiles import TileResult
    from viz.video import autopilot

    class FakeProcess:
        """The engine process as the pilot sees it: up at once, its kernel (width, building) as told."""

        arch = "cpu"

        def __init__(self, kernel):
            self.kernel = kernel

        def wait(self):
            return self.arch

        def submit(self, spec, xs, ys):
            done = Future()
            done.set_result(TileResult(np.zeros(len(xs)), 0.0))
            return done

    class FakePilot:
        status = "starting the engine..."

    for building in (True, False):
        pilot = FakePilot()
        pilot.process = FakeProcess((8, building))
        engine = autopilot.prepared_engine(autopilot.PilotSettings(ProblemSpec("tanh", 8, 100), 16, "cpu"), pilot)
        assert pilot.status.startswith("building the kernel for n=8" if building else "loading the kernel for n=8")
        assert engine.chunk_pixels > 0


def test_the_pilot_thread_flies_through_its_engine_process_and_closes_it():
    """The real pilot: a thread computing through its engine process, stopped with no process left."""
    from viz.video import autopilot

    pilot = autopilot.Pilot(autopilot.PilotSettings(ProblemSpec("tanh", 8, 100), 16, "cpu"))
    try:
        deadline = time.monotonic() + 240
        while not (pilot.flights and pilot.flights[0].keyframes):
            pilot.check()
            assert time.monotonic() < deadline, f"no keyframe within 240 s ({pilot.status})"
            time.sleep(0.1)
        leg = pilot.flights[0]
        first = leg.keyframes[0]
        assert first.shape == (16, 16) and (first > 0).any() and (first < 0).any()
    finally:
        pid = pilot.process.pid
        start = time.monotonic()
        pilot.close()
        assert time.monotonic() - start < 3.0
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
    assert not pilot._thread.is_alive()
