"""Sampling: view maths, the quadtree lattice, the sample store, its picture of a view, the scheduler that fills it.

Public face (what the other subpackages import from here):
- boundary: both_signs, nearest_boundary, sign_changes
- lattice: MAX_LEVEL, TileKey, sample_values, view_maps, visible
- picture: picture
- scheduler: BatchSizer, deliver, levels, next_batch
- store: SampleStore
- view: DOMAIN, FRAC_BITS, View, at_limit, check_window, depth, exp10, from_fixed, hyper_at, min_pixel, pan,
  pixel_of, resize, to_fixed, zoom, zoom_at
"""
