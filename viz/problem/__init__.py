"""The problem: conditions and presets, the paper's arrays or a seeded draw, and the NumPy reference.

Public face (what the other subpackages import from here):
- arrays: Problem, load_problem
- conditions: CONDITIONS, Condition, DEFAULT_WINDOW, MAX_RATIO, NONFINITE_LOSS, PANEL_STEPS, PANEL_WINDOWS,
  PAPER_DIMENSIONS, PRESETS, Preset, READOUTS, TAIL_STEPS, panel_log_window
- spec: PAPER_SEED, ProblemSpec
"""
