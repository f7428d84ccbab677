"""The engine process's child side: start the backend, then measure the jobs sent down a pipe.

A Taichi kernel launch holds the GIL for its whole duration, so the engine
runs in its own process (compute/process.py starts it and speaks to it in
compute/messages.py's dataclasses), niced so that a display wins the CPU
when both want it.
"""
from __future__ import annotations

import os
import signal
import time

import numpy as np

from viz.compute.messages import Cached, Done, Failed, Kernel, Measure, Ready
from viz.errors import UsageError


def serve(conn, arch: str, nice: int) -> None:
    """The child's loop: Ready (or Failed), then one Done or Failed per Measure, until the pipe closes.

    A width's first job in this process is preceded by Kernel (building,
    not in Taichi's offline cache: tens of seconds; or loading it: seconds).
    The kernel is built before the job's clock starts, so Done's seconds are
    compute alone. After a build the child writes the cache to disk (it is
    killed on exit, so Taichi would never write it) and says Cached, with
    whether the flush wrote a new kernel file (the proof that a build happened).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.nice(nice)  # the display loop gets the CPU first; compute takes the rest
    from viz.compute.backend import flush_cache, init_backend

    try:
        try:
            backend = init_backend(arch)
        except UsageError as exc:
            conn.send(Failed(str(exc)))
            return
        conn.send(Ready(backend.arch))
        engines: dict = {}
        while True:
            message: Measure = conn.recv()
            try:
                building = _measure(conn, message, backend, engines)
            except UsageError as exc:
                conn.send(Failed(str(exc), message.job))
                continue
            if building and message.spec.precision == "f64":  # the offline cache's stamps name float64 kernels only
                backend, built = flush_cache(backend)
                engines.clear()  # their kernels died with the flush; they load from disk when next used
                conn.send(Cached(message.spec.width, built))
    except (EOFError, ConnectionError):  # the parent went away (closed or killed): nothing to report to
        return

def _measure(conn, job: Measure, backend, engines: dict) -> bool:
    """Run one job and send its Done; True if its kernel was built for it (not loaded)."""
    from viz.compute.engine import build_engine
    from viz.compute.loop import compute_pixels

    engine = engines.get(job.spec)
    building = False
    if engine is None:
        fresh = _first_use(job.spec, backend)
        if fresh is not None:
            building = fresh
            conn.send(Kernel(job.spec.width, building))
        engine = build_engine(job.spec, backend)
        engine.prepare()
        engines[job.spec] = engine
    start = time.perf_counter()
    measures = np.empty(len(job.xs))
    compute_pixels(engine.measure, job.xs, job.ys, measures, np.arange(len(job.xs)), chunk=engine.chunk_pixels)
    conn.send(Done(job.job, measures, time.perf_counter() - start))
    return building


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
