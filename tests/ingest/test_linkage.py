"""Returns of several years linked into one record per child, episode and review.

Two returns of one LA are written by hand: 2018-19 and 2019-20. Child C1 is looked after in both;
the episode open at 31 March 2019 has its end filled in by the 2019-20 return.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from caresurvey.errors import CaresurveyError
from caresurvey.ingest.common import Source
from caresurvey.ingest.pipeline import read_sources
from caresurvey.pseudonym import Pseudonymiser

KEY = Pseudonymiser(b"a test key of 24 bytes..")
HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _returns(tmp_path: Path, later_dob: str = "01/02/2010") -> list[Path]:
    first, second = tmp_path / "2019", tmp_path / "2020"
    return [
        _write(first, "header.csv", HEADER + "C1,1,01/02/2010,WBRI\nC2,2,03/04/2011,AIND\n"),
        _write(first, "episodes.csv", EPISODES + "C1,14/10/2018,S,C2,N1,U6,PR1,,,\n"
                                                 "C2,02/05/2018,S,V2,N4,U4,PR1,01/09/2018,E4A,\n"),
        _write(first, "reviews.csv", REVIEWS + "C1,01/02/2010,01/11/2018,PN1\n"),
        _write(second, "header.csv", HEADER + f"C1,1,{later_dob},WBRI\nC3,1,05/06/2012,WBRI\n"),
        _write(second, "episodes.csv", EPISODES + "C1,14/10/2018,S,C2,N1,U6,PR1,20/01/2020,E45,\n"
                                                  "C3,01/05/2019,S,C1,N1,U6,PR1,,,\n"),
        _write(second, "reviews.csv", REVIEWS + "C1,01/02/2010,01/11/2018,PN1\nC1,01/02/2010,01/05/2019,PN2\n"),
    ]


def _read(paths: list[Path], years: dict[Path, int] | None = None):
    # one [[inputs]] entry: a table whose dates cannot tell their order takes its entry's
    sources = [("ssda903-csv", Source(path, str(path), KEY, la="LA1", year=(years or {}).get(path), entry="returns"))
               for path in paths]
    ingested = read_sources(sources)
    return {table: ingested.frame(table) for table in ingested.tables}, ingested.ledger


def test_a_record_in_several_returns_is_one_record_the_latest_return_s(tmp_path):
    tables, ledger = _read(_returns(tmp_path))
    assert len(tables["children"]) == 3  # C1, C2, C3
    episodes = tables["episodes"].sort_values("start")
    assert len(episodes) == 3
    c1 = episodes.iloc[1]  # by start: C2 (May 2018), C1 (October 2018), C3 (May 2019)
    assert str(c1["end"].date()) == "2020-01-20" and c1["reason_ceased"] == "E45"  # the 2019-20 return's copy
    assert sorted(tables["reviews"]["review_date"].dt.strftime("%Y-%m-%d")) == ["2018-11-01", "2019-05-01"]
    linkage = {entry["table"]: entry for entry in ledger.linkage}
    assert (linkage["children"]["rows_from_returns"], linkage["children"]["superseded_by_a_later_return"]) == (4, 1)
    assert (linkage["episodes"]["rows_from_returns"], linkage["episodes"]["superseded_by_a_later_return"]) == (4, 1)
    assert linkage["reviews"]["superseded_by_a_later_return"] == 1
    assert ledger.reconciliation_json()["adds_up"]


def test_a_corrected_date_of_birth_is_the_later_return_s(tmp_path):
    tables, _ = _read(_returns(tmp_path, later_dob="01/03/2010"))
    months = sorted(tables["children"]["birth_month"])
    assert months == ["2010-03", "2011-04", "2012-06"]  # C1's birth month is the 2019-20 return's


def test_copies_that_differ_where_the_years_are_not_known_stop_ingestion(tmp_path):
    # the same returns, C1's date of birth corrected in the later one, under names that say no
    # year; a header has no dates to tell its year by (the episodes' dates tell theirs)
    undated = [_write(tmp_path / ("la_a" if path.parent.name == "2019" else "la_b"), path.name, path.read_text())
               for path in _returns(tmp_path, later_dob="01/03/2010")]
    with pytest.raises(CaresurveyError, match="children: 1 record\\(s\\) appear in more than one return with "
                                              "different values, and the latest cannot be told \\(returns of no known "
                                              "collection year: .*la_a/header.csv, .*la_b/header.csv\\)"):
        _read(undated)
    # declared years decide it
    tables, _ = _read(undated, {path: 2019 if path.parent.name == "la_a" else 2020 for path in undated})
    assert sorted(tables["children"]["birth_month"]) == ["2010-03", "2011-04", "2012-06"]


def test_two_returns_of_one_year_that_disagree_stop_ingestion(tmp_path):
    paths = _returns(tmp_path)
    clash = _write(tmp_path / "2020_resubmitted", "episodes.csv",
                   EPISODES + "C1,14/10/2018,S,C2,N1,U6,PR1,21/01/2020,E45,\n")
    with pytest.raises(CaresurveyError, match="returns of the same collection year"):
        _read([*paths, clash])


def test_five_years_of_one_la_are_one_record_per_child(shared_data):
    folder = shared_data / "ssda903" / "cs_demand_model"
    paths = sorted(folder.glob("*/*.csv"))
    tables, ledger = _read(paths)
    # counted with the csv module: the distinct children of the five headers, and distinct episodes
    children = {row["CHILD"] for path in folder.glob("*/*-header.csv") for row in csv.DictReader(path.open())}
    episodes = {(row["CHILD"], row["DECOM"]) for path in folder.glob("*/*-episodes.csv")
                for row in csv.DictReader(path.open())}
    assert len(tables["children"]) == len(children) == 820
    assert len(tables["episodes"]) == len(episodes) == 2827
    assert ledger.reconciliation_json()["adds_up"]
    assert {entry["year"] for entry in ledger.collection_years.values()} == {2017, 2018, 2019, 2020, 2021}
