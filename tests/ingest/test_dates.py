"""Which way round a study's files write dates, decided from the files themselves, never guessed:
month-first and year-first returns are read whole, a small file takes its export's convention,
and a study whose dates cannot tell stops until its manifest says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.config import load_config
from caresurvey.errors import InputError
from caresurvey.ingest.pipeline import ingest_study

HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"


def _study(folder: Path, files: dict[str, str], entry_extra: str = "") -> Path:
    """A study of one LA's SSDA903 tables, written by hand into ``folder/raw``."""
    for name, text in files.items():
        path = folder / "raw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = folder / "caresurvey.toml"
    config.write_text('[study]\nname = "dates"\nsynthetic = true\nseed = 1\n[paths]\nraw = "raw"\n'
                      'processed = "processed"\nreports = "reports"\n'
                      f'[[inputs]]\npath = "*.csv"\nformat = "ssda903-csv"\nla = "Northbury"\n{entry_extra}',
                      encoding="utf-8")
    return config


def _read(config: Path) -> dict[str, pd.DataFrame]:
    ingest_study(load_config(config))
    processed = config.parent / "processed"
    return {name: pd.read_parquet(processed / f"{name}.parquet") for name in ("children", "episodes", "reviews")
            if (processed / f"{name}.parquet").is_file()}


def _dates(frame: pd.DataFrame, column: str) -> list[dt.date]:
    return [d.date() for d in frame[column]]


def test_a_month_first_export_is_read_month_first_not_swapped(tmp_path):
    # every DECOM has its month first: 03/25/2013 is 25 March; 04/01/2013 is then 1 April, not 4 January
    config = _study(tmp_path, {
        "header.csv": HEADER + "1,1,06/30/2008,WBRI\n2,2,01/02/2010,WBRI\n",
        "episodes.csv": EPISODES + "1,03/25/2013,S,C2,N1,U4,PR1,,,\n2,04/01/2013,S,V2,N1,U6,PR1,,,\n",
        "reviews.csv": REVIEWS + "1,06/30/2008,04/19/2013,PN1\n2,01/02/2010,05/03/2013,PN1\n",
    })
    tables = _read(config)
    assert _dates(tables["episodes"], "start") == [dt.date(2013, 3, 25), dt.date(2013, 4, 1)]
    assert _dates(tables["reviews"], "review_date") == [dt.date(2013, 4, 19), dt.date(2013, 5, 3)]
    assert tables["children"]["birth_month"].tolist() == ["2008-06", "2010-01"]  # 2 January 2010, month first


def test_a_year_first_export_loses_no_row(tmp_path):
    config = _study(tmp_path, {
        "header.csv": HEADER + "1,1,2008/06/30,WBRI\n",
        "episodes.csv": EPISODES + "1,2013/03/05,S,C2,N1,U4,PR1,2013/11/02,E4A,\n",
    })
    tables = _read(config)
    assert _dates(tables["episodes"], "start") == [dt.date(2013, 3, 5)]
    assert _dates(tables["episodes"], "end") == [dt.date(2013, 11, 2)]
    assert tables["children"]["birth_month"].tolist() == ["2008-06"]


@pytest.mark.parametrize("header_dob, expected", [
    ("30/06/2008", dt.date(2013, 4, 3)),   # the header shows day first: 03/04/2013 is 3 April
    ("06/30/2008", dt.date(2013, 3, 4)),   # the header shows month first: 03/04/2013 is 4 March
])
def test_a_file_whose_dates_cannot_tell_takes_its_exports_convention(tmp_path, header_dob, expected):
    config = _study(tmp_path, {"header.csv": f"{HEADER}1,1,{header_dob},WBRI\n",
                               "episodes.csv": EPISODES + "1,03/04/2013,S,C2,N1,U4,PR1,,,\n"})
    assert _dates(_read(config)["episodes"], "start") == [expected]
    again = _read(config)  # the second run reads from the cache, to the same dates
    assert _dates(again["episodes"], "start") == [expected]
    reconciliation = (tmp_path / "processed" / "reconciliation.json").read_text(encoding="utf-8")
    assert "as the other files of its [[inputs]] entry write them" in reconciliation


def test_a_study_whose_dates_cannot_tell_stops_with_examples_until_its_manifest_says(tmp_path):
    files = {"episodes.csv": EPISODES + "1,03/04/2013,S,C2,N1,U4,PR1,01/02/2014,E4A,\n"}
    with pytest.raises(InputError, match=r"episodes.csv: no date in it shows .*DECOM row 2: '03/04/2013'.*"
                                         r'date_format = "dd/mm/yyyy"') as caught:
        _read(_study(tmp_path / "unsaid", files))
    assert caught.value.rule == "date-convention"
    assert not (tmp_path / "unsaid" / "processed" / "episodes.parquet").exists()  # nothing written
    said = _study(tmp_path / "said", files, 'date_format = "mm/dd/yyyy"\n')
    assert _dates(_read(said)["episodes"], "start") == [dt.date(2013, 3, 4)]


def test_a_file_written_both_ways_round_is_refused(tmp_path):
    config = _study(tmp_path, {"episodes.csv": EPISODES + "1,25/03/2013,S,C2,N1,U4,PR1,,,\n"
                                                          "2,03/25/2013,S,C2,N1,U4,PR1,,,\n"})
    with pytest.raises(InputError, match="both day first .*'25/03/2013'.* and month first .*'03/25/2013'"):
        _read(config)


def test_a_wrong_date_format_is_a_configuration_error(tmp_path):
    from caresurvey.errors import ConfigError

    config = _study(tmp_path, {"header.csv": HEADER}, 'date_format = "yyyy-dd-mm"\n')
    with pytest.raises(ConfigError, match="date_format 'yyyy-dd-mm' is not one of dd/mm/yyyy, mm/dd/yyyy"):
        load_config(config)
