"""`nnfractal demo`: the ping-pong clock, segment prefetch, and a fullscreen run under Xvfb that Esc ends."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from viz.demo import Player, pingpong
from viz.keyframes import KeyframeSpec, KeyframeStore
from viz.renderer import read_rgb8
from viz.view import to_fixed
from viz.zoomvideo import ZoomFrames


def make_store(folder) -> KeyframeStore:
    """Three 16^2 keyframes of a made-up measure with both signs (no engine needed)."""
    spec = KeyframeSpec("tanh", 8, 100, 0, "measure", to_fixed(1.1), to_fixed(2.3), 16, (1, 2, 3))
    store = KeyframeStore.create_or_resume(folder, spec)
    store.fill(lambda xs, ys: np.sin(9 * np.log(xs)) * np.cos(7 * np.log(ys)) * 50 + 0.5)
    return store


def test_the_demo_zooms_in_then_back_out_forever():
    shown = [pingpong(p, 4) for p in range(14)]
    assert shown == [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]
    assert [pingpong(p, 1) for p in range(3)] == [0, 0, 0]


def test_the_player_draws_the_frame_the_clock_asks_for(renderer, tmp_path):
    store = make_store(tmp_path / "kf")
    path = store.spec.zoom_path(4)
    size = (32, 24)
    direct = ZoomFrames(renderer, path, store.load_all(), "measure", size)
    played = ZoomFrames(renderer, path, store.load_all(), "measure", size)
    player = Player(played, rate=10.0)
    fbo_a, fbo_b = renderer.offscreen(*size), renderer.offscreen(*size)
    try:
        for seconds in (0.0, 0.35, 0.81, 1.26):  # frames 0, 3, 8 (the last), then 4 on the way out
            index = player.draw(fbo_a, seconds)
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


def run_cli(*argv, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "viz", *argv], capture_output=True, text=True,
                          env=env, timeout=timeout)


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


@pytest.fixture
def xvfb():
    """A private X server of 640x480 (DISPLAY value), stopped afterwards."""
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        pytest.skip("needs Xvfb and xdotool (apt-get install xvfb xdotool)")
    for number in range(90, 110):
        if not os.path.exists(f"/tmp/.X11-unix/X{number}") and not os.path.exists(f"/tmp/.X{number}-lock"):
            break
    display = f":{number}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "640x480x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(f"/tmp/.X11-unix/X{number}"):
        assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield display
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.display
def test_demo_plays_a_store_fullscreen_and_esc_quits(tmp_path, xvfb):
    make_store(tmp_path / "kf")
    env = dict(os.environ, DISPLAY=xvfb)
    proc = subprocess.Popen([sys.executable, "-m", "viz", "demo", str(tmp_path / "kf")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert "fullscreen 640x480" in first, first + proc.stderr.read()
        xdo = dict(env=env, capture_output=True, text=True, timeout=10)
        window = subprocess.run(["xdotool", "search", "--sync", "--name", "nnfractal demo"], **xdo).stdout.split()[0]
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window], **xdo).stdout
        assert "Position: 0,0" in geometry and "Geometry: 640x480" in geometry
        time.sleep(1.0)
        subprocess.run(["xdotool", "key", "--window", window, "Escape"], **xdo)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    drawn = int(out.split("drew ")[1].split()[0])
    assert drawn >= 10
