"""The command line, at the top of the pipeline: argparse only, one library call per command.

Public face (what the other subpackages import from here):
- app: main
"""
from viz.cli.app import main

__all__ = ["main"]
