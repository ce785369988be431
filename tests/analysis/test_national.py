"""National statistics: derived shares agree with the England rows; funnels keep suppressed LAs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import defaultdict

import pandas as pd
import pytest

from caresurvey.analysis.national import available_measures, derived_measures, la_funnel
from caresurvey.errors import CaresurveyError
from caresurvey.ingest.common import Source
from caresurvey.ingest.dfe import read_dfe_statistics
from caresurvey.ingest.ledger import Ledger
from caresurvey.pseudonym import Pseudonymiser


@pytest.fixture(scope="module")
def statistics(shared_data) -> pd.DataFrame:
    pseudonymise = Pseudonymiser(b"a test key of 24 bytes..")
    frames = defaultdict(list)
    for path in sorted((shared_data / "dfe" / "la_underlying").glob("*/*.csv")):
        for name, frame in read_dfe_statistics(Source(path, path.name, pseudonymise), Ledger()).items():
            frames[name].append(frame)
    return pd.concat(frames["la_statistics"], ignore_index=True)


def test_the_derived_national_series_agrees_with_the_england_rows(statistics):
    derived = derived_measures(statistics)
    england = derived[(derived["geographic_level"] == "National") & (derived["measure"] == "s20_share_at_31_march")]
    # England rows of the SFR files: CLA_S20 / CLA_Mar at 31 March (SFR21/2011 ... SFR34/2015)
    expected = {2011: 20430 / 65520, 2012: None, 2013: None, 2014: 19230 / 68840, 2015: 19850 / 69540}
    series = dict(zip(england["year"], england["proportion"]))
    assert sorted(series) == [2011, 2012, 2013, 2014, 2015]
    for year, value in expected.items():
        if value is not None:
            assert series[year] == pytest.approx(value)
    for _, row in england.iterrows():
        cells = statistics[(statistics["year"] == row["year"]) & (statistics["geographic_level"] == "National")]
        s20 = cells.loc[cells["measure"] == "CLA_S20", "value"].item()
        total = cells.loc[cells["measure"] == f"CLA_Mar{row['year']}", "value"].item()
        assert row["numerator"] == s20 and row["denominator"] == total


def test_suppressed_counts_give_a_missing_share_with_their_symbol(statistics):
    derived = derived_measures(statistics)
    missing = derived[derived["proportion"].isna()]
    assert len(missing) and set(missing["status"]) <= {"x", ".."}
    assert set(derived["geographic_level"]) == {"National", "Regional", "Local authority"}


def test_funnel_keeps_every_la_and_marks_the_suppressed(statistics):
    table = la_funnel(statistics, "CLA_S20", "CLA_Mar2014", 2014)
    las = statistics[(statistics["year"] == 2014) & (statistics["measure"] == "CLA_S20")
                     & (statistics["geographic_level"] == "Local authority")]
    assert len(table) == len(las) == 151
    suppressed = table[table["status"] == "x"]
    assert len(suppressed) == 1 and (suppressed["flag998"] == "no value").all()
    assert table["target"].iloc[0] == pytest.approx(19230 / 68840)  # England, SFR 36/2014


def test_compare_las_command(shared_data, tmp_path):
    environment = {**os.environ, "CARESURVEY_KEY": "a-long-enough-test-key"}
    files = [str(p) for p in sorted((shared_data / "dfe" / "la_underlying" / "2014").glob("*.csv"))]
    run = lambda *args: subprocess.run([sys.executable, "-m", "caresurvey", *args], capture_output=True,  # noqa: E731
                                       text=True, timeout=300, env=environment)
    assert run("ingest", "--format", "dfe-la", *files, "--out", str(tmp_path / "data")).returncode == 0
    result = run("compare-las", "--measure", "CLA_S20", "--denominator", "CLA_Mar2014", "--year", "2014",
                 "--data", str(tmp_path / "data"), "--out", str(tmp_path / "funnel"))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "funnel" / "funnel.csv")
    assert list(table.columns[:12]) == ["la_code", "la_name", "numerator", "denominator", "proportion", "target",
                                        "lower95", "upper95", "lower998", "upper998", "flag95", "flag998"]
    assert (tmp_path / "funnel" / "funnel.png").is_file() and (tmp_path / "funnel" / "funnel.svg").is_file()
    bad = run("compare-las", "--measure", "NOPE", "--denominator", "CLA_Mar2014", "--year", "2014",
              "--data", str(tmp_path / "data"), "--out", str(tmp_path / "f2"))
    assert bad.returncode == 2 and "no measure 'NOPE'" in bad.stderr and "Traceback" not in bad.stderr


def test_ees_shares_agree_with_the_files_own_percentages(shared_data):
    from caresurvey.analysis.national import ees_derived_measures

    path = shared_data / "dfe" / "ees" / "national_cla_on_31_march_by_characteristics.csv"
    table = read_dfe_statistics(Source(path, path.name, Pseudonymiser(b"a test key of 24 bytes..")), Ledger())
    derived = ees_derived_measures(table["la_statistics"])
    s20 = derived[derived["measure"] == "s20_share_at_31_march"].set_index("year")
    # EES 2023 release, national legal status: s.20 15,740 of 83,840 children (19%)
    assert s20.loc[2023, "numerator"] == 15740 and s20.loc[2023, "denominator"] == 83840
    assert sorted(s20.index) == [2019, 2020, 2021, 2022, 2023]
    # every year's derived share rounds to the file's own published percentage
    for _, row in derived.iterrows():
        assert round(100 * row["proportion"]) == row["published_percent"], row.to_dict()


# --------------------------------------------------------------------------- SFR layouts, and EES measures

SFR_2010 = ("geog_l,geog_c,geog_n,LA_order,CLA_Mar2010,CLA_S20\n"
            "National,921,England,0,64400,19150\n"
            "LA,841,Darlington,1,220,60\n"
            "LA,840,Durham,2,590,x\n")


def test_a_2010_sfr_file_reads_by_its_old_codes_and_its_order_is_not_a_statistic(tmp_path):
    # the 2010 files have no New_geog_code; LA_order orders the rows
    path = tmp_path / "SFR27_CLA2010.csv"
    path.write_text(SFR_2010, encoding="utf-8")
    ledger = Ledger()
    table = read_dfe_statistics(Source(path, path.name, None), ledger)["la_statistics"]
    assert set(table["measure"]) == {"CLA_Mar2010", "CLA_S20"} and set(table["year"]) == {2010}
    assert table["la_code"].isna().all() and set(table["old_la_code"]) == {"921", "841", "840"}
    assert ledger.dropped_columns[path.name] == ["LA_order (orders or labels the areas: not a statistic)"]
    darlington = table[table["la_name"] == "Darlington"].set_index("measure")["value"]
    assert darlington.to_dict() == {"CLA_Mar2010": 220.0, "CLA_S20": 60.0}


def test_the_year_of_a_dfe_file_follows_other_digits_in_its_name(tmp_path):
    # the DfE's own name for the 2015 OC2 file: SFR34_OC22015.csv (OC2, 2015)
    path = tmp_path / "SFR34_OC22015.csv"
    path.write_text("New_geog_code,geog_l,geog_c,geog_n,OC2_all\nE92000001,National,921,England,50000\n")
    table = read_dfe_statistics(Source(path, path.name, None), Ledger())["la_statistics"]
    assert table["year"].tolist() == [2015]


@pytest.fixture(scope="module")
def starters_2022(shared_data) -> pd.DataFrame:
    path = shared_data / "dfe" / "ees_2022release" / "la_cla_who_started_to_be_looked_after.csv"
    return read_dfe_statistics(Source(path, path.name, None), Ledger())["la_statistics"]


def test_an_ees_measure_is_named_by_its_filter_values(shared_data, starters_2022):
    table = la_funnel(starters_2022, "Legal status: Voluntary agreement under S20", "Legal status: Total", 2022)
    # England's 2022 row of the file, read with the csv module: the target is its number over its total
    path = shared_data / "dfe" / "ees_2022release" / "la_cla_who_started_to_be_looked_after.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8-sig"))
            if r["time_period"] == "2022" and r["geographic_level"] == "National" and r["cla_group"] == "Legal status"]
    number = {r["characteristic"]: r["number"] for r in rows}
    s20, total = float(number["Voluntary agreement under S20"]), float(number["Total"])
    assert table["target"].iloc[0] == pytest.approx(s20 / total)
    las = {r["new_la_code"] for r in csv.DictReader(path.open(encoding="utf-8-sig"))
           if r["time_period"] == "2022" and r["geographic_level"] == "Local authority"}
    assert set(table["la_code"]) == las


def test_a_measure_the_statistics_lack_is_an_error_naming_its_years_and_close_names(starters_2022):
    with pytest.raises(CaresurveyError, match="did you mean 'Legal status: Voluntary agreement under S20'"):
        la_funnel(starters_2022, "Legal status: Voluntary agreements under S20", "Legal status: Total", 2022)
    with pytest.raises(CaresurveyError, match="it has the years 2018, 2019, 2020, 2021, 2022"):
        la_funnel(starters_2022, "Legal status: Total", "Legal status: Total", 2014)
    listed = available_measures(starters_2022, 2022)
    assert {"EES"} == set(listed["kind"]) and "Legal status: Total" in set(listed["measure"])
