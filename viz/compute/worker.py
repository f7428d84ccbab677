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

    Messages in: (job, ProblemSpec, xs, ys) | None; a double-double
    problem's xs and ys are DD_PAIRS arrays (hyperparameters past float64). Messages out:
    ("ready", arch) | ("error", line) | ("kernel", width, building) |
    ("done", job, measures, seconds, evaluations) | ("cached", width, built).

    "kernel" comes before the first call of a width's kernel in this
    process: building (not in Taichi's offline cache: tens of seconds) or
    loading it (seconds). After a build's first batch the worker writes the
    cache to disk (it is killed on exit, so Taichi would never write it)
    and says "cached", with whether the flush wrote a new kernel file (the
    proof that a build happened).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the window's to handle
    os.nice(WORKER_NICE)  # the display loop gets the CPU first; compute takes the rest
    from viz.compute.backend import flush_cache, init_backend
    from viz.compute.engine import build_engine
    from viz.compute.loop import compute_pixels

    try:
        backend = init_backend(arch)
        conn.send(("ready", backend.arch))
        engines = {}
        evaluations = 0  # over every engine, including those dropped by a cache flush
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            job, spec, xs, ys = message
            engine = engines.get(spec)
            building = False
            if engine is None:
                fresh = _first_use(spec, backend)
                if fresh is not None:
                    building = fresh
                    conn.send(("kernel", spec.width, building))
                engine = engines[spec] = build_engine(spec, backend)
            start, counted = time.perf_counter(), engine.evaluations
            measures = np.empty(len(xs))
            compute_pixels(engine.measure, xs, ys, measures, np.arange(len(xs)), chunk=engine.chunk_pixels)
            evaluations += engine.evaluations - counted
            conn.send(("done", job, measures, time.perf_counter() - start, evaluations))
            if building and spec.precision == "f64":  # the offline cache's stamps name float64 kernels only
                backend, built = flush_cache(backend)
                engines.clear()  # their kernels died with the flush; they load from disk when next used
                conn.send(("cached", spec.width, built))
    except UsageError as exc:
        conn.send(("error", str(exc)))
    except (EOFError, ConnectionError):  # the window went away (closed or killed): nothing to report to
        return


def _first_use(spec, backend) -> bool | None:
    """None when this problem's kernel already runs in this process; else whether it will be built, not loaded.

    A double-double kernel counts as built: the offline cache's stamps say
    nothing about it.
    """
    if spec.precision == "dd":
        from viz.compute.kernels.choice import dd_layout_for

        try:
            layout = dd_layout_for(backend.arch, spec.width)
        except UsageError:
            return None  # no such kernel here: build_engine says so in one line
        return None if (layout, spec.width) in backend.kernels else True
    return None if spec.width in backend.kernels else not backend.is_cached(spec.width)
