"""Time to permanence: adoption, special guardianship and return home as competing risks.

Follow-up starts when the child first became looked after (the first episode in the data) and
ends when care ends, or at the end of the data (censored). Leaving care any other way (at 18,
to independent living, transfer) is a competing event of its own, not censoring: treating it
as censoring would overstate the chance of permanence (the well-known 1 - Kaplan-Meier bias).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.reviews import care_periods
from caresurvey.analysis.stats import cumulative_incidence
from caresurvey.codes import ADOPTION_CODES, RETURN_HOME_CODES, SPECIAL_GUARDIANSHIP_CODES

__all__ = ["time_to_permanence", "OUTCOMES", "MONTHS"]

OUTCOMES = {
    **{code: "Adoption" for code in ADOPTION_CODES},
    **{code: "Special guardianship" for code in SPECIAL_GUARDIANSHIP_CODES},
    **{code: "Return home" for code in RETURN_HOME_CODES},
}
OTHER_EXIT = "Other exit"
MONTHS = (6, 12, 18, 24, 36, 48)
_DAYS_PER_MONTH = 365.25 / 12


def time_to_permanence(data: StudyData, data_end: dt.date | None = None) -> pd.DataFrame:
    """Cumulative incidence of each way of leaving care, by months since first looked after.

    Returns
    -------
    pandas.DataFrame
        ``outcome, months, cumulative_incidence, at_risk, events_so_far, children`` (Aalen-Johansen).
    """
    episodes = data.table("episodes")
    columns = ["outcome", "months", "cumulative_incidence", "at_risk", "events_so_far", "children"]
    if episodes.empty:
        return pd.DataFrame(columns=columns)
    data_end = data_end or data.data_end()
    first = care_periods(episodes).sort_values("start").groupby(["child_id", "la"], as_index=False).first()
    last_episode = episodes.sort_values("start").groupby(["child_id", "la"]).last()
    durations, events = [], []
    for period in first.itertuples():
        ended = pd.notna(period.end) and period.end.date() <= data_end
        stop = period.end.date() if ended else data_end
        reason = last_episode.loc[(period.child_id, period.la), "reason_ceased"] if ended else None
        durations.append((stop - period.start.date()).days / _DAYS_PER_MONTH)
        events.append(OUTCOMES.get(reason, OTHER_EXIT) if ended else "")
    table = cumulative_incidence(pd.Series(durations).to_numpy(), pd.Series(events, dtype=object).to_numpy(), MONTHS)
    table = table.rename(columns={"event": "outcome", "time": "months"})
    table["children"] = len(first)
    order = {name: i for i, name in enumerate(["Adoption", "Special guardianship", "Return home", OTHER_EXIT])}
    table = table.assign(_o=table["outcome"].map(order)).sort_values(["_o", "months"]).drop(columns="_o")
    return table.reset_index(drop=True)[columns]
