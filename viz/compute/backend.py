"""The Taichi backend: started once per process, in float64, and the kernels it has built.

`init_backend` returns a `Backend`, the object every Engine is built from;
nothing is kept in a module global. Taichi allows one runtime per process
(a second `ti.init` would drop every built kernel), so a later call asks
Taichi itself whether it runs, and on which arch, instead of starting it again.
"""
from __future__ import annotations

import atexit
import os
from dataclasses import dataclass, field

from viz.compute import kernel_cache
from viz.compute.kernels.choice import Kernel, build_kernel, layout_for
from viz.errors import UsageError

ARCHES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    """Whether an NVIDIA driver is present, judged without starting Taichi's CUDA backend."""
    libs = ("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/libcuda.so.1")
    return os.path.exists("/proc/driver/nvidia/version") or any(os.path.exists(p) for p in libs)


@dataclass
class Backend:
    """The running Taichi arch ("cpu" or "cuda") and the kernels built on it, by width."""

    arch: str
    kernels: dict = field(default_factory=dict)

    def kernel(self, width: int, optimizer: str = "gd") -> Kernel:
        """The kernel for one width and optimiser on this arch, built at its first use.

        A gd width not yet in Taichi's offline cache is stamped there when the
        process exits cleanly (Taichi writes the cache then); a process that
        is killed must call `flush_cache` instead. The other optimisers'
        kernels are cached by Taichi too, but not stamped (the HUD's "loading
        from the cache" speaks of the paper's kernels).
        """
        if optimizer != "gd":
            key = (width, optimizer)
            if key not in self.kernels:
                self.kernels[key] = build_kernel(layout_for(self.arch, width), width, optimizer)
            return self.kernels[key]
        if width not in self.kernels:
            if not self.is_cached(width):
                folder = kernel_cache.cache_folder()
                atexit.register(_stamp_at_exit, folder, self.arch, width, kernel_cache.kernel_files(folder))
                try:
                    kernel_cache.stamp(folder, self.arch, [width], None)  # later Backends of this process load it
                except OSError:
                    pass  # a read-only cache folder: builds are not kept, and each says so
            self.kernels[width] = build_kernel(layout_for(self.arch, width), width)
        return self.kernels[width]

    def is_cached(self, width: int) -> bool:
        """Whether this width's kernel will load from Taichi's offline cache rather than build (seconds, not tens)."""
        return kernel_cache.is_cached(kernel_cache.cache_folder(), self.arch, width)


def flush_cache(backend: Backend) -> tuple[Backend, bool]:
    """Write Taichi's offline cache now: finalise Taichi and start it again.

    Returns the new Backend and whether the flush wrote a kernel the cache
    did not hold (so this process built it). Every kernel and Engine made
    before is dead afterwards: build them again from the new Backend (they
    load from disk, in seconds).
    """
    import taichi as ti

    folder = kernel_cache.cache_folder()
    before = kernel_cache.kernel_files(folder)
    ti.reset()
    new = kernel_cache.kernel_files(folder) - before
    kernel_cache.stamp(folder, backend.arch, backend.kernels, new)
    return init_backend(backend.arch), bool(new)


def _stamp_at_exit(folder, arch: str, width: int, before: set[str]) -> None:
    """At a clean exit: let Taichi write its cache (if it has not yet), then stamp the width if it was built.

    No new kernel file means the kernel never ran (it builds at its first
    call), so there is nothing to stamp.
    """
    import taichi as ti

    try:
        if running_arch(ti) is not None:
            ti.reset()
        new = kernel_cache.kernel_files(folder) - before
        if new:
            kernel_cache.stamp(folder, arch, [width], new)
        else:
            kernel_cache.unstamp(folder, arch, width)
    except OSError:
        pass  # a read-only cache only means the next run builds again


def resolve_arch(arch: str) -> str:
    """The backend an --arch asks for, "cpu" or "cuda" (auto takes CUDA where a driver is present), checked."""
    if arch not in ARCHES:
        raise UsageError(f"unknown --arch {arch!r}; choose one of {', '.join(ARCHES)}")
    if arch == "cuda" and not cuda_available():
        raise UsageError("--arch cuda: no NVIDIA driver found on this machine; use --arch cpu or auto")
    return "cuda" if arch == "cuda" or (arch == "auto" and cuda_available()) else "cpu"


def init_backend(arch: str = "auto") -> Backend:
    """Start Taichi once, in float64, on the CPU or CUDA; the Backend in use.

    Never asks for ti.gpu or ti.opengl: without a display they crash rather
    than fail. fast_math stays off: it would delete the NaN tests the
    measure depends on.
    """
    want = resolve_arch(arch)
    import taichi as ti

    running = running_arch(ti)
    if running is not None:
        if arch not in ("auto", running):
            raise UsageError(f"the engine already runs on {running}; cannot switch to {arch} in one process")
        return Backend(running)
    _terse_source_positions()
    # make_cpu_multithreading_loop=False: Taichi 1.7's default cuts a CPU
    # range-for into chunks of at least 512 iterations, so a 512-pixel call
    # ran on one core (measured: 3,300 px/s on one core against 6,000 on
    # two at the quick preset); without it the runtime splits any batch.
    # advanced_optimization off on the CPU: Taichi's own passes over the
    # unrolled kernels took most of a build (n = 16: 60 s, now 3 s) and LLVM
    # optimises as well without them (101.8 px/s a core before, 105.7 after).
    # The CUDA kernel keeps the setting it was verified with on an H100.
    # unrolling_limit=0 silences the warning on ti.static loops over more than
    # 32 items: the kernels unroll their widths (and lanes) on purpose.
    ti.init(arch=ti.cuda if want == "cuda" else ti.cpu, default_fp=ti.f64, default_ip=ti.i32,
            fast_math=False, offline_cache=True, make_cpu_multithreading_loop=False,
            advanced_optimization=want == "cuda", unrolling_limit=0, log_level=ti.WARN)
    got = running_arch(ti)
    if want == "cuda" and got != "cuda":
        raise UsageError("--arch cuda: Taichi could not start its CUDA backend; use --arch cpu")
    if got == "cuda" and not _supports_f64(ti):
        raise UsageError("this CUDA device has no float64 support; the measure needs float64")
    return Backend(got)


def _terse_source_positions() -> None:
    """Make Taichi's per-node source positions one line instead of a wrapped source excerpt.

    Taichi 1.7 turns a kernel's Python into its IR on every process's first
    call, cached or not, and formats an excerpt with carets (TextWrapper)
    for each of the unrolled kernels' ~100,000 nodes: measured 8.6 s of a
    13.5 s cached load at n = 8 on a busy 2-core machine; with one line per
    node the load took 1.8 s. The positions only feed error messages, not
    the offline cache's key (the cached kernel files are the same). Left
    alone when a Taichi without that method is installed.
    """
    from taichi.lang.ast import ast_transformer_utils

    context = getattr(ast_transformer_utils, "ASTTransformerContext", None)
    if context is None or not hasattr(context, "get_pos_info"):
        return

    def one_line(self, node) -> str:
        return f'File "{self.file}", line {node.lineno + self.lineno_offset}, in {self.func.func.__name__}\n'

    context.get_pos_info = one_line


def running_arch(ti) -> str | None:
    """The arch Taichi's runtime runs on in this process, or None before it starts."""
    if ti.lang.impl.get_runtime().prog is None:
        return None
    return "cuda" if ti.lang.impl.current_cfg().arch == ti.cuda else "cpu"


def _supports_f64(ti) -> bool:
    """Probe float64 by computing something only float64 gets right."""
    field_ = ti.field(ti.f64, shape=())

    @ti.kernel
    def probe():
        field_[None] = ti.f64(1.0) + ti.f64(1e-12)

    probe()
    return field_[None] != 1.0
