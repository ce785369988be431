"""Questionnaire exports of every era and kind: Qualtrics' 2016-17 layout, repeated export tags, its
built-in scales, multi-select answers; SPSS string labels and missing codes, labels only on missing
codes, unreadable dates, Qualtrics-to-SPSS metadata and test responses. Hand-written files first,
then the real files of ../shared/data (skipped where it is absent). Every expected value is read
off the file as written here, or counted by hand from the shared file."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.codes import SCALES, Scale
from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.qualtrics import read_qualtrics
from caresurvey.ingest.spss import read_spss
from caresurvey.pseudonym import Pseudonymiser

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")


def _read(path: Path, reader, **kwargs) -> tuple[pd.DataFrame, Ledger]:
    ledger = Ledger()
    kwargs.setdefault("group", "IRO")
    responses = reader(Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE, **kwargs), ledger)["responses"]
    return responses, ledger


def _write(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _answers(responses: pd.DataFrame, item: str) -> list:
    return responses.loc[responses["item"] == item, "response"].fillna("-").tolist()


# --------------------------------------------------------------------------- Qualtrics, hand-written

#: A 2016-17 export: import ids in single quotes, text entry as QID2-TEXT, the tag Q3 given to two
#: questions (QID3 and QID4), one survey preview among three responses.
INSIGHTS = [
    "ResponseID,Status,Q1,Q2_TEXT,Q3,Q3",
    "ResponseID,Status,How often do you meet?,Anything else?,Was the plan reviewed?,Was the child seen?",
    "{'ImportId': 'responseId'},{'ImportId': 'status'},{'ImportId': 'QID1'},{'ImportId': 'QID2-TEXT'},"
    "{'ImportId': 'QID3'},{'ImportId': 'QID4'}",
    "R_1,0,Always,Ms Jones was great,Yes,No",
    "R_2,1,Never,,No,No",
    "R_3,0,Sometimes,,No,Yes",
]


def test_a_2016_17_export_is_read_with_repeated_tags_kept_apart_by_import_id(tmp_path):
    responses, ledger = _read(_write(tmp_path, "insights.csv", INSIGHTS), read_qualtrics)
    assert _answers(responses, "Q1") == ["Always", "Sometimes"]
    # one tag, two questions: told apart by their import ids, each with its own answers
    assert _answers(responses, "Q3 [QID3]") == ["Yes", "No"] and _answers(responses, "Q3 [QID4]") == ["No", "Yes"]
    assert responses.loc[responses["item"] == "Q3 [QID4]", "question"].iloc[0] == "Was the child seen?"
    assert "Ms Jones" not in responses.to_csv()  # QID2-TEXT is text entry: free text, left out
    assert {(p.row, p.rule) for p in ledger.problems} == {(5, "not-a-respondent")}  # status 1: a preview
    [count] = ledger.reconciliations
    assert (count.rows_read, count.rows_kept, count.rows_quarantined) == (3, 2, 1)


def test_a_repeated_tag_in_a_legacy_export_is_kept_apart_by_position(tmp_path):
    rows = ["V1,V2,Q1,Q1", "ResponseID,ResponseSet,Met the IRO?,Met the guardian?", "R_1,Default,Yes,No",
            "R_2,Default,No,No"]
    responses, _ = _read(_write(tmp_path, "legacy.csv", rows), read_qualtrics)
    assert _answers(responses, "Q1 [column 3]") == ["Yes", "No"] and _answers(responses, "Q1 [column 4]") == ["No", "No"]


def test_a_repeated_name_is_still_refused_where_nothing_tells_the_columns_apart(tmp_path):
    from caresurvey.ingest.tabular import read_csv_table

    with pytest.raises(InputError, match="the header names 'Q1' more than once") as caught:
        read_csv_table(_write(tmp_path, "plain.csv", ["Q1,Q1", "Yes,No"]))
    assert caught.value.rule == "duplicate-column"


def _current(tmp_path: Path, answers: list[str]) -> Path:
    rows = ["ResponseId,Status,Q1", "Response ID,Response Type,The IRO service should be independent",
            '{"ImportId":"_recordId"},{"ImportId":"status"},{"ImportId":"QID1"}']
    rows += [f"R_{k},IP Address,\"{answer}\"" for k, answer in enumerate(answers, 1)]
    return _write(tmp_path, "current.csv", rows)


def test_qualtrics_own_agreement_scale_is_built_in(tmp_path):
    path = _current(tmp_path, ["Somewhat agree", "Strongly agree", "Somewhat disagree"])
    scale = SCALES["agreement_somewhat"]
    responses, _ = _read(path, read_qualtrics, items={"Q1": "independent"}, scales={"independent": scale})
    # Qualtrics' five-point agreement: Strongly agree, Somewhat agree, Neither..., Somewhat disagree, Strongly disagree
    assert responses["response_code"].tolist() == [2, 1, 4]


@pytest.mark.parametrize(("answers", "codes"), [
    (["Agree", "Strongly agree"], [2, 1]),                 # the five-point agreement scale
    (["Agree", "Somewhat agree"], [2, 3]),                 # only Qualtrics' seven-point one has both
    (["Most of the time", "Never"], [2, 5]),               # Qualtrics' frequency scale
    (["Extremely likely", "Somewhat unlikely"], [1, 4]),   # Qualtrics' likelihood scale
])
def test_read_without_a_study_a_variable_is_placed_on_one_built_in_scale(tmp_path, answers, codes):
    responses, _ = _read(_current(tmp_path, answers), read_qualtrics)
    assert responses["response_code"].tolist() == codes


ADVICE = Scale(("Legal advice", "Cafcass advice line", "Yes, an advocate"), ordered=False, multiple=True)


def test_a_multi_select_answer_is_one_row_per_chosen_label(tmp_path):
    path = _current(tmp_path, ["Legal advice,Yes, an advocate", "Cafcass advice line", "", "Legal advice,Legal advice"])
    responses, ledger = _read(path, read_qualtrics, items={"Q1": "advice"}, scales={"advice": ADVICE})
    # a label holding a comma is matched whole; a label given twice is one choice
    assert responses["response"].fillna("-").tolist() == ["Legal advice", "Yes, an advocate", "Cafcass advice line",
                                                          "-", "Legal advice"]
    assert responses["response_code"].tolist()[:3] == [1, 3, 2]
    assert responses["respondent_id"].nunique() == 4 and ledger.reconciliations[0].rows_kept == 4


def test_a_multi_select_answer_with_a_label_the_scale_lacks_stops_the_run(tmp_path):
    path = _current(tmp_path, ["Legal advice,Ramen"])
    with pytest.raises(InputError, match=r"'Legal advice,Ramen' is not an answer of item 'advice'.*several chosen "
                                         r"are separated by commas"):
        _read(path, read_qualtrics, items={"Q1": "advice"}, scales={"advice": ADVICE})


# --------------------------------------------------------------------------- SPSS, hand-written


def _sav(tmp_path: Path, frame: pd.DataFrame, **kwargs) -> Path:
    import pyreadstat

    path = tmp_path / "made.sav"
    pyreadstat.write_sav(frame, str(path), **kwargs)
    return path


def test_spss_string_labels_and_string_missing_codes(tmp_path):
    path = _sav(tmp_path, pd.DataFrame({"id": [1.0, 2.0, 3.0], "sex": ["M", "F", "X"]}),
                variable_value_labels={"sex": {"M": "Male", "F": "Female", "X": "Refused"}},
                missing_ranges={"sex": ["X"]})
    responses, _ = _read(path, read_spss)
    assert _answers(responses, "sex") == ["Male", "Female", "-"]
    assert responses["missing_reason"].tolist()[2] == "refused"


def test_spss_a_variable_labelled_only_on_its_missing_code_is_a_number_not_an_item(tmp_path):
    path = _sav(tmp_path, pd.DataFrame({"id": [1.0, 2.0, 3.0], "age": [34.0, -9.0, 51.0],
                                        "contact": [1.0, 2.0, 1.0]}),
                variable_value_labels={"age": {-9.0: "Refused"}, "contact": {1.0: "Always", 2.0: "Never"}},
                missing_ranges={"age": [-9.0]})
    responses, ledger = _read(path, read_spss)
    assert set(responses["item"]) == {"contact"} and not ledger.problems
    assert ledger.dropped_columns["made.sav"] == ["age (no value labels on answers: free text or a number)"]


def test_spss_a_date_out_of_range_costs_its_column_not_the_file(tmp_path):
    # 1e15 seconds after 1582 is no calendar date: pyreadstat's conversion raises OverflowError
    path = _sav(tmp_path, pd.DataFrame({"id": [1.0, 2.0], "completed": [1.3e10, 1.0e15], "contact": [1.0, 2.0]}),
                variable_value_labels={"contact": {1.0: "Always", 2.0: "Never"}},
                variable_format={"completed": "DATETIME20"})
    responses, ledger = _read(path, read_spss)
    assert _answers(responses, "contact") == ["Always", "Never"]
    assert ledger.dropped_columns["made.sav"] == ["completed (a date or time, not an answer)"]


def test_spss_a_qualtrics_export_keeps_metadata_out_and_quarantines_test_responses(tmp_path):
    status_labels = {0.0: "IP Address", 1.0: "Survey Preview", 2.0: "Survey Test"}
    path = _sav(tmp_path, pd.DataFrame({"ResponseId": ["R_1", "R_2", "R_3"], "Status": [0.0, 2.0, 1.0],
                                        "Finished": [1.0, 1.0, 0.0], "Q1": [1.0, 2.0, 1.0]}),
                variable_value_labels={"Status": status_labels, "Finished": {0.0: "False", 1.0: "True"},
                                       "Q1": {1.0: "Yes", 2.0: "No"}})
    responses, ledger = _read(path, read_spss)
    assert set(responses["item"]) == {"Q1"} and _answers(responses, "Q1") == ["Yes"]
    assert {(p.row, p.value, p.rule) for p in ledger.problems} == {(2, "Survey Test", "not-a-respondent"),
                                                                   (3, "Survey Preview", "not-a-respondent")}


# --------------------------------------------------------------------------- real exports (../shared/data)


@pytest.fixture(scope="module")
def qualtricstools(shared_data) -> Path:
    return shared_data / "surveys" / "qualtrics" / "qualtricstools"


def test_every_qualtricstools_export_reads_and_every_test_response_is_quarantined(qualtricstools):
    paths = sorted(qualtricstools.glob("*.csv"))
    assert len(paths) == 24
    for path in paths:
        ledger = Ledger()
        responses = read_qualtrics(Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE, group="R"),
                                   ledger)["responses"]
        raw = list(csv.reader(path.open(encoding="utf-8-sig")))
        legacy = raw[0][0] == "V1"
        respondents = len(raw) - (2 if legacy else 3)  # every row below the header rows (../shared/data/README.md)
        [count] = ledger.reconciliations
        # all of them are Status 2, survey tests (../shared/data/README.md): nothing is analysed
        assert (count.rows_read, count.rows_kept, count.rows_quarantined) == (respondents, 0, respondents), path.name
        assert responses.empty and {p.rule for p in ledger.problems} == {"not-a-respondent"}


def test_a_qualtricstools_insights_export_leaves_text_entry_out_and_keeps_repeated_tags_apart(qualtricstools):
    from caresurvey.ingest.qualtrics import _export

    path = qualtricstools / "Many_Different_Question_Types__Sample_Survey_(Insights).csv"
    export = _export(Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE, group="R"))
    # Q50#1_wedges_23234_TEXT is written twice in row 1 of the file, with two import ids in row 3
    twice = [c for c in export.table.columns if c.startswith("Q50#1_wedges_23234_TEXT")]
    assert len(twice) == 2 and len(set(twice)) == 2
    assert set(twice) <= export.free_text


@pytest.fixture(scope="module")
def pyreadstat_files(shared_data) -> Path:
    return shared_data / "surveys" / "spss" / "pyreadstat"


def test_pyreadstat_string_missing_and_labels(pyreadstat_files):
    # mychar: 'Z' is user-missing, 'a' labelled "labeled" (pyreadstat's missing_char.sav)
    responses, _ = _read(pyreadstat_files / "missing_data__missing_char.sav", read_spss)
    assert _answers(responses, "mychar") == ["-", "labeled"]
    assert responses["missing_reason"].tolist()[0] == "user-missing code Z"


def test_pyreadstat_qualtrics_to_spss_export_has_no_metadata_items(pyreadstat_files):
    responses, ledger = _read(pyreadstat_files / "basic__test_width.sav", read_spss)
    assert responses.empty  # ResponseId, StartDate, Duration and Finished: none is an answer
    assert "Finished (Qualtrics metadata)" in ledger.dropped_columns["basic__test_width.sav"]


def test_pyreadstat_dates_and_a_label_only_on_missing_codes_are_not_items(pyreadstat_files):
    responses, ledger = _read(pyreadstat_files / "multiple_response__simple_alltypes.sav", read_spss)
    dropped = " ".join(ledger.dropped_columns["multiple_response__simple_alltypes.sav"])
    # z's one label is 999 "skipped", a missing code; y (ADATE), date (SDATE), quarter (QYR) are dates
    assert "z (no value labels on answers" in dropped
    assert all(f"{c} (a date or time" in dropped for c in ("y", "date", "quarter"))
    # x: labels 1-3, missing 7, 8, 99; its 4 and 9 have no label (rows 4 and 6 of the file)
    assert {(p.row, p.value, p.rule) for p in ledger.problems} == {(4, "4", "unlabelled-answer"),
                                                                   (6, "9", "unlabelled-answer")}


def test_spss_a_status_question_of_a_file_qualtrics_did_not_write_is_an_item(tmp_path):
    # no ResponseId: not a Qualtrics export, so Status (1 = Married) is the study's question
    path = _sav(tmp_path, pd.DataFrame({"id": [1.0, 2.0], "Status": [1.0, 2.0]}),
                variable_value_labels={"Status": {1.0: "Married", 2.0: "Single"}})
    responses, ledger = _read(path, read_spss)
    assert _answers(responses, "Status") == ["Married", "Single"] and not ledger.problems
