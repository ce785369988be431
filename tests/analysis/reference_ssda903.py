"""The first, loop-by-loop implementations of the SSDA903 analyses, kept as the reference the
vectorised ones in ``caresurvey.analysis`` are tested against (same inputs, same outputs).

They walk each child's episodes and reviews in Python, exactly as the regulations read; too
slow for national data, they are easy to check by eye.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from caresurvey.analysis.legal_status import ALL_LAS
from caresurvey.analysis.permanence import MONTHS, OTHER_EXIT, OUTCOMES, _DAYS_PER_MONTH
from caresurvey.analysis.reviews import (
    FIRST_REVIEW_WORKING_DAYS,
    LATER_REVIEW_MONTHS,
    SECOND_REVIEW_MONTHS,
    VIEWS_CONVEYED,
    add_months,
    bank_holidays,
    data_end,
    distinct_episodes,
)
from caresurvey.analysis.stats import with_wilson
from caresurvey.codes import REVIEW_PARTICIPATION


def care_periods(episodes: pd.DataFrame) -> pd.DataFrame:
    """Periods of care: chains of episodes from a start (RNE S) to the last episode's end.

    Returns
    -------
    pandas.DataFrame
        ``child_id, la, start, end`` (end empty while still looked after).
    """
    rows = []
    episodes = distinct_episodes(episodes)
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


def _twentieth_working_day(start: dt.date, holidays) -> dt.date:
    """Day by day: the 20th working day counted from the day after ``start`` (reg. 33(1))."""
    closed = {d.astype(dt.date) for d in holidays}
    day, counted = start, 0
    while counted < FIRST_REVIEW_WORKING_DAYS:
        day += dt.timedelta(days=1)
        counted += day.weekday() < 5 and day not in closed
    return day


def review_timeliness(episodes: pd.DataFrame, reviews: pd.DataFrame, end: dt.date | None = None) -> pd.DataFrame:
    """Loop-by-loop :func:`caresurvey.analysis.reviews.review_timeliness`: same tables, same result."""
    columns = ["la", "review", "due", "on_time", "late", "not_held"]
    if episodes.empty:
        return with_wilson(pd.DataFrame(columns=columns), count="on_time", n="due")
    end = end or data_end(episodes, reviews)
    periods = care_periods(episodes)
    holidays = np.array(bank_holidays(periods["start"].min().year, end.year), dtype="datetime64[D]")
    by_child = {key: sorted(group["review_date"].dt.date) for key, group in reviews.groupby(["child_id", "la"])}
    counts: dict[tuple[str, str], list[int]] = {}
    for period in periods.itertuples():
        start = period.start.date()
        stop = min(period.end.date(), end) if pd.notna(period.end) else end
        held = [d for d in by_child.get((period.child_id, period.la), []) if start <= d <= stop]
        due = _twentieth_working_day(start, holidays)
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


def time_to_permanence(episodes: pd.DataFrame, reviews: pd.DataFrame, end: dt.date | None = None) -> pd.DataFrame:
    """Loop-by-loop :func:`caresurvey.analysis.permanence.time_to_permanence`: same tables, same result."""
    columns = ["outcome", "months", "cumulative_incidence", "at_risk", "events_so_far", "children"]
    if episodes.empty:
        return pd.DataFrame(columns=columns)
    end = end or data_end(episodes, reviews)
    first = care_periods(episodes).sort_values("start").groupby(["child_id", "la"], as_index=False).first()
    last_episode = distinct_episodes(episodes).sort_values("start").groupby(["child_id", "la"]).last()
    durations, events = [], []
    for period in first.itertuples():
        ended = pd.notna(period.end) and period.end.date() <= end
        stop = period.end.date() if ended else end
        reason = last_episode.loc[(period.child_id, period.la), "reason_ceased"] if ended else None
        durations.append((stop - period.start.date()).days / _DAYS_PER_MONTH)
        events.append(OUTCOMES.get(reason, OTHER_EXIT) if ended else "")
    table = cumulative_incidence(pd.Series(durations).to_numpy(), pd.Series(events, dtype=object).to_numpy(), MONTHS)
    table = table.rename(columns={"event": "outcome", "time": "months"})
    table["children"] = len(first)
    order = {name: i for i, name in enumerate(["Adoption", "Special guardianship", "Return home", OTHER_EXIT])}
    table = table.assign(_o=table["outcome"].map(order)).sort_values(["_o", "months"]).drop(columns="_o")
    return table.reset_index(drop=True)[columns]


def cumulative_incidence(durations: np.ndarray, events: np.ndarray, times: Sequence[float]) -> pd.DataFrame:
    """Event time by event time :func:`caresurvey.analysis.stats.cumulative_incidence`: same arguments, same table."""
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=object)
    kinds = sorted({e for e in events if e})
    order = np.argsort(durations, kind="stable")
    durations, events = durations[order], events[order]
    unique = np.unique(durations)
    at_risk = len(durations)
    survival = 1.0
    incidence = {k: 0.0 for k in kinds}
    so_far = {k: 0 for k in kinds}
    steps = []
    position = 0
    for t in unique:
        end = position
        while end < len(durations) and durations[end] == t:
            end += 1
        block = events[position:end]
        counts = {k: int(np.sum(block == k)) for k in kinds}
        deaths = sum(counts.values())
        if at_risk > 0:
            for k in kinds:
                incidence[k] += survival * counts[k] / at_risk
                so_far[k] += counts[k]
            survival *= 1 - deaths / at_risk
        steps.append((t, at_risk, dict(incidence), dict(so_far)))
        at_risk -= end - position
        position = end
    rows = []
    for k in kinds:
        for time in times:
            last = [s for s in steps if s[0] <= time]
            value = last[-1][2][k] if last else 0.0
            events_so_far = last[-1][3][k] if last else 0
            risk = int(np.sum(durations >= time))
            rows.append({"event": k, "time": float(time), "cumulative_incidence": value, "at_risk": risk,
                         "events_so_far": events_so_far})
    return pd.DataFrame(rows)


def review_participation_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Participation codes by LA and age group, cell by cell (reviews already given age groups)."""
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
