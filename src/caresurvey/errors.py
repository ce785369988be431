"""Typed errors that the command line reports as one clear message, without a traceback."""

from __future__ import annotations

__all__ = ["CaresurveyError", "ConfigError", "InputError"]


class CaresurveyError(Exception):
    """An error the user can fix: bad input, bad configuration, impossible request.

    The command line prints ``str(error)`` and exits with status 2; programming errors are
    not wrapped in this class, so they keep their traceback.
    """


class ConfigError(CaresurveyError):
    """The configuration file is missing, unreadable or invalid."""


class InputError(CaresurveyError):
    """A value in an input file breaks a rule.

    Parameters
    ----------
    file : str
        The file as the user named it.
    row : int or None
        1-based row as a person sees it in a spreadsheet (the header is row 1).
    column : str or None
        The column header as written in the file.
    value : str or None
        The offending value, as read.
    rule : str
        Short identifier of the rule that was broken.
    message : str
        What is wrong and what to do about it.
    """

    def __init__(
        self,
        file: str,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.rule = rule
        self.message = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {message} [rule: {rule}]")

    def __reduce__(self):
        """Rebuilt whole when it crosses from a worker process (files are read in parallel)."""
        from functools import partial

        return partial(InputError, row=self.row, column=self.column, value=self.value), (self.file, self.rule,
                                                                                         self.message)
