"""The synthetic questionnaires reproduce the published tables, read straight from the files.

Expected values are the printed percentages of the seed documents: seed 001 (UEA presentation,
slides "Different perceptions ...", "Formal challenge", "Independence: different perspectives")
and seed 002 (Children's Rights Director's survey as quoted in 2015).
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import openpyxl
import pyreadstat
import pytest

from tests.synth.conftest import printed, read_csv

FREQUENCY = ("Always", "Mostly", "Sometimes", "Rarely", "Never")


def qualtrics(study):
    """The IRO export's three header rows and its respondents (test previews left out)."""
    with (study / "questionnaires" / "iro_questionnaire.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    tags, texts, import_ids = rows[:3]
    records = [dict(zip(tags, row)) for row in rows[3:]]
    return tags, texts, import_ids, records


def responses(study):
    return [r for r in qualtrics(study)[3] if r["Status"] != "Survey Preview"]


def guardians(study):
    workbook = openpyxl.load_workbook(study / "questionnaires" / "childrens_guardian_questionnaire.xlsx", read_only=True)
    sheets = {}
    for name in ("Responses", "Codebook"):
        rows = list(workbook[name].iter_rows(values_only=True))
        sheets[name] = [dict(zip(rows[0], row)) for row in rows[1:]]
    return sheets


def share(values, top, missing=("",)):
    """The share of answers in ``top`` as printed under half-up and half-even rounding.

    The synthetic study is built to print the published value under both, so each test
    expects exactly one printed value.
    """
    answered = [v for v in values if v not in missing and v is not None]
    return printed(sum(v in top for v in answered), len(answered))


def test_qualtrics_export_has_the_current_three_row_header(study):
    tags, texts, import_ids, records = qualtrics(study)
    for column in ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                   "RecordedDate", "ResponseId", "RecipientEmail", "LocationLatitude", "LocationLongitude",
                   "DistributionChannel", "UserLanguage"):
        assert column in tags
    assert texts[0] == "Start Date"
    assert all(set(json.loads(cell)) == {"ImportId"} for cell in import_ids)
    # 65 IROs returned the questionnaire (seed 001), plus the test responses Qualtrics marks
    assert Counter(r["Status"] for r in records) == {"IP Address": 65, "Survey Preview": 2}
    assert len({r["ResponseId"] for r in records}) == len(records)


def test_formal_challenge_by_employment(study):
    records = responses(study)
    columns = {"Local dispute resolution": "Q3_1", "Independent legal advice": "Q3_2",
               "CAFCASS advice line": "Q3_3", "Formal referral to CAFCASS": "Q3_4"}
    groups = {
        "Overall": [r for r in records if r["Q3_1"]],
        "LA-employed": [r for r in records if r["Q3_1"] and r["Q1"] == "Employed by the local authority"],
        "Self-employed": [r for r in records if r["Q3_1"] and r["Q1"] == "Self-employed"],
    }
    expected = {  # seed 001, slide "Formal challenge"
        "Local dispute resolution": ("76%", "81%", "50%"),
        "Independent legal advice": ("36%", "38%", "30%"),
        "CAFCASS advice line": ("19%", "21%", "10%"),
        "Formal referral to CAFCASS": ("0%", "0%", "0%"),
    }
    assert len(groups["Overall"]) == len(groups["LA-employed"]) + len(groups["Self-employed"])
    for item, values in expected.items():
        for group, value in zip(groups, values):
            answers = [r[columns[item]] for r in groups[group]]
            assert {value} == share(answers, {"Yes"}), (item, group)


@pytest.mark.parametrize("column, expected", [
    ("Q2_1", ("27%", "27%")),  # CG contacts IRO
    ("Q2_2", ("44%", "19%")),  # IRO contacts CG
    ("Q2_3", ("19%", "45%")),  # IRO and CG discuss care plan at end
])
def test_iro_contact_with_guardians(study, column, expected):
    # seed 001, slide "Different perceptions ...", IRO rows
    answers = [r[column] for r in responses(study)]
    assert {expected[0]} == share(answers, {"Always", "Mostly"})
    assert {expected[1]} == share(answers, {"Rarely", "Never"})
    assert "" in answers  # some item non-response


@pytest.mark.parametrize("column, expected", [
    ("cg_contacts_iro", ("67%", "10%")),
    ("iro_contacts_cg", ("8%", "62%")),
    ("discuss_care_plan", ("54%", "23%")),
])
def test_guardian_contact_with_iros(study, column, expected):
    # seed 001, slide "Different perceptions ...", CG rows; codes from the codebook sheet
    sheets = guardians(study)
    labels = {row["value"]: row["label"] for row in sheets["Codebook"] if row["variable"] == column}
    answers = [labels.get(r[column]) for r in sheets["Responses"]]
    assert len(answers) == 39  # 39 children's guardians (seed 001)
    assert {expected[0]} == share(answers, {"Always", "Mostly"}, missing=(None,))
    assert {expected[1]} == share(answers, {"Rarely", "Never"}, missing=(None,))


def test_support_for_independence_by_group(study):
    # seed 001, slide "Independence: different perspectives"
    agree = {"Strongly agree", "Agree"}
    records = responses(study)
    for employment, value in (("Self-employed", "30%"), ("Employed by the local authority", "25%")):
        answers = [r["Q4"] for r in records if r["Q1"] == employment]
        assert {value} == share(answers, agree)

    sheets = guardians(study)
    codebook = [r for r in sheets["Codebook"] if r["variable"] == "independent_iro_service"]
    labels = {r["value"]: r["label"] for r in codebook if r["missing"] != "yes"}
    missing = {r["value"] for r in codebook if r["missing"] == "yes"}
    assert missing == {8}
    answers = [labels[v] for r in sheets["Responses"] if (v := r["independent_iro_service"]) is not None and v not in missing]
    assert {"67%"} == printed(sum(a in agree for a in answers), len(answers))

    frame, meta = pyreadstat.read_sav(str(study / "questionnaires" / "team_manager_questionnaire.sav"), user_missing=True)
    assert len(frame) == 46  # 46 team managers (seed 001)
    codes = frame["q3_independent"]
    user_missing = {r["lo"] for r in meta.missing_ranges["q3_independent"]}
    answered = codes[~codes.isin(user_missing)]
    assert {"18%"} == printed(int(answered.isin([1, 2]).sum()), len(answered))


def test_spss_file_carries_labels_and_user_missing_codes(study):
    _, meta = pyreadstat.read_sav(str(study / "questionnaires" / "team_manager_questionnaire.sav"), user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["q3_independent"].startswith("The IRO service should be separated")
    assert meta.variable_value_labels["q3_independent"][1.0] == "Strongly agree"
    assert meta.variable_value_labels["q3_independent"][-9.0] == "Not answered"
    assert {r["lo"] for r in meta.missing_ranges["q3_independent"]} == {-9.0, -8.0}
    assert meta.variable_measure["q3_independent"] == "ordinal"


def test_childrens_survey_views_on_professionals(study):
    # seed 002, "Messages from Research": about 79% social worker, approximately 70% IRO,
    # 53% advocate, 38% guardian in court (44% did not know enough about guardians)
    rows = read_csv(study / "questionnaires" / "children_views_survey.csv")
    codebook = read_csv(study / "questionnaires" / "children_views_survey_codebook.csv")
    assert len(rows) == 1530  # 1,530 children surveyed (seed 002)
    labels = {(r["variable"], r["value"]): r["label"] for r in codebook if r["value"]}
    important = {"Very important", "Important"}
    for column, value in (("q_social_worker", "79%"), ("q_iro", "70%"), ("q_advocate", "53%"), ("q_guardian", "38%")):
        answers = [labels[(column, r[column])] for r in rows if r[column]]
        assert {value} == printed(sum(a in important for a in answers), len(answers)), column
    answers = [labels[("q_guardian", r["q_guardian"])] for r in rows if r["q_guardian"]]
    assert {"44%"} == printed(answers.count("Don't know enough to say"), len(answers))
