"""The readers on real files written by others (../shared/data; skipped where it is absent)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from caresurvey.ingest.common import Source
from caresurvey.ingest.dfe import read_dfe_statistics
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.qualtrics import read_qualtrics
from caresurvey.ingest.ssda903 import read_ssda903_csv, read_ssda903_xml
from caresurvey.pseudonym import Pseudonymiser
from caresurvey.schemas import SCHEMAS

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")


def source(path: Path, **kwargs) -> Source:
    return Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE, **kwargs)


def read_tables(paths, reader, **kwargs):
    ledger, tables = Ledger(), defaultdict(list)
    for path in paths:
        for name, frame in reader(source(path, **kwargs), ledger).items():
            tables[name].append(frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in tables.items()}, ledger


def adds_up(ledger: Ledger) -> bool:
    return all(r.rows_read == r.rows_kept + r.rows_quarantined for r in ledger.reconciliations)


# --------------------------------------------------------------------------- SSDA903


@pytest.fixture(scope="module")
def validator(shared_data) -> Path:
    return shared_data / "ssda903" / "validator_fake"


def test_validator_csv_return_reads_whole(validator):
    tables, ledger = read_tables(sorted(validator.glob("*.csv")), read_ssda903_csv, la="FAKE")
    # counts of the DfE validator's test return (../shared/data/README.md)
    assert len(tables["children"]) == 2675
    assert len(tables["episodes"]) == 5050
    assert len(tables["reviews"]) == 12582
    assert adds_up(ledger) and not ledger.problems
    for name in ("children", "episodes", "reviews"):
        SCHEMAS[name].validate(tables[name])
    assert {"ssda903_uasc", "ssda903_oc2", "ssda903_missing", "ssda903_sw_episodes"} <= set(tables)
    # no identifiers: UPNs, postcodes, URNs, social-worker ids, full dates of birth
    text = "".join(frame.to_csv() for frame in tables.values())
    header = list(csv.DictReader((validator / "header.csv").open()))
    assert header[0]["UPN"] not in text and header[0]["DOB"] not in text
    assert "SW999" not in text
    assert all("dob" not in c.lower() and "upn" not in c.lower() for f in tables.values() for c in f.columns)


def _xml_as_csv(xml: Path, folder: Path) -> list[Path]:
    """The XML return's header, episodes and reviews written as CSV tables (independently of caresurvey)."""
    root = ET.parse(xml).getroot()
    header = [("CHILD", "SEX", "DOB", "ETHNIC")]
    episodes = [("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE")]
    reviews = [("CHILD", "REVIEW", "REVIEW_CODE")]
    for child in root.iter("CHILD"):
        h = child.find("HEADER")
        cid = h.findtext("CHILDID")
        header.append((cid, h.findtext("SEX"), h.findtext("DOB"), h.findtext("ETHNIC")))
        for review in h.iter("AREVIEW"):
            reviews.append((cid, review.findtext("REVIEW") or "", review.findtext("REVIEW_CODE") or ""))
        for episode in child.iter("EPISODE"):
            episodes.append((cid, *[(episode.findtext(tag) or "") for tag in
                                    ("DECOM", "RNE", "LS", "CIN", "PL", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE")]))
    paths = []
    for name, rows in (("header", header), ("episodes", episodes), ("reviews", reviews)):
        path = folder / f"{name}.csv"
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        paths.append(path)
    return paths


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    columns = list(a.columns)
    order = lambda f: f[columns].astype(str).sort_values(columns).reset_index(drop=True)  # noqa: E731
    return order(a).equals(order(b))


def test_validator_xml_and_csv_forms_give_the_same_tables(validator, tmp_path):
    # The validator's XML and CSV returns are different fake children, so each form is compared
    # with the other form of the same records: the XML written out as CSV by this test.
    from_xml, ledger = read_tables([validator / "fake_903.xml"], read_ssda903_xml, la="FAKE")
    from_csv, _ = read_tables(_xml_as_csv(validator / "fake_903.xml", tmp_path), read_ssda903_csv, la="FAKE")
    assert adds_up(ledger)
    assert len(from_xml["children"]) == 253
    for name in ("children", "episodes", "reviews"):
        assert _same(from_xml[name], from_csv[name]), name


# --------------------------------------------------------------------------- Qualtrics

PERSONAL = ("IPAddress", "RecipientEmail", "RecipientFirstName", "RecipientLastName", "LocationLatitude",
            "LocationLongitude", "EmailAddress", "Name")


@pytest.mark.parametrize("name", ["sample.csv", "sample_legacy.csv"])
def test_both_qualtrics_layouts_read_with_personal_data_gone(shared_data, name):
    path = shared_data / "surveys" / "qualtrics" / name
    tables, ledger = read_tables([path], read_qualtrics, group="IRO")
    responses = tables["responses"]
    # qualtRics' test data: one respondent; Q1 (multiple choice) answered "2", Q2 free text
    assert responses.loc[responses["item"] == "Q1", "response"].tolist() == ["2"]
    assert "Q2" not in set(responses["item"])
    text = responses.to_csv()
    raw = list(csv.reader(path.open(encoding="utf-8-sig")))
    ip = next(v for row in raw for v in row if v.count(".") == 3 and v.replace(".", "").isdigit())
    assert ip not in text and "Hello World!" not in text and "47.115" not in text
    dropped = " ".join(ledger.dropped_columns[name])
    assert all(column in dropped for column in PERSONAL if column in raw[0] + raw[1])
    assert adds_up(ledger)


# --------------------------------------------------------------------------- DfE statistics


@pytest.fixture(scope="module")
def statistics(shared_data):
    dfe = shared_data / "dfe"
    paths = sorted((dfe / "la_underlying").glob("*/*.csv")) + sorted((dfe / "ees").glob("*.csv"))
    tables, ledger = read_tables(paths, read_dfe_statistics)
    return tables["la_statistics"], ledger


def test_sfr_and_ees_files_read_into_one_table(statistics):
    table, ledger = statistics
    SCHEMAS["la_statistics"].validate(table)
    assert adds_up(ledger)
    assert set(table["year"]) >= {2011, 2012, 2013, 2014, 2015, 2019, 2023}
    # measures keep their published names, stripped ("CLA_NetGain " in the header)
    assert {"CLA_S20", "CLA_NetGain", "SCLA_S20"} <= set(table["measure"])
    # suppression symbols are statuses, never numbers (SFR 'x', EES 'z', 'c', 'k')
    assert {"x", "z", "c", "k"} <= set(table["status"].dropna())
    assert table.loc[table["status"].notna(), "value"].isna().all()
    england = table[(table["geographic_level"] == "National") & (table["year"] == 2014) & (table["measure"] == "CLA_Mar2014")]
    assert england["la_code"].tolist() == ["E92000001"] and england["value"].tolist() == [68840.0]  # SFR 36/2014


def test_an_excel_error_in_a_real_file_is_quarantined_as_one_cell(statistics):
    _, ledger = statistics
    # SFR36_CLA2013.csv holds '#VALUE!' as England's CLA_NetGain: only that cell is lost
    [problem] = [p for p in ledger.problems if p.value == "#VALUE!"]
    assert (problem.file, problem.row, problem.column) == ("SFR36_CLA2013.csv", 2, "CLA_NetGain")


LEGAL_STATUS_COLUMNS = ("CLA_ICO", "CLA_FCO", "CLA_FrAd", "CLA_PlaceO", "CLA_S20", "CLA_CPG", "CLA_YJLS")


@pytest.mark.parametrize("year", [2011, 2012, 2013, 2014, 2015])
@pytest.mark.parametrize("measure", ["total", *LEGAL_STATUS_COLUMNS])
def test_england_agrees_with_the_sum_of_las_within_rounding_and_suppression(statistics, year, measure):
    table, _ = statistics
    rows = table[table["year"] == year]
    if measure == "total":
        measure = f"CLA_Mar{year}"
    cells = rows[rows["measure"] == measure]
    england = cells.loc[cells["geographic_level"] == "National", "value"].item()
    las = cells[cells["geographic_level"] == "Local authority"].set_index("la_code")
    known = las["value"].sum()
    hidden = las.index[las["status"] == "x"]
    # Each LA's legal statuses add up to its total (CLA_Mar), so a suppressed cell hides at least
    # 1 and at most what the LA's total leaves over its published statuses (secondary
    # suppression hides numbers above 5 too). National totals are rounded to the nearest 100
    # above 1,000 and 10 below (Meta_Data_Document, SFR 36/2014 and SFR 34/2015): 50 either way.
    statuses = rows[rows["measure"].isin(LEGAL_STATUS_COLUMNS) & (rows["geographic_level"] == "Local authority")]
    published = statuses.groupby("la_code")["value"].sum()
    total = rows[(rows["measure"] == f"CLA_Mar{year}") & (rows["geographic_level"] == "Local authority")]
    leftover = total.set_index("la_code")["value"] - published
    low = known + len(hidden) - 50
    high = known + leftover.reindex(hidden).sum() + 50
    assert low <= england <= high, (england, known, len(hidden))


def test_the_year_comes_from_the_release_not_a_copied_header(statistics):
    table, ledger = statistics
    # SFR34_ADM2015.csv (2015 release) names its columns CLA_started2014; its metadata document
    # and numbers are 2015's: England 31,070 started in 2015, against 30,430 in SFR36_ADM2014.
    started = table[(table["geographic_level"] == "National") & (table["measure"] == "CLA_started2014")]
    assert dict(zip(started["year"], started["value"])) == {2014: 30430.0, 2015: 31070.0}
    assert any("year 2015 taken from the file name" in n for n in ledger.notes["SFR34_ADM2015.csv"])


def test_ees_england_agrees_with_its_las(statistics):
    table, _ = statistics
    # EES 2023 release: national counts rounded to the nearest 10, LA counts unrounded; merged or
    # not-applicable LAs ('z') hold no number.
    rows = table[(table["year"] == 2023) & (table["measure"] == "number")
                 & (table["breakdown"] == "population_count=Children looked after at 31 March each year")]
    england = rows.loc[rows["geographic_level"] == "National", "value"].item()
    las = rows[rows["geographic_level"] == "Local authority"]
    assert england == 83840
    assert abs(england - las["value"].sum()) <= 5
    assert rows.loc[rows["geographic_level"] == "National", "la_code"].item() == "E92000001"


def test_the_dfe_xml_layout_loses_no_record(validator):
    # The DfE's layout writes UASC, OC3 and AD1 as HEADER's own fields (the DfE 903 validator's
    # reader takes them so). Counted here with ElementTree, independently of the reader.
    root = ET.parse(validator / "fake_903.xml").getroot()
    headers = [child.find("HEADER") for child in root.iter("CHILD")]
    flagged = sum(1 for h in headers if (h.findtext("UASC") or "").strip() == "1" or (h.findtext("DUC") or "").strip())
    in_touch = sum(1 for h in headers if (h.findtext("IN_TOUCH") or "").strip())
    decided = sum(1 for h in headers if (h.findtext("DATE_INT") or "").strip())
    assert (flagged, in_touch, decided) == (12, 6, 3)  # the records the issue found lost
    tables, ledger = read_tables([validator / "fake_903.xml"], read_ssda903_xml, la="FAKE")
    assert len(tables["ssda903_uasc"]) == flagged and len(tables["ssda903_oc3"]) == in_touch
    assert len(tables["ssda903_ad1"]) == decided
    assert len(tables["ssda903_missing"]) == sum(1 for _ in root.iter("AMISSING"))
    assert len(tables["ssda903_placed_for_adoption"]) == sum(1 for _ in root.iter("AD_PLACED"))
    assert adds_up(ledger) and sum(r.rows_read for r in ledger.reconciliations) == 2454
    left_out = " ".join(ledger.dropped_columns["fake_903.xml"])
    for field in ("UPN (identifier)", "MC_DOB (identifier)", "HOME_POST (identifier)", "PL_POST (identifier)",
                  "URN (identifier)", "DOB (identifier, kept as its month)"):
        assert field in left_out, field


def test_every_column_a_csv_return_leaves_out_is_listed_with_why(validator):
    _, ledger = read_tables(sorted(validator.glob("*.csv")), read_ssda903_csv, la="FAKE")
    assert ledger.dropped_columns["header.csv"] == ["DOB (identifier, kept as its month)", "UPN (identifier)",
                                                    "MOTHER (identifier)", "MC_DOB (identifier)"]
    assert ledger.dropped_columns["episodes.csv"] == ["HOME_POST (identifier)", "PL_POST (identifier)",
                                                      "URN (identifier)"]
    assert ledger.dropped_columns["sw_episodes.csv"] == ["DOB (identifier, kept as its month)", "SW_ID (identifier)"]


def test_a_row_is_the_unit_of_a_dfe_file_and_one_bad_cell_loses_no_area(shared_data):
    path = shared_data / "dfe" / "la_underlying" / "2013" / "SFR36_CLA2013.csv"
    tables, ledger = read_tables([path], read_dfe_statistics)
    (entry,) = ledger.reconciliations
    data_rows = sum(1 for _ in csv.reader(path.open(encoding="utf-8-sig"))) - 1  # counted with the csv module
    assert (entry.rows_read, entry.rows_kept, entry.rows_quarantined, entry.cells_left_out) == (data_rows, data_rows, 0, 1)
    england = tables["la_statistics"][tables["la_statistics"]["geographic_level"] == "National"]
    assert "CLA_NetGain" not in set(england["measure"]) and "CLA_Mar2013" in set(england["measure"])


# --------------------------------------------------------------------------- every file


#: Files whose losses are the file's own, accepted with why (../shared/data/README.md).
ACCEPTED_LOSSES = {
    "qualtricstools": "every response is a survey test (Status 2)",
    "multiple_response__simple_alltypes.sav": "x holds 4 and 9, codes its value labels do not name",
}


def test_every_shared_file_ingests_and_reconciles(shared_data, tmp_path):
    """Every file of ../shared/data, as `caresurvey ingest --format` reads it (return tables of one
    folder together): it ingests, and its reconciliation adds up."""
    from caresurvey.ingest.detect import detect_format
    from caresurvey.ingest.pipeline import ingest_files

    batches = defaultdict(list)
    for path in sorted(p for p in shared_data.rglob("*") if p.is_file()):
        found = detect_format(path).format
        if found in (None, "codebook"):
            continue
        batches[(found, path.parent if found == "ssda903-csv" else path)].append(path)
    assert len(batches) >= 60
    for number, ((found, where), paths) in enumerate(sorted(batches.items(), key=str)):
        accept = any(name in str(where) for name in ACCEPTED_LOSSES)
        summary = ingest_files(found, paths, tmp_path / str(number), key=b"a test key of 24 bytes..",
                               la="Testshire" if found.startswith("ssda903") else None,
                               group="Respondent" if found in ("qualtrics-csv", "spss-sav") else None,
                               accept_losses=accept)
        reconciliation = json.loads((tmp_path / str(number) / "reconciliation.json").read_text())
        assert reconciliation["adds_up"], where
        assert summary["rows_read"] == summary["rows_kept"] + summary["rows_quarantined"], where
