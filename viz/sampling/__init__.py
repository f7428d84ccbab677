"""Sampling: view maths, the quadtree lattice, the sample store, its picture of a view, the scheduler that fills it."""
