"""The live demo's pilot: picks points exactly on the boundary and computes keyframes towards them.

It is a thread of the demo that computes through the engine process it
owns (compute/process.py: a Taichi kernel holds the GIL for its whole
launch, so the kernels run there, not in this thread). The display reads
what it has so far: `status` (what it does before its first keyframe:
starting the engine, building or loading the kernel, mapping), `flights`
(each flight's keyframe spec, its keyframes so far, each a level deeper,
and whether it goes no deeper) and `check()` (raises why it cannot fly).
A flight's target is found by bisection between two neighbouring samples
of opposite sign on a map of the whole plane, to float64 resolution, so
every zoom level about it still shows both colours; a flight ends at the
float64 limit, or earlier should a keyframe show one colour about its
centre all the same. At most AHEAD flights are computed before the display
has flown them (`flew`).
"""
from __future__ import annotations

import itertools
import random
import tempfile
import threading
from concurrent.futures import wait
from dataclasses import dataclass, field, replace
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
#: Points tried per bisection round (the bracket shrinks 16x per engine call).
BISECT_POINTS = 15
#: Seconds `close` waits for the thread once its engine process is killed.
STOP_WAIT = 2.0


@dataclass(frozen=True)
class PilotSettings:
    """What to fly over: the problem, keyframe resolution, backend and a seed for the choice of targets."""

    problem: ProblemSpec
    res: int
    arch: str
    choice_seed: int = 0


@dataclass
class Leg:
    """One flight as the pilot computes it: its keyframe spec, the keyframes so far, and whether it is over."""

    spec: KeyframeSpec
    keyframes: list[np.ndarray] = field(default_factory=list)
    ended: bool = False  # set after its last keyframe is in `keyframes`


class Pilot:
    """The pilot thread and the engine process it computes with; `close` ends both at once."""

    def __init__(self, settings: PilotSettings) -> None:
        from viz.compute.process import EngineProcess

        self.settings = settings
        self.status = "starting the engine..."
        self.flights: dict[int, Leg] = {}  # the flights not yet flown, by number
        self.process = EngineProcess(settings.arch)
        self._slots = threading.Semaphore(AHEAD)
        self._stopping = threading.Event()
        self._error: UsageError | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="nnfractal-pilot")
        self._thread.start()

    def check(self) -> None:
        """Raise why the pilot stopped, as one line (bad settings, or its engine process died)."""
        if self._error is not None:
            raise self._error

    def flew(self, number: int) -> None:
        """The display is done with a flight: the pilot may compute another."""
        self.flights.pop(number, None)
        self._slots.release()

    def close(self) -> None:
        """Kill the engine process (mid-kernel is fine: the pilot keeps nothing) and let the thread end."""
        self._stopping.set()
        self._slots.release()
        self.process.close()
        self._thread.join(STOP_WAIT)

    def _run(self) -> None:
        try:
            fly(self.settings, self)
        except Exception as exc:  # any: the display shows why the pilot stopped, in one line
            if not self._stopping.is_set():
                self._error = exc if isinstance(exc, UsageError) else UsageError(f"the demo's pilot stopped: {exc}")

    def next_slot(self) -> bool:
        """Wait until the display has room for another flight; False once the pilot is closing."""
        self._slots.acquire()
        return not self._stopping.is_set()


def fly(settings: PilotSettings, pilot: Pilot) -> None:
    """Flight after flight until closed: a map, then for each flight a target and its keyframes."""
    engine = prepared_engine(settings, pilot)
    rng = random.Random(settings.choice_seed)
    base = KeyframeSpec(settings.problem, to_fixed(HOME[0]), to_fixed(HOME[1]), settings.res,
                        (outer_level(settings.res),))
    with tempfile.TemporaryDirectory(prefix="nnfractal-pilot-") as tmp:
        home = KeyframeStore.create_or_resume(Path(tmp) / "map", base)
        pilot.status = "mapping the plane to find points on the boundary..."
        home.fill(engine.measure, chunk=engine.chunk_pixels)
        world = home.load(base.levels[0])
        pilot.status = "computing the first keyframes..."
        for number in itertools.count():
            if not pilot.next_slot():
                return
            cx, cy = boundary_point(base, world, engine.measure, rng)
            leg = Leg(replace(base, cx=cx, cy=cy))
            pilot.flights[number] = leg
            store = KeyframeStore.create_or_resume(Path(tmp) / f"flight{number}", leg.spec)
            for level in deeper_levels(leg.spec):
                store.spec = replace(leg.spec, levels=tuple(range(leg.spec.levels[0], level + 1)))
                store.fill(engine.measure, chunk=engine.chunk_pixels)
                keyframe = store.load(level)
                if not both_signs_near_centre(keyframe):
                    break
                leg.keyframes.append(keyframe)
            leg.ended = True


def prepared_engine(settings: PilotSettings, pilot):
    """The engine with its kernel ready, saying in `pilot.status` whether the engine process builds or loads it.

    The process writes a build to Taichi's offline cache itself, so the next
    demo loads the kernel in seconds.
    """
    from viz.compute.isolated import IsolatedEngine

    process = pilot.process
    engine = IsolatedEngine(settings.problem, settings.arch, process)
    first = process.submit(settings.problem, np.ones(1), np.ones(1))  # the throwaway pixel that builds the kernel
    while True:
        if process.kernel is not None:
            width, building = process.kernel
            pilot.status = (f"building the kernel for n={width}: its first use on this machine, up to half a "
                            "minute (cached afterwards)..." if building
                            else f"loading the kernel for n={width} from the cache...")
        if wait([first], timeout=0.05).done:
            break
    first.result()
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
