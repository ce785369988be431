"""Parse single values with certainty, or say why not: dates, whole numbers.

A value that could mean two things is not guessed: ``03/04/2014`` is 3 April (SSDA903 files
are dd/mm/yyyy), but ``2014/04/03`` or ``3 Apr 14`` are refused rather than interpreted.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["parse_date", "parse_whole_number", "EXCEL_EPOCH"]

#: Day 0 of Excel's 1900 date system as it counts in practice (it treats 1900 as a leap year,
#: so serial numbers from 61 on are days since 30 December 1899).
EXCEL_EPOCH = dt.date(1899, 12, 30)

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.0+)?$")

# Excel serials for 1 January 1920 and 31 December 2100: dates in care records fall between.
_SERIAL_RANGE = (7306, 73415)


def parse_date(text: str) -> dt.date:
    """A date written as dd/mm/yyyy, ISO yyyy-mm-dd (midnight time allowed) or an Excel serial.

    Raises
    ------
    ValueError
        With the reason, for anything else or for an impossible date.
    """
    value = text.strip()
    if match := _DMY.match(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif _SERIAL.match(value):
        serial = int(float(value))
        if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            raise ValueError(f"{value} is not a date: as an Excel serial it falls outside 1920-2100")
        return EXCEL_EPOCH + dt.timedelta(days=serial)
    else:
        raise ValueError(f"{value!r} is not a date in dd/mm/yyyy, yyyy-mm-dd or Excel serial form")
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a real date ({error})") from None


def parse_whole_number(text: str) -> int:
    """A whole number, allowing a trailing ``.0`` (as spreadsheets write them)."""
    value = text.strip()
    if re.fullmatch(r"-?\d+(?:\.0+)?", value):
        return int(float(value)) if "." in value else int(value)
    raise ValueError(f"{value!r} is not a whole number")
