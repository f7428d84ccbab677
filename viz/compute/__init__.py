"""Compute: the Taichi backend, the engine and its kernels, the one chunked compute loop, the one engine process,
Dask tiles.

Public face (what the other subpackages import from here):
- backend: ARCHES, Backend (and its is_cached), cuda_available, flush_cache, init_backend
- engine: build_engine, load_arrays
- executor: Executor, open_executor, DaskExecutor (the engine process or a Dask client, one interface)
- isolated: IsolatedEngine (the Engine's interface over the engine process, stopped at once by Ctrl-C or SIGTERM)
- loop: compute_pixels, still_order
- messages: Measure, Ready, Kernel, Cached, Done, Failed (what the engine process and its owner say)
- process: EngineProcess (the one engine process: submit() -> Future, cancel, close), tool_output
- worker: serve (the engine process's child side)
- cluster: open_cluster, parse_cluster, on_every_worker (a --cluster value -> a probed Dask client)
- tiled: TiledImage, TileCount, TileReceipt, compute_on_cluster (images in tiles on a cluster, kept in Zarr)
- tiles: DEFAULT_TILE, measure_points, timed_tile, warm (the tasks a worker runs)
- zarr_store: ImageGrid, TileStore, read_store

Nothing here starts Taichi at import.
"""
