"""An image's measures on disk as a Zarr v3 store, one chunk per tile, so that finished tiles outlive any interruption.

Each tile writes only its own chunk, then its own one-byte done flag (a
second array, one chunk per tile): chunk-aligned writes from many processes
need no locks, each chunk is replaced whole (Zarr's local store writes a
temporary file and renames it), and a tile counts as done only once its
flag is there, so a process killed mid-write leaves the tile to be computed
again. The settings that made the numbers are kept in the attributes and
checked on every open: a store never mixes two problems or two windows.
A store is made through a name this program creates (Zarr makes the
folder; a link in its place is refused), and says whether it is a result
the user asked for or only resume state a caller may remove once its image
is saved (`ROLES`). What the image is (a still, a keyframe) is its caller's to say: compute/
knows only a problem, the hyperparameter values of the columns and rows,
and a tile size.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from viz.compute.tiles import Tile, tile_grid
from viz.errors import UsageError
from viz.problem.spec import ProblemSpec

#: The attribute that holds a store's settings (bumped if the layout ever changes).
ATTRIBUTE = "nnfractal_tiles"
LAYOUT = 2
#: The attribute that says what a store is for: kept as a render's result, or resume state only.
ROLE = "nnfractal_role"
ROLES = ("result", "resume")

#: Arrays already opened by this process (a worker writes many tiles into one store).
_attached: dict = {}


@dataclass(frozen=True, eq=False)
class ImageGrid:
    """What a store holds: a problem's measures at xs (columns) by ys (rows, row 0 = bottom), tile x tile per chunk.

    `identity` names the image in its owner's terms (a still's spec, a
    keyframe's level); the axes' own bytes are checked too.
    """

    problem: ProblemSpec
    xs: np.ndarray = field(repr=False)
    ys: np.ndarray = field(repr=False)
    tile: int
    identity: dict = field(default_factory=dict)

    @property
    def cols(self) -> int:
        return len(self.xs)

    @property
    def rows(self) -> int:
        return len(self.ys)

    def as_metadata(self) -> dict:
        axes = hashlib.sha256(_axis_bytes(self.xs) + _axis_bytes(self.ys))
        meta = {"layout": LAYOUT, "problem": self.problem.as_metadata(), "identity": self.identity,
                "axes_sha256": axes.hexdigest(), "cols": self.cols, "rows": self.rows, "tile": self.tile}
        return json.loads(json.dumps(meta))  # as the store's attributes read back (lists, not tuples)

    def tiles(self) -> list[Tile]:
        return tile_grid(self.rows, self.cols, self.tile)

    @property
    def tile_shape(self) -> tuple[int, int]:
        """How many tiles the grid has along rows and along columns."""
        return -(-self.rows // self.tile), -(-self.cols // self.tile)


def _axis_bytes(values) -> bytes:
    """An axis as bytes: float64 values, or (hi, lo) pairs whole, so that dd axes equal in hi differ."""
    values = np.asarray(values)
    return values.tobytes() if values.dtype.names else np.asarray(values, np.float64).tobytes()


class TileStore:
    """The measure array and the done flags of one image."""

    def __init__(self, path: Path, measure, done, role: str):
        self.path = path
        self._measure = measure
        self._done = done
        self.role = role

    @classmethod
    def open(cls, path: str | Path, grid: ImageGrid, role: str = "resume") -> TileStore:
        """Create the store (as `role`), or reopen one made for exactly these settings, keeping its role
        (anything else is a UsageError)."""
        import zarr

        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        path = Path(path)
        refuse_links(path)
        want = grid.as_metadata()
        if path.exists():
            group = _open_group(path, "r+")
            have = dict(group.attrs).get(ATTRIBUTE)
            if have != want:
                raise UsageError(f"{path} holds an image made for other settings ({_difference(have, want)}); "
                                 "use another store or delete it")
            return cls(path, group["measure"], group["done"], dict(group.attrs).get(ROLE, "resume"))
        if not path.parent.is_dir():
            raise UsageError(f"cannot create the store {path}: folder {path.parent} does not exist")
        try:
            group = zarr.open_group(path, mode="w-", zarr_format=3, attributes={ATTRIBUTE: want, ROLE: role})
            measure = group.create_array("measure", shape=(grid.rows, grid.cols), chunks=(grid.tile, grid.tile),
                                         dtype="float64", fill_value=np.nan, attributes={ATTRIBUTE: want},
                                         config={"write_empty_chunks": True})
            done = group.create_array("done", shape=grid.tile_shape, chunks=(1, 1), dtype="uint8", fill_value=0)
        except OSError as exc:
            raise UsageError(f"cannot create the store {path}: {exc.strerror or exc}") from None
        return cls(path, measure, done, role)

    @classmethod
    def attach(cls, path: str | Path, grid: ImageGrid) -> TileStore:
        """The existing store of `grid` at `path`, opened once per process (how a worker writes its tiles).

        Keyed by the settings too: a store deleted and made again for other
        settings at the same path is never written through a stale handle.
        """
        key = (str(path), repr(grid.as_metadata()))
        if key not in _attached:
            _attached[key] = cls.open(path, grid)
        return _attached[key]

    def done(self) -> np.ndarray:
        """Which tiles are finished, as booleans by tile index (i, j)."""
        return self._done[...] != 0

    def missing(self, tiles: list[Tile]) -> list[Tile]:
        """The tiles whose done flag is not there yet."""
        done = self.done()
        return [t for t in tiles if not done[t.i, t.j]]

    def write(self, tile: Tile, values: np.ndarray) -> None:
        """Store one tile's measures, then mark it done (in that order, so that done always means complete)."""
        rows, cols = tile.slices
        self._measure[rows, cols] = values
        self._done[tile.i, tile.j] = 1

    def read(self) -> np.ndarray:
        """The whole image (rows x cols, row 0 = bottom); pixels of unfinished tiles are NaN."""
        return self._measure[...]


def refuse_links(path: Path) -> None:
    """A store is written only through names this program made: a link at it (or at one of its parts) is refused."""
    for part in (path, path / "zarr.json", path / "measure", path / "done"):
        if part.is_symlink():
            raise UsageError(f"{part} is a link; a tile store is written only under names nnfractal creates")


def store_role(path: Path) -> str:
    """What the store at `path` is for (ROLES); a store from before roles were written is resume state."""
    return dict(_open_group(path, "r").attrs).get(ROLE, "resume")


def read_store(path: str | Path) -> tuple[dict, np.ndarray, np.ndarray]:
    """A finished or partial store as it is on disk: (its settings, the image with NaN where no tile is done,
    the done flags by tile); without knowing its grid first (one line if it is not a store)."""
    path = Path(path)
    refuse_links(path)
    if not path.is_dir():
        raise UsageError(f"{path} is not a tile store (no such folder)")
    group = _open_group(path, "r")
    return dict(group.attrs)[ATTRIBUTE], group["measure"][...], group["done"][...] != 0


def _open_group(path: Path, mode: str):
    """An existing nnfractal store, or a UsageError naming what is wrong with the path."""
    import zarr

    try:
        group = zarr.open_group(path, mode=mode, zarr_format=3)
    except (FileNotFoundError, ValueError, TypeError) as exc:
        raise UsageError(f"{path} is not a Zarr v3 store of tiles ({exc})") from None
    if ATTRIBUTE not in group.attrs or "measure" not in group or "done" not in group:
        raise UsageError(f"{path} is not an nnfractal tile store")
    return group


def _difference(have, want: dict) -> str:
    """The settings that differ, as 'key: stored vs asked' (one line)."""
    if not isinstance(have, dict):
        return "no settings recorded"
    keys = [k for k in want if have.get(k) != want[k]]
    return "; ".join(f"{k}: stored {have.get(k)} vs asked {want[k]}" for k in keys)
