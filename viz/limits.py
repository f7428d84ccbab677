"""The explicit limits every input is checked against before any work starts.

A flag, a bookmark, a PNG's text, a store's manifest or a .npy header can
hold anything: a number past float64's range, a size that needs more memory
than the machine has, a 5,000-digit integer, JSON nested a million deep, an
image header that claims a gigapixel. Each check here turns such a value into
one UsageError line that names the input and the limit, so no command ever
allocates, builds an engine or creates a file for a request it cannot honour.
"""
from __future__ import annotations

import json
import math
import numbers
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from viz.errors import UsageError

#: Largest |log10| of a hyperparameter: 10**200 and 10**-200 are well inside
#: float64's normal range (about 1e-308 to 1e308), and so are their products
#: with the weights and gradients of a step.
MAX_LOG10 = 200.0
#: Training steps: the paper uses 500 and 1000; a million is hours per pixel.
MAX_STEPS = 1_000_000
#: Network width: the kernels unroll it, and a wider build takes minutes.
MAX_WIDTH = 32
#: Seeds of the NumPy draw: what a 64-bit signed integer in TOML or a store holds.
MAX_SEED = 2**63 - 1
#: Share of this machine's memory one request may plan to use.
MEMORY_SHARE = 0.5
#: Bytes of text a PNG or a bookmark file may carry, and how deep its JSON may nest.
MAX_TEXT_BYTES = 1 << 20
MAX_JSON_DEPTH = 32
#: Characters of a decimal log10 coordinate, and its decimal places: 10**-1000 is far below any view's pixel.
MAX_DECIMAL_CHARS = 1000
MAX_DECIMAL_PLACES = 1000
#: Pixels of an image read from disk (decoded only after its header is checked).
MAX_IMAGE_PIXELS = 1 << 26  # 8192 x 8192, below Pillow's own decompression-bomb warning


def finite(name: str, value: float) -> float:
    """`value` as a float, or UsageError if it is NaN or infinite."""
    value = float(value)
    if not math.isfinite(value):
        raise UsageError(f"{name} must be a finite number, got {value:g}")
    return value


def positive(name: str, value: float) -> float:
    """A finite number above zero."""
    if not finite(name, value) > 0:
        raise UsageError(f"{name} must be positive, got {value:g}")
    return float(value)


def count(name: str, value: int, low: int, high: int) -> int:
    """An integer within [low, high], named in the message when it is not.

    Not an integer at all is said too: Python 3.11's argparse turns `--steps=--` into an empty list.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UsageError(f"{name} must be a whole number from {low:,} to {high:,}")
    if not low <= value <= high:
        raise UsageError(f"{name} must be from {low:,} to {high:,}, got {value:,}")
    return int(value)


def log10_value(name: str, value: float) -> float:
    """A log10 hyperparameter inside float64's normal range (|x| <= MAX_LOG10)."""
    value = finite(name, value)
    if abs(value) > MAX_LOG10:
        raise UsageError(f"{name} {value:g} is outside the axes, past float64's normal range: log10 values "
                         f"must lie within +-{MAX_LOG10:g} (did you type a learning rate where its log10 belongs?)")
    return value


def _decimal(value) -> Decimal | None:
    """A decimal string, Decimal, int or float (its exact binary value) as a finite Decimal, else None."""
    if isinstance(value, str) and len(value) > MAX_DECIMAL_CHARS:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def decimal_log10(name: str, value) -> Decimal:
    """A log10 hyperparameter as an exact Decimal (every digit typed), checked as `log10_value` checks a float.

    Refuses what is not a finite number (or is longer than MAX_DECIMAL_CHARS),
    |x| > MAX_LOG10, and more than MAX_DECIMAL_PLACES decimal places.
    """
    number = _decimal(value)
    if number is None:
        raise UsageError(f"{name} must be a finite number, got {str(value)[:40]!r}")
    if abs(number) > MAX_LOG10:
        raise UsageError(f"{name} {number:g} is outside the axes, past float64's normal range: log10 values "
                         f"must lie within +-{MAX_LOG10:g} (did you type a learning rate where its log10 belongs?)")
    if number.is_zero():
        return Decimal(0)  # "0e-999999999" too
    if -number.as_tuple().exponent > MAX_DECIMAL_PLACES:
        raise UsageError(f"{name} has more than {MAX_DECIMAL_PLACES:,} decimal places")
    return number


def decimal_window(window) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A view X0 X1 Y0 Y1 in log10 units, every digit kept: four exact Decimals in range, each axis increasing
    (compared exactly); sampling.region.Region is built through it."""
    window = tuple(window) if isinstance(window, (tuple, list)) else ()
    if len(window) != 4 or any(_decimal(v) is None for v in window):
        raise UsageError("the window must be four finite numbers X0 X1 Y0 Y1, got "
                         + " ".join(" ".join(str(v).split())[:40] for v in window))  # one line, whatever was typed
    x0, x1, y0, y1 = (decimal_log10("the window", v) for v in window)
    if not (x0 < x1 and y0 < y1):
        raise UsageError(f"the window needs X0 < X1 and Y0 < Y1, got {x0} {x1} {y0} {y1}")
    return x0, x1, y0, y1


def machine_memory() -> int:
    """Bytes of physical memory on this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory(what: str, nbytes: float) -> None:
    """Refuse a request whose arrays would take more than MEMORY_SHARE of this machine's memory."""
    allowed = MEMORY_SHARE * machine_memory()
    if nbytes > allowed:
        raise UsageError(f"{what} needs {_gib(nbytes)} of memory; this machine allows {_gib(allowed)} "
                         f"({MEMORY_SHARE:.0%} of {_gib(machine_memory())})")


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2 ** 30:,.1f} GiB"


def bounded_text(text: str | bytes, what: str) -> str:
    """Text of bounded size, UTF-8 and bracket nesting ([ and { outside double-quoted strings), as str."""
    if len(text) > MAX_TEXT_BYTES:
        raise UsageError(f"{what} holds {len(text):,} bytes of text; at most {MAX_TEXT_BYTES:,} are read")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{what} is not UTF-8 text") from None
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # bracket depth outside strings, before a recursive parser sees it
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    if deepest > MAX_JSON_DEPTH:
        raise UsageError(f"{what} nests its JSON or TOML {deepest} deep; at most {MAX_JSON_DEPTH} is read")
    return text


def json_text(text: str | bytes, what: str):
    """Parse JSON of bounded size and nesting; UsageError for anything else (huge integers included)."""
    text = bounded_text(text, what)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an integer past Python's digit limit
        raise UsageError(f"{what} is not valid JSON: {str(exc).splitlines()[0]}") from None


def npy_header(path: str | os.PathLike) -> tuple[tuple[int, ...], np.dtype]:
    """A .npy file's shape and dtype from its header alone, checked before a byte of data is read.

    Refuses what is not a .npy array, object arrays (which would need pickle),
    empty arrays, and arrays larger than the file or this machine's memory.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _fortran, dtype = read(fh, max_header_size=10_000)
            data_bytes = path.stat().st_size - fh.tell()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError, SyntaxError, TypeError) as exc:
        raise UsageError(f"{path}: not a readable .npy array ({str(exc).splitlines()[0] if str(exc) else 'bad header'})"
                         ) from None
    if dtype.hasobject:
        raise UsageError(f"{path}: not a readable .npy array: it holds Python objects, not numbers, "
                         "and such files are never loaded")
    size = math.prod(shape)
    if size == 0:
        raise UsageError(f"{path}: the array is empty (shape {shape})")
    nbytes = size * dtype.itemsize
    if nbytes > data_bytes:
        raise UsageError(f"{path}: its header claims shape {shape}, more than the file holds")
    memory(f"{path} ({'x'.join(map(str, shape))})", nbytes)
    return tuple(shape), dtype


def image_size(image, path: str | os.PathLike) -> None:
    """Refuse an opened (not yet decoded) image whose header claims more than MAX_IMAGE_PIXELS."""
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise UsageError(f"{path}: {width}x{height} pixels; images of at most {MAX_IMAGE_PIXELS:,} pixels are read")
