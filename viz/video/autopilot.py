"""The live demo's pilot: picks points exactly on the boundary and computes keyframes towards them.

It runs in its own process (a Taichi kernel holds the GIL for its whole
launch, so a thread would freeze the display) and talks to the display
through a queue:
  ("leg", n, spec)          a new flight towards spec's centre begins
  ("keyframe", n, array)    the next keyframe of flight n (each a level deeper)
  ("end", n)                flight n goes no deeper
  ("error", text)           the pilot cannot fly (bad settings)
  ("status", text)          what it does before its first keyframe (building the kernel, mapping)
A flight's target is found by bisection between two neighbouring samples
of opposite sign on a map of the whole plane, to float64 resolution, so
every zoom level about it still shows both colours; a flight ends at the
float64 limit, or earlier should a keyframe show one colour about its
centre all the same. At most AHEAD flights are computed before the display
has flown them.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.numeric.fixed import FRAC_BITS, exp10, to_fixed
from viz.problem.spec import ProblemSpec
from viz.sampling.boundary import sign_changes
from viz.video.keyframes import KeyframeSpec, KeyframeStore, check_spec, keyframe_axes, outer_level

#: The map's centre: the middle of the notebook's starting view, log10 (1.5, 1.5).
HOME = (1.5, 1.5)
#: Flights computed ahead of the display.
AHEAD = 2
#: Scheduling priority of the pilot below the display's.
NICE = 5
#: Points tried per bisection round (the bracket shrinks 16x per engine call).
BISECT_POINTS = 15


@dataclass(frozen=True)
class PilotSettings:
    """What to fly over: the problem, keyframe resolution, backend and a seed for the choice of targets."""

    problem: ProblemSpec
    res: int
    arch: str
    choice_seed: int = 0


def start(settings: PilotSettings):
    """Start the pilot process; returns (process, queue, flown): release `flown` after flying each flight."""
    ctx = multiprocessing.get_context("spawn")  # no fork after the display has started GL
    queue = ctx.Queue()
    flown = ctx.Semaphore(AHEAD)
    process = ctx.Process(target=_main, args=(settings, queue, flown), daemon=True, name="nnfractal-pilot")
    process.start()
    return process, queue, flown


def _main(settings: PilotSettings, queue, flown) -> None:
    os.nice(NICE)  # the display must win the CPU on a small machine; Taichi's threads inherit this
    try:
        fly(settings, queue, flown)
    except UsageError as exc:
        queue.put(("error", str(exc)))
    except KeyboardInterrupt:
        pass


def fly(settings: PilotSettings, queue, flown) -> None:
    """Flight after flight, forever: a map, then for each flight a target and its keyframes."""
    engine = prepared_engine(settings, queue)
    rng = random.Random(settings.choice_seed)
    base = KeyframeSpec(settings.problem, to_fixed(HOME[0]), to_fixed(HOME[1]), settings.res,
                        (outer_level(settings.res),))
    with tempfile.TemporaryDirectory(prefix="nnfractal-pilot-") as tmp:
        home = KeyframeStore.create_or_resume(Path(tmp) / "map", base)
        queue.put(("status", "mapping the plane to find points on the boundary..."))
        home.fill(engine.measure, chunk=engine.chunk_pixels)
        world = home.load(base.levels[0])
        queue.put(("status", "computing the first keyframes..."))
        for flight in itertools.count():
            flown.acquire()
            cx, cy = boundary_point(base, world, engine.measure, rng)
            spec = replace(base, cx=cx, cy=cy)
            queue.put(("leg", flight, spec))
            store = KeyframeStore.create_or_resume(Path(tmp) / f"flight{flight}", spec)
            for level in deeper_levels(spec):
                store.spec = replace(spec, levels=tuple(range(spec.levels[0], level + 1)))
                store.fill(engine.measure, chunk=engine.chunk_pixels)
                keyframe = store.load(level)
                if not both_signs_near_centre(keyframe):
                    break
                queue.put(("keyframe", flight, keyframe))
            queue.put(("end", flight))


def prepared_engine(settings: PilotSettings, queue):
    """The engine with its kernel ready, saying on the queue whether it builds or loads it.

    The pilot is terminated when the demo ends, so Taichi would never write
    its offline cache: after a build the cache is flushed to disk here, and
    the next demo loads the kernel in seconds.
    """
    from viz.compute.backend import flush_cache, init_backend
    from viz.compute.engine import build_engine

    backend = init_backend(settings.arch)
    width = settings.problem.width
    building = not backend.is_cached(width)
    queue.put(("status", f"building the kernel for n={width}: its first use on this machine, up to half a "
                         "minute (cached afterwards)..." if building
                         else f"loading the kernel for n={width} from the cache..."))
    engine = build_engine(settings.problem, backend)
    engine.prepare()
    if building:
        backend, _ = flush_cache(backend)
        engine = build_engine(settings.problem, backend)
        engine.prepare()
    return engine


def deeper_levels(spec: KeyframeSpec):
    """The levels from the outer one down to the float64 limit at the spec's centre."""
    level = spec.levels[0]
    while True:
        try:
            check_spec(replace(spec, levels=tuple(range(spec.levels[0], level + 1))))
        except UsageError:
            return
        yield level
        level += 1


def both_signs_near_centre(keyframe: np.ndarray) -> bool:
    """Whether the middle half of a keyframe holds both converged and diverged samples."""
    rows, cols = keyframe.shape
    middle = keyframe[rows // 4: rows - rows // 4, cols // 4: cols - cols // 4]
    return bool((middle > 0).any() and (middle < 0).any())


def boundary_point(spec: KeyframeSpec, world: np.ndarray, measure, rng: random.Random) -> tuple[int, int]:
    """A fixed-point point on the boundary: a random sign change in the map's middle half, bisected.

    The two neighbours lie on one row, so only x is bisected, in exact
    fixed-point steps, until the bracket's ends are neighbouring float64s.
    """
    rows, cols = world.shape
    diverged = world > 0
    change = sign_changes(world)
    middle = np.zeros_like(change)
    middle[rows // 4: rows - rows // 4, cols // 4: cols - cols // 4] = True
    candidates = np.argwhere(change & middle)
    if candidates.size == 0:
        candidates = np.argwhere(change)
    if candidates.size == 0:
        raise UsageError(f"the {spec.problem.condition} condition shows one colour over the whole map: nowhere to fly")
    row, col = (int(v) for v in candidates[rng.randrange(len(candidates))])
    xs, ys = keyframe_axes(spec, spec.levels[0])
    shift = FRAC_BITS - spec.levels[0]
    lo, hi = int(xs[col]) << shift, int(xs[col + 1]) << shift
    y = int(ys[row]) << shift
    lo_diverged = bool(diverged[row, col])
    eta1 = exp10(y)
    while hi - lo > BISECT_POINTS + 1 and np.nextafter(exp10(lo), np.inf) < exp10(hi):
        inner = [lo + (hi - lo) * (t + 1) // (BISECT_POINTS + 1) for t in range(BISECT_POINTS)]
        signs = measure(np.array([exp10(v) for v in inner]), np.full(BISECT_POINTS, eta1)) > 0
        flips = np.flatnonzero(signs != lo_diverged)
        if flips.size:
            first = int(flips[0])
            lo, hi = (inner[first - 1] if first else lo), inner[first]
        else:
            lo = inner[-1]
    return (lo + hi) // 2, y
