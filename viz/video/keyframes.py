"""Zoom-video keyframes on the sample lattice, and their store on disk beside the video.

Keyframe k of a zoom is res x res samples of lattice level L_k (spacing
2**-L_k decades), the widest first and each next one a level deeper, so 2x
narrower. Its samples are the level's points nearest to being centred on
the zoom's fixed centre (within half a spacing: the lattice cannot centre
every level on one point). Because level L's points are the even points of
level L + 1, a keyframe shares a quarter of its samples with the one
before it, with bit-identical hyperparameters (`lattice.sample_values`), and
those are copied rather than recomputed.

A keyframe depends only on the problem, the centre, the resolution and its
level, so the store is a folder of one .npy per level plus manifest.json
holding those settings: changing the video's fps, pace or size, or zooming
deeper about the same point, reuses every keyframe already there. A
keyframe in progress is checkpointed (every CHECKPOINT_S and on Ctrl-C) so
a resumed run computes only what is missing. On a cluster (`--cluster`) the
keyframes in progress are tiles of a Zarr store inside the folder instead
(TILES, one group per level, chunk = tile), and a finished keyframe is
published as its .npy like any other, so the video, `dim` and folders made
before either way read one format.

A zoom may mix arithmetics: `with_precision(spec, "auto")` computes the
keyframes float64 resolves in float64 and the deeper ones in double-double,
from level `dd_from` on (kept in the manifest). Samples are copied from the
keyframe above only when both were computed in the same arithmetic.
"""
from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from viz import limits
from viz.compute.loop import compute_pixels
from viz.compute.zarr_store import ImageGrid
from viz.errors import UsageError
from viz.numeric.fixed import FRAC_BITS, from_fixed, from_old_fixed, to_fixed
from viz.outputs import atomic_write, save_npy
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import MAX_LEVEL, max_level, sample_values, sample_values_dd
from viz.sampling.precision import auto_precision
from viz.sampling.view import DOMAIN, View, min_pixel
from viz.video.path import ZoomPath

#: Manifest format: 2 counts the centre in 2**-FRAC_BITS decades; format 1 (2**-64 decades) is still read.
FORMAT = 2
MANIFEST = "manifest.json"
#: The widest keyframe spans at least this many decades (SPEC: "at least 6 decades").
OUTER_DECADES = 6.0
#: Seconds between checkpoints of the keyframe in progress.
CHECKPOINT_S = 60.0
#: Bytes a keyframe in progress holds per sample: its measures, the two axes' hyperparameters, a checkpoint copy.
BYTES_PER_SAMPLE = 32
#: The Zarr store of keyframes being computed on a cluster, inside the keyframe folder.
TILES = "tiles.zarr"
#: Samples per engine call unless the caller says (the engine's own size): a live progress bar and a prompt Ctrl-C.
CHUNK = 512
#: Fewest samples across a keyframe.
MIN_RES = 8
#: A keyframe file or its checkpoint, and the level it holds.
LEVEL_FILE = re.compile(r"level(\d+)(\.partial)?\.npy")


@dataclass(frozen=True)
class KeyframeSpec:
    """What the keyframes' numbers depend on, and which levels the zoom passes through."""

    problem: ProblemSpec
    cx: int  # fixed-point log10 centre (numeric.fixed.to_fixed)
    cy: int
    res: int
    levels: tuple[int, ...] = field(default=())  # widest keyframe first, consecutive
    dd_from: int = 0  # with a double-double problem, the first level computed in it (the ones above: float64)

    def precision_at(self, level: int) -> str:
        """The arithmetic keyframe `level` is computed in: "f64" or "dd"."""
        return "dd" if self.problem.precision == "dd" and level >= self.dd_from else "f64"

    def problem_at(self, level: int) -> ProblemSpec:
        """The problem whose measures keyframe `level` holds (the zoom's, in that level's arithmetic)."""
        return replace(self.problem, precision=self.precision_at(level))

    def identity(self, level: int) -> dict:
        """What keyframe `level`'s numbers depend on (flat, as on disk): equal in two stores, that keyframe is
        interchangeable between them."""
        return {**self.problem_at(level).as_metadata(), "cx": self.cx, "cy": self.cy, "res": self.res}

    @property
    def centre(self) -> tuple[float, float]:
        return from_fixed(self.cx), from_fixed(self.cy)

    def spacing(self, level: int) -> float:
        """Decades between neighbouring samples of a keyframe of this level."""
        return math.ldexp(1.0, -level)

    def deepest_width(self) -> float:
        """Width of the last keyframe's box (first to last sample), decades."""
        return (self.res - 1) * self.spacing(self.levels[-1])

    def middle(self, level: int) -> tuple[float, float]:
        """Where the middle of this keyframe level's samples lies from the fixed centre, in its samples.

        Lattice keyframes are not exactly concentric: the res samples whose
        middle is nearest the centre can sit up to half a sample off. Exact
        integer arithmetic on the fixed-point centre, rounded once.
        """
        unit = 1 << (FRAC_BITS - level)  # one spacing, in fixed-point units
        return tuple(((2 * first_index(f, self.res, level) + self.res - 1) * unit - 2 * f) / (2 * unit)
                     for f in (self.cx, self.cy))

    def zoom_path(self, frames_per_2x: int) -> ZoomPath:
        """The paper's frame-by-frame path through these keyframes, each drawn where its samples lie."""
        width = self.deepest_width()
        return ZoomPath(self.centre, (width, width), len(self.levels), (self.res, self.res), frames_per_2x,
                        middles=tuple(self.middle(level) for level in self.levels))


def outer_level(res: int) -> int:
    """The finest level whose res samples still span OUTER_DECADES."""
    return math.floor(math.log2((res - 1) / OUTER_DECADES))


def level_for_width(res: int, decades: float) -> int:
    """The coarsest level whose res samples span at most `decades`: a keyframe no wider than the target."""
    level = math.ceil(math.log2((res - 1) / decades))
    while (res - 1) * math.ldexp(1.0, -level) > decades:
        level += 1
    return level


def zoom_levels(res: int, deepest: int) -> tuple[int, ...]:
    """The levels from the outer keyframe down to `deepest`, checked."""
    first = outer_level(res)
    if deepest <= first:
        raise UsageError(f"the target is as wide as the outer keyframe ({(res - 1) * 2.0 ** -first:g} decades): "
                         "nothing to zoom into")
    return tuple(range(first, deepest + 1))


def auto_dd_from(cx: int, cy: int, res: int) -> int:
    """The first level --precision auto computes in double-double about this centre: the explorer's rule
    (sampling.precision.auto_precision) asked of each keyframe, so float64 keyframes never sit at its edge."""
    level = MAX_LEVEL + 1
    while level > 0:
        spacing = math.ldexp(1.0, -(level - 1))
        if auto_precision(spacing, min_pixel(View(cx, cy, spacing, res, res))) != "dd":
            break
        level -= 1
    return level


def with_precision(spec: KeyframeSpec, precision: str) -> KeyframeSpec:
    """The zoom computed in `precision`: "f64" or "dd" for every keyframe, or "auto": float64 down to
    `auto_dd_from`, double-double below (all float64, the same store as --precision f64, when the zoom
    stays above that)."""
    if precision == "auto":
        dd_from = auto_dd_from(spec.cx, spec.cy, spec.res)
        if spec.levels and spec.levels[-1] >= dd_from:
            return replace(spec, problem=replace(spec.problem, precision="dd"), dd_from=dd_from)
        precision = "f64"
    return replace(spec, problem=replace(spec.problem, precision=precision), dd_from=0)


def check_res(res: int) -> None:
    """Refuse keyframes of fewer than MIN_RES x MIN_RES samples (--res of zoom and of the live demo)."""
    if res < MIN_RES:
        raise UsageError(f"keyframes need at least {MIN_RES} x {MIN_RES} samples, got --res {res}")


def check_spec(spec: KeyframeSpec) -> KeyframeSpec:
    """Refuse a problem the engine cannot honour, a centre off the axes, too few samples or more than
    memory holds, or a keyframe past the limit of its arithmetic (float64 or double-double)."""
    spec.problem.validate()
    if not max(abs(spec.cx), abs(spec.cy)) <= to_fixed(DOMAIN):  # in fixed point: no float overflows first
        x, y = (from_fixed(c) if abs(c) < 1 << 1000 else (math.inf if c > 0 else -math.inf) for c in (spec.cx, spec.cy))
        raise UsageError(f"the target ({x:g}, {y:g}) is outside the axes: log10 values must lie within +-{DOMAIN:g}")
    check_res(spec.res)
    limits.memory(f"a keyframe of {spec.res}x{spec.res} (--res {spec.res})", spec.res ** 2 * BYTES_PER_SAMPLE)
    deepest = {spec.precision_at(level): level for level in spec.levels}  # each arithmetic's deepest keyframe
    for precision, level in deepest.items():
        view = View(spec.cx, spec.cy, spec.spacing(level), spec.res, spec.res)
        if level > max_level(precision) or spec.spacing(level) < min_pixel(view, precision):
            finest = max(min_pixel(view, precision), math.ldexp(1.0, -max_level(precision)))
            limit = math.log10(spec.spacing(spec.levels[0]) / finest)
            name = {"f64": "float64", "dd": "double-double"}[precision]
            hint = "; --precision auto or dd goes deeper" if spec.problem.precision == "f64" else ""
            raise UsageError(f"a zoom of {len(spec.levels)} keyframes goes past the {name} limit here "
                             f"(neighbouring samples would be equal); at most {limit:.1f} decades deep{hint}")
    return spec


def first_index(fixed: int, res: int, level: int) -> int:
    """Index of the first of `res` samples of `level` whose middle is nearest the fixed-point `fixed`."""
    unit = 1 << (FRAC_BITS - level)  # one spacing, in fixed-point units
    twice = 2 * fixed - (res - 1) * unit  # twice the first sample's position, fixed point
    return (twice + unit) // (2 * unit)


def keyframe_axes(spec: KeyframeSpec, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Lattice indices of a keyframe's columns (x) and rows (y): int64 arrays, or arrays of Python ints
    where they outgrow int64 (double-double depths, past level 60 or so)."""
    ix, iy = first_index(spec.cx, spec.res, level), first_index(spec.cy, spec.res, level)
    dtype = np.int64 if max(abs(ix), abs(iy)) + spec.res < 1 << 62 else object
    return np.arange(ix, ix + spec.res, dtype=dtype), np.arange(iy, iy + spec.res, dtype=dtype)


def keyframe_values(spec: KeyframeSpec, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Hyperparameter values of a keyframe's columns and rows (exact lattice points): float64, or for a
    double-double problem (hi, lo) pairs (numeric.dd.DD_PAIRS), which reach past float64's limit."""
    ix, iy = keyframe_axes(spec, level)
    if spec.precision_at(level) == "dd":
        from viz.numeric.dd import dd_pairs

        return dd_pairs(*sample_values_dd(level, ix.tolist())), dd_pairs(*sample_values_dd(level, iy.tolist()))
    return sample_values(level, ix.tolist()), sample_values(level, iy.tolist())


def keyframe_grid(spec: KeyframeSpec, level: int, tile: int) -> ImageGrid:
    """A keyframe as a tiled image for a cluster: its lattice values, named by the zoom's identity and its level."""
    xs, ys = keyframe_values(spec, level)
    return ImageGrid(spec.problem_at(level), xs, ys, tile,
                     identity={"keyframe": {**spec.identity(level), "level": level}})


def keyframe_tiles(folder: Path, level: int) -> Path:
    """The Zarr group that holds a keyframe's finished tiles while it is computed on a cluster (root made if absent)."""
    import zarr

    root = folder / TILES
    zarr.open_group(root, mode="a", zarr_format=3)
    return root / f"level{level:02d}"


def levels_on_disk(folder: Path) -> list[int]:
    """The levels of the keyframes and checkpoints in a store folder."""
    return sorted({int(m.group(1)) for path in folder.glob("level*.npy") if (m := LEVEL_FILE.fullmatch(path.name))})


def shared_samples(outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Along one axis: positions in the inner keyframe (a level deeper) that are samples of the outer one, and where.

    Inner index j is outer index j / 2 when j is even.
    """
    even = inner % 2 == 0
    where = inner // 2 - outer[0]
    keep = (even & (where >= 0) & (where < outer.size)).astype(bool)
    return np.flatnonzero(keep), where[keep].astype(np.int64)


@dataclass
class FillReport:
    """What filling the store cost."""

    loaded: int = 0             # keyframes already on disk
    computed: int = 0           # keyframes finished by this run
    samples_computed: int = 0   # engine runs
    samples_reused: int = 0     # copied from the keyframe a level up
    samples_resumed: int = 0    # taken from a checkpoint
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Samples computed per second of computing."""
        return self.samples_computed / self.seconds if self.seconds > 0 else 0.0


class KeyframeStore:
    """A folder of keyframes (level<L>.npy) and the manifest that says what they are."""

    def __init__(self, folder: Path, spec: KeyframeSpec) -> None:
        self.folder = folder
        self.spec = spec

    @classmethod
    def create_or_resume(cls, folder: str | Path, spec: KeyframeSpec) -> KeyframeStore:
        """Open the store for `spec`, making it if absent; refuse one whose keyframes were made for other settings.

        Every check runs first, so a refused zoom leaves no store behind; a
        store that holds no keyframe or checkpoint yet is taken over by the
        new settings. A store whose manifest already says `spec` is not
        written to, so a complete store can be read-only.
        """
        from viz.compute.engine import load_arrays

        check_spec(spec)
        load_arrays(spec.problem.validate())
        folder = Path(folder)
        old = None
        if folder.exists():
            old = cls.open(folder).spec
            for level in levels_on_disk(folder):
                before, now = old.identity(level), spec.identity(level)
                for key in sorted(before.keys() | now.keys()):
                    if before.get(key) != now.get(key):
                        absent = "f64" if key == "precision" else None  # a float64 problem writes no precision
                        raise UsageError(f"keyframe store {str(folder)!r} was made with {key} = "
                                         f"{before.get(key, absent)!r}, not {now.get(key, absent)!r} (level {level}): "
                                         "choose another --out or remove it")
        else:
            try:
                folder.mkdir(parents=False)
            except OSError as exc:
                raise UsageError(f"cannot make keyframe store {str(folder)!r}: {exc.strerror}") from None
        store = cls(folder, spec)
        if old != spec:
            try:
                store.write_manifest()
            except OSError as exc:
                raise UsageError(f"cannot write keyframe store {str(folder)!r}: {exc.strerror}") from None
        return store

    @classmethod
    def open(cls, folder: str | Path) -> KeyframeStore:
        """An existing store, as its manifest describes it."""
        folder = Path(folder)
        path = folder / MANIFEST
        if not path.is_file():
            raise UsageError(f"{str(folder)!r} is not a keyframe store (no {MANIFEST}); make one with nnfractal zoom")
        try:
            data = limits.json_text(path.read_bytes(), "its text")
        except UsageError as exc:
            raise UsageError(f"keyframe store {str(folder)!r}: {MANIFEST} is corrupt ({exc})") from None
        try:
            fmt = data.pop("format")
            if fmt not in (1, FORMAT):
                raise ValueError("unknown format")
            cx, cy = int(data["cx"]), int(data["cy"])
            if fmt == 1:  # written before double-double: its centre counts 2**-64 decades
                cx, cy = from_old_fixed(cx), from_old_fixed(cy)
            spec = KeyframeSpec(ProblemSpec.of(data), cx, cy, int(data["res"]), tuple(int(v) for v in data["levels"]),
                                int(data.get("dd_from", 0)))  # absent: float64, or double-double throughout
            if not spec.levels or spec.res < 2:
                raise ValueError("no keyframes")
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise UsageError(f"keyframe store {str(folder)!r}: {MANIFEST} is corrupt") from None
        try:
            return cls(folder, check_spec(spec))
        except UsageError as exc:
            raise UsageError(f"keyframe store {str(folder)!r}: {exc}") from None

    def write_manifest(self) -> None:
        spec = self.spec
        data = {"format": FORMAT, **spec.problem.as_metadata(), "cx": spec.cx, "cy": spec.cy, "res": spec.res,
                "levels": list(spec.levels)}
        if spec.problem.precision == "dd":
            data["dd_from"] = spec.dd_from
        atomic_write(self.folder / MANIFEST, lambda fh: json.dump(data, fh, indent=1), mode="w")

    def path(self, level: int, partial: bool = False) -> Path:
        return self.folder / (f"level{level:02d}.partial.npy" if partial else f"level{level:02d}.npy")

    def has(self, level: int) -> bool:
        return self.path(level).is_file()

    def missing(self) -> list[int]:
        """The path's levels not yet on disk."""
        return [level for level in self.spec.levels if not self.has(level)]

    def load(self, level: int, partial: bool = False, mapped: bool = False) -> np.ndarray:
        """A keyframe's measures (rows x cols, row 0 = bottom); UsageError if absent or damaged.

        `mapped` leaves it on disk (read-only memory map) until used: a video
        needs only three keyframes at a time.
        """
        path = self.path(level, partial)
        if not path.is_file():
            raise UsageError(f"keyframe store {str(self.folder)!r} lacks level {level}: "
                             "run the same nnfractal zoom again to compute it")
        try:
            array = np.load(path, allow_pickle=False, mmap_mode="r" if mapped else None)
        except (ValueError, OSError, EOFError):
            raise UsageError(f"keyframe {str(path)!r} is corrupt: remove it and run nnfractal zoom again") from None
        res = self.spec.res
        if array.shape != (res, res) or array.dtype != np.float64 or (not partial and np.isnan(array).any()):
            raise UsageError(f"keyframe {str(path)!r} is not a complete {res}x{res} float64 keyframe: "
                             "remove it and run nnfractal zoom again")
        return array

    def load_all(self, mapped: bool = False) -> list[np.ndarray]:
        """Every keyframe of the path, widest first."""
        return [self.load(level, mapped=mapped) for level in self.spec.levels]

    def fill(self, measure: Callable[[np.ndarray, np.ndarray], np.ndarray],
             progress: Callable[[int, int, int], None] = lambda level, done, total: None,
             chunk: int = CHUNK) -> FillReport:
        """Compute the missing keyframes, widest first, each saved as soon as it is complete.

        `measure(xs, ys)` gives one measure per hyperparameter pair;
        `progress(level, samples_done, samples_to_do)` is told after each chunk
        of `chunk` samples (a GPU engine wants far more than a CPU one).
        On Ctrl-C the keyframe in progress is checkpointed before the
        interrupt goes on.
        """
        report = FillReport()
        previous: tuple[int, np.ndarray] | None = None
        for level in self.spec.levels:
            if self.has(level):
                previous = (level, self.load(level))
                report.loaded += 1
                continue
            values = self._start(level, previous, report)
            previous = (level, self._compute(level, values, measure, progress, report, chunk))
            report.computed += 1
        return report

    def _start(self, level: int, previous: tuple[int, np.ndarray] | None, report: FillReport) -> np.ndarray:
        """A new keyframe: its checkpoint if any, plus every sample shared with the keyframe a level up."""
        res = self.spec.res
        resumed = self.path(level, partial=True).is_file()
        values = self.load(level, partial=True) if resumed else np.full((res, res), np.nan)
        report.samples_resumed += int(np.count_nonzero(~np.isnan(values)))
        same_arithmetic = self.spec.precision_at(level - 1) == self.spec.precision_at(level)
        if previous is not None and previous[0] == level - 1 and same_arithmetic:
            (ox, oy), (nx, ny) = keyframe_axes(self.spec, level - 1), keyframe_axes(self.spec, level)
            cols, cols_from = shared_samples(ox, nx)
            rows, rows_from = shared_samples(oy, ny)
            block = np.ix_(rows, cols)
            fresh = np.isnan(values[block])
            values[block] = np.where(fresh, previous[1][np.ix_(rows_from, cols_from)], values[block])
            report.samples_reused += int(np.count_nonzero(fresh))
        return values

    def _compute(self, level: int, values: np.ndarray, measure, progress, report: FillReport,
                 chunk: int) -> np.ndarray:
        """Fill a keyframe's missing samples in a shuffled order, checkpointed now and then and on Ctrl-C."""
        res = self.spec.res
        xs, ys = keyframe_values(self.spec, level)
        flat = values.ravel()
        todo = np.flatnonzero(np.isnan(flat))
        todo = todo[np.random.default_rng(level).permutation(todo.size)]
        start = last_save = time.monotonic()
        done = 0

        def checkpoint(count: int, total: int) -> None:
            nonlocal done, last_save
            done = count
            progress(level, count, total)
            if time.monotonic() - last_save > CHECKPOINT_S:
                save_npy(self.path(level, partial=True), values)
                last_save = time.monotonic()

        try:
            compute_pixels(measure, np.tile(xs, res), np.repeat(ys, res), flat, todo, checkpoint, chunk)
        except BaseException:
            if done:
                save_npy(self.path(level, partial=True), values)
            raise
        finally:
            report.samples_computed += done
            report.seconds += time.monotonic() - start
        save_npy(self.path(level), values)
        self.path(level, partial=True).unlink(missing_ok=True)
        return values
