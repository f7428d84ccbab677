"""One still written to a file: raw float64 measures (.npy) or the paper's picture (.png) with its settings."""
from __future__ import annotations

from pathlib import Path

from viz.colour.equalise import colour_measures
from viz.errors import Interrupted
from viz.outputs import check_writable, save_npy, save_png
from viz.paper.stills import StillSpec, compute_still


def tile_store(out: Path) -> Path:
    """Where a render on a cluster keeps its finished tiles: beside the output (still.npy -> still.npy.zarr)."""
    return out.with_suffix(out.suffix + ".zarr")


def write_still(spec: StillSpec, out: str | Path, arch: str = "auto", progress: bool = True,
                cluster: str | None = None, tile: int | None = None) -> Path:
    """Compute the still (in this process, or on `cluster` in tiles) and write it.

    Ctrl-C raises Interrupted: in-process nothing is written; on a cluster
    the finished tiles stay in the store beside the output, and the same
    command computes only the rest.
    """
    out = check_writable(out)
    try:
        if cluster is None:
            measure = compute_still(spec, arch=arch, progress=progress)
        else:
            from viz.paper.cluster_still import DEFAULT_TILE, still_on_cluster

            measure = still_on_cluster(spec, cluster, tile_store(out), arch, tile or DEFAULT_TILE, progress)
    except KeyboardInterrupt:
        if cluster is None:
            raise Interrupted(f"nothing written ({out} is untouched)") from None
        raise Interrupted(f"finished tiles kept in {tile_store(out)}; run the same command again to resume") \
            from None
    if out.suffix.lower() == ".npy":
        save_npy(out, measure)
    else:
        save_png(out, colour_measures(measure, spec.problem.readout), meta=spec.as_metadata())
    if cluster is not None:
        from viz.paper.cluster_still import discard_store

        discard_store(tile_store(out))
    problem = spec.problem
    print(f"wrote {Path(out)} ({spec.cols}x{spec.rows}, {problem.condition}, n={problem.width}, {problem.steps} steps)")
    return out
