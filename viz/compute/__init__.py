"""Compute: the Taichi backend, the engine and its kernels, the one chunked compute loop, the worker.

Public face: backend.init_backend (returns a Backend) and ARCHES,
engine.build_engine (an Engine for a ProblemSpec on a Backend),
loop.compute_pixels and loop.still_order, worker.serve (the explorer's
engine process). Nothing here starts Taichi at import.
"""
