"""What each arch can do, said once: which arithmetics run on it and which preset suits it.

Every caller that must refuse an arithmetic on an arch (the CLI's flags,
the explorer's settings, a zoom's keyframes, the engine) asks here, so the
rule and its one-line message live in one place. Nothing here starts Taichi.
"""
from __future__ import annotations

from dataclasses import dataclass

from viz.errors import UsageError

#: The arithmetics of a run, and the archs that have a kernel for each.
PRECISION_ARCHES = {"f64": ("cpu", "cuda"), "dd": ("cpu",)}
#: Why an arithmetic is missing on an arch, for the refusal.
MISSING = {("dd", "cuda"): "double-double runs on the CPU only (no CUDA port of its kernel yet)"}


@dataclass(frozen=True)
class Capabilities:
    """One resolved arch ("cpu" or "cuda"): its arithmetics and its default preset."""

    arch: str
    precisions: tuple[str, ...]
    default_preset: str

    def supports(self, precision: str) -> bool:
        """Whether a kernel of this arithmetic runs on this arch."""
        return precision in self.precisions

    def require(self, precision: str, what: str = "--precision") -> None:
        """Refuse, in one line, an arithmetic this arch has no kernel for."""
        if not self.supports(precision):
            reason = MISSING.get((precision, self.arch), f"{precision} has no kernel on {self.arch}")
            raise UsageError(f"{what} {precision}: {reason}; use --arch cpu")


def capabilities(arch: str, check_driver: bool = True) -> Capabilities:
    """The capabilities of what --arch asks for (auto resolved: CUDA where a driver is present), checked.

    With check_driver False a named arch is taken as named, its driver
    unprobed: what refuses a flag combination (dd with --arch cuda) says
    why whether or not this machine has the driver, and an arch already
    running needs no probe.
    """
    from viz.compute.backend import resolve_arch

    resolved = arch if not check_driver and arch in ("cpu", "cuda") else resolve_arch(arch)
    precisions = tuple(p for p, arches in PRECISION_ARCHES.items() if resolved in arches)
    return Capabilities(resolved, precisions, "paper" if resolved == "cuda" else "quick")
