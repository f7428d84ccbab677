"""Compute: the Taichi backend, the engine and its kernels, the one chunked compute loop, the worker.

Public face (what the other subpackages import from here):
- backend: ARCHES, Backend (and its is_cached), cuda_available, flush_cache, init_backend
- engine: build_engine
- isolated: IsolatedEngine (an engine in a child process, stopped at once by Ctrl-C or SIGTERM), problem_of
- loop: compute_pixels, still_order
- worker: serve

Nothing here starts Taichi at import.
"""
