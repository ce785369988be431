"""The whole synthetic study through ingestion: tables, links, privacy, reconciliation, data package."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.config import load_config
from caresurvey.schemas import SCHEMAS

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def processed(ingested_study) -> Path:
    return load_config(ingested_study).processed_dir


def table(processed: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(processed / f"{name}.parquet")


def test_every_table_is_written_and_valid(processed):
    for name in ("children", "episodes", "reviews", "case_files", "responses", "codings"):
        SCHEMAS[name].validate(table(processed, name))
    # seed 001: 122 children; 65 + 46 + 39 questionnaires; seed 002: 1,530 children surveyed
    assert len(table(processed, "children")) == 122
    assert len(table(processed, "case_files")) == 122
    respondents = table(processed, "responses").groupby("group")["respondent_id"].nunique().to_dict()
    assert respondents == {"IRO": 65, "Team manager": 46, "Children's guardian": 39, "Child in care": 1530}


def test_reconciliation_adds_up_for_every_file(processed):
    record = json.loads((processed / "reconciliation.json").read_text())
    assert record["adds_up"]
    assert all(f["rows_read"] == f["rows_kept"] + f["rows_quarantined"] for f in record["files"])
    quarantine = pd.read_csv(processed / "quarantine.csv")
    # the Qualtrics export's two test responses are the only rows left out
    assert record["totals"]["rows_quarantined"] == 2 == len(quarantine)
    assert set(quarantine["rule"]) == {"not-a-respondent"} and list(quarantine["row"]) == [4, 5]


def test_pseudonyms_link_case_files_returns_and_interviews(processed):
    case_files, children = table(processed, "case_files"), table(processed, "children")
    codings = table(processed, "codings")
    assert set(case_files["child_id"]) == set(children["child_id"])
    assert set(table(processed, "episodes")["child_id"]) == set(children["child_id"])
    qdpx, segments = codings[codings["source_format"] == "refi-qda"], codings[codings["source_format"] == "coded-segments"]
    assert set(qdpx["interview_id"]) == set(segments["interview_id"])
    assert set(qdpx["case_id"].dropna()) <= set(case_files["case_id"])
    assert qdpx.groupby("respondent_role")["interview_id"].nunique().to_dict() == {
        "Social worker": 54, "IRO": 54, "Parent": 15, "Young person": 15,
        "Focus group (multi-professional)": 4, "Focus group (young people)": 2}  # seed 001


def test_items_are_mapped_and_user_missing_keeps_its_reason(processed):
    responses = table(processed, "responses")
    separate = responses[responses["item"] == "separate_iro_service"]
    assert set(separate["group"]) == {"IRO", "Team manager", "Children's guardian"}
    # the employment item's answers, as what they mean (its scale: "Employed by the local authority" is LA-employed)
    assert set(responses["employment"].dropna()) == {"LA-employed", "Self-employed", "Other"}
    managers = separate[separate["group"] == "Team manager"]
    assert set(managers["missing_reason"].dropna()) <= {"not answered", "don't know"}
    assert managers["response"].notna().sum() == 44  # calibration: 44 of 46 team managers answered


def test_no_direct_identifier_reaches_processed_data(processed, synthetic_study):
    text = "\n".join(pd.read_parquet(p).to_csv() for p in processed.glob("*.parquet"))
    text += (processed / "quarantine.csv").read_text()
    header = pd.read_csv(synthetic_study / "case_files" / "LA1" / "header.csv", dtype=str)
    assert not any(upn in text for upn in header["UPN"])
    assert not any(dob in text for dob in header["DOB"])  # dd/mm/yyyy dates of birth
    assert not re.search(r"\b(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+", text)  # IP addresses
    assert "@example.org" not in text
    assert "quiet word" not in text and "helicopter view" not in text  # transcript text
    abstraction_notes = "Contact with mother supervised fortnightly"
    assert abstraction_notes not in text
    episodes = pd.read_csv(synthetic_study / "case_files" / "LA1" / "episodes.csv", dtype=str)
    assert not any(code in text for code in episodes["HOME_POST"])


def test_datapackage_describes_what_was_written(processed):
    package = json.loads((processed / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    for name in ("children", "episodes", "reviews", "case_files", "responses", "codings"):
        fields = [f["name"] for f in resources[name]["schema"]["fields"]]
        assert fields == list(table(processed, name).columns)
        assert resources[name]["rows"] == len(table(processed, name))
    legal = next(f for f in resources["episodes"]["schema"]["fields"] if f["name"] == "legal_status")
    assert {"C1", "C2", "E1", "V2"} <= set(legal["constraints"]["enum"]) and legal["constraints"]["required"]
    assert resources["quarantine"]["path"] == "quarantine.csv"


def test_single_sources_through_the_command_line(synthetic_study, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "caresurvey", "ingest", "--format", "ssda903-csv",
         *map(str, sorted((synthetic_study / "case_files" / "LA2").glob("*.csv"))), "--la", "LA2", "--out", str(out)],
        capture_output=True, text=True, timeout=120, env={"CARESURVEY_KEY": "a-long-enough-test-key", "PATH": "",
                                                          "PYTHONPATH": ":".join(sys.path)},
    )
    assert result.returncode == 0, result.stderr
    assert "[3/3]" in result.stderr  # progress
    assert {p.name for p in out.iterdir()} == {"children.parquet", "episodes.parquet", "reviews.parquet",
                                              "quarantine.csv", "reconciliation.json", "datapackage.json"}


def test_single_sources_need_a_key(synthetic_study, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "caresurvey", "ingest", "--format", "qualtrics", "--group", "IRO",
         str(synthetic_study / "questionnaires" / "iro_questionnaire.csv"), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, env={"PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert result.returncode == 2 and "CARESURVEY_KEY" in result.stderr and "Traceback" not in result.stderr


def test_published_statistics_need_no_pseudonymisation_key_and_identified_files_do(tmp_path, monkeypatch):
    # DfE statistics identify no one (README: `caresurvey ingest --format dfe-la ...` with no key)
    from caresurvey.cli import main
    from caresurvey.ingest.pipeline import ingest_files
    from tests.ingest.test_reader_properties import SFR

    monkeypatch.delenv("CARESURVEY_KEY", raising=False)
    (tmp_path / "sfr.csv").write_text(SFR, encoding="utf-8")
    assert main(["ingest", "--format", "dfe-la", str(tmp_path / "sfr.csv"), "--out", str(tmp_path / "stats")]) == 0
    assert (tmp_path / "stats" / "la_statistics.parquet").is_file()
    (tmp_path / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC\n1,1,01/01/2010,WBRI\n", encoding="utf-8")
    assert main(["ingest", "--format", "ssda903-csv", str(tmp_path / "header.csv"), "--la", "LA1",
                 "--out", str(tmp_path / "children")]) == 2  # a child's id: no key, no run
    assert not (tmp_path / "children").exists()
    with pytest.raises(ValueError, match="needs the pseudonymisation key"):
        ingest_files("ssda903-csv", [tmp_path / "header.csv"], tmp_path / "children", key=None, la="LA1")
