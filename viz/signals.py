"""SIGTERM handled like Ctrl-C: the work stops where it is, keeps what is finished and removes what is partial.

Every command already turns KeyboardInterrupt into "keep what is finished";
`Terminated` is a KeyboardInterrupt, so SIGTERM takes exactly those paths,
and the exit status then names the signal that stopped it (130 for SIGINT,
143 for SIGTERM: 128 + the signal's number, as a shell reports it).
Python runs a handler only between bytecodes, so engine kernels run in a
child process (viz.compute.process) and the main thread stays responsive.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading

#: The signal that stopped the command, once one has.
_received: list[int] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind as Ctrl-C does."""


def _on_term(signum: int, _frame) -> None:
    """Raise once; a repeated SIGTERM lets the cleanup the first one started finish."""
    _received.append(signum)
    if len(_received) == 1:
        raise Terminated


def handle_termination() -> None:
    """Make SIGTERM raise Terminated in the main thread (call once, at the start of a command).

    A Terminated that Python drops (raised inside a fork hook: see `raise_if_stopped`) would be printed
    as "Exception ignored ... Traceback"; it is recorded already, so it is dropped silently instead.
    """
    signal.signal(signal.SIGTERM, _on_term)
    if getattr(sys.unraisablehook, "drops_terminated", False):
        return
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if not isinstance(unraisable.exc_value, Terminated):
            previous(unraisable)

    hook.drops_terminated = True
    sys.unraisablehook = hook


@contextlib.contextmanager
def deferred():
    """Ctrl-C and SIGTERM recorded, not raised, while a child process starts; raised once it has.

    An exception raised inside fork/exec (imageio-ffmpeg starting its encoder) can leave the child running
    with nobody holding it, and the encoder then creates its output after the cleanup removed it. Outside
    the main thread (where Python runs no handler) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    handlers = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if signal.SIGTERM in pending and not _received:
            _received.append(signal.SIGTERM)
            raise Terminated
        if pending:
            raise KeyboardInterrupt


def raise_if_stopped() -> None:
    """Raise now a stop whose exception was lost, for loops to call once a frame.

    A handler that runs while a child is forked with a preexec_fn (imageio-ffmpeg
    starting its encoder) runs inside logging's at-fork hook, which prints its
    exception and drops it; the signal is still recorded here.
    """
    if _received:
        raise Terminated


def interrupted_status() -> int:
    """The exit status of a command stopped by a signal: 128 + SIGTERM or SIGINT's number."""
    return 128 + (_received[-1] if _received else signal.SIGINT)
