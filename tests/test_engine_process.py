"""The one engine process: an executor whose Futures hold the in-process engine's values, cancelled,
closed without a process left behind, and a child's crash a clear error rather than a hang."""
from __future__ import annotations

import os
import signal
import time
from concurrent.futures import CancelledError

import numpy as np
import pytest

from viz.compute.process import EngineProcess
from viz.errors import UsageError
from viz.problem.spec import ProblemSpec

QUICK = ProblemSpec("tanh", 8, 100)
SLOW = ProblemSpec("tanh", 16, 20000)


def alive(pid: int) -> bool:
    """Whether a process of this id exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def process():
    with EngineProcess("cpu") as running:
        yield running


def test_submit_returns_a_future_of_the_in_process_engines_values(process, engine_backend):
    from viz.compute.engine import build_engine

    xs, ys = np.logspace(-1, 2, 37), np.logspace(2, -1, 37)
    result = process.submit(QUICK, xs, ys).result(timeout=300)
    np.testing.assert_array_equal(result.values, build_engine(QUICK, engine_backend).measure(xs, ys))
    assert result.seconds > 0 and process.started() == "cpu"


def test_a_refused_problem_fails_its_future_in_one_line_and_the_process_goes_on(process):
    with pytest.raises(UsageError, match="width 8 and 16"):
        process.submit(ProblemSpec("tanh", 7, 100), np.ones(2), np.ones(2)).result(timeout=120)
    assert process.submit(QUICK, np.ones(3), np.ones(3)).result(timeout=300).values.shape == (3,)


def test_cancel_and_close_stop_at_once_and_leave_no_child():
    process = EngineProcess("cpu")
    pid = process.pid
    process.wait()
    running = process.submit(SLOW, np.full(4000, 0.5), np.full(4000, 0.5))
    queued = process.submit(QUICK, np.ones(2), np.ones(2))
    process.cancel([queued])
    assert queued.cancelled()
    time.sleep(0.5)  # the child is building or training now
    start = time.monotonic()
    process.close()
    assert time.monotonic() - start < 1.5
    assert not alive(pid)
    with pytest.raises(CancelledError):
        running.result(timeout=1)
    with pytest.raises(RuntimeError, match="closed"):
        process.submit(QUICK, np.ones(1), np.ones(1))


def test_a_crash_in_the_child_is_a_clear_error_not_a_hang(process):
    process.wait()
    pending = process.submit(SLOW, np.full(4000, 0.5), np.full(4000, 0.5))
    os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=r"engine process stopped unexpectedly \(exit status -9\)"):
        pending.result(timeout=10)
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        process.started()


def test_a_bad_arch_is_one_line_before_any_process_starts():
    with pytest.raises(UsageError, match="unknown --arch"):
        EngineProcess("tpu")
