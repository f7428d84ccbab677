"""What the explorer starts with, and how a request from the command line becomes it, every input checked.

All checks run here, before a window opens, so bad input is one line and
exit status 2 rather than a window that appears and dies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from viz import limits
from viz.compute.capabilities import capabilities
from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, default_file, find_bookmark, from_png
from viz.problem.conditions import CONDITIONS, DEFAULT_WINDOW, PANEL_STEPS, PRESETS, Preset
from viz.problem.experiment import PAPER_EXPERIMENT, Experiment
from viz.problem.spec import PAPER_SEED, ProblemSpec
from viz.sampling.precision import PRECISION_MODES
from viz.sampling.region import Region
from viz.sampling.view import View, min_pixel

#: Smallest window side the explorer opens, in pixels.
MIN_SIDE = 16


@dataclass
class Settings:
    """What the explorer starts with: the problem whole (its precision is the session's to choose)."""

    problem: ProblemSpec
    home: Region  # the window to open at when no saved view is (given as a Region or its four ends)
    presets: tuple[Preset, ...] = tuple(PRESETS.values())  # what P cycles through
    size: tuple[int, int] = (1280, 720)
    start: SavedView | None = None  # an exact view to open at (bookmark or PNG)
    arch: str = "auto"
    cache_mb: float = 512.0
    fullscreen: bool = False
    bookmarks: Path = field(default_factory=default_file)
    recordings: Path = Path("recordings")
    vsync: bool = True
    hud: bool = True
    title: str = "nnfractal explore"
    cluster: str | None = None  # a --cluster value: batches run as Dask tasks there
    precision: str = "auto"  # one of PRECISION_MODES: what D starts from

    @property
    def preset(self) -> Preset:
        """The preset the problem's width and steps are, or a custom one."""
        return preset_of(self.problem)

    def __post_init__(self) -> None:
        self.home = Region.of(self.home)


def preset_of(problem: ProblemSpec) -> Preset:
    """The named preset with this problem's width and steps, or a "custom" one."""
    return next((p for p in PRESETS.values() if (p.width, p.steps) == (problem.width, problem.steps)),
                Preset("custom", problem.width, problem.steps))


@dataclass(frozen=True)
class ExploreRequest:
    """What was asked for: a saved view to reopen (a PNG or a bookmark), or a problem and a home window.

    width and steps None take the preset's ("auto": quick on a CPU, paper
    on CUDA); a panel's own steps come before the preset's.
    """

    png: str | None = None
    bookmark: str | None = None
    bookmarks: Path | None = None  # None: default_file()
    condition: str = "tanh"
    panel: str | None = None
    home: tuple[float, float, float, float] = DEFAULT_WINDOW
    preset: str = "auto"
    width: int | None = None
    steps: int | None = None
    seed: int = PAPER_SEED
    readout: str = "measure"
    experiment: Experiment = PAPER_EXPERIMENT
    arch: str = "auto"
    size: tuple[int, int] = (1280, 720)
    cache_mb: float = 512.0
    fullscreen: bool = False
    cluster: str | None = None
    precision: str = "auto"


def check_cache_mb(cache_mb: float) -> None:
    """The sample cache needs a positive size that this machine's memory holds."""
    if not (math.isfinite(cache_mb) and cache_mb > 0):
        raise UsageError(f"--cache-mb must be positive, got {cache_mb:g}")
    limits.memory(f"--cache-mb {cache_mb:g}", cache_mb * 2**20)


def settings_for(request: ExploreRequest) -> Settings:
    """The explorer's settings, every input checked before a window opens."""
    from viz.problem.arrays import load_problem

    saved = from_png(request.png) if request.png else (
        find_bookmark(request.bookmarks or default_file(), request.bookmark) if request.bookmark else None)
    able = capabilities(request.arch)
    if min(request.size) < MIN_SIDE:
        raise UsageError(f"--size must be at least {MIN_SIDE}x{MIN_SIDE}, got {request.size[0]}x{request.size[1]}")
    check_cache_mb(request.cache_mb)
    if request.precision not in PRECISION_MODES:
        raise UsageError(f"unknown --precision {request.precision!r}; choose one of {', '.join(PRECISION_MODES)}")
    if request.precision != "auto":
        able.require(request.precision)
    home = saved.region if saved is not None else Region.of(request.home)
    if request.precision == "f64" or not able.supports("dd"):
        check_float64_view(saved.view(*request.size) if saved else View.of(home, *request.size))
    base = PRESETS[able.default_preset if request.preset == "auto" else request.preset]
    if saved is not None:
        problem = saved.problem
    else:
        problem = ProblemSpec(request.condition, base.width if request.width is None else request.width,
                              PANEL_STEPS.get(request.panel, base.steps) if request.steps is None else request.steps,
                              request.seed, request.readout, experiment=request.experiment)
    problem.validate()
    try:
        load_problem(CONDITIONS[problem.condition], problem.width, problem.steps, problem.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    preset = preset_of(problem)
    presets = tuple(PRESETS.values()) if preset.name != "custom" else (preset, *PRESETS.values())
    return Settings(problem=problem, home=home, presets=presets, size=request.size, start=saved, arch=request.arch,
                    cache_mb=request.cache_mb, fullscreen=request.fullscreen,
                    bookmarks=request.bookmarks or default_file(), cluster=request.cluster,
                    precision=request.precision)


def check_float64_view(view: View) -> None:
    """Refuse to open in float64 a view deeper than float64 resolves (its neighbouring pixels would be equal)."""
    if view.pixel * (1.0 + 2.0 ** -30) < min_pixel(view, "f64"):
        raise UsageError(f"this view is {min_pixel(view, 'f64') / view.pixel:.3g} times finer than float64 resolves; "
                         "open it with --precision dd or auto (on the CPU)")
