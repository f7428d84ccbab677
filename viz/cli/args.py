"""Command-line arguments shared by several commands, and the checks of their shape.

`render`, `explore`, `zoom` and `figure1` all choose a condition, a preset,
a backend and a view the same way; parsing them in one place keeps the
flags, defaults and error messages identical across commands. What a value
means (a window, a problem, a still) is checked by the object that owns it.
"""
from __future__ import annotations

import argparse
import math
import re

from viz import limits
from viz.compute.backend import ARCHES
from viz.compute.capabilities import capabilities
from viz.errors import UsageError
from viz.paper.stills import StillSpec
from viz.problem.conditions import (
    CONDITIONS,
    DEFAULT_WINDOW,
    PANEL_STEPS,
    PANEL_WINDOWS,
    PRESETS,
    READOUTS,
    home_window,
    panel_log_window,
)
from viz.problem.experiment import HYPERPARAMETERS, OPTIMISERS, PAPER_EXPERIMENT, Experiment
from viz.problem.spec import PAPER_SEED, PRECISIONS, ProblemSpec


def add_problem_args(parser: argparse.ArgumentParser, default_preset: str = "paper") -> None:
    """--condition, --preset, --steps, --width, --seed, --readout, --arch."""
    parser.add_argument("--condition", choices=list(CONDITIONS), default=None,
                        help="experimental condition (default tanh, or the panel's)")
    parser.add_argument("--preset", choices=list(PRESETS), default=default_preset,
                        help="paper: n=16, 500 steps; quick: n=8, 100 steps (default %(default)s)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (overrides the preset)")
    parser.add_argument("--width", type=int, default=None, help="network width n (overrides the preset)")
    parser.add_argument("--seed", type=int, default=PAPER_SEED,
                        help="0 = the paper's arrays; any other seed draws weights and data with NumPy")
    parser.add_argument("--readout", choices=READOUTS, default="measure",
                        help="measure: the paper's convergence measure; probe: output on the probe input")
    parser.add_argument("--arch", choices=ARCHES, default="auto",
                        help="Taichi backend: auto takes CUDA where a driver is present (default)")
    add_experiment_args(parser)


def add_experiment_args(parser: argparse.ArgumentParser) -> None:
    """--optimizer, --x, --y and one flag per hyperparameter for its fixed value (SPEC, "Beyond the paper")."""
    group = parser.add_argument_group("experiment", "the optimiser, the two axes, the other hyperparameters' values")
    group.add_argument("--optimizer", default="gd", metavar="NAME",
                       help=f"{', '.join(OPTIMISERS)} (default gd, the paper's)")
    group.add_argument("--x", default="", metavar="NAME", help="the x axis's hyperparameter (default lr0, or offset "
                       "for the init conditions); its window coordinate is log10(value), log10(1 - value) for "
                       "momentum and the betas")
    group.add_argument("--y", default="", metavar="NAME", help="the y axis's hyperparameter (default lr1, or lr)")
    for name, h in HYPERPARAMETERS.items():
        group.add_argument(f"--{name}", type=float, default=None, dest=f"fixed_{name}", metavar="VALUE",
                           help=f"{h.what}, in its own units (default {h.default:g})")


def experiment(args: argparse.Namespace) -> Experiment:
    """The experiment the flags name (unchecked: ProblemSpec.validate checks it with its condition)."""
    fixed = tuple((name, getattr(args, f"fixed_{name}")) for name in HYPERPARAMETERS
                  if getattr(args, f"fixed_{name}", None) is not None)
    return Experiment(args.optimizer, args.x, args.y, fixed)


def add_precision_arg(parser: argparse.ArgumentParser, auto: bool = False) -> None:
    """--precision f64|dd: the arithmetic of every run (dd: double-double, CPU only, about 100x slower);
    with `auto` (zoom) also auto, the default: float64 where it resolves the pixels, double-double deeper."""
    if auto:
        parser.add_argument("--precision", choices=(*PRECISIONS, "auto"), default="auto",
                            help="auto: float64 keyframes down to near float64's limit, double-double (CPU only) "
                                 "deeper; f64: float64 only; dd: double-double throughout (default %(default)s)")
        return
    parser.add_argument("--precision", choices=PRECISIONS, default="f64",
                        help="f64: float64 as the paper; dd: double-double (~106 bits, CPU only; default %(default)s)")


def check_precision(args: argparse.Namespace) -> str:
    """The --precision asked for, refused in one line where --arch has no kernel of it (`capabilities`)."""
    precision = getattr(args, "precision", "f64")
    if precision in PRECISIONS:  # zoom's auto is checked per keyframe (cli/zoom.py)
        capabilities(getattr(args, "arch", "auto"), check_driver=False).require(precision)
    return precision


def add_cluster_args(parser: argparse.ArgumentParser, tiles: bool = True) -> None:
    """--cluster local | local:N | tcp://HOST:PORT (absent: this process computes), and --tile N where tiles apply."""
    parser.add_argument("--cluster", type=cluster_value, default=None, metavar="local|local:N|tcp://HOST:PORT",
                        help="compute on Dask: local = a cluster of N worker processes here (default one per core), "
                             "tcp://HOST:PORT = a running `dask scheduler` (default: in this process)")
    if tiles:
        parser.add_argument("--tile", type=positive_int, default=None, metavar="N",
                            help="with --cluster: pixels per tile side, one task each (default 64)")


def cluster_value(text: str) -> str:
    """argparse type: one of the three --cluster forms, checked before any work (the value stays a string)."""
    from viz.compute.cluster import parse_cluster

    parse_cluster(text)
    return text


def add_window_args(parser: argparse.ArgumentParser) -> None:
    """--window X0 X1 Y0 Y1 (log10, decimal strings: every digit typed is kept) or --panel NAME."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--window", nargs=4, metavar=("X0", "X1", "Y0", "Y1"),
                       help="view in log10 units, every digit kept (with --precision dd as narrow as 1e-28 "
                            f"decades; default {' '.join(f'{v:g}' for v in DEFAULT_WINDOW)})")
    group.add_argument("--panel", choices=list(PANEL_WINDOWS),
                       help="the paper's Figure 1 window of this condition (implies it)")


def add_resolution_args(parser: argparse.ArgumentParser, default: int) -> None:
    """--res N or --size WxH."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--res", type=int, default=None, help=f"square resolution (default {default})")
    group.add_argument("--size", type=parse_size, default=None, metavar="WxH", help="width x height in pixels")


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720), both sides at least 1; argparse reports anything else as a bad value."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*[xX]\s*(\d{1,9})\s*", text)
    if not match or min(int(match.group(1)), int(match.group(2))) < 1:
        raise argparse.ArgumentTypeError(f"size must look like 1280x720 (each side at least 1), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def resolution(args: argparse.Namespace, default: int) -> tuple[int, int]:
    """(cols, rows) from --res / --size."""
    if args.size is not None:
        return args.size
    res = default if args.res is None else args.res
    return res, res


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def positive_number(text: str) -> float:
    """argparse type: a finite number above 0 (argparse names the flag in its message)."""
    try:
        return limits.positive("the value", float(text))
    except (ValueError, UsageError) as exc:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text!r}") from exc


def check_positive(**flags: float) -> None:
    """Refuse flags that must be finite and positive, named as given: check_positive(fps=...) speaks of --fps."""
    if not all(math.isfinite(value) and value > 0 for value in flags.values()):
        names = " and ".join("--" + name.replace("_", "-") for name in flags)
        raise UsageError(f"{names} must be positive")


def condition_name(args: argparse.Namespace) -> str:
    """The condition, where --panel implies one; a contradiction is refused."""
    panel = getattr(args, "panel", None)
    if panel and args.condition and args.condition != panel:
        raise UsageError(f"--panel {panel} is the {panel} condition's window; "
                         f"it contradicts --condition {args.condition}")
    return panel or args.condition or "tanh"


def log_window(args: argparse.Namespace) -> tuple:
    """The log10 window --panel (floats) or --window (the typed strings) asks for, unchecked, else the default:
    the notebook's view, or for an experiment beyond the paper its home window (where its boundary shows)."""
    panel = getattr(args, "panel", None)
    if panel:
        return panel_log_window(panel)
    if args.window:
        return tuple(args.window)
    chosen = experiment(args)
    if chosen == PAPER_EXPERIMENT:
        return DEFAULT_WINDOW
    return home_window(condition_name(args), args.preset, chosen)


def still_spec(args: argparse.Namespace, default_res: int) -> StillSpec:
    """The still that the parsed arguments ask for, checked; a typed --window is kept exactly (its Region)."""
    cols, rows = resolution(args, default_res)
    return StillSpec(problem_spec(args), window=log_window(args), cols=cols, rows=rows).validate()


def problem_spec(args: argparse.Namespace) -> ProblemSpec:
    """The problem the flags name (unchecked): --steps and --width as given, else the panel's or preset's."""
    preset = PRESETS[args.preset]
    panel = getattr(args, "panel", None)
    steps = PANEL_STEPS.get(panel, preset.steps) if args.steps is None else args.steps
    width = preset.width if args.width is None else args.width
    return ProblemSpec(condition_name(args), width, steps, args.seed, args.readout, check_precision(args),
                       experiment(args))
