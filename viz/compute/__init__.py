"""Compute: the Taichi backend, the engine and its kernels, the one chunked compute loop, the worker."""
