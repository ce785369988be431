"""The national-scale SSDA903 set: LA sizes and legal-status mix from DfE statistics, years that join up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from caresurvey.errors import CaresurveyError
from caresurvey.synth.national import EES_FILES, read_national_statistics, write_national
from tests.synth.conftest import day, read_csv

LA_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
             "old_la_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000")


def ees_folder(tmp_path: Path) -> Path:
    """Two LAs in the EES layout (with the 2023 release's shifted column names) and a national mix."""
    folder = tmp_path / "ees"
    folder.mkdir()
    rows = [LA_HEADER]
    for old, name, new, stock, starts in (("201", "Small", "E09000001", "60", "25"), ("202", "Large", "E09000002", "900", "350")):
        rows.append(f"2023,Reporting year,Local authority,E92000001,England,E13000001,London,{old},{name},{new},"
                    f"Children looked after at 31 March each year,10000,{stock},60")
        rows.append(f"2023,Reporting year,Local authority,E92000001,England,E13000001,London,{old},{name},{new},"
                    f"Children starting to be looked after each year,10000,{starts},25")
    (folder / EES_FILES["la"]).write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    national = ["time_period,time_identifier,geographic_level,country_code,country_name,cla_group,characteristic,number,percentage"]
    for characteristic, number in (("Care orders", "7500"), ("Placement order granted", "500"),
                                   ("Voluntary agreements under S20 CA 1989", "1900"),
                                   ("Youth justice legal statuses", "50"), ("Detained for child protection", "50"),
                                   ("Total children", "10000")):
        national.append(f"2023,Reporting year,National,E92000001,England,Legal status,{characteristic},{number},0")
    (folder / EES_FILES["national"]).write_text("\ufeff" + "\n".join(national) + "\n", encoding="utf-8")
    return folder


def open_on_31_march(folder: Path) -> Counter:
    """Children with an episode open at the end of the year (blank DEC), by legal status."""
    found = Counter()
    for path in folder.glob("*/episodes.csv"):
        for row in read_csv(path):
            if not row["DEC"]:
                found[row["LS"]] += 1
    return found


def test_sizes_and_mix_follow_the_statistics(tmp_path):
    statistics = read_national_statistics(ees_folder(tmp_path))
    assert statistics.year == 2023 and list(statistics.las["stock"]) == [60, 900]
    out = tmp_path / "national"
    write_national(out, statistics, years=2, seed=7)
    stock = open_on_31_march(out / "2023")
    total = sum(stock.values())
    # 960 looked after at 31 March in the file; a Poisson flow around that level (4 sd = 124)
    assert abs(total - 960) < 124
    care_orders = (stock["C1"] + stock["C2"]) / total
    assert abs(care_orders - 0.75) < 0.05 and abs(stock["V2"] / total - 0.19) < 0.05


def test_children_and_open_episodes_carry_over_between_years(tmp_path):
    out = tmp_path / "national"
    write_national(out, read_national_statistics(ees_folder(tmp_path)), years=2, seed=7)
    first = {(r["CHILD"], r["DECOM"]) for r in read_csv(out / "2022" / "E09000002" / "episodes.csv") if not r["DEC"]}
    second = {(r["CHILD"], r["DECOM"]) for r in read_csv(out / "2023" / "E09000002" / "episodes.csv")}
    assert first and first <= second


def test_reviews_use_pn0_exactly_under_four(tmp_path):
    out = tmp_path / "national"
    write_national(out, read_national_statistics(ees_folder(tmp_path)), years=1, seed=3)
    for path in out.glob("2023/*/reviews.csv"):
        for row in read_csv(path):
            born, held = day(row["DOB"]), day(row["REVIEW"])
            under_four = (held.year - born.year - ((held.month, held.day) < (born.month, born.day))) < 4
            assert (row["REVIEW_CODE"] == "PN0") == under_four


def test_same_seed_same_files(tmp_path):
    statistics = read_national_statistics(ees_folder(tmp_path))
    write_national(tmp_path / "a", statistics, years=1, seed=11)
    write_national(tmp_path / "b", statistics, years=1, seed=11)
    for path in (tmp_path / "a").rglob("*.csv"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_missing_statistics_are_a_clear_error(tmp_path):
    with pytest.raises(CaresurveyError, match="--statistics"):
        read_national_statistics(tmp_path)


def test_reads_the_real_ees_release(shared_data):
    statistics = read_national_statistics(shared_data / "dfe" / "ees")
    # EES 2023 release: 83,840 looked after at 31 March 2023 (national row, rounded to 10);
    # LA rows are unrounded and add up to within rounding of it.
    assert statistics.year == 2023
    assert len(statistics.las) >= 150
    assert abs(int(statistics.las["stock"].sum()) - 83840) < 50
    # national legal-status rows of 2023: care orders 63,430 of the 83,830 in the five status groups
    assert abs(statistics.status_mix["care order"] - 63430 / 83830) < 0.001
