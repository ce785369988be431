"""The catalogue of quarantine rules: each rule has its own small hand-written case, read by the
reader that checks it, and quarantines under the catalogue's code; a code not in the catalogue is
refused. Each case's expected rule is the catalogue's (caresurvey.rules.RULES)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.ingest.coded_segments import read_coded_segments
from caresurvey.ingest.common import Source, check_rows
from caresurvey.ingest.dfe import read_dfe_statistics
from caresurvey.ingest.ledger import Ledger, Problem, RowProblems
from caresurvey.ingest.qualtrics import read_qualtrics
from caresurvey.ingest.refi_qda import read_refi_qda
from caresurvey.ingest.spss import read_spss
from caresurvey.ingest.ssda903 import read_ssda903_csv
from caresurvey.pseudonym import Pseudonymiser
from caresurvey.rules import RULES, rule

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"
EPISODE = "101,01/04/2013,S,C2,N1,U4,PR1,,,\n"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _read(tmp_path: Path, name: str, content: str | bytes, reader, **kwargs) -> list[Problem]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    ledger = Ledger()
    reader(Source(path=path, display=name, pseudonymise=PSEUDONYMISE, **kwargs), ledger)
    return ledger.problems


def _episodes(tmp_path, row: str, **kwargs):
    return _read(tmp_path, "episodes.csv", EPISODES + EPISODE + row, read_ssda903_csv, la="LA9", **kwargs)


def _statistics(tmp_path, row: str):
    head = "time_period,time_identifier,geographic_level,country_code,country_name,new_la_code,la_name,number\n"
    good = "2022,Reporting year,Local authority,E92000001,England,E09000001,City of London,40\n"
    return _read(tmp_path, "la_2022.csv", head + good + row, read_dfe_statistics)


def _segments(tmp_path, begin: str):
    return _read(tmp_path, "segments.csv", "Document name,Code,Begin,End\nLA9-001 IRO,Challenge,1,2\n"
                 f"LA9-001 IRO,Challenge,{begin},2\n", read_coded_segments)


def _qualtrics(tmp_path, status: str, answer: str = "Never", variable: str = "Q1"):
    rows = [f"StartDate,Status,ResponseId,{variable}", "Start Date,Response Type,Response ID,Your employer?",
            '{"ImportId":"startDate"},{"ImportId":"status"},{"ImportId":"_recordId"},{"ImportId":"QID1"}',
            "2024-01-02 10:00:00,IP Address,R_1,Self-employed", f"2024-01-02 11:00:00,{status},R_2,{answer}"]
    return _read(tmp_path, "export.csv", "\n".join(rows) + "\n", read_qualtrics, group="IRO")


def _spss(tmp_path, values, labels):
    import pyreadstat

    path = tmp_path / "made.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0], "q1": values}), str(path), variable_value_labels={"q1": labels})
    return _read(tmp_path, "answers.sav", path.read_bytes(), read_spss, group="IRO")


def _refi_offsets(tmp_path):
    text = "1 IRO: We went to dispute resolution.\n"
    xml = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="x">'
           '<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="Coder A"/></Users>'
           '<CodeBook><Codes><Code guid="bbbbbbbb-0000-4000-8000-000000000002" name="Challenge" isCodable="true"/>'
           '</Codes></CodeBook><Sources><TextSource guid="cccccccc-0000-4000-8000-000000000003" name="LA9-001 IRO" '
           'plainTextPath="internal://cccccccc-0000-4000-8000-000000000003.txt">'
           '<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000004" startPosition="10" endPosition="9999">'
           '<Coding guid="eeeeeeee-0000-4000-8000-000000000005" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">'
           '<CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000002"/></Coding></PlainTextSelection>'
           '</TextSource></Sources></Project>')
    path = tmp_path / "made.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/cccccccc-0000-4000-8000-000000000003.txt", text)
    return _read(tmp_path, "project.qdpx", path.read_bytes(), read_refi_qda)


def _schema_check(table: str, frame: pd.DataFrame):
    """Rules only a reader's own bug could break (its rows are built, not read), checked as every
    reader checks its rows: through the table's schema."""
    problems = RowProblems("made.csv", pd.Series(range(2, 2 + len(frame)), index=frame.index))
    check_rows(frame, table, problems)
    return [problem for _, problem in problems.found]


def _responses(**change):
    row = {"respondent_id": "0" * 20, "group": "IRO", "employment": None, "item": "q1", "source_item": "q1",
           "question": None, "response": "Always", "response_code": 1, "missing_reason": None, "source": "made.csv"}
    frame = pd.DataFrame([row | change])
    frame["response_code"] = frame["response_code"].astype("Int64")
    return frame.astype({c: object for c in frame.columns if c != "response_code"})


#: One case per rule: the rule's code, and how a hand-written file (or row) breaks it.
CASES = {
    "required": lambda tmp: _episodes(tmp, "102,,S,C2,N1,U4,PR1,,,\n"),
    "date": lambda tmp: _episodes(tmp, "102,31/02/2013,S,C2,N1,U4,PR1,,,\n"),
    "code": lambda tmp: _episodes(tmp, "102,01/04/2013,S,ZZ,N1,U4,PR1,,,\n"),
    # K3 (supported accommodation) is returned from 2024-25 on: not in a 2013-14 return
    "code-year": lambda tmp: _episodes(tmp, "102,01/04/2013,S,C2,N1,K3,PR1,,,\n", year=2014),
    "form": lambda tmp: _schema_check("responses", _responses(respondent_id="R_2YPOQ602ER1jkf1")),
    "range": lambda tmp: _segments(tmp, "-3"),
    "whole-number": lambda tmp: _segments(tmp, "three"),
    "end-before-start": lambda tmp: _episodes(tmp, "102,01/04/2013,S,C2,N1,U4,PR1,01/03/2013,E13,\n"),
    "duplicate-child": lambda tmp: _read(tmp, "header.csv", HEADER + "101,1,01/03/2008,WBRI,,,\n"
                                         "101,1,02/03/2008,WBRI,,,\n", read_ssda903_csv, la="LA9"),
    "offsets": _refi_offsets,
    "not-a-respondent": lambda tmp: _qualtrics(tmp, "Survey Test"),
    "unlabelled-answer": lambda tmp: _spss(tmp, [1.0, 7.0], {1.0: "Always", 2.0: "Never"}),
    # read without a study, a variable named employment is the employment item, on the built-in scale
    "employment": lambda tmp: _qualtrics(tmp, "IP Address", answer="Always", variable="employment"),
    "answer-or-reason": lambda tmp: _schema_check("responses", _responses(missing_reason="not answered")),
    "geographic-level": lambda tmp: _statistics(tmp, "2022,Reporting year,Galaxy,E92000001,England,E09000002,"
                                                     "Barking and Dagenham,55\n"),
    "time-period": lambda tmp: _statistics(tmp, "20X2,Reporting year,Local authority,E92000001,England,E09000002,"
                                                "Barking and Dagenham,55\n"),
    "number-or-symbol": lambda tmp: _statistics(tmp, "2022,Reporting year,Local authority,E92000001,England,"
                                                     "E09000002,Barking and Dagenham,#VALUE!\n"),
    "value-or-status": lambda tmp: _schema_check("la_statistics", pd.DataFrame([{
        "year": 2022, "geographic_level": "Local authority", "la_code": "E09000002", "old_la_code": "301",
        "la_name": "Barking and Dagenham", "measure": "number", "breakdown": "", "value": 55.0, "status": "c",
        "source": "la_2022.csv"}]).astype({"status": object})),
    "extra-values": lambda tmp: _episodes(tmp, "102,01/04/2013,S,C2,N1,U4,PR1,,,,surplus\n"),
}


def test_every_rule_of_the_catalogue_has_its_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_quarantines_under_its_own_code(tmp_path, code):
    problems = CASES[code](tmp_path)
    assert code in {problem.rule for problem in problems}, [(p.rule, p.message) for p in problems]
    described = RULES[code]
    assert described.description.endswith(".") and described.columns and described.formats


def test_a_rule_not_in_the_catalogue_is_refused():
    with pytest.raises(KeyError, match="'isin' is not a quarantine rule of the catalogue"):
        Problem("made.csv", 2, "LS", "ZZ", "isin", "'ZZ' is not a valid LS code")
    assert rule("code").code == "code"
