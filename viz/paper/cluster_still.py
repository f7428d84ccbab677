"""A still on a Dask cluster: its pixels as tiles of the generic tiled image, its spec the one StillSpec.

compute/ knows tiles of any image (hyperparameter values by column and
row); what a still's pixels are (10**linspace over its window) is
StillSpec's alone, so the still-specific part lives here beside it. The
Zarr store is the render's result where the user named one (`--out
x.zarr`, kept, and resumed by a rerun), or resume state beside a .npy or
.png output, removed once that file is saved (`discard_store`).
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np

from viz.compute.tiles import DEFAULT_TILE
from viz.errors import UsageError
from viz.paper.stills import StillSpec


def still_grid(spec: StillSpec, tile: int = DEFAULT_TILE):
    """The still as a tiled image: its axes (for a double-double still its exact axes as numeric.dd.DD_PAIRS,
    low parts and all) and problem, its settings as the store's identity. The spec is taken as validated
    (the command checks it once, where it builds it)."""
    from viz.compute.zarr_store import ImageGrid
    from viz.numeric.dd import dd_pairs

    if spec.problem.precision == "dd":
        x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
        xs, ys = dd_pairs(x_hi, x_lo), dd_pairs(y_hi, y_lo)
    else:
        xs, ys = spec.axes()
    return ImageGrid(spec.problem, xs, ys, tile, identity={"still": spec.as_metadata()})


def compute_still_on_cluster(client, spec: StillSpec, tile: int = DEFAULT_TILE, store: str | Path | None = None,
                             progress: bool = True, role: str = "resume", **options) -> np.ndarray:
    """A still's float64 measure image, its missing tiles computed on `client` (options: compute_on_cluster's;
    `role`: what a store made here is for, zarr_store.ROLES)."""
    from viz.compute.tiled import TiledImage, compute_on_cluster

    p = spec.problem
    label = f"{p.label} {spec.cols}x{spec.rows}"
    return compute_on_cluster(client, [TiledImage(still_grid(spec, tile), store, role)], progress, label,
                              **options)[0]


def still_on_cluster(spec: StillSpec, cluster: str, store: Path | None, arch: str = "auto", tile: int = DEFAULT_TILE,
                     progress: bool = True, role: str = "resume") -> np.ndarray:
    """Open the cluster, compute the still (through the store at `store`, if given), close the cluster."""
    from viz.compute.cluster import open_cluster

    with open_cluster(cluster, arch=arch, quiet=not progress) as client:
        return compute_still_on_cluster(client, spec, tile, store, progress, role)


def check_still_store(path: Path, spec: StillSpec, tile: int) -> Path:
    """Fail before any work where the still's store cannot be made or reopened at `path`; creates nothing."""
    from viz.compute.zarr_store import TileStore, refuse_links

    refuse_links(path)
    if path.exists():
        TileStore.open(path, still_grid(spec, tile))  # reopening checks that it holds this still
    elif not path.parent.is_dir():
        raise UsageError(f"cannot create the store {path}: folder {path.parent} does not exist")
    return path


def read_still_store(path: str | Path) -> tuple[StillSpec, np.ndarray]:
    """The still a finished store holds: its spec (from the store's settings) and its measure image."""
    from viz.compute.zarr_store import read_store
    from viz.problem.spec import ProblemSpec

    settings, measure, done = read_store(path)
    still = settings.get("identity", {}).get("still")
    if still is None:
        raise UsageError(f"{path} is a tile store, but not of a still")
    if not done.all():
        raise UsageError(f"{path} holds {int(done.sum())} of {done.size} tiles; "
                         "rerun the render that made it to finish it")
    # A window end is a float, or the exact decimal string of one no float equals (StillSpec.as_metadata).
    window = tuple(Decimal(v) if isinstance(v, str) else float(v) for v in still["window"])
    return StillSpec(ProblemSpec.of(still), window, int(still["cols"]), int(still["rows"])), measure


def discard_store(store: Path) -> None:
    """Remove a tile store once its image is saved, if it is resume state only (a result store is the user's)."""
    from viz.compute.zarr_store import store_role

    if store.is_dir() and not store.is_symlink() and store_role(store) == "resume":
        shutil.rmtree(store)
