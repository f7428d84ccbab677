"""Saved views: named bookmarks in a TOML or JSON file, and the view a PNG of ours carries.

A saved view is the problem (a ProblemSpec, its fields flat in the record),
the region on screen and its size in pixels, as a still's PNG text has them
(viz.paper.stills.StillSpec). The region is written once, as its exact ends
(sampling.region: a number where it reads back as the end, else the exact
decimal string), so reopening a deep view loses no bit: an explorer view's
edges are binary fractions, whose decimals end. Records written before kept
the exact view as a fixed-point centre (the exact decimal it stands for, or
in the oldest form an integer of 2**-64 decades) and a pixel size beside a
rounded window; they still read, to the same view. Files are read within
the limits of viz.limits; anything malformed is refused with one line that
names the file, the bookmark and the field.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import tomllib

from viz import limits
from viz.errors import UsageError
from viz.numeric.fixed import decimal_to_fixed, from_fixed, from_old_fixed
from viz.outputs import atomic_write, read_png_meta
from viz.problem.conditions import CONDITIONS, READOUTS
from viz.problem.experiment import Experiment
from viz.problem.spec import PRECISIONS, ProblemSpec
from viz.sampling.region import Region
from viz.sampling.view import View

SUFFIXES = (".toml", ".json")
#: The "source" of an explorer view's record: a screenshot's pixels are the window's picture, HUD and all.
EXPLORER = "explorer"


def default_file() -> Path:
    """Where B saves and --bookmark reads unless --bookmarks says otherwise: the user's data folder (XDG)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "nnfractal" / "bookmarks.toml"


def centre_fixed(text: str) -> int:
    """An older record's centre: an exact decimal (nearest fixed point) or an integer of 2**-64 decades;
    ValueError if neither."""
    if not isinstance(text, str) or len(text) > 200:
        raise ValueError(text)
    if "." not in text and "e" not in text.lower():
        return from_old_fixed(int(text))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    limits.log10_value("the centre", float(value))
    return decimal_to_fixed(value)


@dataclass(frozen=True)
class SavedView:
    """A view and the problem it shows: the problem, the exact region on screen and its size in pixels."""

    problem: ProblemSpec
    region: Region  # given as a Region or its four ends, kept as a Region
    cols: int
    rows: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "region", Region.of(self.region))

    @classmethod
    def of(cls, view: View, problem: ProblemSpec) -> SavedView:
        """The record of an explorer view: its exact region (every bit of centre and pixel) and its size."""
        return cls(problem, view.region, view.cols, view.rows)

    @property
    def window(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """The region's exact ends (log10 x0, x1, y0, y1)."""
        return self.region.ends

    def view(self, cols: int, rows: int) -> View:
        """The saved view in a cols x rows window: exact when sizes match, else the same region fitted."""
        return View.of(self.region, cols, rows)

    def record(self) -> dict:
        """Plain values for a bookmark file or PNG text: a still's metadata, marked as an explorer view."""
        return {**self.problem.as_metadata(), "window": self.region.record(), "cols": self.cols, "rows": self.rows,
                "source": EXPLORER}


def is_explorer_view(record: dict) -> bool:
    """Whether PNG text or a record is an explorer view's (its pixels a picture, not a still's measures)."""
    return record.get("source") == EXPLORER or "centre" in record or "pixel" in record  # or written before "source"


def _field(record: dict, name: str, kind, where: str):
    if name not in record:
        raise UsageError(f"{where}: missing {name!r}")
    value = record[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise UsageError(f"{where}: {name!r} must be an integer, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise UsageError(f"{where}: {name!r} must be a string, got {value!r}")
    return value


def parse_record(record, where: str) -> SavedView:
    """A SavedView from a bookmark or PNG record; UsageError naming `where` and the field if malformed."""
    if not isinstance(record, dict):
        raise UsageError(f"{where}: a saved view must be a table of fields, got {type(record).__name__}")
    condition = _field(record, "condition", str, where)
    if condition not in CONDITIONS:
        raise UsageError(f"{where}: unknown condition {condition!r}")
    readout = record.get("readout", "measure")
    if readout not in READOUTS:
        raise UsageError(f"{where}: unknown readout {readout!r}")
    precision = record.get("precision", "f64")  # written before precision existed: float64
    if precision not in PRECISIONS:
        raise UsageError(f"{where}: unknown precision {precision!r}")
    window = _field(record, "window", list, where)
    if (not isinstance(window, list) or len(window) != 4
            or not all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in window)):
        raise UsageError(f"{where}: 'window' must be four finite numbers x0 < x1, y0 < y1 (log10), got {window!r}")
    width, steps, cols, rows = (_field(record, k, int, where) for k in ("width", "steps", "cols", "rows"))
    seed = record.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"{where}: 'seed' must be an integer, got {seed!r}")
    try:
        region = Region.of(window)  # a number stands for its shortest decimal, as region.record() writes it
    except UsageError as exc:
        raise UsageError(f"{where}: 'window' must be x0 < x1, y0 < y1 in log10 units: {exc}") from None
    try:
        experiment = Experiment.of(record.get("experiment", {}))  # none written: the paper's
        problem = ProblemSpec(condition, width, steps, seed, readout, precision, experiment).validate()
        limits.count("cols x rows", cols * rows, 1, limits.MAX_IMAGE_PIXELS)
        if min(cols, rows) < 1:
            raise UsageError(f"cols and rows must be positive, got {cols} and {rows}")
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None
    if "centre" in record or "pixel" in record:  # written before one encoding: the exact view, as it was shown
        region = _old_region(record, cols, rows, where)
    return SavedView(problem, region, cols, rows)


def _old_region(record: dict, cols: int, rows: int, where: str) -> Region:
    """The exact region of the view an older record's fixed-point centre and pixel size name (they took
    precedence over its window); UsageError naming `where` if they are malformed."""
    centre, pixel = record.get("centre"), record.get("pixel")
    try:
        if not isinstance(centre, list) or len(centre) != 2:
            raise ValueError(centre)
        cx, cy = centre_fixed(centre[0]), centre_fixed(centre[1])
        limits.log10_value("the centre", from_fixed(cx))
        limits.log10_value("the centre", from_fixed(cy))
        return View(cx, cy, limits.positive("'pixel'", float(pixel)), cols, rows).region
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{where}: 'centre' must be two integer strings (fixed point) or decimal strings "
                         "(log10) and 'pixel' a positive number") from None
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"bookmarks file {str(path)!r} must end in .toml or .json")
    return suffix


def load_bookmarks(path: str | os.PathLike) -> dict[str, dict]:
    """Every bookmark in a file, by name (records not yet checked); {} if the file does not exist."""
    path = Path(path)
    suffix = _suffix(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read bookmarks file {str(path)!r}: {exc.strerror}") from None
    what = f"bookmarks file {str(path)!r}"
    data = limits.json_text(data, what) if suffix == ".json" else _toml(data, what)
    if not isinstance(data, dict):
        raise UsageError(f"{what} must hold a table of named bookmarks")
    return data


def _toml(data: bytes, what: str) -> dict:
    """TOML of bounded size and nesting, parsed."""
    text = limits.bounded_text(data, what)
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        raise UsageError(f"{what} is not valid TOML: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"
                         ) from None


def find_bookmark(path: str | os.PathLike, name: str) -> SavedView:
    """The named bookmark, checked; UsageError if the file or the name is missing or broken."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"no bookmarks file {str(path)!r} (save one with B in the explorer)")
    marks = load_bookmarks(path)
    if name not in marks:
        have = ", ".join(sorted(marks)) or "none"
        raise UsageError(f"no bookmark {name!r} in {str(path)!r} (it has: {have})")
    return parse_record(marks[name], f"bookmark {name!r} in {str(path)!r}")


def save_bookmark(path: str | os.PathLike, name: str, saved: SavedView) -> None:
    """Add or replace one bookmark, keeping the others; written atomically."""
    path = Path(path)
    suffix = _suffix(path)
    marks = load_bookmarks(path)
    marks[name] = saved.record()
    path.parent.mkdir(parents=True, exist_ok=True)  # the data folder, on a first bookmark
    text = toml_text(marks) if suffix == ".toml" else json.dumps(marks, indent=2, sort_keys=True) + "\n"
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are valid in a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an experiment's record: an inline table
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {value!r}")


def toml_text(marks: dict[str, dict]) -> str:
    """Bookmarks as TOML: one table per name, its values flat (an experiment's record an inline table)."""
    blocks = []
    for name, record in marks.items():
        body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in record.items())
        blocks.append(f"[{json.dumps(name)}]\n{body}\n")
    return "\n".join(blocks)


def from_png(path: str | os.PathLike) -> SavedView:
    """The view a still or screenshot PNG of ours carries; UsageError if it carries none or a broken one."""
    return parse_record(read_png_meta(path), f"{str(path)!r}")
