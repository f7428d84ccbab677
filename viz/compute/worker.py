"""The explorer's engine worker: a process that measures batches sent down a pipe.

A Taichi kernel launch holds the GIL for its whole duration, so the engine
runs in its own process (see viz/explore/refiner.py, which schedules it),
niced so that the display wins the CPU when both want it.
"""
from __future__ import annotations

import os
import signal
import time

import numpy as np

from viz.errors import UsageError

#: Scheduling priority of the worker below the window's (its kernel threads inherit it).
WORKER_NICE = 5


def serve(conn, arch: str) -> None:
    """The worker process: start the engine, then measure batches until told to stop.

    Messages in: (job, ProblemSpec, xs, ys) | None. Messages out:
    ("ready", arch) | ("error", line) | ("compiling", width) |
    ("done", job, measures, seconds, evaluations).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the window's to handle
    os.nice(WORKER_NICE)  # the display loop gets the CPU first; compute takes the rest
    from viz.compute.backend import init_backend
    from viz.compute.engine import build_engine
    from viz.compute.loop import compute_pixels

    try:
        backend = init_backend(arch)
        conn.send(("ready", backend.arch))
        engines = {}
        widths: set[int] = set()
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            job, spec, xs, ys = message
            engine = engines.get(spec)
            if engine is None:
                engine = engines[spec] = build_engine(spec, backend)
            if spec.width not in widths:
                conn.send(("compiling", spec.width))  # the first launch of a width compiles its kernel
                widths.add(spec.width)
            start = time.perf_counter()
            measures = np.empty(len(xs))
            compute_pixels(engine.measure, xs, ys, measures, np.arange(len(xs)), chunk=engine.chunk_pixels)
            conn.send(("done", job, measures, time.perf_counter() - start,
                       sum(e.evaluations for e in engines.values())))
    except UsageError as exc:
        conn.send(("error", str(exc)))
    except (EOFError, ConnectionError):  # the window went away (closed or killed): nothing to report to
        return
