"""ONE engine process: the Engine in a child process, as an executor (`submit() -> Future`).

A Taichi kernel launch holds the GIL for its whole duration (measured), and
Python runs signal handlers only between bytecodes: in-process, a chunk of
pixels at 1,000,000 steps would hold off Ctrl-C for minutes, and a window
would freeze. Here the caller only waits on a Future, so a signal's handler
runs at once, and `close` kills the child even mid-kernel (the only way to
stop one). The explorer's refiner, the interruptible engine of render,
figure1 and zoom (compute/isolated.py) and the demo's pilot all use it.
This module is the only place in viz/ that starts a process (`tool_output`
runs an outside tool, such as nvidia-smi for a benchmark's report;
`local_cluster` starts `--cluster local`'s Dask worker processes).

The child is compute/worker.py; the two speak compute/messages.py. A
reader thread here files the child's replies into the Futures, so the
child's death fails every Future in flight with one clear line instead of
leaving its waiter hanging.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import subprocess
import threading
from concurrent.futures import Future

import numpy as np

from viz.compute.messages import Cached, Done, Failed, Kernel, Measure, Ready
from viz.compute.tiles import TileResult
from viz.errors import UsageError
from viz.problem.spec import ProblemSpec

#: Scheduling priority of the child below its parent's (its kernel threads inherit it).
WORKER_NICE = 5
#: Seconds `close` waits for the killed child to exit.
CLOSE_WAIT = 1.0
#: Seconds an outside tool may take to answer.
TOOL_SECONDS = 20.0


@contextlib.contextmanager
def local_cluster(workers: int, env: dict):
    """A Dask LocalCluster of `workers` processes with one task slot each, on 127.0.0.1 (its dashboard too),
    and its Client; each worker process starts with `env` in its environment."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR, env=env) as cluster, \
            Client(cluster) as client:
        yield client


def tool_output(argv: list[str]) -> str:
    """What an outside tool prints, or "" when it is missing, fails to start or takes too long."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_SECONDS).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


class EngineProcess:
    """An executor of one task slot: each `submit` is measured by the engine in the child, in order.

    It starts at once and comes up in the background (`started()` says when);
    its owner closes it (`close`, or `with`).
    """

    workers = 1

    def __init__(self, arch: str = "auto", nice: int = WORKER_NICE) -> None:
        from viz.compute.backend import resolve_arch
        from viz.compute.worker import serve

        arch = resolve_arch(arch)  # a bad --arch is one line now, before any process starts
        # Spawn, not fork: the parent may hold Taichi, GL or glfw state that a fork would copy half-working.
        # Spawn re-imports the main script, so a script that starts one needs the usual
        # `if __name__ == "__main__"` guard (the console script has it).
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, arch, nice), daemon=True, name="nnfractal-engine")
        self._process.start()
        child.close()
        self.arch: str | None = None  # the child's backend, once Ready
        self.kernel: tuple[int, bool] | None = None  # (width, building) while the child builds or loads a kernel
        self.builds: list[int] = []  # widths whose kernel the child built (its cache flush wrote a new file)
        self._futures: dict[int, Future] = {}
        self._jobs = itertools.count()
        self._lock = threading.Lock()
        self._up = threading.Event()  # Ready, Failed at start, or the child gone
        self._failure: Exception | None = None  # why no more work can run
        self._closing = False
        self._reader = threading.Thread(target=self._read, daemon=True, name="nnfractal-engine-replies")
        self._reader.start()

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    def started(self) -> str | None:
        """The child's arch once it takes work, None while it starts; raises why it cannot run."""
        if self._failure is not None:
            raise self._failure
        return self.arch

    def wait(self) -> str:
        """Block until the child is up; its arch (raises why it cannot run)."""
        self._up.wait()
        return self.started()

    def submit(self, spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> Future:
        """The measures of pairs (xs[i], ys[i]) as a Future of a TileResult (values, seconds of compute).

        A problem the engine refuses fails its Future with the UsageError's one line.
        """
        future: Future = Future()
        with self._lock:
            if self._failure is not None or self._closing:
                raise self._failure or RuntimeError("the engine process is closed")
            job = next(self._jobs)
            self._futures[job] = future
        try:
            self._conn.send(Measure(job, spec, xs, ys))
        except (OSError, ValueError):  # the pipe closed meanwhile: the reader fails the Future
            pass
        return future

    def cancel(self, futures) -> None:
        """Cancel Futures not yet done; the child still runs a job it has started, and its measures are dropped."""
        for future in futures:
            future.cancel()

    def close(self) -> None:
        """Kill the child now, even mid-kernel, and cancel what it had not finished; leaves no process behind."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._process.kill()
        self._process.join(CLOSE_WAIT)
        self._reader.join(CLOSE_WAIT)  # the pipe's far end died with the child: the reader sees EOF
        self._conn.close()

    def __enter__(self) -> EngineProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self) -> None:
        """The reader thread: file each reply until the pipe closes, then fail or cancel what is left."""
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            self._file(message)
        self._process.join(CLOSE_WAIT)
        with self._lock:
            if self._failure is None:
                self._failure = RuntimeError("the engine process is closed") if self._closing else RuntimeError(
                    f"the engine process stopped unexpectedly (exit status {self._process.exitcode})")
            left, self._futures = list(self._futures.values()), {}
        for future in left:
            if self._closing:
                future.cancel()
            elif future.set_running_or_notify_cancel():
                future.set_exception(self._failure)
        self._up.set()

    def _file(self, message) -> None:
        if isinstance(message, Ready):
            self.arch = message.arch
            self._up.set()
        elif isinstance(message, Kernel):
            self.kernel = (message.width, message.building)
        elif isinstance(message, Cached):
            if message.built:
                self.builds.append(message.width)
        elif isinstance(message, Failed) and message.job is None:
            self._failure = UsageError(message.line)
            self._up.set()
        else:  # Done or Failed of a job
            self.kernel = None
            with self._lock:
                future = self._futures.pop(message.job, None)
            if future is None or not future.set_running_or_notify_cancel():
                return
            if isinstance(message, Done):
                future.set_result(TileResult(message.measures, message.seconds))
            else:
                future.set_exception(UsageError(message.line))
