"""Which collection year an SSDA903 return is of: from its manifest entry (``year = 2019``), else
its path (``2019/2019-episodes.csv``, ``903_2018-19_header.csv``), else its own dates.

The year decides which codes are valid (:mod:`caresurvey.ssda903_codes`) and, where a study
holds returns of several years, which copy of a child's record is the latest. DfE collections
are named by the year they end in: the 2019 collection covers 1 April 2018 to 31 March 2019.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from caresurvey.codes import FIRST_COLLECTION_YEAR, LAST_COLLECTION_YEAR
from caresurvey.manifest import collection_year, year_label

__all__ = ["CollectionYear", "year_in_path", "year_of_dates", "decide_year"]

# A year in a file or folder name, not part of a longer number: 2019, 2018-19, 2018_2019, 201819.
_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?:[-_ ]?(\d\d|20\d\d))?(?!\d)")


@dataclass(frozen=True)
class CollectionYear:
    """The collection year of a return (the year it ends in) and what said so."""

    end: int
    how: str

    @property
    def label(self) -> str:
        return year_label(self.end)

    def as_dict(self) -> dict:
        return {"year": self.end, "label": self.label, "from": self.how}


#: How many names of a path are read for a year: the file's and its two nearest folders' (a
#: folder further up, ``/home/me/2024-projects/``, says nothing of the return).
_NAMES_READ = 3


def year_in_path(path: Path) -> tuple[int, str] | None:
    """The collection year a file's name says, else its nearest folders', with the name that
    said it. A name holding two different years says none."""
    parts = [path.name, *(parent.name for parent in path.parents)][:_NAMES_READ]
    for name in parts:
        years = set()
        for start, end in _IN_NAME.findall(name):
            try:
                years.add(collection_year(f"{start}-{end}" if end else start))
            except ValueError:
                continue
        if len(years) == 1:
            return years.pop(), name
    return None


def year_of_dates(dates: pd.Series) -> int | None:
    """The collection year holding the latest of a return's dates (episode starts and ends,
    reviews): a return reports events up to the end of its year."""
    latest = pd.to_datetime(dates).dropna()
    if latest.empty:
        return None
    day = latest.max()
    return int(day.year + (1 if day.month >= 4 else 0))


def decide_year(declared: int | None, path: Path, dates: pd.Series | None = None) -> CollectionYear | None:
    """A return's collection year: declared in its manifest entry, else in its path, else from
    its dates (where they fall in the collections known here, 2013-14 to 2026-27); None where
    nothing says it."""
    if declared is not None:
        return CollectionYear(declared, "its [[inputs]] entry (year)")
    named = year_in_path(path)
    if named is not None:
        return CollectionYear(named[0], f"its name ({named[1]})")
    if dates is not None:
        end = year_of_dates(dates)
        # dates past the last collection known here (a date keyed in error, test data) say nothing
        if end is not None and FIRST_COLLECTION_YEAR <= end <= LAST_COLLECTION_YEAR:
            return CollectionYear(end, "its latest date")
    return None
