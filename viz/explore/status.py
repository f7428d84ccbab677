"""What the session's HUD says: its Status (viz.display.hud) and the text lines drawn from it."""
from __future__ import annotations

from viz.display.hud import Status, hud_lines
from viz.problem.conditions import CONDITIONS


def status(session) -> Status:
    """Everything the HUD shows besides the view."""
    refiner, cov, preset = session.refiner, session.frame.coverage, session.preset
    condition = CONDITIONS[session.problem.condition]
    done = sum(1 for _, c, n in cov.levels if c == n)
    recording = session.files.recording
    return Status(condition.label, condition.axis_names, f"{preset.name} (n={preset.width}, {preset.steps} steps)",
                  refiner.backend, refiner.compiling, cov.fraction, (done, len(cov.levels)), refiner.rate,
                  session.pointer.cursor, session.message, recording is not None, refiner.building,
                  refiner.cluster_line, session.arithmetic.line(), session.arithmetic.limit,
                  recording.dropped if recording is not None else 0)


def lines(session) -> list[str]:
    """The HUD's text, or none while it is hidden."""
    return hud_lines(session.view, status(session)) if session.show_hud else []
