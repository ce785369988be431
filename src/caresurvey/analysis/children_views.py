"""The Children's Rights Director's survey of children in care, as published (not study data).

References
----------
Children's Rights Director for England (2011), Children on Independent Reviewing Officers,
quoted in Martin (2015) (seed 002): about 79% said it is important or very important to have
a social worker, approximately 70% an IRO, 53% an advocate, 38% a guardian in court (44% did
not know enough about guardians to have an opinion); 1,530 children surveyed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from caresurvey.analysis.stats import wilson_interval
from caresurvey.published.catalogue import PublishedTable

__all__ = ["children_views", "SOURCE_NOTE", "SURVEY"]

#: The published table of the survey.
SURVEY = "children_views_professionals"

SOURCE_NOTE = ("published figures of the Children's Rights Director's survey (2011), not study data; "
               "intervals assume all 1,530 children answered, as the report gives no denominator per question")


def children_views(published: Mapping[str, PublishedTable], replicates: Collection[str] = (SURVEY,)) -> pd.DataFrame:
    """The published percentages with Wilson 95% intervals at the survey's size.

    Parameters
    ----------
    published : mapping of str to PublishedTable
        The published tables by id; the survey's is ``children_views_professionals``.
    replicates : collection of str
        The published tables the study replicates: without the survey's, the table is empty (it
        belongs to the studies that set their children's answers beside it).

    Returns
    -------
    pandas.DataFrame
        ``item, category, qualifier, percent, n, ci_low, ci_high, source``. The count behind each
        percentage is not published; the interval is that of the printed percentage of 1,530.
    """
    columns = ["item", "category", "qualifier", "percent", "n", "ci_low", "ci_high", "source"]
    if SURVEY not in replicates:
        return pd.DataFrame(columns=columns)
    table = published[SURVEY]
    group = "Children in care surveyed"
    n = table.max_n_of(group)
    rows = []
    for cell in table.cells:
        percent = float(cell.percent.rstrip("%"))
        low, high = wilson_interval(round(percent * n / 100), n)
        rows.append({"item": cell.item, "category": cell.category, "qualifier": cell.qualifier or "",
                     "percent": percent, "n": n, "ci_low": 100 * low, "ci_high": 100 * high, "source": SOURCE_NOTE})
    return pd.DataFrame(rows, columns=columns)
