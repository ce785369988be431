"""The workbook for LA analysts, and the declarations behind its contents sheet."""

from __future__ import annotations

import dataclasses
import zipfile

import openpyxl
import pandas as pd
import pytest

from caresurvey.codes import OUTPUT_SYMBOLS
from caresurvey.config import load_config
from caresurvey.disclosure import DisclosurePolicy, Protected
from caresurvey.report.workbook import _sheet_names, write_workbook
from caresurvey.results import REGISTRY, TOPICS, Release, ReleasedTable, build_release


def test_every_output_table_says_what_it_is():
    for declaration in REGISTRY:
        text = declaration.text
        assert text.title and text.question.endswith("?") and text.method, declaration.id
        if declaration.topic is not None:  # shown in the report: what to beware of, and what it says without rows
            assert declaration.topic in TOPICS and text.caveats and (text.needs or text.empty), declaration.id
            assert text.without_rows.endswith("."), declaration.id


def test_published_tables_named_in_the_declarations_exist():
    from caresurvey.published.catalogue import table_ids

    named = {table for declaration in REGISTRY for table in declaration.published}
    assert named <= set(table_ids())


def test_sheet_names_fit_excel_and_stay_unique():
    long = ["a" * 40, "a" * 40 + "b", "A" * 31]
    names = _sheet_names(long)
    assert all(len(name) <= 31 for name in names.values())
    assert len({name.lower() for name in names.values()}) == 3


@pytest.fixture(scope="module")
def workbook(ingested_study, tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbook")
    config = dataclasses.replace(load_config(ingested_study), reports_dir=folder)
    release = build_release(config)
    path = write_workbook(folder / "tables.xlsx", release, study=config.name)
    tables = {table_id: table for table_id, table in release.tables.items() if table.declaration.workbook}
    return path, release, tables, config.name


def test_workbook_has_contents_notes_and_a_sheet_per_table_with_the_csv_values(workbook):
    path, _, tables, _ = workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["contents", "notes", *tables]
    assert "published_consistency" not in tables and "data_quality_by_rule" in tables
    contents = [row for row in book["contents"].iter_rows(min_row=5, values_only=True)]
    assert [row[1] for row in contents] == [table.declaration.text.title for table in tables.values()]
    assert book["contents"]["A5"].hyperlink.location == "'legal_status_at_sampling'!A1"
    assert {row[0] for row in book["notes"].iter_rows(min_row=4, max_row=3 + len(OUTPUT_SYMBOLS), values_only=True)} \
        == set(OUTPUT_SYMBOLS)
    for table_id, table in tables.items():
        rows = list(book[table_id].iter_rows(min_row=6, values_only=True))
        assert list(rows[0]) == list(table.values.columns), table_id
        expected = table.display()
        assert len(rows) - 1 == len(expected), table_id
        for column, name in enumerate(expected.columns):
            for written, value in zip([row[column] for row in rows[1:]], expected[name]):
                if isinstance(written, (int, float)) and not isinstance(written, bool):
                    assert written == pytest.approx(float(value), rel=1e-12), (table_id, name)
                else:
                    assert (written is None and pd.isna(value)) or written == value or str(written) == str(value), \
                        (table_id, name, written, value)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    # OWASP CSV injection: cells starting =, +, -, @ run as formulas when a spreadsheet opens them
    hostile = ["=1+1", "+44 20 7946 0000", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://example.invalid\")",
               "http://example.invalid"]
    frame = pd.DataFrame({"la": hostile, "status": ["s. 20"] * len(hostile), "n": range(len(hostile))})
    declaration = next(d for d in REGISTRY if d.id == "legal_status_at_sampling")
    release = Release(DisclosurePolicy(synthetic=True), {declaration.id: ReleasedTable(declaration, Protected.unchanged(frame))},
                      {}, [])
    path = write_workbook(tmp_path / "t.xlsx", release, study="=cmd|' /C calc'!A0")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not [sheet for sheet in sheets if "<f>" in sheet]  # no formula anywhere
        assert "hyperlink" not in archive.read("xl/worksheets/sheet3.xml").decode()
    book = openpyxl.load_workbook(path)
    cells = [row[0] for row in book["legal_status_at_sampling"].iter_rows(min_row=7, values_only=True)]
    assert cells == hostile


def test_workbook_is_byte_identical_when_nothing_changed(workbook, tmp_path):
    path, release, _, study = workbook
    again = write_workbook(tmp_path / "tables.xlsx", release, study=study)
    assert again.read_bytes() == path.read_bytes()
