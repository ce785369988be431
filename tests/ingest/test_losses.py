"""A report never comes from a fraction of the data unnoticed: losses to quarantine beyond the
study's limits stop ingestion unless the study accepts them, and the report then says so.

The study is the hand-written worked example (``examples/own_study``), copied and broken by
hand; every count below is of its files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.errors import CaresurveyError, ConfigError
from caresurvey.ingest.ledger import Reconciliation
from caresurvey.ingest.losses import Loss, check_groups_answered, find_losses
from caresurvey.ingest.pipeline import ingest_study
from caresurvey.results.about import about_study
from caresurvey.results.inputs import read_processed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own_study"


def _reconciliation(file: str, table: str, read: int, kept: int, la_rows=None) -> Reconciliation:
    return Reconciliation(file, table, read, kept, read - kept, la_rows=la_rows or {})


def test_a_file_loses_too_much_above_the_share_and_not_at_it():
    files = [_reconciliation("a.csv", "episodes", 20, 19),  # 5%: not more than 5%
             _reconciliation("b.csv", "episodes", 20, 18),  # 10%
             _reconciliation("c.csv", "header", 10, 10), _reconciliation("c.csv", "episodes", 10, 9)]  # 1 of 20
    assert find_losses(files, {}) == [Loss("file", "b.csv", 20, 18)]
    assert find_losses(files, {}, max_share=0.01) == [Loss("file", "a.csv", 20, 19), Loss("file", "b.csv", 20, 18),
                                                      Loss("file", "c.csv", 20, 19)]


def test_an_la_lost_from_a_table_and_a_group_lost_are_losses_whatever_the_share():
    # a case-file abstraction of 40 rows: LA "Rutland" has 1 row, quarantined (2.5% of the file)
    cases = _reconciliation("cases.xlsx [Cases]", "case_files", 40, 39, {"Rutland": [1, 0], "York": [39, 39]})
    survey = _reconciliation("tm.xlsx [Responses]", "responses", 3, 0)  # 100%: a file loss too
    losses = find_losses([cases, survey], {"tm.xlsx": "Team manager"})
    assert Loss("LA", "Rutland (case_files)", 1, 0) in losses
    assert Loss("group", "Team manager", 3, 0) in losses
    assert Loss("file", "tm.xlsx [Responses]", 3, 0) in losses
    assert not [loss for loss in losses if loss.name.startswith("York")]


def test_a_declared_group_without_respondents_is_an_error_never_a_loss():
    empty = _reconciliation("sw.csv", "responses", 0, 0)
    with pytest.raises(CaresurveyError, match="'Social worker' has no respondents: its questionnaire\\(s\\) sw.csv"):
        check_groups_answered(["Social worker"], [empty], {"sw.csv": "Social worker"})


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "own_study"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("processed", "reports"))
    return folder


def _break_a_child(folder: Path) -> None:
    """Northbury's header: child N02's sex becomes 9, which SSDA903 does not have (1 of its 3 rows)."""
    header = folder / "raw" / "northbury" / "header.csv"
    header.write_text(header.read_text().replace("N02,2,", "N02,9,"))


def test_ingestion_stops_where_a_file_loses_more_than_its_share_and_leaves_the_processed_study_as_it_was(study):
    config = load_config(study / "caresurvey.toml")
    ingest_study(config)
    before = {p.name: p.read_bytes() for p in config.processed_dir.glob("*.*") if p.is_file()}
    _break_a_child(study)
    with pytest.raises(CaresurveyError) as stopped:
        ingest_study(config)
    message = str(stopped.value)
    assert "file raw/northbury/header.csv: 1 of 3 rows quarantined (33.3%)" in message
    assert "1 problem(s) breaking rule 'code'" in message and "--accept-losses" in message
    assert "processed/rejected/quarantine.csv" in message
    assert {p.name: p.read_bytes() for p in config.processed_dir.glob("*.*") if p.is_file()} == before
    rejected = (config.processed_dir / "rejected" / "quarantine.csv").read_text()
    assert "raw/northbury/header.csv,3,SEX,9," in rejected


def test_accepted_losses_are_recorded_and_the_report_opens_with_them(study):
    _break_a_child(study)
    toml = study / "caresurvey.toml"
    toml.write_text(toml.read_text().replace("[paths]", "[ingest]\naccept_losses = true\n\n[paths]", 1))
    config = load_config(toml)
    summary = ingest_study(config)
    assert summary["losses"] == ["file raw/northbury/header.csv: 1 of 3 rows quarantined (33.3%)"]
    reconciliation = json.loads((config.processed_dir / "reconciliation.json").read_text())
    assert reconciliation["losses"] == [{"kind": "file", "name": "raw/northbury/header.csv", "read": 3, "kept": 2,
                                         "quarantined": 1}]
    assert reconciliation["losses_accepted"] is True and reconciliation["max_quarantined_share"] == 0.05
    assert not (config.processed_dir / "rejected").exists()
    about = about_study(config, read_processed(config.processed_dir))
    assert about.losses == ("file raw/northbury/header.csv: 1 of 3 rows quarantined",)
    # a real study's report says what share was lost, not the count (it would bypass disclosure control)
    real = about_study(replace(config, synthetic=False), read_processed(config.processed_dir))
    assert real.losses == ("file raw/northbury/header.csv: more than 5% of its rows quarantined",)


def test_the_share_is_the_study_s_to_set(study):
    _break_a_child(study)
    toml = study / "caresurvey.toml"
    toml.write_text(toml.read_text().replace("[paths]", "[ingest]\nmax_quarantined_share = 0.4\n\n[paths]", 1))
    summary = ingest_study(load_config(toml))  # 33% of a file is within 40%
    assert summary["losses"] == [] and summary["rows_quarantined"] == 1
    toml.write_text(toml.read_text().replace("0.4", "5"))
    with pytest.raises(ConfigError, match="max_quarantined_share must be a share from 0 to below 1"):
        load_config(toml)


def test_a_group_no_questionnaire_names_is_a_configuration_error(study):
    toml = study / "caresurvey.toml"
    toml.write_text(toml.read_text().replace('groups = ["IRO", "Social worker"]',
                                             'groups = ["IRO", "Social worker", "Team manager"]'))
    with pytest.raises(ConfigError, match="'Team manager', which no questionnaire of \\[\\[inputs\\]\\] names"):
        load_config(toml)
