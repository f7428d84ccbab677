"""Compute: the Taichi backend, the engine and its kernels, the one chunked compute loop, the worker, Dask tiles.

Public face (what the other subpackages import from here):
- backend: ARCHES, Backend (and its is_cached), cuda_available, flush_cache, init_backend
- engine: build_engine, load_arrays
- isolated: IsolatedEngine (an engine in a child process, stopped at once by Ctrl-C or SIGTERM)
- loop: compute_pixels, still_order
- worker: serve
- cluster: open_cluster, parse_cluster, on_every_worker (a --cluster value -> a probed Dask client)
- tiled: TiledImage, TileCount, TileReceipt, compute_on_cluster (images in tiles on a cluster, kept in Zarr)
- tiles: DEFAULT_TILE, measure_points, timed_tile, warm (the tasks a worker runs)
- zarr_store: ImageGrid, TileStore, read_store

Nothing here starts Taichi at import.
"""
