"""Dates, and which way round a file writes them: read from the file itself, or, where its dates
cannot tell, from the manifest's ``date_format``; never guessed.

A date like ``03/04/2014`` is 3 April in day-first files (SSDA903 returns, most English
spreadsheets) and 4 March in month-first ones (many US-made exports). One file uses one
convention, so a file's dates are read together: a value whose first part is above 12 shows the
file is day-first, one whose second part is, month-first. A file showing both is refused. A file
none of whose dates shows either (a small table of an SSDA903 return, say) takes the convention
of the other files of its manifest entry (one export, written alike); where none of them shows
it either, it is refused unless the entry says which it is (``date_format = "dd/mm/yyyy"`` or
``"mm/dd/yyyy"``). Other forms say themselves what they are:
ISO ``yyyy-mm-dd`` (and ``yyyy/mm/dd``), a month by name (``3 Apr 2014``, ``03-Apr-14``,
``3 Sept 2014``), an Excel serial.

Two-digit years follow the POSIX rule (``strptime``'s ``%y``): 69-99 are 1969-1999, 00-68 are
2000-2068.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caresurvey.errors import InputError
from caresurvey.manifest import DATE_FORMATS

__all__ = ["DAY_FIRST", "MONTH_FIRST", "DATE_FORMATS", "EXCEL_EPOCH", "EVIDENCE", "Convention", "parse_date",
           "evidence", "decide", "undecided_error", "file_convention"]

#: The conventions a manifest entry's ``date_format`` can declare.
DAY_FIRST, MONTH_FIRST = DATE_FORMATS

#: Day 0 of Excel's 1900 date system as it counts in practice (it treats 1900 as a leap year,
#: so serial numbers from 61 on are days since 30 December 1899).
EXCEL_EPOCH = dt.date(1899, 12, 30)

# a/b/yyyy with one separator (/ . or -), either way round; two-digit years too
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")
# yyyy-mm-dd (a spreadsheet's midnight time allowed) and yyyy/mm/dd
_YEAR_FIRST = re.compile(r"^(\d{4})([\-/])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
# 3 Apr 2014, 03-Apr-14, 3 April 2014, 3 Sept. 2014
_NAMED = re.compile(r"^(\d{1,2})[ \-./]?([A-Za-z]{3,9})\.?[ \-./]?(\d{4}|\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.0+)?$")
# Excel serials for 1 January 1920 and 31 December 2100: dates in care records fall between.
_SERIAL_RANGE = (7306, 73415)

_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}

#: What to do where a file's dates cannot tell which way round they are written.
DECLARE = ('declare the convention in its [[inputs]] entry: date_format = "dd/mm/yyyy" (day first) or '
           '"mm/dd/yyyy" (month first)')

_FORMS = "dd/mm/yyyy or mm/dd/yyyy (as the file's convention), yyyy-mm-dd, 3 Apr 2014 or an Excel serial"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _real(value: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a real date ({error})") from None


def parse_date(text: str, convention: str | None = None) -> dt.date:
    """A date in any form real files use, the numeric ``a/b/yyyy`` form read by ``convention``.

    Raises
    ------
    ValueError
        With the reason: for anything that is not a date, an impossible date, or a numeric
        ``a/b/yyyy`` date when no convention is given.
    """
    value = text.strip()
    if match := _NUMERIC.match(value):
        first, _, second, year = match.groups()
        if convention not in DATE_FORMATS:
            raise ValueError(f"{value!r} could be day-first or month-first: the file's date convention is needed")
        day, month = (first, second) if convention == DAY_FIRST else (second, first)
        return _real(value, _year(year), int(month), int(day))
    if match := _YEAR_FIRST.match(value):
        year, _, month, day = match.groups()
        return _real(value, int(year), int(month), int(day))
    if match := _NAMED.match(value):
        day, name, year = match.groups()
        month = _MONTHS.get(name.casefold())
        if month is None:
            raise ValueError(f"{value!r} is not a date: {name!r} is not a month")
        return _real(value, _year(year), month, int(day))
    if _SERIAL.match(value):
        serial = int(float(value))
        if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            raise ValueError(f"{value} is not a date: as an Excel serial it falls outside 1920-2100")
        return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueError(f"{value!r} is not a date in any form read ({_FORMS})")


#: Per row of a file: whether a date in it shows the file writes the day first, the month first,
#: or could be either way round.
EVIDENCE = ("day_first", "month_first", "either")


def _day_month_parts(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The first two numbers of each value written ``a/b/yyyy`` (separator ``/``, ``.`` or ``-``;
    NaN elsewhere). Most values are ten characters (``03/04/2014``): those are read from their
    code points at once; the few others by the pattern."""
    first, second = np.full(len(text), np.nan), np.full(len(text), np.nan)
    if not len(text):
        return first, second
    points = text.to_numpy(dtype="U11").view(np.uint32).reshape(len(text), 11).astype(np.int64)
    digits = (points >= 48) & (points <= 57)
    separator = points[:, 2]
    ten = (digits[:, [0, 1, 3, 4, 6, 7, 8, 9]].all(axis=1) & (points[:, 10] == 0)
           & np.isin(separator, [ord("/"), ord("."), ord("-")]) & (points[:, 5] == separator))
    first[ten] = (points[ten, 0] - 48) * 10 + points[ten, 1] - 48
    second[ten] = (points[ten, 3] - 48) * 10 + points[ten, 4] - 48
    rest = ~ten & (text != "").to_numpy()
    if rest.any():
        parts = text[rest].str.extract(_NUMERIC.pattern)
        first[rest], second[rest] = pd.to_numeric(parts[0]).to_numpy(), pd.to_numeric(parts[2]).to_numpy()
    return first, second


def evidence(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per row of ``frame``, what its dates in ``columns`` show of the file's convention
    (:data:`EVIDENCE`, booleans), worked out over whole columns at once."""
    out = {kind: np.zeros(len(frame), dtype=bool) for kind in EVIDENCE}
    for column in columns:
        first, second = _day_month_parts(frame[column])
        out["day_first"] |= (first > 12) & (second <= 12)
        out["month_first"] |= (second > 12) & (first <= 12)
        out["either"] |= (first <= 12) & (second <= 12)
    return pd.DataFrame(out, index=frame.index)


@dataclass(frozen=True)
class Convention:
    """Which way round a file writes numeric dates.

    ``value`` is :data:`DAY_FIRST`, :data:`MONTH_FIRST`, or None for a file with no numeric
    date. ``decided`` is False where none of the file's dates shows which way round it writes
    them (and its manifest entry declares nothing): the file is read day first until the other
    files of its manifest entry (one export, written alike) decide; ``examples`` are a few of
    its dates, for the message should none of them decide.
    """

    value: str | None
    decided: bool = True
    examples: tuple[str, ...] = ()


def decide(file: str, shown: Mapping[str, bool], declared: str | None,
           examples: Callable[[str], list[str]]) -> Convention:
    """Which way round a file writes its numeric dates, from what they show (:func:`evidence`,
    over the file's rows) and the manifest's ``date_format``, which decides where given.

    ``examples(kind)`` lists a few of the file's dates of one kind of :data:`EVIDENCE`, for the
    message (``"DECOM row 4: '03/04/2014'"``).

    Raises
    ------
    InputError
        Where the file's dates are written both ways round; the message shows examples and
        what to do.
    """
    if declared is not None:
        return Convention(declared)
    if shown["day_first"] and shown["month_first"]:
        raise InputError(file, "date-convention",
                         f"writes dates both day first ({'; '.join(examples('day_first'))}) and month first "
                         f"({'; '.join(examples('month_first'))}); correct the file, or {DECLARE} (dates that break "
                         "it are quarantined)")
    if shown["day_first"]:
        return Convention(DAY_FIRST)
    if shown["month_first"]:
        return Convention(MONTH_FIRST)
    if shown["either"]:
        return Convention(DAY_FIRST, decided=False, examples=tuple(examples("either")))
    return Convention(None)


def undecided_error(file: str, convention: Convention, others: Iterable[str]) -> InputError:
    """The error for a file none of whose dates shows which way round they are written, when
    the other files of its manifest entry do not decide either (``others``: what they show)."""
    others = sorted(set(others))
    siblings = ("and the other files of its [[inputs]] entry disagree (" + " and ".join(others) + ")") if others \
        else "and no other file of its [[inputs]] entry shows it"
    return InputError(file, "date-convention",
                      f"no date in it shows whether it writes the day or the month first "
                      f"({'; '.join(convention.examples)}), {siblings}: {DECLARE}")


def file_convention(file: str, frame: pd.DataFrame, columns: Sequence[str], rows: pd.Series,
                    declared: str | None = None, withheld: Iterable[str] = ()) -> Convention:
    """:func:`decide` for one file's table: its date ``columns``, the spreadsheet ``rows`` of
    ``frame`` (for messages), and the columns whose values identify someone (a date of birth:
    messages name their rows, not their values)."""
    shown = evidence(frame, columns)
    hidden = set(withheld)

    def examples(kind: str) -> list[str]:
        found = []
        for index in shown.index[shown[kind]][:3]:
            for column in columns:
                if evidence(frame.loc[[index]], [column]).at[index, kind]:
                    value = "(a date of birth, not shown)" if column in hidden else repr(frame.at[index, column].strip())
                    found.append(f"{column} row {rows.loc[index]}: {value}")
                    break
        return found

    return decide(file, shown.any().to_dict(), declared, examples)
