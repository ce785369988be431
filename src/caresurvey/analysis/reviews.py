"""Reviews from the SSDA903 return: timeliness under regulation 33, and how children took part.

References
----------
The Care Planning, Placement and Case Review (England) Regulations 2010, SI 2010/959, reg. 33:
the first review within 20 working days of the child becoming looked after, the second within
three months of the first, and later ones at intervals of no more than six months.
DfE SSDA903 guide: participation codes PN0 (under 4) to PN7.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.legal_status import ALL_LAS
from caresurvey.analysis.stats import with_wilson
from caresurvey.codes import REVIEW_PARTICIPATION, age_group

__all__ = ["review_timeliness", "review_participation", "care_periods", "bank_holidays", "add_months"]

FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
VIEWS_CONVEYED = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")  # PN7: views not conveyed


def bank_holidays(first_year: int, last_year: int) -> list[dt.date]:
    """Bank holidays in England (the ``holidays`` package's UK calendar, subdivision ENG)."""
    import holidays

    return sorted(holidays.UnitedKingdom(subdiv="ENG", years=range(first_year, last_year + 1)))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def care_periods(episodes: pd.DataFrame) -> pd.DataFrame:
    """Periods of care: chains of episodes from a start (RNE S) to the last episode's end.

    Returns
    -------
    pandas.DataFrame
        ``child_id, la, start, end`` (end empty while still looked after).
    """
    rows = []
    for (child, la), group in episodes.sort_values("start").groupby(["child_id", "la"], sort=False):
        start = end = None
        for episode in group.itertuples():
            if start is None or episode.reason_new_episode == "S" or (end is not None and episode.start > end):
                if start is not None:
                    rows.append((child, la, start, end))
                start = episode.start
            end = episode.end if pd.notna(episode.end) else None
        rows.append((child, la, start, end))
    return pd.DataFrame(rows, columns=["child_id", "la", "start", "end"])


def review_timeliness(data: StudyData, data_end: dt.date | None = None) -> pd.DataFrame:
    """Reviews due and held on time, by LA, under regulation 33.

    Parameters
    ----------
    data_end : date, optional
        The last day the data cover; default: 31 March after the latest date in the episodes
        and reviews (the end of the collection year).

    Returns
    -------
    pandas.DataFrame
        ``la, review, due, on_time, late, not_held, percent, ci_low, ci_high`` where ``review`` is
        ``first``, ``second``, ``later`` or ``all``; percent = on time of due (Wilson 95%).

    Notes
    -----
    A review falls due on the last day allowed: 20 working days (England's bank holidays
    excluded) after the period of care starts, then 3 months after the previous review, then 6
    months. A review is due only if the child is still looked after on that day and it is within
    the data; a period that ends first owes nothing. A review held after its due date is late; a
    due date with no review before the period or the data ends is counted as not held. The next
    deadline runs from the review actually held.
    """
    episodes, reviews = data.table("episodes"), data.table("reviews")
    columns = ["la", "review", "due", "on_time", "late", "not_held"]
    if episodes.empty:
        return with_wilson(pd.DataFrame(columns=columns), count="on_time", n="due")
    data_end = data_end or data.data_end()
    periods = care_periods(episodes)
    holidays = np.array(bank_holidays(periods["start"].min().year, data_end.year), dtype="datetime64[D]")
    by_child = {key: sorted(group["review_date"].dt.date) for key, group in reviews.groupby(["child_id", "la"])}
    counts: dict[tuple[str, str], list[int]] = {}
    for period in periods.itertuples():
        start = period.start.date()
        stop = min(period.end.date(), data_end) if pd.notna(period.end) else data_end
        held = [d for d in by_child.get((period.child_id, period.la), []) if start <= d <= stop]
        due = np.busday_offset(np.datetime64(start), FIRST_REVIEW_WORKING_DAYS, roll="forward",
                               holidays=holidays).astype(dt.date)
        kind, index = "first", 0
        while due <= stop:
            tally = counts.setdefault((period.la, kind), [0, 0, 0, 0])
            tally[0] += 1
            if index < len(held):
                review = held[index]
                tally[1 if review <= due else 2] += 1
                due = add_months(review, SECOND_REVIEW_MONTHS if kind == "first" else LATER_REVIEW_MONTHS)
                kind, index = ("second" if kind == "first" else "later"), index + 1
            else:
                tally[3] += 1
                break
    rows = [{"la": la, "review": kind, "due": c[0], "on_time": c[1], "late": c[2], "not_held": c[3]}
            for (la, kind), c in counts.items()]
    frame = pd.DataFrame(rows, columns=columns)
    summed = frame.groupby("la", as_index=False)[["due", "on_time", "late", "not_held"]].sum().assign(review="all")
    overall = frame.groupby("review", as_index=False)[["due", "on_time", "late", "not_held"]].sum().assign(la=ALL_LAS)
    total = frame[["due", "on_time", "late", "not_held"]].sum().to_frame().T.assign(la=ALL_LAS, review="all")
    frame = pd.concat([frame, summed, overall, total], ignore_index=True)[columns]
    order = {"first": 0, "second": 1, "later": 2, "all": 3}
    frame = frame.assign(_o=frame["review"].map(order), _l=frame["la"].eq(ALL_LAS)).sort_values(["_l", "la", "_o"])
    frame = frame.drop(columns=["_o", "_l"]).reset_index(drop=True)
    return with_wilson(frame, count="on_time", n="due")


def review_participation(data: StudyData) -> pd.DataFrame:
    """How children took part in their reviews (PN0-PN7), by LA and age group.

    Returns
    -------
    pandas.DataFrame
        ``la, age_group, code, description, n, denominator`` (reviews), then for children aged 4 and
        over the rows with ``code = "views conveyed"``: reviews at which the child's views were
        conveyed (PN1-PN6) of all their reviews (PN7 = not conveyed), with Wilson intervals.

    Notes
    -----
    Age at review is worked out from the birth month (the full date of birth is never kept),
    taking the 15th as the birthday, so it can be a month out near a birthday.
    """
    reviews, children = data.table("reviews"), data.table("children")
    frame = reviews.merge(children[["child_id", "la", "birth_month"]], on=["child_id", "la"], how="left")
    born = pd.to_datetime(frame["birth_month"] + "-15", errors="coerce")
    ages = ((frame["review_date"] - born).dt.days // 365.25)
    frame["age_group"] = [age_group(int(a)) if pd.notna(a) and a >= 0 else "Not known" for a in ages]
    frame["participation"] = frame["participation"].fillna("Not recorded")
    rows = []
    for la, part in [(ALL_LAS, frame), *sorted(frame.groupby("la"))]:
        for group, cell in part.groupby("age_group"):
            counts = cell["participation"].value_counts()
            for code in [*REVIEW_PARTICIPATION, "Not recorded"]:
                if code in counts or code in REVIEW_PARTICIPATION:
                    rows.append({"la": la, "age_group": group, "code": code,
                                 "description": REVIEW_PARTICIPATION.get(code, ""), "count": int(counts.get(code, 0)),
                                 "n": len(cell)})
        four_plus = part[(part["participation"] != "PN0") & part["participation"].isin(REVIEW_PARTICIPATION)]
        rows.append({"la": la, "age_group": "4 and over", "code": "views conveyed",
                     "description": "views conveyed (PN1-PN6) of reviews of children aged 4 and over",
                     "count": int(four_plus["participation"].isin(VIEWS_CONVEYED).sum()), "n": len(four_plus)})
    return with_wilson(pd.DataFrame(rows, columns=["la", "age_group", "code", "description", "count", "n"]))
