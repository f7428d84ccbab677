"""Files the user keeps: raw .npy measures and PNG pictures that carry their view.

Every write goes to a new temporary file in the target folder and is
renamed into place (`atomic_write`), so an interrupted program never leaves
half a file behind and nothing is written through a link someone planted.
A PNG's view and settings ride along as PNG text (key "nnfractal", JSON),
so a still can be reopened in the explorer or zoomed into later.
"""
from __future__ import annotations

import glob
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from viz import limits
from viz.errors import UsageError

META_KEY = "nnfractal"
OUTPUT_SUFFIXES = (".npy", ".png")


def check_writable(path: str | os.PathLike, suffixes=OUTPUT_SUFFIXES) -> Path:
    """Fail before any work if `path` cannot be written (bad suffix, missing or read-only folder)."""
    if str(path).endswith(("/", os.sep)):
        raise UsageError(f"output {str(path)!r} names a folder (trailing slash); give a file name")
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"output {str(path)!r} must end in {' or '.join(suffixes)}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: it is a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".nnfractal-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write into {str(folder)!r}: {exc.strerror}") from None
    return path


def atomic_write(path: str | os.PathLike, write, mode: str = "wb") -> Path:
    """Run write(file_object) on a new temporary sibling, then rename it onto `path`; return `path`.

    The temporary file is made by mkstemp (O_CREAT | O_EXCL | O_NOFOLLOW, a
    random name), so nothing planted in the folder is ever written through,
    and the rename replaces a link at `path` rather than following it. Its
    name carries our process id, so `remove_leftovers` can tell a crashed
    run's file from one still being written.
    """
    path = Path(path)
    fd, tmp = make_part(path)
    try:
        with os.fdopen(fd, mode) as fh:
            write(fh)
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def make_part(path: Path, suffix: str = ".part") -> tuple[int, Path]:
    """A new private temporary file beside `path` (an open descriptor and its name), for `publish` later."""
    remove_leftovers(path, suffix)
    fd, tmp = tempfile.mkstemp(dir=_folder(path), prefix=f".{path.name}.{os.getpid()}-", suffix=suffix)
    return fd, Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Give a finished temporary file the usual mode (mkstemp makes 0600) and rename it to `path`."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def remove_leftovers(path: Path, suffix: str = ".part") -> None:
    """Delete temporary siblings of `path` left by runs that died (their process is gone)."""
    for tmp in _folder(path).glob(f".{glob.escape(path.name)}.*-*{suffix}"):
        pid = tmp.name[len(path.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a raw array atomically."""
    atomic_write(Path(path), lambda fh: np.save(fh, array))


def save_png(path: str | os.PathLike, rgb: np.ndarray, meta: dict | None = None) -> None:
    """Write an 8-bit RGB image (top row first) atomically, with `meta` as PNG text."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if meta is not None:
        info.add_text(META_KEY, json.dumps(meta, sort_keys=True))
    image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    atomic_write(Path(path), lambda fh: image.save(fh, format="PNG", pnginfo=info))


def read_png_meta(path: str | os.PathLike) -> dict:
    """The settings a PNG of ours carries; UsageError if it is not one.

    Only the header and the text chunks before the image data are read: the
    image size is checked before anything is decoded, and the text against
    the limits on JSON (viz.limits.json_text).
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path, formats=["PNG"]) as image:
            limits.image_size(image, path)
            text = image.info.get(META_KEY)
    except FileNotFoundError:
        raise UsageError(f"no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise UsageError(f"{str(path)!r} is a folder, not a PNG") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UsageError(f"{str(path)!r} is not a readable PNG ({str(exc).splitlines()[0] if str(exc) else 'bad file'})"
                         ) from None
    if not isinstance(text, str):
        raise UsageError(f"{str(path)!r} carries no nnfractal view (was it saved by nnfractal?)")
    meta = limits.json_text(text, f"{str(path)!r}: its nnfractal text")
    if not isinstance(meta, dict):
        raise UsageError(f"{str(path)!r}: its nnfractal text is not a settings object")
    return meta
