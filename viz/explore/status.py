"""What the session's HUD says: its Status (viz.display.hud) and the text lines drawn from it."""
from __future__ import annotations

from viz.display.hud import Status, hud_lines
from viz.problem.conditions import CONDITIONS
from viz.problem.experiment import HYPERPARAMETERS, PAPER_EXPERIMENT


def axes(problem) -> tuple[str, tuple[str, str], tuple[bool, bool]]:
    """The problem's label, its two axes' names and which of them count log10(1 - value)."""
    condition = CONDITIONS[problem.condition]
    experiment = problem.experiment
    if experiment == PAPER_EXPERIMENT:
        return condition.label, condition.axis_names, (False, False)
    names = experiment.axes(bool(condition.init_offset))
    hypers = [HYPERPARAMETERS[name] for name in names]
    return (f"{condition.label}, {experiment.label}", tuple(f"{h.name} ({h.what})" for h in hypers),
            tuple(h.one_minus for h in hypers))


def status(session) -> Status:
    """Everything the HUD shows besides the view."""
    refiner, cov, preset = session.refiner, session.frame.coverage, session.preset
    label, axis_names, one_minus = axes(session.problem)
    done = sum(1 for _, c, n in cov.levels if c == n)
    recording = session.files.recording
    return Status(label, axis_names, f"{preset.name} (n={preset.width}, {preset.steps} steps)",
                  refiner.backend, refiner.compiling, cov.fraction, (done, len(cov.levels)), refiner.rate,
                  session.pointer.cursor, session.message, recording is not None, refiner.building,
                  refiner.cluster_line, session.arithmetic.line(), session.arithmetic.limit,
                  recording.dropped if recording is not None else 0, one_minus)


def lines(session) -> list[str]:
    """The HUD's text, or none while it is hidden."""
    return hud_lines(session.view, status(session)) if session.show_hud else []
