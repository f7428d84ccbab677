"""Fill a keyframe store with the engine, reporting progress over the whole zoom rather than per keyframe."""
from __future__ import annotations

import contextlib
from collections.abc import Callable

from viz.problem.conditions import PANEL_PRESETS
from viz.video.keyframes import FillReport, KeyframeStore

#: progress(samples done, samples to do, label): the counts cover every missing keyframe.
ZoomProgress = Callable[[int, int, str], None]


def compute_keyframes(store: KeyframeStore, arch: str,
                      progress: ZoomProgress = lambda done, total, label: None) -> FillReport:
    """Start the store's engines (in a child process) and compute its missing keyframes, widest first.

    A zoom that goes past float64's limit has two engines, float64 and
    double-double: each keyframe's values say which it needs (double-double
    keyframes come as numeric.dd.DD_PAIRS). Until a keyframe starts its work is
    a guess: all of it for the widest, three quarters for the others (a
    quarter comes from the one above); once it starts, its real count
    replaces the guess.
    """
    from viz.compute.isolated import IsolatedEngine
    from viz.compute.process import EngineProcess

    spec = store.spec
    missing = store.missing()
    # Ctrl-C and SIGTERM kill the child at once; none starts when nothing is missing
    with EngineProcess(arch) if missing else contextlib.nullcontext() as process:
        engines = {problem.precision: IsolatedEngine(problem, arch, process)  # one child serves both arithmetics
                   for problem in {spec.problem_at(lv) for lv in missing}}
        return _fill(store, missing, engines, progress)


def _fill(store: KeyframeStore, missing: list[int], engines: dict, progress: ZoomProgress) -> FillReport:
    """Fill the missing keyframes with the engines of each arithmetic, keeping one progress count."""
    from viz.numeric.dd import precision_of

    spec = store.spec

    def measure(xs, ys):
        return engines[precision_of(xs)].measure(xs, ys)

    guess = {level: spec.res ** 2 - (0 if level == spec.levels[0] else (spec.res // 2) ** 2) for level in missing}
    total = sum(guess.values())
    state = {"level": None, "base": 0, "todo": 0}
    on_disk, count = len(spec.levels) - len(missing), len(spec.levels)  # a resume counts what it kept
    progress(0, total, f"keyframes {on_disk}/{count}")

    def on_chunk(level: int, done: int, todo: int) -> None:
        nonlocal total
        if level != state["level"]:  # a new keyframe: now its real count is known
            state["base"] += state["todo"]
            state.update(level=level, todo=todo)
            total += todo - guess[level]
        progress(state["base"] + done, total, f"keyframes {on_disk + missing.index(level)}/{count}")

    report = store.fill(measure, on_chunk, min((engine.chunk_pixels for engine in engines.values()), default=1))
    progress(state["base"] + state["todo"], total, f"keyframes {count}/{count}")
    return report


def panel_warning(panel: str, preset: str) -> str | None:
    """A warning line when a Figure 1 window is one colour at this preset (conditions.PANEL_PRESETS), else None.

    The zoom would fly into a flat picture: the line names the preset that shows the boundary.
    """
    if preset in PANEL_PRESETS:
        return None
    return (f"warning: the {panel} Figure 1 window is all one colour at --preset {preset} (measured); "
            f"it shows the boundary at --preset {PANEL_PRESETS[0]}")


def compute_keyframes_on_cluster(store: KeyframeStore, cluster: str, arch: str, tile: int, progress: bool = True):
    """Compute the store's missing keyframes as tiles on a Dask cluster, then publish each as its .npy.

    Every missing keyframe's tiles go out at once, under one bar; finished
    tiles stay in the folder's Zarr store through any interruption, so the
    same command computes only the rest. Returns the TileCount.
    """
    import shutil

    from viz.compute.cluster import open_cluster
    from viz.compute.tiled import TileCount, TiledImage, compute_on_cluster
    from viz.outputs import save_npy
    from viz.video.keyframes import keyframe_grid, keyframe_tiles

    missing = store.missing()
    images = [TiledImage(keyframe_grid(store.spec, level, tile), keyframe_tiles(store.folder, level))
              for level in missing]
    count = TileCount()
    with open_cluster(cluster, arch=arch, quiet=not progress) as client:
        measures = compute_on_cluster(client, images, progress, f"keyframes {len(missing)}", count=count)
    for level, image, measure in zip(missing, images, measures):
        save_npy(store.path(level), measure)
        store.path(level, partial=True).unlink(missing_ok=True)
        shutil.rmtree(image.store)
    return count
