"""Hand-made broken files (tests/data/broken, see its README): the quarantine rows and messages expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.errors import InputError
from caresurvey.ingest.casefile import read_case_abstraction
from caresurvey.ingest.coded_segments import read_coded_segments
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import WITHHELD, Ledger
from caresurvey.ingest.ssda903 import read_ssda903_csv, read_ssda903_csv_files
from caresurvey.ingest.survey_table import read_survey_table
from caresurvey.pseudonym import Pseudonymiser

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken"
PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")


def source(name: str, **kwargs) -> Source:
    return Source(path=BROKEN / name, display=name, pseudonymise=PSEUDONYMISE, **kwargs)


def quarantined(ledger: Ledger) -> set[tuple]:
    return {(p.row, p.column, p.value, p.rule) for p in ledger.problems}


def test_episodes_faults_are_quarantined_where_a_person_can_find_them():
    ledger = Ledger()
    kept = read_ssda903_csv(source("episodes.csv", la="LA9"), ledger)["episodes"]
    assert quarantined(ledger) == {
        (3, "DECOM", "31/02/2013", "date"),
        (4, "LS", "ZZ", "code"),
        (5, "CHILD", "", "required"),
        (8, "DEC", "01/07/2013", "end-before-start"),
        (9, "(after URN)", WITHHELD, "extra-values"),  # a shifted value might be a postcode or a UPN
    }
    # rows 2 and 7 are kept; row 7's ISO start and Excel-serial end (41500 = 14 August 2013) are read
    assert len(kept) == 2
    assert kept["end"].dropna().dt.date.tolist() == [__import__("datetime").date(2013, 8, 14)]
    [count] = ledger.reconciliations
    assert (count.rows_read, count.rows_kept, count.rows_quarantined, count.blank_rows) == (7, 2, 5, 1)
    messages = {p.rule: p.message for p in ledger.problems}
    assert "is not a real date" in messages["date"]
    assert messages["code"] == "'ZZ' is not a valid LS code"
    assert messages["end-before-start"] == "an episode cannot end before it starts"


def test_episodes_keep_no_postcodes_or_urns():
    kept = read_ssda903_csv(source("episodes.csv", la="LA9"), Ledger())["episodes"]
    assert not {"HOME_POST", "PL_POST", "URN", "home_post", "pl_post", "urn"} & set(kept.columns)
    assert "AB1 2CD" not in kept.to_csv()


def test_header_faults_and_minimisation():
    ledger = Ledger()
    kept = read_ssda903_csv(source("header.csv", la="LA9"), ledger)["children"]
    # a date of birth is a direct identifier: the quarantine names its row and column, not its value
    assert quarantined(ledger) == {(3, "SEX", "3", "code"), (4, "DOB", WITHHELD, "date")}
    assert kept["birth_month"].tolist() == ["2008-03"]
    assert "UPN" not in kept.columns and "A999123456789" not in kept.to_csv()


def test_a_missing_required_column_stops_with_one_message():
    with pytest.raises(InputError, match=r"no_decom.csv: is not an SSDA903 table") as caught:
        read_ssda903_csv(source("no_decom.csv", la="LA9"), Ledger())
    assert caught.value.rule == "not-ssda903"


def test_the_cli_reports_structural_errors_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "caresurvey", "ingest", "--format", "ssda903-csv", str(BROKEN / "no_decom.csv"),
         "--la", "LA9", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
        env={"CARESURVEY_KEY": "a-long-enough-test-key", "PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no_decom.csv" in result.stderr and "not-ssda903" in result.stderr


def test_a_code_missing_from_the_codebook_quarantines_the_respondent():
    ledger = Ledger()
    kept = read_survey_table(source("guardians.csv", group="Children's guardian",
                                    codebook=BROKEN / "guardians_codebook.csv"), ledger)["responses"]
    assert quarantined(ledger) == {(3, "contact", "7", "unlabelled-answer")}
    assert sorted(kept["response"].fillna("-")) == ["-", "Always"]
    assert kept["missing_reason"].dropna().tolist() == ["not answered"]
    assert "Mrs Smith" not in kept.to_csv()  # free text is never kept
    assert ledger.dropped_columns["guardians.csv"] == ["comments (not coded in the codebook: an id or free text)"]
    [count] = ledger.reconciliations
    assert (count.rows_read, count.rows_kept, count.rows_quarantined) == (3, 2, 1)


def test_an_undefined_legal_status_is_not_guessed():
    ledger = Ledger()
    kept = read_case_abstraction(source("case_files.csv"), ledger)["case_files"]
    assert quarantined(ledger) == {(4, "Legal status at sampling", "Kinship", "code")}
    assert kept["status_at_sampling"].tolist() == ["s.20", "CO"]  # "Section 20", "Care order"
    assert "John" not in kept.to_csv()


def test_a_paragraph_number_in_words_is_quarantined():
    ledger = Ledger()
    kept = read_coded_segments(source("segments.csv"), ledger)["codings"]
    assert quarantined(ledger) == {(3, "Begin", "three", "whole-number")}
    assert kept["code"].tolist() == ["Challenge/Informal challenge"]
    assert "quiet word" not in kept.to_csv()


def test_a_batch_of_returns_reads_as_each_return_read_alone(tmp_path):
    """Files stacked into one frame (read_ssda903_csv_files) keep their own problems, rows and LAs.

    The batch mixes broken files, the same files under other LAs (same ids, other children),
    a header written in other case with a ragged row, and another return table.
    """
    episodes = (BROKEN / "episodes.csv").read_text()
    relabelled = tmp_path / "episodes_lower.csv"
    first, rest = episodes.split("\n", 1)
    relabelled.write_text(first.lower() + "\n" + rest + "104,01/07/2013,S,C2,N1,U4,PR1,,,,,,X,extra\n")
    missing = tmp_path / "missing.csv"
    missing.write_text("CHILD,MIS_START,MIS_END\n101,01/05/2013,\n,02/05/2013,03/05/2013\n")
    sources = [source("episodes.csv", la="LA9"), source("header.csv", la="LA9"), source("episodes.csv", la="LA8"),
               Source(path=relabelled, display="episodes_lower.csv", pseudonymise=PSEUDONYMISE, la="LA7"),
               Source(path=missing, display="missing.csv", pseudonymise=PSEUDONYMISE, la="LA9"),
               source("header.csv", la="LA8")]
    batch = read_ssda903_csv_files(sources)
    for each, (tables, ledger) in zip(sources, batch):
        alone = Ledger()
        expected = read_ssda903_csv(each, alone)
        assert tables.keys() == expected.keys()
        for name in tables:
            pd.testing.assert_frame_equal(tables[name], expected[name].reset_index(drop=True))
        assert ledger.problems == alone.problems and ledger.reconciliations == alone.reconciliations
    problems = [p for _, ledger in batch for p in ledger.problems]
    assert {p.file for p in problems} == {"episodes.csv", "header.csv", "episodes_lower.csv", "missing.csv"}
    assert any(p.rule == "extra-values" and p.row == 10 for p in batch[3][1].problems)
    # the same id in two LAs is two children
    assert not set(batch[0][0]["episodes"]["child_id"]) & set(batch[2][0]["episodes"]["child_id"])
