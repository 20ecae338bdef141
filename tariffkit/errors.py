"""One error type for data problems.

A :class:`DataError` names where the problem is (file, row, column), what was expected and
what was found. The command line prints it as
``tariffkit: error: FILE, row R, column C: expected …, found …`` and exits 1.

Messages must never contain a CPR number: code that raises about a CPR column says what was
wrong with the value ("not 10 digits", "no valid date part") without quoting it.
"""

from __future__ import annotations

import re

QUOTE_LIMIT = 80  # characters of a quoted value shown in a message; the rest is cut
_QUOTED = re.compile(r"'([^']{" + str(QUOTE_LIMIT + 1) + r",})'")


def cap_quotes(message: str) -> str:
    """A value quoted in a message ('…') is shown to its first 80 characters: a 10 MB bad field
    gives a line, not 29 MB."""
    if len(message) <= QUOTE_LIMIT * 2:
        return message
    message = _QUOTED.sub(lambda m: f"'{m.group(1)[:QUOTE_LIMIT]}…' ({len(m.group(1)):,} characters)", message)
    return message if len(message) <= 4000 else message[:4000] + "… (message cut)"


class DataError(Exception):
    """A problem with the data a command was given (exit code 1)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        message = cap_quotes(message)
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def located(self, *, file: str | None = None) -> DataError:
        """Return the same error with the file filled in when it was not known yet."""
        if self.file is None and file is not None:
            self.file = file
        return self


class UsageError(Exception):
    """Options that do not fit together, found after option parsing (exit code 2)."""
