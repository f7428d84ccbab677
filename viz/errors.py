"""The one exception that means "the user asked for something we cannot do".

The CLI turns it into a single line on stderr and exit status 2; anything
else is a bug and keeps its traceback.
"""


class UsageError(Exception):
    """Bad input: a wrong flag, an unreadable file, a missing capability."""
