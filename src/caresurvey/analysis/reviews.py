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

from caresurvey.analysis.legal_status import ALL_LAS
from caresurvey.analysis.stats import with_wilson
from caresurvey.codes import AGE_GROUPS, REVIEW_PARTICIPATION

__all__ = ["review_timeliness", "review_participation", "participation_counts", "care_periods", "distinct_episodes",
           "bank_holidays", "first_review_due", "add_months", "age_group", "data_end", "collection_year_end",
           "VIEWS_CONVEYED", "AGED_FOUR_AND_OVER", "VIEWS_CONVEYED_CODE"]

FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
VIEWS_CONVEYED = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")  # PN7: views not conveyed
AGED_FOUR_AND_OVER = (*VIEWS_CONVEYED, "PN7")  # PN0: the child was under 4
#: The ``code`` of the participation table's rows of reviews at which views were conveyed.
VIEWS_CONVEYED_CODE = "views conveyed"


def bank_holidays(first_year: int, last_year: int) -> list[dt.date]:
    """Bank holidays in England (the ``holidays`` package's UK calendar, subdivision ENG)."""
    import holidays

    return sorted(holidays.UnitedKingdom(subdiv="ENG", years=range(first_year, last_year + 1)))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_group(age_years: int) -> str:
    """The DfE age group (:data:`caresurvey.codes.AGE_GROUPS`) of an age in completed years."""
    if age_years < 0:
        raise ValueError(f"age {age_years} is negative")
    label = AGE_GROUPS[0][1]
    for lower, name in AGE_GROUPS:
        if age_years >= lower:
            label = name
    return label


def collection_year_end(day: dt.date) -> dt.date:
    """31 March on or after ``day``: the end of the SSDA903 collection year holding it."""
    return dt.date(day.year + (day.month > 3), 3, 31)


def data_end(episodes: pd.DataFrame, reviews: pd.DataFrame) -> dt.date:
    """The last day SSDA903 data cover: 31 March after their latest date (a collection year's end)."""
    dates = [episodes["start"].max(), episodes["end"].max(), reviews["review_date"].max()]
    return collection_year_end(max(d for d in dates if pd.notna(d)).date())


#: What an episode's later versions may add: how and why it ended.
_EPISODE_OUTCOME = ("end", "reason_ceased", "reason_place_change")


def distinct_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Each episode once: an episode open at 31 March is in that year's return and again, with
    its end, in the next; the version that knows most (the latest end) is kept."""
    same = [c for c in episodes.columns if c not in _EPISODE_OUTCOME]
    ordered = episodes.sort_values([*same, "end"], kind="stable", na_position="first")
    return ordered.drop_duplicates(same, keep="last").sort_index()


def care_periods(episodes: pd.DataFrame) -> pd.DataFrame:
    """Periods of care: chains of episodes from a start (RNE S) to the last episode's end.

    A period starts at a child's first episode, at an episode whose reason for a new episode is
    ``S``, and after a gap (an episode starting after the previous one ended). Its end is its
    last episode's end. Vectorised over all children at once.

    Returns
    -------
    pandas.DataFrame
        ``child_id, la, start, end`` (end empty while still looked after), in child and date order.
    """
    columns = ["child_id", "la", "start", "end"]
    if episodes.empty:
        return pd.DataFrame({c: episodes[c] for c in columns})
    ordered = distinct_episodes(episodes).sort_values(["child_id", "la", "start"], kind="stable").reset_index(drop=True)
    same_child = ordered["child_id"].eq(ordered["child_id"].shift()) & ordered["la"].eq(ordered["la"].shift())
    previous_end = ordered["end"].shift()
    gap = previous_end.notna() & (ordered["start"] > previous_end)
    begins = (~same_child | ordered["reason_new_episode"].eq("S") | gap).to_numpy()
    first = np.flatnonzero(begins)
    last = np.r_[first[1:], len(ordered)] - 1
    return pd.DataFrame({"child_id": ordered["child_id"].to_numpy()[first], "la": ordered["la"].to_numpy()[first],
                         "start": ordered["start"].to_numpy()[first], "end": ordered["end"].to_numpy()[last]})


def _add_months(days: pd.Series, months: np.ndarray) -> pd.Series:
    """:func:`add_months` over a column: the same day ``months`` later, or that month's last day."""
    values = days.to_numpy(dtype="datetime64[D]")
    month_start = values.astype("datetime64[M]")
    target = month_start + months.astype("timedelta64[M]")
    day = (values - month_start).astype(int)
    last_day = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int) - 1
    return pd.Series(target.astype("datetime64[D]") + np.minimum(day, last_day).astype("timedelta64[D]"), index=days.index)


def first_review_due(starts: pd.Series, holidays: np.ndarray) -> np.ndarray:
    """The last day a child's first review may be held: the 20th working day counted from the day
    after the child became looked after (Care Planning Regulations 2010, reg. 33(1)).

    ``holidays`` are England's bank holidays (:func:`bank_holidays`) as ``datetime64[D]``.
    """
    # numpy's working-day arithmetic needs days (pandas holds dates in seconds at least). Rolling
    # a weekend or bank-holiday start back to the working day before it makes the next working
    # day day 1; rolling it forward would make that day day 0, one working day too late.
    return np.busday_offset(starts.to_numpy(dtype="datetime64[D]"), FIRST_REVIEW_WORKING_DAYS, roll="backward",
                            holidays=holidays)


def review_timeliness(episodes: pd.DataFrame, reviews: pd.DataFrame, periods: pd.DataFrame | None = None,
                      end: dt.date | None = None) -> pd.DataFrame:
    """Reviews due and held on time, by LA, under regulation 33.

    Parameters
    ----------
    episodes, reviews : pandas.DataFrame
        The SSDA903 ``episodes`` and ``reviews`` tables.
    periods : pandas.DataFrame, optional
        :func:`care_periods` of ``episodes``, where a caller has it already.
    end : date, optional
        The last day the data cover; default: 31 March after the latest date in the episodes
        and reviews (:func:`data_end`).

    Returns
    -------
    pandas.DataFrame
        ``la, review, due, on_time, late, not_held, percent, ci_low, ci_high`` where ``review`` is
        ``first``, ``second``, ``later`` or ``all``; percent = on time of due (Wilson 95%).

    Notes
    -----
    A review falls due on the last day allowed: the 20th working day counted from the day after
    the period of care starts (England's bank holidays excluded; :func:`first_review_due`), then
    3 months after the previous review, then 6 months. A review is due only if the child is still looked after on that day and it is within
    the data; a period that ends first owes nothing. A review held after its due date is late; a
    due date with no review before the period or the data ends is counted as not held. The next
    deadline runs from the review actually held.
    """
    columns = ["la", "review", "due", "on_time", "late", "not_held"]
    if episodes.empty:
        return with_wilson(pd.DataFrame(columns=columns), count="on_time", n="due")
    end = end or data_end(episodes, reviews)
    periods = (care_periods(episodes) if periods is None else periods).copy()
    periods["period"] = np.arange(len(periods))
    end_of_data = np.datetime64(end, "D")
    periods["stop"] = np.minimum(periods["end"].to_numpy(dtype="datetime64[D]"), end_of_data)
    periods.loc[periods["end"].isna(), "stop"] = end_of_data
    holidays = np.array(bank_holidays(periods["start"].min().year, end.year), dtype="datetime64[D]")
    periods["first_due"] = first_review_due(periods["start"], holidays)

    # The reviews held in each period, numbered 1, 2, ... in date order, then one more row per
    # period for the review that would be due after the last one held.
    held = reviews[["child_id", "la", "review_date"]].merge(periods[["child_id", "la", "period", "start", "stop"]],
                                                             on=["child_id", "la"])
    held["review_date"] = held["review_date"].to_numpy(dtype="datetime64[D]")
    held = held[(held["review_date"] >= held["start"]) & (held["review_date"] <= held["stop"])]
    held = held.sort_values(["period", "review_date"], kind="stable")
    pending = periods[["period"]].assign(review_date=pd.NaT)
    chain = pd.concat([held[["period", "review_date"]], pending], ignore_index=True).sort_values(
        ["period", "review_date"], kind="stable", na_position="last").reset_index(drop=True)
    chain["number"] = chain.groupby("period").cumcount() + 1
    chain = chain.merge(periods[["period", "la", "stop", "first_due"]], on="period", how="left")

    # Each deadline runs from the review actually held before it: 3 months after the first,
    # 6 months after later ones; the first is 20 working days after the period starts.
    previous = chain.groupby("period")["review_date"].shift()
    months = np.where(chain["number"] == 2, SECOND_REVIEW_MONTHS, LATER_REVIEW_MONTHS)
    later_due = _add_months(previous.fillna(chain["first_due"]), months)
    chain["due"] = np.where(chain["number"] == 1, chain["first_due"].to_numpy(dtype="datetime64[D]"),
                            later_due.to_numpy(dtype="datetime64[D]"))
    # A review counts only while every deadline so far fell within the period: the first one
    # after the period (or the data) ends closes the chain.
    within = (chain["due"] <= chain["stop"]).astype(int)
    chain = chain[within.groupby(chain["period"]).cummin().astype(bool)]
    kind = np.select([chain["number"] == 1, chain["number"] == 2], ["first", "second"], "later")
    outcome = np.select([chain["review_date"].isna(), chain["review_date"] <= chain["due"]],
                        ["not_held", "on_time"], "late")
    outcomes = ["on_time", "late", "not_held"]
    frame = pd.crosstab([chain["la"].rename("la"), pd.Series(kind, index=chain.index, name="review")],
                        pd.Series(outcome, index=chain.index)).reindex(columns=outcomes, fill_value=0)
    frame = frame.assign(due=frame.sum(axis=1)).reset_index().rename_axis(columns=None).reindex(columns=columns)
    frame = frame.astype({c: "int64" for c in ["due", *outcomes]})
    summed = frame.groupby("la", as_index=False)[["due", "on_time", "late", "not_held"]].sum().assign(review="all")
    overall = frame.groupby("review", as_index=False)[["due", "on_time", "late", "not_held"]].sum().assign(la=ALL_LAS)
    total = frame[["due", "on_time", "late", "not_held"]].sum().to_frame().T.assign(la=ALL_LAS, review="all")
    frame = pd.concat([frame, summed, overall, total], ignore_index=True)[columns]
    order = {"first": 0, "second": 1, "later": 2, "all": 3}
    frame = frame.assign(_o=frame["review"].map(order), _l=frame["la"].eq(ALL_LAS)).sort_values(["_l", "la", "_o"])
    frame = frame.drop(columns=["_o", "_l"]).reset_index(drop=True)
    return with_wilson(frame, count="on_time", n="due")


def review_participation(reviews: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    """How children took part in their reviews (PN0-PN7), by LA and age group.

    Parameters
    ----------
    reviews, children : pandas.DataFrame
        The SSDA903 ``reviews`` and ``children`` tables (the child's birth month gives the age
        at review).

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
    # a child is in the header of every year's return: one birth month per child
    born_in = children[["child_id", "la", "birth_month"]].drop_duplicates(["child_id", "la"])
    frame = reviews.merge(born_in, on=["child_id", "la"], how="left")
    born = pd.to_datetime(frame["birth_month"] + "-15", errors="coerce")
    ages = ((frame["review_date"] - born).dt.days // 365.25)
    known = ages.notna() & (ages >= 0)
    groups = {int(a): age_group(int(a)) for a in ages[known].unique()}  # a few dozen ages, not a call per review
    frame["age_group"] = ages.where(known).map(groups).fillna("Not known")
    frame["participation"] = frame["participation"].fillna("Not recorded")
    return participation_counts(frame)


def participation_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`review_participation` from reviews with ``la``, ``age_group`` and ``participation``."""
    # one tally of reviews by LA, age group and code; every LA's rows are read from it
    by_la = frame.groupby(["la", "age_group", "participation"]).size().unstack(fill_value=0)
    everyone = frame.groupby(["age_group", "participation"]).size().unstack(fill_value=0)
    rows = []
    for la in [ALL_LAS, *sorted(frame["la"].unique())]:
        tally = everyone if la == ALL_LAS else by_la.loc[la]
        for group, counts in tally.iterrows():
            counts = counts[counts > 0]
            for code in [*REVIEW_PARTICIPATION, "Not recorded"]:
                if code in counts or code in REVIEW_PARTICIPATION:
                    rows.append({"la": la, "age_group": group, "code": code,
                                 "description": REVIEW_PARTICIPATION.get(code, ""), "count": int(counts.get(code, 0)),
                                 "n": int(counts.sum())})
        codes = tally.sum()
        rows.append({"la": la, "age_group": "4 and over", "code": VIEWS_CONVEYED_CODE,
                     "description": "views conveyed (PN1-PN6) of reviews of children aged 4 and over",
                     "count": int(codes[codes.index.isin(VIEWS_CONVEYED)].sum()),
                     "n": int(codes[codes.index.isin(AGED_FOUR_AND_OVER)].sum())})
    return with_wilson(pd.DataFrame(rows, columns=["la", "age_group", "code", "description", "count", "n"]))
