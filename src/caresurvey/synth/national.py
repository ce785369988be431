"""A national-scale synthetic SSDA903 data set, for benchmarks: every English LA, many years.

Each LA is sized like its real population of children looked after (DfE Explore Education
Statistics, latest year in the file), and legal statuses follow the national mix at 31 March.
Children are generated as a stationary flow: the stock at the start of the window (with the
time already spent in care drawn from the same distribution as stays, which is exact for
exponential stays), then starters at the rate that keeps the stock level (DfE: starters are
about 0.39 of the stock each year). A child keeps its id, episodes and reviews across years:
an episode open on 31 March appears in both years' returns, with no end date in the first.

Generation is vectorised per LA and written LA by LA, so memory stays at one LA's children.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from caresurvey.errors import CaresurveyError
from caresurvey.synth.randomness import random_generator

__all__ = ["NationalStatistics", "read_national_statistics", "write_national", "EES_FILES"]

#: The EES files read, inside the statistics folder.
EES_FILES = {
    "la": "cla_number_and_rate_per_10k_children.csv",
    "national": "national_cla_on_31_march_by_characteristics.csv",
}
_STOCK_MEASURE = "Children looked after at 31 March each year"
_STARTS_MEASURE = "Children starting to be looked after each year"

# National legal-status groups of the EES file, and the SSDA903 path each stands for.
_STATUS_GROUPS = {
    "Care orders": "care order",
    "Placement order granted": "placement order",
    "Voluntary agreements under S20 CA 1989": "section 20",
    "Youth justice legal statuses": "youth justice",
    "Detained for child protection": "detained",
}

# DfE age at starting to be looked after (national, approximate shares; assumption).
_AGE_AT_ENTRY = ((0, 1, 0.20), (1, 5, 0.17), (5, 10, 0.18), (10, 16, 0.33), (16, 18, 0.12))
_PARTICIPATION = np.array(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"])
_PARTICIPATION_P = np.array([0.4, 0.1, 0.08, 0.07, 0.15, 0.15, 0.05])
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class NationalStatistics:
    """What the national generator needs from DfE statistics.

    Attributes
    ----------
    year : int
        The statistics' latest year (31 March of it).
    las : pandas.DataFrame
        ``new_la_code, old_la_code, la_name, stock, starts`` for every LA with published numbers.
    status_mix : dict of str to float
        Share of the national stock at 31 March in each legal-status group.
    """

    year: int
    las: pd.DataFrame
    status_mix: dict[str, float]


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise CaresurveyError(
            f"{path}: not found. The national scale reads DfE Explore Education Statistics files "
            f"({', '.join(EES_FILES.values())}); pass the folder holding them with --statistics."
        )
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def read_national_statistics(folder: Path) -> NationalStatistics:
    """LA sizes and the national legal-status mix, from the EES CSVs in ``folder``."""
    la_file = _read(Path(folder) / EES_FILES["la"])
    national = _read(Path(folder) / EES_FILES["national"])
    year = int(la_file["time_period"].astype(int).max())
    rows = la_file[(la_file["geographic_level"] == "Local authority") & (la_file["time_period"] == str(year))]
    # The 2023 release names its columns out of step with their contents: the measure's name
    # sits under "population_count". Find the column that holds it rather than trust the name.
    measure = next((c for c in rows.columns if rows[c].eq(_STOCK_MEASURE).any()), None)
    if measure is None:
        raise CaresurveyError(f"{EES_FILES['la']}: no column holds the measure {_STOCK_MEASURE!r}")
    wide = rows.pivot_table(index=["new_la_code", "old_la_code", "la_name"], columns=measure,
                            values="number", aggfunc="first").reset_index()
    # Suppressed or merged LAs ('c', 'z', 'x') have no size to copy; they are left out.
    numeric = wide[_STOCK_MEASURE].str.fullmatch(r"\d+") & wide[_STARTS_MEASURE].str.fullmatch(r"\d+")
    las = wide.loc[numeric, ["new_la_code", "old_la_code", "la_name"]].copy()
    las["stock"] = wide.loc[numeric, _STOCK_MEASURE].astype(int)
    las["starts"] = wide.loc[numeric, _STARTS_MEASURE].astype(int)
    legal = national[(national["cla_group"] == "Legal status") & (national["time_period"].astype(int) == national["time_period"].astype(int).max())]
    counts = {row.characteristic: int(row.number) for row in legal.itertuples() if row.characteristic in _STATUS_GROUPS}
    if set(counts) != set(_STATUS_GROUPS):
        raise CaresurveyError(f"{EES_FILES['national']}: expected legal-status rows {sorted(_STATUS_GROUPS)}, found {sorted(counts)}")
    total = sum(counts.values())
    return NationalStatistics(year=year, las=las.reset_index(drop=True),
                              status_mix={_STATUS_GROUPS[k]: v / total for k, v in counts.items()})


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers (since 1970) as dd/mm/yyyy strings."""
    return pd.to_datetime(days, unit="D").strftime("%d/%m/%Y").to_numpy()


_BURN_IN_DAYS = 6575


def _mean_uncapped_stay(target: float, caps: np.ndarray) -> float:
    """The exponential mean whose stays, cut at each child's 18th birthday, average ``target``.

    Notes
    -----
    By Little's law the stock is starters per year times the mean stay, so the stays must
    average ``stock / starters`` years. A stay drawn as Exp(m) and cut at ``c`` has mean
    ``m (1 - exp(-c / m))``, which grows with ``m``; bisection finds ``m``.
    """
    if caps.size == 0:
        return target
    if target >= caps.mean():
        return float(caps.max()) * 10
    low, high = 1.0, float(caps.max()) * 10
    for _ in range(60):
        middle = (low + high) / 2
        if (middle * -np.expm1(-caps / middle)).mean() < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _simulate_la(rng: np.random.Generator, la_number: int, stock: int, starts: int, status_mix: dict[str, float],
                 window: tuple[int, int]) -> dict[str, pd.DataFrame]:
    """Children, episodes and reviews of one LA over the window (day numbers since 1970)."""
    start, end = window
    # Arrivals from 18 years before the window: everyone in care at its start arrived then.
    first_arrival = start - _BURN_IN_DAYS
    n = int(rng.poisson(starts * (end - first_arrival) / 365.25))
    entry = rng.uniform(first_arrival, end, n).astype(np.int64)
    # Age at entry by the national mix; looked-after children leave care at 18 at the latest.
    bands = rng.choice(len(_AGE_AT_ENTRY), size=n, p=[b[2] for b in _AGE_AT_ENTRY])
    low = np.array([b[0] for b in _AGE_AT_ENTRY])[bands]
    high = np.array([b[1] for b in _AGE_AT_ENTRY])[bands]
    dob = entry - (rng.uniform(low, high) * 365.25).astype(np.int64) - 1
    eighteen = dob + 6574  # 18 x 365.25 days, to the day
    mean_stay = _mean_uncapped_stay(365.25 * stock / max(starts, 1), (eighteen - entry).astype(float))
    exit_day = entry + rng.exponential(mean_stay, n).astype(np.int64) + 1
    aged_out = exit_day >= eighteen
    exit_day = np.minimum(exit_day, eighteen)
    keep = exit_day > start
    entry, exit_day, dob, aged_out = entry[keep], exit_day[keep], dob[keep], aged_out[keep]
    n = len(entry)

    groups = list(status_mix)
    group = rng.choice(len(groups), size=n, p=np.array(list(status_mix.values())))
    group_name = np.array(groups)[group]
    # Legal-status paths: care orders start on an interim order, placement orders on an interim
    # order then a care order; the change comes part-way through the stay.
    first = np.select(
        [group_name == "care order", group_name == "placement order", group_name == "section 20",
         group_name == "youth justice"],
        ["C1", "C1", "V2", "J1"], default="L2")
    second = np.select([group_name == "care order", group_name == "placement order"], ["C2", "E1"], default="")
    # An interim order lasts until the final hearing: a fifth of the stay, at most 9 months.
    change = entry + np.minimum((exit_day - entry) * rng.uniform(0.1, 0.3, n), rng.uniform(120, 270, n)).astype(np.int64)
    has_change = (second != "") & (change > entry) & (change < exit_day)
    reason = np.select(
        [group_name == "placement order", group_name == "section 20", group_name == "youth justice"],
        ["E11", "E4A", "E14"], default="E41")
    reason = np.where(aged_out, "E17", reason)
    place = rng.choice(np.array(["U6", "U4", "U3", "K2", "H5"]), size=n, p=[0.45, 0.25, 0.17, 0.09, 0.04])
    ids = la_number * 1_000_000 + np.arange(n)

    # Episodes: one, or two where the legal status changed (RNE L).
    child_ep = np.concatenate([ids, ids[has_change]])
    decom = np.concatenate([entry, change[has_change]])
    dec = np.concatenate([np.where(has_change, change, exit_day), exit_day[has_change]])
    ls = np.concatenate([first, second[has_change]])
    rne = np.concatenate([np.full(n, "S"), np.full(int(has_change.sum()), "L")])
    rec = np.concatenate([np.where(has_change, "X1", reason), reason[has_change]])
    pl = np.concatenate([place, place[has_change]])
    episodes = pd.DataFrame({"CHILD": child_ep, "DECOM": decom, "RNE": rne, "LS": ls, "PLACE": pl, "DEC": dec, "REC": rec})

    # Reviews under regulation 33: 20 working days (28 calendar days), 3 months, then 6-monthly.
    stay_days = exit_day - entry
    n_reviews = np.where(stay_days > 28, 1 + np.maximum(0, (stay_days - 28 - 91) // 182 + 1), 0)
    n_reviews = np.where(stay_days > 28 + 91, n_reviews, np.minimum(n_reviews, 1))
    child_rev = np.repeat(np.arange(n), n_reviews)
    index = np.arange(len(child_rev)) - np.repeat(np.cumsum(n_reviews) - n_reviews, n_reviews)
    offset = np.where(index == 0, 28, 28 + 91 + (index - 1) * 182) - rng.integers(0, 14, len(child_rev))
    review_day = entry[child_rev] + offset
    under_four = review_day - dob[child_rev] < 1461
    code = np.where(under_four, "PN0", rng.choice(_PARTICIPATION, size=len(child_rev), p=_PARTICIPATION_P))
    reviews = pd.DataFrame({"CHILD": ids[child_rev], "DOB": dob[child_rev], "REVIEW": review_day, "REVIEW_CODE": code})
    header = pd.DataFrame({"CHILD": ids, "SEX": rng.choice(["1", "2"], size=n, p=[0.56, 0.44]), "DOB": dob,
                           "ETHNIC": rng.choice(["WBRI", "WOTH", "MWBC", "BAFR", "APKN", "OOTH"], size=n,
                                                p=[0.72, 0.08, 0.06, 0.06, 0.04, 0.04]),
                           "FIRST": entry, "LAST": exit_day})
    return {"header": header, "episodes": episodes, "reviews": reviews}


def _year_return(tables: dict[str, pd.DataFrame], year_start: int, year_end: int) -> dict[str, pd.DataFrame]:
    """One collection year's return: what was open between 1 April and 31 March."""
    episodes = tables["episodes"]
    open_in_year = (episodes["DECOM"] <= year_end) & (episodes["DEC"] >= year_start)
    ep = episodes[open_in_year].copy()
    still_open = ep["DEC"] > year_end
    out_ep = pd.DataFrame({
        "CHILD": ep["CHILD"], "DECOM": _dates(ep["DECOM"].to_numpy()), "RNE": ep["RNE"], "LS": ep["LS"],
        "CIN": "N1", "PLACE": ep["PLACE"], "PLACE_PROVIDER": "PR1",
        "DEC": np.where(still_open, "", _dates(ep["DEC"].to_numpy())),
        "REC": np.where(still_open, "", ep["REC"]), "REASON_PLACE_CHANGE": "", "HOME_POST": "", "PL_POST": "",
        "URN": "XXXXXXX",
    })
    children = ep["CHILD"].unique()
    header = tables["header"][tables["header"]["CHILD"].isin(children)]
    out_header = pd.DataFrame({"CHILD": header["CHILD"], "SEX": header["SEX"], "DOB": _dates(header["DOB"].to_numpy()),
                               "ETHNIC": header["ETHNIC"], "UPN": "UN1", "MOTHER": "", "MC_DOB": ""})
    reviews = tables["reviews"]
    rv = reviews[(reviews["REVIEW"] >= year_start) & (reviews["REVIEW"] <= year_end)]
    out_rv = pd.DataFrame({"CHILD": rv["CHILD"], "DOB": _dates(rv["DOB"].to_numpy()),
                           "REVIEW": _dates(rv["REVIEW"].to_numpy()), "REVIEW_CODE": rv["REVIEW_CODE"]})
    return {"header": out_header, "episodes": out_ep, "reviews": out_rv}


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def write_national(
    out: Path,
    statistics: NationalStatistics,
    years: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write ``out/<year>/<new LA code>/{header,episodes,reviews}.csv`` for ``years`` collection years.

    The years end on 31 March of the statistics' year and the years before it. Returns the
    number of rows written per table.
    """
    if years < 1:
        raise CaresurveyError(f"--years must be at least 1, not {years}")
    out = Path(out)
    last_year = statistics.year
    window = (_day_number(dt.date(last_year - years, 4, 1)), _day_number(dt.date(last_year, 3, 31)))
    totals = {"header": 0, "episodes": 0, "reviews": 0}
    total = len(statistics.las)
    for position, la in enumerate(statistics.las.itertuples()):
        if progress is not None and position and position % 25 == 0:
            progress(position, total)
        if la.stock == 0 and la.starts == 0:
            continue  # an LA with no children looked after (Isles of Scilly) has no return
        rng = random_generator(seed, f"national {la.new_la_code}")
        la_number = int(la.old_la_code) if la.old_la_code.isdigit() else 900 + position
        tables = _simulate_la(rng, la_number, la.stock, la.starts, statistics.status_mix, window)
        for year in range(last_year - years + 1, last_year + 1):
            bounds = (_day_number(dt.date(year - 1, 4, 1)), _day_number(dt.date(year, 3, 31)))
            folder = out / str(year) / la.new_la_code
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in _year_return(tables, *bounds).items():
                frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\r\n")
                totals[name] += len(frame)
    if progress is not None:
        progress(total, total)
    return totals
