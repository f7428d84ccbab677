"""Figure 1 from start to finish: each panel computed or reused, its dimension measured, the picture drawn.

Each panel is stored in OUT.panels/ as soon as it is finished, so Ctrl-C
loses at most the panel in progress and the next run picks up from there;
the picture and the dimension table are then drawn from the stored panels.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from viz.errors import Interrupted, UsageError
from viz.outputs import check_writable, save_png
from viz.paper import stills
from viz.paper.dim import MIN_RELIABLE_SIDE, check_countable_side, dimension
from viz.paper.figure1 import LAYOUT, Panel, compose
from viz.paper.panels import PanelStore, store_folder
from viz.problem.conditions import CONDITIONS, PANEL_WINDOWS, PAPER_DIMENSIONS, PRESETS


def build_figure1(out: str | Path, res: int, preset: str, arch: str = "auto", progress: bool = True,
                  cluster: str | None = None, tile: int | None = None, precision: str = "f64") -> Path:
    """Write the Figure 1 PNG at `out` and print the dimension table; return the path written.

    `precision` ("f64" or "dd") is the arithmetic of every panel's runs; a
    stored panel is reused only in the same one (it is part of its spec).
    With `cluster`, each panel is a still computed in tiles there, its
    finished tiles kept in OUT.panels/NAME.zarr until the panel is saved.
    Ctrl-C raises Interrupted, naming the panels kept for the next run.
    """
    check_countable_side(res, "figure1")
    specs = {name: stills.panel_spec(name, res, preset, precision).validate() for row in LAYOUT for name in row}
    out = check_writable(out, suffixes=(".png",))
    store = PanelStore(store_folder(out)).open()  # created only once every panel is known to fit
    measures = {}
    with contextlib.ExitStack() as owned:
        client = process = None
        for name, spec in specs.items():
            measure = store.load(name, spec)
            if measure is None:
                try:
                    if cluster is None:
                        from viz.compute.process import EngineProcess

                        process = process or owned.enter_context(EngineProcess(arch))  # one child for every panel
                        measure = stills.compute_still(spec, arch=arch, progress=progress, process=process)
                    else:
                        from viz.compute.cluster import open_cluster
                        from viz.paper.cluster_still import DEFAULT_TILE, compute_still_on_cluster, discard_store

                        client = client or owned.enter_context(open_cluster(cluster, arch, quiet=not progress))
                        tiles = store.folder / f"{name}.zarr"
                        measure = compute_still_on_cluster(client, spec, tile or DEFAULT_TILE, tiles, progress)
                except KeyboardInterrupt:
                    done = ", ".join(measures) or "none"
                    raise Interrupted(f"finished panels kept in {store.folder} ({done})") from None
                store.save(name, spec, measure)
                if cluster is not None:
                    discard_store(tiles)
            measures[name] = measure
    dims = {name: measured_dimension(m) for name, m in measures.items()}
    write_figure(out, measures, dims, res, preset, precision)
    print(table(dims, res))
    print(f"wrote {out} (panels in {store.folder})")
    return out


def measured_dimension(measure) -> float | None:
    """The paper's box-counting dimension of one panel; None where it has no boundary to count."""
    try:
        return dimension([measure]).dimension
    except UsageError:
        return None


def write_figure(out: Path, measures: dict, dims: dict, res: int, preset: str, precision: str) -> None:
    """Colour the panels, lay them out and save the PNG with its settings (the arithmetic too) as text."""
    from viz.colour.equalise import colour_measures

    def panel(name: str) -> Panel:
        x0, x1, y0, y1 = PANEL_WINDOWS[name]
        condition = CONDITIONS[name]
        return Panel(title=condition.label, rgb=colour_measures(measures[name]), x_edges=(x0, x1),
                     y_edges=(y0, y1), axis_names=condition.axis_names, ours=dims[name],
                     paper=PAPER_DIMENSIONS[name])

    p = PRESETS[preset]
    arithmetic = {"f64": "float64", "dd": "double-double"}[precision]
    caption = (f"{res}x{res} per panel, n={p.width}, {p.steps} steps (minibatch 1000), the paper's arrays, "
               f"{arithmetic}. Red/orange: diverged; blue/green: trained. D: box-counting dimension of the boundary.")
    rgb = compose([[panel(name) for name in row] for row in LAYOUT], caption)
    save_png(out, rgb, meta={"figure": 1, "res": res, "preset": preset, "precision": precision,
                             "dimensions": dict(dims)})


def table(dims: dict, res: int) -> str:
    """A Markdown table of our dimension beside the paper's, one row per panel, and a caution if res is small."""
    lines = [f"| panel | ours ({res}^2, 1 image) | paper |", "|---|---|---|"]
    for name in (n for row in LAYOUT for n in row):
        ours = "no boundary" if dims[name] is None else f"{dims[name]:.2f}"
        lines.append(f"| {CONDITIONS[name].label} | {ours} | {PAPER_DIMENSIONS[name]:.2f} |")
    if res < MIN_RELIABLE_SIDE:
        lines.append(f"caution: at --res {res} the box sizes span too little for these dimensions to mean "
                     f"anything; the estimate holds from about --res {MIN_RELIABLE_SIDE} (measured on the tanh panel)")
    return "\n".join(lines)
