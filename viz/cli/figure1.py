"""`nnfractal figure1`: the paper's six Figure 1 panels, our fractal dimensions beside the paper's.

Each panel is stored in FILE.panels/ as soon as it is finished, so Ctrl-C
loses at most the panel in progress and the next run picks up from there;
the picture and the dimension table are then drawn from the stored panels.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viz.problem.conditions import CONDITIONS, PANEL_WINDOWS, PAPER_DIMENSIONS, PRESETS
from viz.paper.dim import MIN_SIDE
from viz.compute.backend import ARCHES
from viz.errors import UsageError
from viz.paper.figure1 import LAYOUT
from viz.outputs import check_writable

DEFAULT_RES = 256
DEFAULT_OUT = "figure1.png"


def register(subparsers) -> None:
    """Add the `figure1` subcommand."""
    p = subparsers.add_parser(
        "figure1", help="the paper's Figure 1: six conditions, each titled with its fractal dimension",
        description="Compute the paper's six Figure 1 windows from the paper's arrays, draw them as "
                    "one PNG and print our box-counting dimension of each beside the paper's. "
                    "Finished panels are kept in OUT.panels/ and reused when their settings match.")
    p.add_argument("--res", type=int, default=DEFAULT_RES, help="pixels per panel side (default %(default)s)")
    p.add_argument("--preset", choices=list(PRESETS), default="paper",
                   help="paper: n=16, 500 steps (1000 for minibatch), the paper's pictures; "
                        "quick: n=8, 100 steps, a fast smoke test (default %(default)s)")
    p.add_argument("--arch", choices=ARCHES, default="auto",
                   help="Taichi backend: auto takes CUDA where a driver is present (default)")
    p.add_argument("--out", default=DEFAULT_OUT, help="output PNG (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute or reuse each panel, then draw the figure and print the table."""
    from viz.paper.panels import PanelStore, store_folder
    from viz.paper.stills import compute_still, panel_spec

    if args.res < MIN_SIDE:
        raise UsageError(f"figure1: --res must be at least {MIN_SIDE}, the smallest image box counting can measure")
    out = check_writable(args.out, suffixes=(".png",))
    store = PanelStore(store_folder(out)).open()
    measures = {}
    for name in (n for row in LAYOUT for n in row):
        spec = panel_spec(name, args.res, args.preset)
        measure = store.load(name, spec)
        if measure is None:
            try:
                measure = compute_still(spec, arch=args.arch, progress=not args.quiet)
            except KeyboardInterrupt:
                done = ", ".join(measures) or "none"
                print(f"nnfractal: interrupted; finished panels kept in {store.folder} ({done})", file=sys.stderr)
                return 130
            store.save(name, spec, measure)
        measures[name] = measure
    dims = {name: measured_dimension(m) for name, m in measures.items()}
    write_figure(out, measures, dims, args.res, args.preset)
    print(table(dims, args.res))
    print(f"wrote {out} (panels in {store.folder})")
    return 0


def measured_dimension(measure) -> float | None:
    """The paper's box-counting dimension of one panel; None where it has no boundary to count."""
    from viz.paper.dim import dimension

    try:
        return dimension([measure]).dimension
    except UsageError:
        return None


def write_figure(out: Path, measures: dict, dims: dict, res: int, preset: str) -> None:
    """Colour the panels, lay them out and save the PNG with its settings as text."""
    from viz.colour.equalise import colour_measures
    from viz.paper.figure1 import Panel, compose
    from viz.outputs import save_png

    def panel(name: str) -> Panel:
        x0, x1, y0, y1 = PANEL_WINDOWS[name]
        condition = CONDITIONS[name]
        return Panel(title=condition.label, rgb=colour_measures(measures[name]), x_edges=(x0, x1),
                     y_edges=(y0, y1), axis_names=condition.axis_names, ours=dims[name],
                     paper=PAPER_DIMENSIONS[name])

    p = PRESETS[preset]
    caption = (f"{res}x{res} per panel, n={p.width}, {p.steps} steps (minibatch 1000), the paper's arrays. "
               "Red/orange: diverged; blue/green: trained. D: box-counting dimension of the boundary.")
    rgb = compose([[panel(name) for name in row] for row in LAYOUT], caption)
    save_png(out, rgb, meta={"figure": 1, "res": res, "preset": preset,
                             "dimensions": dict(dims)})


def table(dims: dict, res: int) -> str:
    """A Markdown table of our dimension beside the paper's, one row per panel."""
    lines = [f"| panel | ours ({res}^2, 1 image) | paper |", "|---|---|---|"]
    for name in (n for row in LAYOUT for n in row):
        ours = "no boundary" if dims[name] is None else f"{dims[name]:.2f}"
        lines.append(f"| {CONDITIONS[name].label} | {ours} | {PAPER_DIMENSIONS[name]:.2f} |")
    return "\n".join(lines)
