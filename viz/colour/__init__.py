"""Colour: the paper's histogram equalisation and Spectral table, and the live colour scale.

Public face (what the other subpackages import from here):
- equalise: LUT_SIZE, colour_measures, equalise, equalise_rank, sign_from_rgb, to_rgb8
- scale: ColourScale, colour_defines
"""
