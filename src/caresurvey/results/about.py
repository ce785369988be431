"""What the report says of the study before any table: what it is, how its cases were chosen,
its LAs, groups and items, the months its data cover, what it replicates, and what ingestion
lost. All of it comes from the configuration and the processed study, none from the published
study's prose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from caresurvey.config import Config
from caresurvey.results.inputs import ProcessedStudy

__all__ = ["About", "about_study"]


@dataclass(frozen=True)
class About:
    """The study, as the report's first section describes it.

    Attributes
    ----------
    description, sampling : str or None
        ``[study] description`` and ``[study] sampling``, as the configuration words them.
    las : tuple of str
        The LAs the processed study holds rows of (case files, SSDA903 returns), in name order.
    groups : tuple of str
        The respondent groups (``[study] groups``).
    items : tuple of str
        The questionnaire items the study declares.
    periods : tuple of str
        The months the data cover, one phrase per kind of record (``SSDA903 episodes from April
        2013 to March 2015``); names of months only, never a day.
    replicates : tuple of str
        The published tables the study replicates.
    losses : tuple of str
        What ingestion lost beyond the study's limits and the study accepted, one phrase each.
        Counts are given for synthetic data only: a real study's (a group of three respondents,
        all quarantined) would bypass disclosure control, so it says what share was lost.
    max_quarantined_share : float or None
        The limit those losses were judged by.
    quarantine : str or None
        The quarantine file, as a path from the configuration's folder; None before ingestion.
    """

    description: str | None
    sampling: str | None
    las: tuple[str, ...]
    groups: tuple[str, ...]
    items: tuple[str, ...]
    periods: tuple[str, ...]
    replicates: tuple[str, ...]
    losses: tuple[str, ...]
    max_quarantined_share: float | None
    quarantine: str | None


def about_study(config: Config, study: ProcessedStudy | None) -> About:
    """The first section's facts of the study in ``config``, with its processed study (None
    before ingestion)."""
    las: set[str] = set()
    periods = []
    losses: tuple[str, ...] = ()
    share = None
    quarantine = None
    if study is not None:
        for table in ("case_files", "episodes", "children"):
            las |= set(study.table(table)["la"].dropna().astype(str))
        episodes = study.table("episodes")
        periods.append(_months("SSDA903 episodes", episodes["start"],
                               pd.concat([episodes["start"], episodes["end"], study.table("reviews")["review_date"]])))
        sampled = study.table("case_files")["sampled"]
        periods.append(_months("case files sampled", sampled, sampled))
        share = study.reconciliation.get("max_quarantined_share")
        losses = tuple(_loss(loss, share, config.synthetic) for loss in study.reconciliation.get("losses", ()))
        if study.folder is not None:
            quarantine = os.path.relpath(study.folder / "quarantine.csv", config.root)
    return About(config.description, config.sampling, tuple(sorted(las)), config.groups, tuple(config.items),
                 tuple(p for p in periods if p), config.replicates, losses, share, quarantine)


def _months(what: str, first: pd.Series, last: pd.Series) -> str:
    """``what from April 2013 to March 2015`` (the earliest of ``first``, the latest of ``last``);
    empty where there are no dates."""
    first, last = pd.to_datetime(first).dropna(), pd.to_datetime(last).dropna()
    if first.empty:
        return ""
    start, end = first.min().strftime("%B %Y"), last.max().strftime("%B %Y")
    return f"{what} in {start}" if start == end else f"{what} from {start} to {end}"


def _loss(loss: dict, share: float, counted: bool) -> str:
    """``file survey.csv: 12 of 40 rows quarantined`` (``counted``), else ``file survey.csv:
    more than 5% of its rows quarantined``."""
    unit = "respondents" if loss["kind"] == "group" else "rows"
    if counted:
        lost = f"{loss['quarantined']:,} of {loss['read']:,} {unit}"
    elif loss["kept"] == 0:
        lost = f"every one of its {unit}"
    else:
        lost = f"more than {100 * share:g}% of its {unit}"
    return f"{loss['kind']} {loss['name']}: {lost} quarantined"
