"""Errors the CLI turns into one line and an exit code (2: usage or bad input, 1: some inputs failed)."""


class RedactError(Exception):
    """A problem the user can fix; its message is one line naming the file or document."""

    exit_code = 2


class BadInput(RedactError):
    """Malformed or inconsistent input data (exit code 2)."""


class ModelMissing(RedactError):
    """A named model or base checkpoint is not where it is looked for (exit code 2)."""
