"""Taichi's offline cache of built kernels: whether a width is in it, and writing it to disk now.

Taichi 1.7 writes its cache only when its program is finalised (a clean
exit or `ti.reset()`), so a process that is killed (the explorer's worker,
the demo's pilot) never leaves its builds behind unless it flushes them.
Whether a kernel was built or loaded is read from Taichi's own files: a
flush that adds a kernel file (*.tic) to the cache folder wrote a new
build. A stamp beside them records which files a width's build left, so
the next process can tell before its first call whether it will build
(and say so) or load.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from viz.outputs import atomic_write

#: Where our stamps go inside Taichi's cache folder.
STAMP_FOLDER = "nnfractal"
#: Where the kernels' source lives: editing it means new kernels, so it is part of the stamp.
KERNEL_SOURCE = Path(__file__).parent / "kernels"


def cache_folder() -> Path:
    """Taichi's offline cache folder for this process (TI_OFFLINE_CACHE_FILE_PATH, or its default).

    Asked of the running runtime where there is one; before Taichi starts (a
    command whose kernels run in a child process) from what ti.init will read.
    """
    import taichi as ti

    if ti.lang.impl.get_runtime().prog is not None:
        return Path(ti.lang.impl.current_cfg().offline_cache_file_path)
    return Path(os.environ.get("TI_OFFLINE_CACHE_FILE_PATH") or ti.lang.impl.default_cfg().offline_cache_file_path)


def kernel_files(folder: Path) -> set[str]:
    """The built kernels' files in a cache folder, relative to it."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*.tic")} if folder.is_dir() else set()


def _identity(arch: str, width: int) -> dict:
    """What a stamp must match: the Taichi version, the kernels' source, the arch and width."""
    import taichi as ti

    digest = hashlib.sha256()
    for path in sorted(KERNEL_SOURCE.glob("*.py")):
        digest.update(path.read_bytes())
    return {"taichi": ".".join(map(str, ti.__version__)), "source": digest.hexdigest(), "arch": arch,
            "width": width}


def _stamp_path(folder: Path, arch: str, width: int) -> Path:
    return folder / STAMP_FOLDER / f"{arch}-n{width}.json"


def is_cached(folder: Path, arch: str, width: int) -> bool:
    """Whether this width's kernel loads rather than builds: it is in the cache folder for this Taichi
    and this source, or this very process has built it already (Taichi writes it at exit)."""
    try:
        stamp = json.loads(_stamp_path(folder, arch, width).read_text())
    except (OSError, ValueError):
        return False
    if not (isinstance(stamp, dict) and stamp.get("identity") == _identity(arch, width)):
        return False
    if stamp.get("pid") is not None:
        return stamp["pid"] == os.getpid()
    return all((folder / name).is_file() for name in stamp.get("files", ()))


def stamp(folder: Path, arch: str, widths, new_files: set[str] | None) -> None:
    """Record that these widths' kernels are in the cache, with the files their flush added.

    new_files None: built by this process, to be written to the cache when it exits.
    """
    (folder / STAMP_FOLDER).mkdir(parents=True, exist_ok=True)
    for width in widths:
        record = {"identity": _identity(arch, width)}
        record.update({"pid": os.getpid()} if new_files is None else {"files": sorted(new_files)})
        body = json.dumps(record).encode()
        atomic_write(_stamp_path(folder, arch, width), lambda fh, body=body: fh.write(body))


def unstamp(folder: Path, arch: str, width: int) -> None:
    """Forget a width's stamp: its kernel never reached the cache."""
    _stamp_path(folder, arch, width).unlink(missing_ok=True)
