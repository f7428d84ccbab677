"""Sampling: view maths, the quadtree lattice, the sample store, the picture composed from it, and the scheduler that fills it."""
