"""The problem: conditions and presets, the paper's arrays or a seeded draw, and the NumPy reference."""
