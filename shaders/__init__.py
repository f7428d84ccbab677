"""The GLSL sources, shipped inside the wheel as the package data of `viz.shaders` (see viz/display/shaders.py)."""
