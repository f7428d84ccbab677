"""Saved views: named bookmarks in a TOML or JSON file, and the view a PNG of ours carries.

A saved view is the problem (a ProblemSpec, its fields flat in the record),
the window in log10 units [x0, x1, y0, y1] and its size in pixels, as a
still's PNG text has them (viz.paper.stills.StillSpec), plus, when
the explorer saved it, the exact fixed-point centre and the pixel size, so
that reopening a deep view loses no bit. The centre is an integer of
2**-FRAC_BITS decades; it is written as the exact decimal it stands for
("1.1238000...", every digit kept, readable and editable), and the older
form, an integer of 2**-64 decades as a digit string, is still read. Files are read within the limits
of viz.limits; anything malformed is refused with one line that names the
file, the bookmark and the field.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import tomllib

from viz import limits
from viz.errors import UsageError
from viz.numeric.fixed import FRAC_BITS, decimal_to_fixed, fixed_to_decimal, from_fixed, from_old_fixed
from viz.outputs import atomic_write, read_png_meta
from viz.paper.stills import window_value
from viz.problem.conditions import CONDITIONS, READOUTS
from viz.problem.spec import PRECISIONS, ProblemSpec
from viz.sampling.view import View, check_window

SUFFIXES = (".toml", ".json")
#: Decimal places of a double-double view's window in its record: 1e-36 decades, 1e-5 of a pixel at
#: double-double's limit (3e-31 decades).
WINDOW_PLACES = 36
WINDOW_QUANTUM = Decimal(1).scaleb(-WINDOW_PLACES)
_EXACT = Context(prec=80)


def default_file() -> Path:
    """Where B saves and --bookmark reads unless --bookmarks says otherwise: the user's data folder (XDG)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "nnfractal" / "bookmarks.toml"


def centre_text(fixed: int) -> str:
    """The exact decimal a fixed-point centre stands for, always with a decimal point."""
    text = format(fixed_to_decimal(fixed), "f")
    return text if "." in text else text + ".0"


def centre_fixed(text: str) -> int:
    """A centre written by centre_text (nearest fixed point), or in the older integer form; ValueError if neither."""
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
    """A view and the problem it shows."""

    problem: ProblemSpec
    window: tuple[float, float, float, float]  # log10 x0, x1, y0, y1
    cols: int
    rows: int
    centre: tuple[int, int] | None = None  # exact fixed-point centre, when known
    pixel: float | None = None
    exact_window: tuple[Decimal, Decimal, Decimal, Decimal] | None = None  # when the text had digits past float64

    @classmethod
    def of(cls, view: View, problem: ProblemSpec) -> SavedView:
        """The record of an explorer view; a double-double one keeps its window's digits past float64 too."""
        cx, cy = from_fixed(view.cx), from_fixed(view.cy)
        w, h = view.spans
        exact = exact_window(view) if problem.precision == "dd" else None
        window = covering_floats(exact) if exact else (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
        return cls(problem, window, view.cols, view.rows, (view.cx, view.cy), view.pixel, exact)

    def view(self, cols: int, rows: int) -> View:
        """The saved view in a cols x rows window: exact when sizes match, else the same region fitted."""
        x0, x1, y0, y1 = self.window
        if self.centre is None or self.pixel is None:
            return View.fit(x0, x1, y0, y1, cols, rows)
        pixel = self.pixel if (cols, rows) == (self.cols, self.rows) else max(
            self.pixel * self.cols / cols, self.pixel * self.rows / rows)
        return View(self.centre[0], self.centre[1], pixel, cols, rows)

    def record(self) -> dict:
        """Plain values for a bookmark file or PNG text (a superset of a still's metadata)."""
        window = [window_value(v) for v in self.exact_window] if self.exact_window else list(self.window)
        data = {**self.problem.as_metadata(), "window": window, "cols": self.cols, "rows": self.rows}
        if self.centre is not None and self.pixel is not None:
            data["centre"] = [centre_text(self.centre[0]), centre_text(self.centre[1])]
            data["pixel"] = self.pixel
        return data


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
        # beside exact strings a number stands for its shortest decimal: what StillSpec.as_metadata wrote it for
        exact = (limits.decimal_window([Decimal(repr(v)) if isinstance(v, float) else v for v in window])
                 if any(isinstance(v, str) for v in window) else None)
        window = covering_floats(exact) if exact else check_window(window)
    except UsageError as exc:
        raise UsageError(f"{where}: 'window' must be x0 < x1, y0 < y1 in log10 units: {exc}") from None
    try:
        problem = ProblemSpec(condition, width, steps, seed, readout, precision).validate()
        limits.count("cols x rows", cols * rows, 1, limits.MAX_IMAGE_PIXELS)
        if min(cols, rows) < 1:
            raise UsageError(f"cols and rows must be positive, got {cols} and {rows}")
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None
    centre, pixel = record.get("centre"), record.get("pixel")
    if centre is not None or pixel is not None:
        try:
            if not isinstance(centre, list) or len(centre) != 2:
                raise ValueError(centre)
            centre = (centre_fixed(centre[0]), centre_fixed(centre[1]))
            limits.log10_value("the centre", from_fixed(centre[0]))
            limits.log10_value("the centre", from_fixed(centre[1]))
            pixel = limits.positive("'pixel'", float(pixel))
        except (TypeError, ValueError, OverflowError):
            raise UsageError(f"{where}: 'centre' must be two integer strings (fixed point) or decimal strings "
                             "(log10) and 'pixel' a positive number") from None
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
    return SavedView(problem, window, cols, rows, centre, pixel, exact)


def exact_window(view: View) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A view's log10 window to WINDOW_PLACES decimal places: every digit past float64 that a deep view needs."""
    ends = []
    for centre, n in ((view.cx, view.cols), (view.cy, view.rows)):
        half = Fraction(view.pixel) * n / 2
        for end in (Fraction(centre, 1 << FRAC_BITS) - half, Fraction(centre, 1 << FRAC_BITS) + half):
            value = _EXACT.divide(Decimal(end.numerator), Decimal(end.denominator))
            ends.append(value.quantize(WINDOW_QUANTUM, context=_EXACT))
    return tuple(ends)


def covering_floats(window: tuple[Decimal, ...]) -> tuple[float, float, float, float]:
    """The smallest float64 window that holds an exact one (x0 < x1 even where float64 cannot tell them apart)."""
    x0, x1, y0, y1 = window
    return _float_below(x0), _float_above(x1), _float_below(y0), _float_above(y1)


def _float_below(value: Decimal) -> float:
    near = float(value)
    return near if Decimal(near) <= value else math.nextafter(near, -math.inf)


def _float_above(value: Decimal) -> float:
    near = float(value)
    return near if Decimal(near) >= value else math.nextafter(near, math.inf)


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
    raise TypeError(f"no TOML form for {value!r}")


def toml_text(marks: dict[str, dict]) -> str:
    """Bookmarks as TOML: one table per name, flat values (what `record` produces)."""
    blocks = []
    for name, record in marks.items():
        body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in record.items())
        blocks.append(f"[{json.dumps(name)}]\n{body}\n")
    return "\n".join(blocks)


def from_png(path: str | os.PathLike) -> SavedView:
    """The view a still or screenshot PNG of ours carries; UsageError if it carries none or a broken one."""
    return parse_record(read_png_meta(path), f"{str(path)!r}")
