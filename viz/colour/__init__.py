"""Colour: the paper's histogram equalisation and Spectral table, and the live colour scale."""
