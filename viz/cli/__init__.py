"""The command line, at the top of the pipeline: argparse only, one library call per command."""
from viz.cli.app import main

__all__ = ["main"]
