"""nnfractal: explore the fractal boundary of neural-network trainability.

Importing the package does nothing heavy: no Taichi, no GL context.
"""
