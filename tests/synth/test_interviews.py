"""The synthetic interview coding: a valid REFI-QDA project and a matching coded-segments sheet."""

from __future__ import annotations

import zipfile
from collections import Counter
from xml.etree import ElementTree as ET

import openpyxl
import pytest

NS = {"q": "urn:QDA-XML:project:1.0"}


def project(study):
    archive = zipfile.ZipFile(study / "interviews" / "interview_coding.qdpx")
    return archive, ET.fromstring(archive.read("project.qde"))


def test_project_is_valid_against_the_refi_qda_schema(study, shared_data):
    lxml = pytest.importorskip("lxml.etree")
    schema = lxml.XMLSchema(lxml.parse(str(shared_data / "refi-qda" / "Project-mrt2019.xsd")))
    archive, _ = project(study)
    document = lxml.fromstring(archive.read("project.qde"))
    assert schema.validate(document), schema.error_log


def test_interviews_match_the_published_sample(study):
    # seed 001, "The research project: 2012-14": interviews on 61 cases; social workers (54),
    # IROs (54), parents (15) and young people (15); a multi-professional focus group in each LA
    # (4) and two focus groups with young people
    _, root = project(study)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    roles, cases = Counter(), set()
    for case in root.iterfind("q:Cases/q:Case", NS):
        values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.findtext("q:TextValue", namespaces=NS)
                  for v in case.iterfind("q:VariableValue", NS)}
        roles[values["Role"]] += 1
        if "Case" in values:
            cases.add(values["Case"])
    assert roles == {"Social worker": 54, "IRO": 54, "Parent": 15, "Young person": 15,
                     "Focus group (multi-professional)": 4, "Focus group (young people)": 2}
    assert len(cases) == 61
    assert len(root.findall("q:Sources/q:TextSource", NS)) == 138 + 6


def test_selections_point_at_speaker_turns_of_the_source_text(study):
    archive, root = project(study)
    codes = {c.get("guid") for c in root.iter(f"{{{NS['q']}}}Code") if c.get("isCodable") == "true"}
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        path = source.get("plainTextPath").removeprefix("internal://")
        text = archive.read(f"sources/{path}").decode("utf-8")
        lines = text.splitlines()
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            segment = text[start:end]
            # a whole turn's words, after "<number> <speaker>: "
            assert any(line.endswith(": " + segment) for line in lines)
            assert all(c.find("q:CodeRef", NS).get("targetGUID") in codes for c in selection.iterfind("q:Coding", NS))


def test_a_double_coded_subset_agrees_mostly_but_not_always(study):
    _, root = project(study)
    users = {u.get("name"): u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    assert set(users) == {"Coder A", "Coder B"}
    both = agree = 0
    double_coded = 0
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        by_coder = {}
        for selection in source.iterfind("q:PlainTextSelection", NS):
            for coding in selection.iterfind("q:Coding", NS):
                key = (selection.get("startPosition"), coding.find("q:CodeRef", NS).get("targetGUID"))
                by_coder.setdefault(coding.get("creatingUser"), set()).add(key)
        if len(by_coder) == 2:
            double_coded += 1
            a, b = by_coder[users["Coder A"]], by_coder[users["Coder B"]]
            both += len(a | b)
            agree += len(a & b)
    # about a fifth of the 138 interviews double-coded; agreement on coded units between 60% and 95%
    assert 20 <= double_coded <= 35
    assert 0.6 < agree / both < 0.95


def test_coded_segments_sheet_holds_the_same_codings(study):
    _, root = project(study)
    codings = sum(1 for _ in root.iter(f"{{{NS['q']}}}Coding"))
    sheet = openpyxl.load_workbook(study / "interviews" / "coded_segments.xlsx", read_only=True)["Coded segments"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    # MAXQDA's "Export coded segments" columns
    assert header[:8] == ("Color", "Document group", "Document name", "Code", "Begin", "End", "Weight score", "Segment")
    assert len(rows) - 1 == codings
    assert all("\\" in row[3] for row in rows[1:])  # MAXQDA code paths: Parent\Child
