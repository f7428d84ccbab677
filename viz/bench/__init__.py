"""`nnfractal bench`: the engine against its baselines on the same pixels, and this machine's peak.

Public face (what the other subpackages import from here):
- run: bench
"""
