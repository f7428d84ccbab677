"""Shared GL fixtures: one headless EGL context for the whole run, checked around each test.

As in moderngl's own suite: a context is expensive, so one serves every test,
and a test that leaves a GL error behind fails instead of poisoning the next.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gl_context():
    """A standalone EGL context for each test module (software Mesa here); skips GL tests where there is none.

    One per module, not per session: with the session's context made first, a test module run in
    between (the suite in file order) left later draws on it wrong (every pixel one colour).
    """
    from viz.display.renderer import headless_context

    try:
        ctx = headless_context()
    except Exception as exc:  # glcontext raises plain Exception when EGL is missing
        pytest.skip(f"no headless EGL context (install libegl1 libegl-mesa0 libgl1-mesa-dri): {exc}")
    yield ctx
    ctx.release()


@pytest.fixture
def ctx(gl_context):
    """The shared context, asserting that no GL error is pending before and after the test."""
    assert gl_context.error == "GL_NO_ERROR"
    yield gl_context
    assert gl_context.error == "GL_NO_ERROR"


@pytest.fixture(scope="module")
def gl_renderer(gl_context):
    """One Renderer for each module's context: compiling its programs on llvmpipe is the slow part."""
    from viz.display.renderer import Renderer

    renderer = Renderer(gl_context)
    yield renderer
    renderer.release()


@pytest.fixture
def renderer(ctx, gl_renderer):
    """The session's Renderer, under the GL error check of `ctx`."""
    return gl_renderer


@pytest.fixture(scope="session")
def engine_backend():
    """Taichi started once for the run, and its kernels (the first kernel build per width is the slow part).

    On the CPU unless NNFRACTAL_TEST_ARCH=cuda asks for the GPU kernel, which
    then faces the same check values and agreement tests.
    """
    from viz.compute.backend import init_backend

    return init_backend(os.environ.get("NNFRACTAL_TEST_ARCH", "cpu"))


@pytest.fixture(scope="session")
def engine_arch(engine_backend):
    """The arch the session's backend runs on: "cpu" or "cuda"."""
    return engine_backend.arch


@contextlib.contextmanager
def private_xvfb():
    """A private 640x480 X server (yields its DISPLAY value), stopped afterwards.

    Skips the test where Xvfb or xdotool is missing (apt-get install xvfb xdotool).
    """
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        pytest.skip("needs Xvfb and xdotool (apt-get install xvfb xdotool)")
    number = next(n for n in range(90, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}")
                  and not os.path.exists(f"/tmp/.X{n}-lock"))
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "640x480x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(f"/tmp/.X11-unix/X{number}"):
        assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def release_current_egl() -> None:
    """Unbind this thread's current EGL context, if any, before a glfw window makes its own current.

    Once a Mesa EGL context is current in a process, making a glfw (GLX)
    window's context current fails with an X error that kills the process
    (BadAccess on X_GLXMakeCurrent); unbound first, it works, whichever
    test ran before. (Releasing the moderngl context does not unbind it.)
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("EGL")
    if name is None:
        return
    egl = ctypes.CDLL(name)
    egl.eglGetCurrentDisplay.restype = ctypes.c_void_p
    egl.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
    display = egl.eglGetCurrentDisplay()
    if display:
        egl.eglMakeCurrent(display, None, None, None)


def checkout_env(env: dict | None = None) -> dict:
    """An environment (os.environ by default) whose Python imports this checkout's viz, from any cwd."""
    return {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}


def run_nnfractal(*args: str, cwd=None, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`nnfractal ARGS` as a user runs it, a process of its own with this checkout's code; its output captured."""
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=cwd, env=checkout_env(env), capture_output=True,
                          text=True, timeout=timeout)


def start_nnfractal(*args: str, cwd=None, env: dict | None = None) -> subprocess.Popen:
    """`nnfractal ARGS` started and left running (to signal or to kill), Ctrl-C reaching it, its output piped."""
    return subprocess.Popen([sys.executable, "-m", "viz", *args], cwd=cwd, env=checkout_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **interruptible())


@pytest.fixture
def cli(capsys):
    """The CLI in this process: cli(*argv) -> (exit status, stderr); what the tests of one-line refusals run."""
    import viz.cli.app

    def run(*argv: str) -> tuple[int, str]:
        status = viz.cli.app.main(list(argv))
        return status, capsys.readouterr().err

    return run


def interruptible():
    """Popen keyword arguments for a child that Ctrl-C (SIGINT) must reach.

    A shell runs background jobs with SIGINT ignored, and Python then never
    installs its KeyboardInterrupt handler; the child gets the default back.
    """
    return {"preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)}


@contextlib.contextmanager
def dask_cli_cluster(tmp_path: Path, workers: int = 2, scheduler_path: Path = ROOT,
                     worker_path: Path = ROOT):
    """`dask scheduler` and `dask worker` processes on 127.0.0.1 (project from the given paths); yields its address."""
    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "NNFRACTAL_ARCH": "cpu", "TI_CPU_MAX_NUM_THREADS": "1"}
    procs = []
    try:
        procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
                                      env={**env, "PYTHONPATH": str(scheduler_path)}, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert procs[0].poll() is None and time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
        for _ in range(workers):
            procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file), "--host",
                                           "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                          env={**env, "PYTHONPATH": str(worker_path)}, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        yield json.loads(scheduler_file.read_text())["address"]
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
