"""National statistics: derived shares agree with the England rows; funnels keep suppressed LAs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict

import pandas as pd
import pytest

from caresurvey.analysis.national import derived_measures, la_funnel
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
