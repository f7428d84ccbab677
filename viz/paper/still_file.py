"""One still written to a file: raw float64 measures (.npy) or the paper's picture (.png) with its settings."""
from __future__ import annotations

from pathlib import Path

from viz.colour.equalise import colour_measures
from viz.errors import Interrupted
from viz.outputs import check_writable, save_npy, save_png
from viz.paper.stills import StillSpec, compute_still


def write_still(spec: StillSpec, out: str | Path, arch: str = "auto", progress: bool = True) -> Path:
    """Compute the still and write it; Ctrl-C raises Interrupted and writes nothing."""
    out = check_writable(out)
    try:
        measure = compute_still(spec, arch=arch, progress=progress)
    except KeyboardInterrupt:
        raise Interrupted(f"nothing written ({out} is untouched)") from None
    if out.suffix.lower() == ".npy":
        save_npy(out, measure)
    else:
        save_png(out, colour_measures(measure, spec.problem.readout), meta=spec.as_metadata())
    problem = spec.problem
    print(f"wrote {Path(out)} ({spec.cols}x{spec.rows}, {problem.condition}, n={problem.width}, {problem.steps} steps)")
    return out
