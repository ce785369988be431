"""SSDA903 returns by collection year: which year a return is of, and the codes valid in it.

Each year that changed a code list has a test, with the list that says so: the DfE 903
validator's rules of that year (data-to-insight/csc-validator-be-903, ``lac_validator/rules``),
the LIIA tools' 2015-16 schema and the cs-demand-model's 2016-17 test return.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from caresurvey import codes
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.ssda903 import read_ssda903_csv
from caresurvey.ingest.years import decide_year, year_in_path, year_of_dates
from caresurvey.manifest import collection_year
from caresurvey.pseudonym import Pseudonymiser

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"


def _read(path: Path, year: int | None = None) -> tuple[dict, Ledger]:
    ledger = Ledger()
    source = Source(path, path.name, Pseudonymiser(b"a test key of 24 bytes.."), la="LA1", year=year)
    return read_ssda903_csv(source, ledger), ledger


def _episode(tmp_path: Path, name: str, place: str = "U6", rec: str = "", dec: str = "") -> Path:
    path = tmp_path / name
    path.write_text(EPISODES + f"C1,14/10/2014,S,C2,N1,{place},PR1,{dec},{rec},\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("written, end", [(2019, 2019), ("2018-19", 2019), ("2018/2019", 2019), ("201819", 2019),
                                          ("2024_25", 2025)])
def test_a_collection_year_is_the_year_it_ends_in(written, end):
    # DfE collections run 1 April to 31 March and are named by the year they end in
    assert collection_year(written) == end


def test_the_year_comes_from_the_entry_then_the_name_then_the_dates():
    path = Path("returns/903_2015-16/episodes.csv")
    assert year_in_path(path) == (2016, "903_2015-16")
    assert year_in_path(Path("/home/me/2024-projects/a/b/episodes.csv")) is None  # only the nearest names count
    dates = pd.Series(pd.to_datetime(["2015-06-01", "2016-03-30"]))
    assert year_of_dates(dates) == 2016  # 30 March 2016 falls in 2015-16
    assert year_of_dates(pd.Series(pd.to_datetime(["2016-04-02"]))) == 2017
    assert decide_year(2019, path, dates).end == 2019 and decide_year(2019, path, dates).how.startswith("its [[inputs]]")
    assert decide_year(None, path, dates).how == "its name (903_2015-16)"
    assert decide_year(None, Path("episodes.csv"), dates).how == "its latest date"
    # a date past the collections known here says nothing
    assert decide_year(None, Path("episodes.csv"), pd.Series(pd.to_datetime(["2031-01-01"]))) is None


def test_k3_is_a_placement_from_2024_25_and_h5_until_then(tmp_path):
    # lac2024_25 rule 146 adds K3 (supported accommodation); lac2025_26 rule 146 removes H5, P2 and Z1
    kept, ledger = _read(_episode(tmp_path, "903_2024-25_episodes.csv", place="K3"))
    assert kept["episodes"]["placement"].tolist() == ["K3"] and not ledger.problems
    assert ledger.collection_years["903_2024-25_episodes.csv"]["label"] == "2024-25"
    refused, ledger = _read(_episode(tmp_path, "903_2014-15_episodes.csv", place="K3"))
    assert refused["episodes"].empty
    (problem,) = ledger.problems
    assert (problem.rule, problem.column, problem.value) == ("code-year", "PLACE", "K3")
    assert "from 2024-25, not in 2014-15" in problem.message and "its name (903_2014-15_episodes.csv)" in problem.message
    # code: kept in a 2024-25 return, kept in a 2025-26 return
    for place, in_2025, in_2026 in (("H5", True, False), ("P2", True, False), ("Z1", True, False),
                                    ("Z11", False, True), ("Z14", False, True)):
        for year, kept in (("2024-25", in_2025), ("2025-26", in_2026)):
            tables, _ = _read(_episode(tmp_path, f"{place}_{year}_episodes.csv", place=place))
            assert len(tables["episodes"]) == int(kept), (place, year)


def test_special_guardianship_codes_follow_the_years(tmp_path):
    # LIIA 2015-16 schema: E43, E44; cs-demand-model 2016-17: E45-E48; lac2022_23 rule 149: E45-E48 only
    for rec, year, kept in (("E43", "2015-16", True), ("E45", "2015-16", False), ("E45", "2016-17", True),
                            ("E44", "2021-22", True), ("E44", "2022-23", False), ("E48", "2025-26", True)):
        tables, _ = _read(_episode(tmp_path, f"{rec}_{year}_episodes.csv", rec=rec, dec="01/12/2014"), None)
        assert len(tables["episodes"]) == int(kept), (rec, year)
    assert {"E43", "E44"} <= codes.SPECIAL_GUARDIANSHIP_CODES  # an older return's SGOs are SGOs


def test_sex_is_m_f_u_from_2024_25(tmp_path):
    # lac2024_25 rule 101: "M", "F", "U"; before, 1 and 2
    for sex, year, kept in (("1", "2023-24", True), ("M", "2023-24", False), ("M", "2024-25", True),
                            ("U", "2024-25", True), ("2", "2024-25", False)):
        path = tmp_path / f"header_{sex}_{year}.csv"
        path.write_text(f"CHILD,SEX,DOB,ETHNIC\nC1,{sex},01/02/2010,WBRI\n", encoding="utf-8")
        tables, _ = _read(path)
        assert len(tables["children"]) == int(kept), (sex, year)


def test_the_entry_s_year_overrides_the_name(tmp_path):
    tables, ledger = _read(_episode(tmp_path, "903_2014-15_episodes.csv", place="K3"), year=2025)
    assert len(tables["episodes"]) == 1
    assert ledger.collection_years["903_2014-15_episodes.csv"]["from"] == "its [[inputs]] entry (year)"


def test_a_return_of_no_known_year_is_checked_against_every_year_s_codes(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("CHILD,SEX,DOB,ETHNIC\nC1,M,01/02/2010,WBRI\nC2,1,01/02/2010,WBRI\nC3,9,01/02/2010,WBRI\n")
    tables, ledger = _read(path)
    assert tables["children"]["sex"].tolist() == ["M", "1"] and not ledger.collection_years
    assert [p.rule for p in ledger.problems] == ["code"]  # 9 is in no year's list


def test_a_return_table_of_a_later_year_is_read_not_refused(tmp_path):
    # 2026-27 adds the deprivation of liberty table (lac2026_27 rules 700, 701: DOLO_START, DOLO_END)
    path = tmp_path / "903_2026-27_dolo.csv"
    path.write_text("CHILD,DOB,DOLO_START,DOLO_END\nC1,01/02/2010,01/05/2026,\n", encoding="utf-8")
    tables, ledger = _read(path)
    assert tables["ssda903_deprivation_of_liberty"]["dolo_start"].tolist() == ["01/05/2026"]
    # a table whose layout no year known here has: read under its file's name, never refused
    path = tmp_path / "2027_care_leavers_extra.csv"
    path.write_text("CHILD,SOMETHING_NEW\nC1,x\n", encoding="utf-8")
    tables, _ = _read(path)
    assert tables["ssda903_care_leavers_extra"]["something_new"].tolist() == ["x"]


def test_a_child_listed_twice_in_a_header_is_quarantined(tmp_path):
    # C1 twice alike: the repeat goes; C2 twice with different dates of birth: both go; C3 once
    path = tmp_path / "903_2019_header.csv"
    path.write_text("CHILD,SEX,DOB,ETHNIC\nC1,1,01/02/2010,WBRI\nC2,2,03/04/2011,WBRI\nC1,1,01/02/2010,WBRI\n"
                    "C2,2,04/03/2011,WBRI\nC3,1,05/06/2012,AIND\n", encoding="utf-8")
    tables, ledger = _read(path)
    assert len(tables["children"]) == 2 and tables["children"]["child_id"].is_unique
    quarantined = sorted((p.row, p.rule) for p in ledger.problems)
    assert quarantined == [(3, "duplicate-child"), (4, "duplicate-child"), (5, "duplicate-child")]
    assert all(p.value == "(withheld: identifier)" for p in ledger.problems)  # a child's id is never repeated
