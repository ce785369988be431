"""Time to permanence: adoption, special guardianship and return home as competing risks.

Follow-up starts when the child first became looked after (the first episode in the data) and
ends when care ends, or at the end of the data (censored). Leaving care any other way (at 18,
to independent living, transfer) is a competing event of its own, not censoring: treating it
as censoring would overstate the chance of permanence (the well-known 1 - Kaplan-Meier bias).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from caresurvey.analysis.reviews import care_periods, data_end, distinct_episodes
from caresurvey.analysis.stats import cumulative_incidence
from caresurvey.codes import ADOPTION_CODES, RETURN_HOME_CODES, SPECIAL_GUARDIANSHIP_CODES

__all__ = ["time_to_permanence", "OUTCOMES", "MONTHS", "FIRST_OUTCOME"]

OUTCOMES = {
    **{code: "Adoption" for code in ADOPTION_CODES},
    **{code: "Special guardianship" for code in SPECIAL_GUARDIANSHIP_CODES},
    **{code: "Return home" for code in RETURN_HOME_CODES},
}
OTHER_EXIT = "Other exit"
#: The outcomes in the table's order; every outcome's rows give the same children at risk.
OUTCOME_ORDER = ("Adoption", "Special guardianship", "Return home", OTHER_EXIT)
FIRST_OUTCOME = OUTCOME_ORDER[0]
MONTHS = (6, 12, 18, 24, 36, 48)
_DAYS_PER_MONTH = 365.25 / 12


def time_to_permanence(episodes: pd.DataFrame, reviews: pd.DataFrame, periods: pd.DataFrame | None = None,
                       end: dt.date | None = None) -> pd.DataFrame:
    """Cumulative incidence of each way of leaving care, by months since first looked after.

    Parameters
    ----------
    episodes, reviews : pandas.DataFrame
        The SSDA903 ``episodes`` and ``reviews`` tables (the reviews only date the end of the data).
    periods : pandas.DataFrame, optional
        :func:`caresurvey.analysis.reviews.care_periods` of ``episodes``, where a caller has it already.
    end : date, optional
        The last day the data cover; default: 31 March after the latest date in the episodes
        and reviews (:func:`caresurvey.analysis.reviews.data_end`).

    Returns
    -------
    pandas.DataFrame
        ``outcome, months, cumulative_incidence, at_risk, events_so_far, children`` (Aalen-Johansen).
    """
    columns = ["outcome", "months", "cumulative_incidence", "at_risk", "events_so_far", "children"]
    if episodes.empty:
        return pd.DataFrame(columns=columns)
    end = end or data_end(episodes, reviews)
    periods = care_periods(episodes) if periods is None else periods
    first = periods.sort_values(["child_id", "la", "start"], kind="stable").drop_duplicates(["child_id", "la"])
    # why care ended: the child's latest recorded reason for an episode ceasing
    reasons = distinct_episodes(episodes).sort_values("start", kind="stable").groupby(["child_id", "la"])["reason_ceased"].last()
    first = first.merge(reasons.reset_index(), on=["child_id", "la"], how="left")
    end_of_data = pd.Timestamp(end)
    ended = (first["end"].notna() & (first["end"] <= end_of_data)).to_numpy()
    stop = first["end"].where(ended, end_of_data)
    durations = ((stop - first["start"]).dt.days / _DAYS_PER_MONTH).to_numpy(dtype=float)
    events = np.where(ended, first["reason_ceased"].map(OUTCOMES).fillna(OTHER_EXIT).to_numpy(dtype=object), "")
    table = cumulative_incidence(durations, events.astype(object), MONTHS)
    table = table.rename(columns={"event": "outcome", "time": "months"})
    table["children"] = len(first)
    order = {name: i for i, name in enumerate(OUTCOME_ORDER)}
    table = table.assign(_o=table["outcome"].map(order)).sort_values(["_o", "months"]).drop(columns="_o")
    return table.reset_index(drop=True)[columns]
