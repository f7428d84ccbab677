"""Sampling: view maths, the quadtree lattice, the sample store and the scheduler that fills it."""
