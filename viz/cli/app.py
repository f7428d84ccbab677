"""The `nnfractal` command: wires up the subcommands, one module each.

Each command module exposes `register(subparsers)`, which adds its parser and
sets `run` to a function taking the parsed namespace and returning an exit
status. This file only wires them up and turns bad input into one line and
exit status 2, and Ctrl-C or SIGTERM into exit status 130 or 143 (with
what was kept, where the command says; viz/signals.py).
"""
from __future__ import annotations

import argparse
import importlib
import sys
import threading

from viz.errors import Interrupted, UsageError
from viz.signals import handle_termination, interrupted_status

#: Command modules, in the order `--help` lists them.
COMMAND_MODULES = (
    "viz.cli.render",
    "viz.cli.figure1",
    "viz.cli.bench",
    "viz.cli.dim",
    "viz.cli.zoom",
    "viz.cli.boundary",
    "viz.cli.demo",
    "viz.cli.explore",
)

#: What `nnfractal --help` tells a user the program is for.
DESCRIPTION = (
    "Explore the fractal boundary between neural-network training that converges and training that "
    "diverges. Each pixel is one complete float64 training run of a small network at a pair of "
    "hyperparameters (Sohl-Dickstein 2024): open the live window, render stills, rebuild the paper's "
    "Figure 1, measure fractal dimensions, or make zoom videos. `nnfractal COMMAND --help` for each."
)

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, not usage plus message."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        # main() prints "nnfractal: error: "; a subcommand's parser names it ("render: ...").
        command = self.prog.removeprefix("nnfractal").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every subcommand registered."""
    parser = _Parser(prog="nnfractal", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script (SIGTERM is handled when it runs on the main thread)."""
    if threading.current_thread() is threading.main_thread():
        handle_termination()
    try:
        args = build_parser().parse_args(argv)
        status = int(args.run(args) or 0)
        return interrupted_status() if status == EXIT_INTERRUPTED else status
    except UsageError as exc:
        print(f"nnfractal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        print(f"nnfractal: interrupted; {exc}", file=sys.stderr)
        return interrupted_status()
    except KeyboardInterrupt:
        print("nnfractal: interrupted", file=sys.stderr)
        return interrupted_status()
    except BrokenPipeError:
        # The reader went away (`nnfractal dim ... | head -1`): not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
