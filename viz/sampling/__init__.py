"""Sampling: view maths, the quadtree lattice, the sample store, its picture of a view, the scheduler that fills it.

Public face (what the other subpackages import from here):
- boundary: bisect_boundary_dd, both_signs, nearest_boundary, sign_changes
- lattice: MAX_LEVEL, MAX_LEVEL_DD, TileKey, max_level, sample_values, sample_values_dd, view_maps, visible
- picture: picture
- scheduler: BatchSizer, deliver, levels, next_batch
- store: SampleStore
- view: DOMAIN, FRAC_BITS, OLD_FRAC_BITS, View, at_limit, check_window, decimal_to_fixed, depth, exact_to_fixed, exp10,
  exp10_dd, exp10_decimal, fixed_to_decimal, from_fixed, from_old_fixed, hyper_at, hyper_at_dd, min_pixel, pan,
  pixel_hypers_dd, pixel_of, resize, to_fixed, zoom, zoom_at
"""
