"""Which kernel serves which arch and width, and the order in which each wants a batch's pixels."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from viz.compute.kernels.lockstep import MAX_WIDTH as LOCKSTEP_MAX_WIDTH
from viz.compute.kernels.lockstep import block_order


@dataclass(frozen=True)
class Kernel:
    """A compiled training kernel and the order in which it wants a batch's pixels."""

    train: Callable
    order: Callable[[int], np.ndarray]
    precision: str = "f64"  # "dd": takes DD_ARGUMENTS (parts.py) after the shared ones


def shuffled(count: int) -> np.ndarray:
    """Pixels interleaved across CPU threads.

    Diverged runs cluster in an image, and contiguous chunks would leave one
    thread with all the long runs.
    """
    return np.random.default_rng(count).permutation(count).astype(np.int32)


def in_order(count: int) -> np.ndarray:
    """Neighbouring pixels share a warp: similar run lengths waste less of it on early stops."""
    return np.arange(count, dtype=np.int32)


def layout_for(arch: str, width: int) -> str:
    """The fastest layout measured for this arch and width: lanes on CUDA; lockstep for narrow CPU networks."""
    if arch == "cuda":
        return "lanes"
    return "lockstep" if width <= LOCKSTEP_MAX_WIDTH else "per-pixel"


#: Layouts of the double-double kernels: the CPU one (a thread per scratch slot) is the only one so far.
DD_LAYOUTS = ("dd-per-pixel",)


def dd_layout_for(arch: str, width: int) -> str:
    """The double-double layout for this arch; UsageError where `capabilities` says it has none (CUDA so far)."""
    from viz.compute.capabilities import capabilities

    capabilities(arch, check_driver=False).require("dd")
    return "dd-per-pixel"


def build_kernel(layout: str, width: int, optimizer: str = "gd") -> Kernel:
    """Compile one layout for width n and an optimiser: "per-pixel" or "lockstep" (CPU), "lanes" (CUDA),
    "dd-per-pixel" (CPU, dd, gd only)."""
    if layout == "dd-per-pixel":
        from viz.compute.kernels.dd_per_pixel import build_dd_per_pixel_kernel

        return Kernel(build_dd_per_pixel_kernel(width), shuffled, "dd")
    if layout == "lanes":
        from viz.compute.kernels.lanes import build_lane_kernel

        return Kernel(build_lane_kernel(width, optimizer=optimizer), in_order)
    if layout == "lockstep":
        from viz.compute.kernels.lockstep import build_simd_kernel

        return Kernel(build_simd_kernel(width, optimizer=optimizer), block_order)
    from viz.compute.kernels.per_pixel import build_per_pixel_kernel

    return Kernel(build_per_pixel_kernel(width, optimizer), shuffled)
