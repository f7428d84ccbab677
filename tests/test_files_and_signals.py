"""Files and signals: what the user made is never lost, nothing is written through a link, any job stops.

- saves: the explorer says on its HUD when S, V or B cannot write, and goes on;
- links and leftovers: nothing is written through a planted link, and a crashed run's hidden part files
  are removed next time;
- interrupts: SIGTERM and Ctrl-C stop any job within seconds (143 / 130), keeping what is finished;
- encoding and recording: SIGTERM during zoom encoding leaves no part file; the explorer killed while
  recording leaves a playable MP4;
- stores: a refused zoom leaves no keyframe store, a store without keyframes takes new settings, a complete
  one is only read;
- the engine process exits quietly when the window is killed.
The signal and link tests run real processes (`python -m viz ...`).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import private_xvfb
from conftest import run_nnfractal as nnfractal
from conftest import start_nnfractal as started

from viz.problem.spec import ProblemSpec

QUICK_ZOOM = ["zoom", "--center", "2.6", "1.4", "--keyframes", "2", "--res", "16", "--preset", "quick",
              "--size", "32x32", "--arch", "cpu", "--quiet"]


def hidden_parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".part" in p.name]


def wait_for(condition, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc is None or proc.poll() is None, proc.communicate()[1] if proc else ""
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def dead_pid() -> int:
    """The id of a process that has ended (a crashed run's, as far as its leftovers tell)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


# -- the explorer's saves ----------------------------------------------------------------------------


def headless_explorer(tmp_path: Path, recordings: Path, bookmarks: Path):
    """An explorer session with no window: real files and Recorder, a plain picture, a fake refiner."""
    from explore_fakes import session

    return session(tmp_path, size=(32, 24), recordings=recordings, bookmarks=bookmarks)


def recording_a_second(explorer) -> None:
    explorer.files.toggle_recording()
    if explorer.files.recording is not None:
        explorer.now += 1.0
        explorer.files.record()


def recordings_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "recordings").write_text("x")  # `echo x > recordings`
    return tmp_path / "recordings"


def inside_a_file(tmp_path: Path) -> Path:
    (tmp_path / "plain").write_text("x")
    return tmp_path / "plain" / "recordings"


def read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "recordings").mkdir()
    folder.chmod(0o500)
    (folder / "recordings").chmod(0o500)
    if os.access(folder / "recordings", os.W_OK):
        pytest.skip("running as root: a read-only folder is still writable")
    return folder / "recordings"


SAVE_FAILURES = [
    # (what the user did, the folder or file it broke, the key's action, the HUD message)
    ("S with recordings a file", recordings_is_a_file, "screenshot", "screenshot not saved: File exists"),
    ("V with recordings a file", recordings_is_a_file, recording_a_second, "recording not started: File exists"),
    ("S inside a file", inside_a_file, "screenshot", "screenshot not saved: Not a directory"),
    ("S read-only", read_only_folder, "screenshot", "screenshot not saved: Permission denied"),
    ("V read-only", read_only_folder, recording_a_second, "recording stopped: Permission denied"),
    ("B inside a file", lambda tmp: inside_a_file(tmp) / "marks.toml", "bookmark", "bookmark not saved"),
    ("B read-only", lambda tmp: read_only_folder(tmp) / "marks.toml", "bookmark", "bookmark not saved"),
]


@pytest.mark.parametrize("broken, action, message", [case[1:] for case in SAVE_FAILURES],
                         ids=[case[0] for case in SAVE_FAILURES])
def test_a_failed_save_is_said_on_the_hud_and_the_session_goes_on(tmp_path, broken, action, message):
    target = broken(tmp_path)
    bookmarks = target if target.suffix == ".toml" else tmp_path / "marks.toml"
    recordings = tmp_path / "recordings-ok" if target.suffix == ".toml" else target
    explorer = headless_explorer(tmp_path, recordings, bookmarks)
    before = sorted(tmp_path.rglob("*"))
    explorer.messages = []  # not the window's widened-aspect note
    action(explorer) if callable(action) else getattr(explorer.files, action)()
    said = [text for _, text in explorer.messages]
    assert said and said[-1].startswith(message), said
    assert explorer.files.recording is None
    assert sorted(tmp_path.rglob("*")) == before, "nothing created"
    explorer.say("still running")  # the session goes on


def test_a_save_that_works_still_says_where(tmp_path):
    explorer = headless_explorer(tmp_path, tmp_path / "recordings", tmp_path / "marks.toml")
    explorer.messages = []  # not the window's widened-aspect note
    recording_a_second(explorer)
    explorer.files.toggle_recording()
    shot, name = explorer.files.screenshot(), explorer.files.bookmark()
    said = [text for _, text in explorer.messages]
    assert shot.is_file() and name and said[0].startswith("saved ") and said[0].endswith(".mp4")
    assert said[1] == f"saved {shot}" and said[2].startswith("bookmark ")


# -- links and leftovers --------------------------------------------------------------------------------


def test_a_link_planted_at_the_manifests_old_temporary_name_is_not_written_through(tmp_path):
    from viz.cli.app import build_parser
    from viz.cli.zoom import keyframe_spec
    from viz.video.keyframes import KeyframeStore

    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "z.mp4"
    store = tmp_path / "z.keyframes"
    KeyframeStore.create_or_resume(store, keyframe_spec(build_parser().parse_args([*QUICK_ZOOM, "--out", str(out)])))
    (store / ".manifest.json.part").symlink_to(victim)  # `ln -s ~/victim S.keyframes/.manifest.json.part`
    done = nnfractal(*QUICK_ZOOM, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious"
    assert (store / "manifest.json").is_file() and not (store / "manifest.json").is_symlink()


@pytest.mark.parametrize("name", ["out.npy", "out.png"])
def test_a_link_at_the_output_is_replaced_not_followed(tmp_path, name):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / name).symlink_to(victim)
    done = nnfractal("render", "--res", "4", "--preset", "quick", "--arch", "cpu", "--quiet",
                     "--out", str(tmp_path / name))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious" and not (tmp_path / name).is_symlink()


def test_every_write_makes_its_own_temporary_file(tmp_path, monkeypatch):
    """atomic_write never opens a name that exists: a link at any name it could pick stays untouched."""
    import tempfile

    from viz.outputs import atomic_write

    victim = tmp_path / "victim"
    victim.write_text("precious")
    made = []
    real = tempfile.mkstemp

    def spying(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        made.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spying)
    atomic_write(tmp_path / "out.json", lambda fh: fh.write(b"{}"))
    assert victim.read_text() == "precious" and (tmp_path / "out.json").read_bytes() == b"{}"
    assert len(made) == 1 and Path(made[0]).parent == tmp_path and not Path(made[0]).exists()


LEFTOVERS = [
    # (command, output, a crashed run's part file beside it)
    (["render", "--res", "4", "--preset", "quick", "--arch", "cpu", "--quiet"], "out.npy", ".part"),
    ([*QUICK_ZOOM], "z.mp4", ".part.mp4"),
]


@pytest.mark.parametrize("command, out, suffix", LEFTOVERS, ids=["render", "zoom"])
def test_a_crashed_runs_part_files_are_removed_by_the_next_run(tmp_path, command, out, suffix):
    crashed = tmp_path / f".{out}.{dead_pid()}-k2j4x9q1{suffix}"
    crashed.write_bytes(b"half a file")
    running = tmp_path / f".{out}.{os.getpid()}-a8b7c6d5{suffix}"  # a live process's: not ours to remove
    running.write_bytes(b"being written")
    done = nnfractal(*command, "--out", str(tmp_path / out))
    assert done.returncode == 0, done.stderr
    assert not crashed.exists() and running.exists() and (tmp_path / out).is_file()


# -- interruptible at any size ----------------------------------------------------------------------------


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143),
                                         pytest.param(signal.SIGINT, 130, marks=pytest.mark.slow)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_a_million_step_render_within_3_s_and_writes_nothing(tmp_path, sig, status):
    out = tmp_path / "big.npy"
    proc = started("render", "--res", "8", "--steps", "1000000", "--arch", "cpu", "--out", str(out),
                   cwd=tmp_path)
    seen = ""
    while "px/s" not in seen:  # the progress bar: the engine is running its first chunk
        seen += proc.stderr.read(1)
        assert proc.poll() is None, seen
    time.sleep(1.0)
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 3.0
    assert proc.returncode == status, err
    assert "nothing written" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_a_zoom_keeps_its_checkpoint(tmp_path):
    store = tmp_path / "z.keyframes"
    loud = [arg for arg in QUICK_ZOOM if arg != "--quiet"]
    proc = started(*loud, "--res", "64", "--steps", "20000", "--out", str(tmp_path / "z.mp4"))
    seen = ""
    while not re.search(r"\| [1-9]\d*/\d+", seen):  # the progress bar past the first chunk
        seen += proc.stderr.read(1)
        assert proc.poll() is None, seen
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143, err
    assert "0 of 2 keyframes are kept" in err and "Traceback" not in err
    partial = np.load(store / "level03.partial.npy")
    assert 0 < np.count_nonzero(~np.isnan(partial)) < partial.size
    assert hidden_parts(tmp_path) == []


def test_sigterm_during_figure1_keeps_the_finished_panels(tmp_path):
    panels = tmp_path / "fig.panels"
    proc = started("figure1", "--res", "64", "--preset", "quick", "--arch", "cpu", "--quiet",
                   "--out", str(tmp_path / "fig.png"))
    wait_for(lambda: any(panels.glob("*.json")), 240, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143, err
    assert "finished panels kept" in err and "Traceback" not in err
    kept = sorted(p.stem for p in panels.glob("*.json"))
    assert kept and all((panels / f"{name}.npy").is_file() for name in kept)
    assert hidden_parts(tmp_path) == [] and not (tmp_path / "fig.png").exists()


# -- encoding and recording ---------------------------------------------------------------------------------


def test_sigterm_during_zoom_encoding_keeps_the_keyframes_and_leaves_no_part_file(tmp_path):
    out = tmp_path / "z.mp4"
    proc = started(*QUICK_ZOOM, "--fps", "60", "--seconds-per-2x", "120", "--size", "256x256", "--out", str(out))
    # As soon as the part file is named: the signal may land while imageio-ffmpeg forks the encoder, inside
    # logging's at-fork hook, which drops the handler's exception; the render loop then stops before its next frame.
    wait_for(lambda: any(tmp_path.glob(".z.mp4.*.part.mp4")), 240, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert "2 of 2 keyframes are kept" in err and "Traceback" not in err
    assert hidden_parts(tmp_path) == [] and not out.exists()
    assert sorted(p.name for p in (tmp_path / "z.keyframes").glob("level*.npy")) == ["level01.npy", "level02.npy"]


@pytest.mark.display
def test_the_explorer_killed_while_recording_leaves_a_playable_mp4(tmp_path):
    import imageio.v3 as iio

    with private_xvfb() as display:
        env = dict(os.environ, DISPLAY=display)
        proc = started("explore", "--size", "64x48", "--preset", "quick", "--arch", "cpu", cwd=tmp_path, env=env)
        try:
            xdo = dict(env=env, capture_output=True, text=True, timeout=60)
            window = subprocess.run(["xdotool", "search", "--sync", "--name", "nnfractal explore"],
                                    **xdo).stdout.split()[0]
            subprocess.run(["xdotool", "key", "--window", window, "v"], **xdo)
            folder = tmp_path / "recordings"
            wait_for(lambda: folder.is_dir() and any(folder.glob(".*.part.mp4")), 60, proc)
            time.sleep(1.5)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    (video,) = folder.glob("*.mp4")
    assert hidden_parts(tmp_path) == [] and not video.name.startswith(".")
    frames = iio.imread(video)
    assert frames.shape[0] >= 10 and frames.shape[1:] == (48, 64, 3)
    mask = os.umask(0)
    os.umask(mask)
    assert video.stat().st_mode & 0o777 == 0o666 & ~mask


# -- keyframe stores: a refused zoom leaves nothing in the way ------------------------------------------


def test_a_refused_zoom_leaves_no_store_and_the_corrected_command_runs(tmp_path):
    out = tmp_path / "z.mp4"
    refused = nnfractal(*QUICK_ZOOM, "--width", "1000", "--out", str(out))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert list(tmp_path.iterdir()) == []
    done = nnfractal(*QUICK_ZOOM, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.is_file()


def test_a_store_without_keyframes_is_taken_over_but_one_with_keyframes_is_not(tmp_path):
    from viz.errors import UsageError
    from viz.numeric.fixed import to_fixed
    from viz.video.keyframes import KeyframeSpec, KeyframeStore, outer_level

    def spec(steps: int) -> KeyframeSpec:
        first = outer_level(16)
        return KeyframeSpec(ProblemSpec("tanh", 8, steps), to_fixed(2.6), to_fixed(1.4), 16, (first, first + 1))

    KeyframeStore.create_or_resume(tmp_path / "s", spec(100))
    taken = KeyframeStore.create_or_resume(tmp_path / "s", spec(200))
    assert KeyframeStore.open(tmp_path / "s").spec == taken.spec == spec(200)
    np.save(taken.path(taken.spec.levels[0], partial=True), np.full((16, 16), np.nan))
    with pytest.raises(UsageError, match="was made with steps = 200"):
        KeyframeStore.create_or_resume(tmp_path / "s", spec(100))


def test_a_complete_store_is_only_read_and_an_unwritable_one_is_one_line(tmp_path, monkeypatch, capsys):
    """`zoom` on a complete read-only store: nothing in it is written, so it encodes; where a write is
    needed, an unwritable store is one line. Root writes through permission bits, so the store's
    writes are made to fail the way a read-only folder fails them."""
    from viz.cli.app import main
    from viz.video.keyframes import KeyframeStore

    argv = ["zoom", "--center", "0.5", "1.5", "--keyframes", "2", "--res", "8", "--preset", "quick",
            "--size", "16x16", "--fps", "4", "--seconds-per-2x", "0.5", "--quiet", "--arch", "cpu"]
    assert main([*argv, "--out", str(tmp_path / "a.mp4")]) == 0
    store = tmp_path / "a.keyframes"
    before = {path.name: path.stat().st_mtime_ns for path in store.iterdir()}

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(KeyframeStore, "write_manifest", read_only)
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "b.mp4"), "--store", str(store)]) == 0
    assert (tmp_path / "b.mp4").stat().st_size > 0
    assert {path.name: path.stat().st_mtime_ns for path in store.iterdir()} == before
    deeper = [*argv[:4], "--keyframes", "3", *argv[6:]]  # one more keyframe: the manifest must change
    assert main([*deeper, "--out", str(tmp_path / "c.mp4"), "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write keyframe store" in err[0] and "Permission denied" in err[0]


# -- the engine process's quiet exit ----------------------------------------------------------------------------------

KILLED_WINDOW = """
import multiprocessing, os, sys
import numpy as np
from viz.compute.messages import Kernel, Measure, Ready
from viz.compute.worker import serve
from viz.problem.spec import ProblemSpec

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    conn, child = ctx.Pipe()
    worker = ctx.Process(target=serve, args=(child, "cpu", 5))
    worker.start()
    child.close()
    assert isinstance(conn.recv(), Ready)
    conn.send(Measure(0, ProblemSpec("tanh", 8, 100), np.ones(4), np.ones(4)))
    assert isinstance(conn.recv(), Kernel)  # the worker says whether it builds or loads the kernel
    while not conn.poll(60):  # the result is there, unread, when the window dies
        pass
    print(f"worker pid {worker.pid}", flush=True)
    os._exit(0)  # killed with the worker's reply unread
"""


def test_the_worker_exits_quietly_when_the_window_is_killed(tmp_path):
    script = tmp_path / "window.py"
    script.write_text(KILLED_WINDOW)
    with open(tmp_path / "err", "w") as err:
        proc = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=err, text=True,
                              timeout=120)
    pid = int(re.search(r"worker pid (\d+)", proc.stdout).group(1))  # Taichi's banner may come after it
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or "zombie" in _state(pid), 60)
    text = (tmp_path / "err").read_text()
    assert "Traceback" not in text and "Error" not in text, text


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


def test_a_sigterm_dropped_inside_a_fork_hook_prints_no_traceback(monkeypatch, capsys):
    """Python reports an exception it cannot raise (in an at-fork hook, or here a __del__) through
    sys.unraisablehook: a dropped Terminated says nothing, any other exception is still printed."""
    from viz import signals

    class Raises:
        def __init__(self, exc):
            self.exc = exc

        def __del__(self):
            raise self.exc

    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signals.handle_termination()
        Raises(signals.Terminated())
        assert capsys.readouterr().err == ""
        Raises(ValueError("a real one"))
        assert "ValueError: a real one" in capsys.readouterr().err
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_signal_while_a_child_starts_is_raised_once_it_has(monkeypatch):
    """signals.deferred: the encoder's start is not cut in two (a cut fork can orphan ffmpeg, which then
    recreates its part file after the cleanup)."""
    from viz import signals

    monkeypatch.setattr(signals, "_received", [])
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signals.handle_termination()
        reached_end = False
        with pytest.raises(signals.Terminated):
            with signals.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler has run by now, and raised nothing here
                reached_end = True
        assert reached_end and signal.getsignal(signal.SIGTERM) is signals._on_term
        assert signals.interrupted_status() == 143
    finally:
        signal.signal(signal.SIGTERM, previous)
