"""The synthetic case files: SSDA903 CSVs and the abstraction workbook, read back directly."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import openpyxl
import pytest

from tests.synth.conftest import day, read_csv

LAS = ("LA1", "LA2", "LA3", "LA4")
# DfE SSDA903 CSV layouts (as in the DfE 903 validator's test returns, ../shared/data/ssda903).
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
            "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
REVIEWS = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]


def ssda903(study, table):
    return {la: read_csv(study / "case_files" / la / f"{table}.csv") for la in LAS}


def abstraction(study):
    sheet = openpyxl.load_workbook(study / "case_files" / "case_file_abstraction.xlsx", read_only=True)["Cases"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def age(dob, on):
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def test_column_names_are_the_dfe_ones(study):
    for la in LAS:
        for name, columns in (("header", HEADER), ("episodes", EPISODES), ("reviews", REVIEWS)):
            with (study / "case_files" / la / f"{name}.csv").open(encoding="utf-8") as handle:
                assert handle.readline().rstrip("\r\n").split(",") == columns


def test_122_children_in_four_las_each_with_episodes(study):
    # seed 001, slide "The research project: 2012-14": 122 cases in four LAs
    headers = ssda903(study, "header")
    episodes = ssda903(study, "episodes")
    assert sum(len(rows) for rows in headers.values()) == 122
    for la in LAS:
        assert {r["CHILD"] for r in headers[la]} == {r["CHILD"] for r in episodes[la]}
        assert len(headers[la]) >= 20


def test_legal_status_on_the_sampling_day_matches_the_published_split(study):
    # seed 001, slide "Care planning and change": s. 20 37, ICO 36, CO 33 + PO 16 = 49
    sampled = {(r["LA"], r["Child ID"]): r["Date sampled"].date() for r in abstraction(study)}
    found = Counter()
    for la, rows in ssda903(study, "episodes").items():
        for row in rows:
            start = day(row["DECOM"])
            end = day(row["DEC"]) if row["DEC"] else dt.date.max
            sampling = sampled[(la, row["CHILD"])]
            if start <= sampling < end:
                found[row["LS"]] += 1
    assert found == {"V2": 37, "C1": 36, "C2": 33, "E1": 16}


def test_episodes_chain_without_gaps_and_end_as_coded(study):
    for la, rows in ssda903(study, "episodes").items():
        by_child = {}
        for row in rows:
            by_child.setdefault(row["CHILD"], []).append(row)
        for child, episodes in by_child.items():
            episodes.sort(key=lambda r: day(r["DECOM"]))
            assert episodes[0]["RNE"] == "S", (la, child)
            for before, after in zip(episodes, episodes[1:]):
                assert before["DEC"] == after["DECOM"] and before["REC"] == "X1", (la, child)
                assert after["RNE"] in {"L", "P", "T"}
                moved = after["RNE"] in {"P", "T"}
                assert bool(before["REASON_PLACE_CHANGE"]) == moved, (la, child)
            last = episodes[-1]
            assert (last["DEC"] == "") == (last["REC"] == ""), (la, child)
            assert last["REC"] != "X1"
            assert all(day(r["DECOM"]) <= dt.date(2014, 3, 31) for r in episodes)


def test_nobody_is_looked_after_at_18(study):
    dob = {(la, r["CHILD"]): day(r["DOB"]) for la, rows in ssda903(study, "header").items() for r in rows}
    for la, rows in ssda903(study, "episodes").items():
        for row in rows:
            assert age(dob[(la, row["CHILD"])], day(row["DECOM"])) < 18


def test_paths_reach_the_permanence_outcomes(study):
    # The issue asks for paths ending in SGO, return home or adoption.
    reasons = Counter(r["REC"] for rows in ssda903(study, "episodes").values() for r in rows)
    assert reasons["E11"] + reasons["E12"] > 0  # adopted
    # special guardianship, coded as in 2013-14 (codes.CODE_YEARS: E45 to E48 from 2016-17)
    assert sum(reasons[c] for c in ("E43", "E44")) > 0 and not any(reasons[c] for c in ("E45", "E46", "E47", "E48"))
    assert reasons["E4A"] > 0  # returned home


def test_participation_is_pn0_exactly_under_four(study):
    # DfE SSDA903 guide: PN0 = child aged under 4 at the time of the review
    reviews = [r for rows in ssda903(study, "reviews").values() for r in rows]
    assert reviews
    for row in reviews:
        under_four = age(day(row["DOB"]), day(row["REVIEW"])) < 4
        assert (row["REVIEW_CODE"] == "PN0") == under_four, row


def test_reviews_follow_regulation_33_mostly_with_some_late(study):
    # Reg 33 (SI 2010/959): first within 20 working days of becoming looked after, second within
    # 3 months of the first, then no more than 6 months apart.
    entry = {}
    for la, rows in ssda903(study, "episodes").items():
        for row in rows:
            if row["RNE"] == "S":
                entry[(la, row["CHILD"])] = day(row["DECOM"])
    timely = late = 0
    for la, rows in ssda903(study, "reviews").items():
        by_child = {}
        for row in rows:
            by_child.setdefault(row["CHILD"], []).append(day(row["REVIEW"]))
        for child, dates in by_child.items():
            dates.sort()
            start = entry[(la, child)]
            weekdays = sum(1 for k in range(1, (dates[0] - start).days + 1)
                           if (start + dt.timedelta(days=k)).weekday() < 5)
            checks = [weekdays <= 20]
            if len(dates) > 1:
                checks.append(dates[1] <= _add_months(dates[0], 3))
            checks += [b <= _add_months(a, 6) for a, b in zip(dates[1:], dates[2:])]
            timely += sum(checks)
            late += len(checks) - sum(checks)
    assert late > 0
    assert timely / (timely + late) > 0.9


def _add_months(start, months):
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=min(start.day, last))
        except ValueError:
            continue
    raise AssertionError(start)


def test_abstraction_workbook_has_a_row_per_child_and_the_study_columns(study):
    rows = abstraction(study)
    assert len(rows) == 122
    for column in ("LA", "Legal status at sampling", "Legal status at file analysis", "Legal status at interview",
                   "Age group at sampling", "Permanence plan", "Number of IROs", "Notes"):
        assert column in rows[0]
    # seed 001: s. 20 37, ICO 36, CO 33, PO 16 at sampling; interviews on half the cases (61)
    assert Counter(r["Legal status at sampling"] for r in rows) == {"s.20": 37, "ICO": 36, "CO": 33, "PO": 16}
    assert sum(r["Date of interview"] is not None for r in rows) == 61
    assert all(r["Notes"] for r in rows)
    # "by time of file analysis, things had often changed" (seed 001)
    changed = sum(r["Legal status at sampling"] != r["Legal status at file analysis"] for r in rows)
    assert 20 < changed < 100


@pytest.mark.parametrize("la", LAS)
def test_identifiers_look_like_the_real_ones_but_are_not(study, la):
    for row in ssda903(study, "header")[la]:
        # UPN: check letter then 12 digits, with the non-existent LA number 999
        assert len(row["UPN"]) == 13 and row["UPN"][1:4] == "999" and row["UPN"][1:].isdigit()
