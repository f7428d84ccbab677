"""Sampling: view maths, the quadtree lattice, the sample store, its picture of a view, the scheduler that fills it.

Public face (what the other subpackages import from here):
- boundary: bisect_boundary_dd, both_signs, nearest_boundary, sign_changes
- coverage: Coverage, coverage
- lattice: MAX_LEVEL, MAX_LEVEL_DD, TileKey, TileSpot, max_level, sample_values, sample_values_dd, tile_walk, view_maps,
  visible
- picture: picture
- region: Region
- scheduler: BatchSizer, deliver, levels, next_batch
- store: SampleStore
- view: DOMAIN, View (fit, of, region), at_limit, depth, hyper_at, hyper_at_dd, min_pixel, pan,
  pixel_hypers_dd, pixel_of, resize, zoom, zoom_at (fixed-point coordinates are viz.numeric.fixed)
"""
