"""One still written to a file: raw float64 measures (.npy), the paper's picture (.png) with its settings,
or, on a cluster, its Zarr tile store itself (.zarr: kept, and resumed by a rerun)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from viz.colour.equalise import colour_measures
from viz.errors import Interrupted, UsageError
from viz.outputs import OUTPUT_SUFFIXES, check_writable, save_npy, save_png
from viz.paper.stills import StillSpec, compute_still
from viz.problem.experiment import PAPER_EXPERIMENT

#: The output that is a cluster render's own tile store.
STORE_SUFFIX = ".zarr"


def tile_store(out: Path) -> Path:
    """Where a cluster render of a .npy or .png keeps its finished tiles: beside it (still.npy -> still.npy.zarr)."""
    return out.with_suffix(out.suffix + STORE_SUFFIX)


def is_store(out: str | Path) -> bool:
    """Whether `out` names a Zarr store (the render's result kept as tiles) rather than a file."""
    return Path(out).suffix.lower() == STORE_SUFFIX


def write_still(spec: StillSpec, out: str | Path, arch: str = "auto", progress: bool = True,
                cluster: str | None = None, tile: int | None = None) -> Path:
    """Compute the still (in this process, or on `cluster` in tiles) and write it; `spec` is validated.

    A .zarr `out` is the cluster's tile store itself, kept; otherwise the
    tiles go through a store beside `out`, removed once `out` is saved.
    Ctrl-C raises Interrupted: in-process nothing is written; on a cluster
    the finished tiles stay in the store, and the same command computes
    only the rest.
    """
    from viz.paper.cluster_still import DEFAULT_TILE, check_still_store, discard_store, still_on_cluster

    kept = is_store(out)
    if kept and cluster is None:
        raise UsageError(f"output {str(out)!r}: a .zarr output is a cluster render's tile store; "
                         "add --cluster (local computes on this machine)")
    tile = tile or DEFAULT_TILE
    out = Path(out) if kept else check_writable(out, (*OUTPUT_SUFFIXES, STORE_SUFFIX) if cluster else OUTPUT_SUFFIXES)
    store = out if kept else tile_store(out)
    if cluster is not None:
        check_still_store(store, spec, tile)
    try:
        if cluster is None:
            measure = compute_still(spec, arch=arch, progress=progress)
        else:
            measure = still_on_cluster(spec, cluster, store, arch, tile, progress, "result" if kept else "resume")
    except KeyboardInterrupt:
        if cluster is None:
            raise Interrupted(f"nothing written ({out} is untouched)") from None
        raise Interrupted(f"finished tiles kept in {store}; run the same command again to resume") from None
    if not kept:
        if out.suffix.lower() == ".npy":
            save_npy(out, measure)
        else:
            save_png(out, colour_measures(measure, spec.problem.readout), meta=spec.as_metadata())
        if cluster is not None:
            discard_store(store)
    problem = spec.problem
    experiment = "" if problem.experiment == PAPER_EXPERIMENT else f", {problem.experiment.label}"
    print(f"wrote {Path(out)} ({spec.cols}x{spec.rows}, {problem.condition}, n={problem.width}, {problem.steps} steps"
          f"{experiment})")
    return out


#: The mark of a pixel whose sign differs between float64 and double-double (magenta: in neither colour map).
DIFFER_RGB = (255, 0, 255)


def sign_differences(f64: np.ndarray, dd: np.ndarray) -> np.ndarray:
    """Where the two measure images fall on different sides (trained < 0 < diverged)."""
    return np.sign(f64) != np.sign(dd)


def comparison_picture(f64: np.ndarray, dd: np.ndarray, readout: str = "measure", scale: int = 1) -> np.ndarray:
    """float64 | double-double | the differing pixels, side by side as one RGB image (top row first).

    The third panel is the double-double picture in grey with each pixel
    whose sign differs in DIFFER_RGB; every panel is magnified `scale` times.
    """
    left, middle = colour_measures(f64, readout), colour_measures(dd, readout)
    grey = middle.mean(axis=2, keepdims=True).astype(np.uint8).repeat(3, axis=2) // 2 + 64
    mark = sign_differences(f64, dd)[::-1]  # colour_measures puts the top row first
    grey[mark] = DIFFER_RGB
    gutter = np.full((left.shape[0], 1, 3), 255, np.uint8)
    picture = np.concatenate([left, gutter, middle, gutter, grey], axis=1)
    return picture.repeat(scale, axis=0).repeat(scale, axis=1)


def write_precision_comparison(spec: StillSpec, out: str | Path, arch: str = "auto",
                               progress: bool = True) -> float:
    """Compute the still in float64 and in double-double, write them side by side (.png), print and return
    the share of pixels whose sign differs. A .npy `out` gets the two measure images stacked (2, rows, cols)."""
    out = check_writable(out)
    f64_spec = replace(spec, problem=replace(spec.problem, precision="f64"))
    dd_spec = replace(spec, problem=replace(spec.problem, precision="dd")).validate()
    try:
        f64_spec.validate()
    except UsageError as exc:  # a window past float64: there is no float64 picture to compare with
        raise UsageError(f"--compare-precision needs a window float64 can compute: {exc}") from None
    try:
        f64 = compute_still(f64_spec, arch=arch, progress=progress)
        dd = compute_still(dd_spec, arch=arch, progress=progress)
    except KeyboardInterrupt:
        raise Interrupted(f"nothing written ({out} is untouched)") from None
    differ = sign_differences(f64, dd)
    share = float(differ.mean())
    if out.suffix.lower() == ".npy":
        save_npy(out, np.stack([f64, dd]))
    else:
        scale = max(1, 256 // max(spec.rows, 1))
        meta = {**f64_spec.as_metadata(), "compare": "f64 | dd | sign differs", "sign_differs": share}
        save_png(out, comparison_picture(f64, dd, spec.problem.readout, scale), meta=meta)
    problem = spec.problem
    print(f"wrote {Path(out)} (float64 | double-double | differing; {spec.cols}x{spec.rows}, {problem.condition}, "
          f"n={problem.width}, {problem.steps} steps)")
    print(f"sign differs between float64 and double-double on {int(differ.sum())} of {differ.size} pixels "
          f"({100 * share:.2f}%)")
    return share
