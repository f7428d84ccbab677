"""A still on a Dask cluster: its pixels as tiles of the generic tiled image, its spec the one StillSpec.

compute/ knows tiles of any image (hyperparameter values by column and
row); what a still's pixels are (10**linspace over its window) is
StillSpec's alone, so the still-specific part lives here beside it.
"""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import numpy as np

from viz.compute.tiles import DEFAULT_TILE
from viz.paper.stills import StillSpec


def still_grid(spec: StillSpec, tile: int = DEFAULT_TILE):
    """The still as a tiled image: its axes (for a double-double still its exact axes as numeric.dd.DD_PAIRS,
    low parts and all) and problem, its settings as the store's identity."""
    from viz.compute.zarr_store import ImageGrid
    from viz.numeric.dd import dd_pairs

    if spec.validate().problem.precision == "dd":
        x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
        xs, ys = dd_pairs(x_hi, x_lo), dd_pairs(y_hi, y_lo)
    else:
        xs, ys = spec.axes()
    return ImageGrid(spec.problem, xs, ys, tile, identity={"still": spec.as_metadata()})


def compute_still_on_cluster(client, spec: StillSpec, tile: int = DEFAULT_TILE, store: str | Path | None = None,
                             progress: bool = True, **options) -> np.ndarray:
    """A still's float64 measure image, its missing tiles computed on `client` (options: compute_on_cluster's)."""
    from viz.compute.tiled import TiledImage, compute_on_cluster

    p = spec.problem
    label = f"{p.condition} n={p.width} T={p.steps} {spec.cols}x{spec.rows}"
    return compute_on_cluster(client, [TiledImage(still_grid(spec, tile), store)], progress, label, **options)[0]


def still_on_cluster(spec: StillSpec, cluster: str, store: Path | None, arch: str = "auto", tile: int = DEFAULT_TILE,
                     progress: bool = True) -> np.ndarray:
    """Open the cluster, compute the still (through the store at `store`, kept, if given), close the cluster."""
    from viz.compute.cluster import open_cluster

    with open_cluster(cluster, arch=arch, quiet=not progress) as client:
        return compute_still_on_cluster(client, spec, tile, store, progress)


def discard_store(store: Path) -> None:
    """Remove a tile store once its image is saved: it is the resume state of an interrupted run, not an output."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(store)
