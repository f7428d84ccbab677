"""The two exceptions that end a command cleanly instead of with a traceback.

`UsageError` means "the user asked for something we cannot do": the CLI
turns it into a single line on stderr and exit status 2. `Interrupted` is
Ctrl-C during work that keeps what was finished: exit status 130, with a
line saying what was kept. Anything else is a bug and keeps its traceback.
"""


class UsageError(Exception):
    """Bad input: a wrong flag, an unreadable file, a missing capability."""


class Interrupted(Exception):
    """Ctrl-C stopped the work; the message says what was kept (or that nothing was written)."""
