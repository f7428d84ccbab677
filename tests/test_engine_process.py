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


class FakeTask:
    """A Dask future as the adapter uses it: done callbacks, cancelled(), result()."""

    def __init__(self) -> None:
        self.callbacks, self.outcome, self.status = [], None, "pending"

    def add_done_callback(self, callback) -> None:
        self.callbacks.append(callback)

    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def result(self):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def finish(self, outcome, status="finished") -> None:
        self.outcome, self.status = outcome, status
        for callback in self.callbacks:
            callback(self)


class FakeClient:
    def __init__(self) -> None:
        self.tasks, self.cancelled = [], []

    def submit(self, function, *args, pure=True):
        assert not pure  # every batch is computed, never taken from Dask's cache of results
        self.tasks.append(FakeTask())
        return self.tasks[-1]

    def cancel(self, tasks) -> None:
        self.cancelled.extend(tasks)

    def scheduler_info(self):
        return {"workers": {"a": {}, "b": {}}}


def test_the_dask_adapter_gives_concurrent_futures_and_one_line_for_a_lost_worker():
    from concurrent.futures import Future

    from distributed import KilledWorker

    from viz.compute.executor import DaskExecutor
    from viz.compute.tiles import TileResult

    client, closed = FakeClient(), []
    executor = DaskExecutor(client, lambda: closed.append(True))
    assert executor.started() == "dask" and executor.workers == 2
    first, second, third = (executor.submit(QUICK, np.ones(2), np.ones(2)) for _ in range(3))
    assert all(isinstance(f, Future) for f in (first, second, third))
    assert executor.kernel == (8, False)  # the width's first task is out: its kernel is built or loaded
    client.tasks[0].finish(TileResult(np.zeros(2), 0.5))
    assert first.result(timeout=1).seconds == 0.5 and executor.kernel is None
    client.tasks[1].finish(KilledWorker("key", "worker", 3), status="error")
    with pytest.raises(UsageError, match="worker died on every try"):
        second.result(timeout=1)
    executor.close()
    assert third.cancelled() and client.cancelled == [client.tasks[2]] and closed == [True]
