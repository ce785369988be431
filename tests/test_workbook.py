"""The workbook for LA analysts, and the analysis catalogue behind its contents sheet."""

from __future__ import annotations

import dataclasses
import zipfile

import openpyxl
import pandas as pd
import pytest

from caresurvey.analysis.catalogue import CATALOGUE, TOPICS
from caresurvey.analysis.tables import PROTECTION
from caresurvey.config import load_config
from caresurvey.disclosure import Protected
from caresurvey.report.workbook import SYMBOLS, _sheet_names, write_workbook


def test_every_output_table_says_what_it_is():
    assert set(CATALOGUE) == set(PROTECTION)
    for info in CATALOGUE.values():
        assert info.topic in TOPICS and info.question.endswith("?") and info.method and info.caveats


def test_published_tables_named_in_the_catalogue_exist():
    from caresurvey.published.catalogue import table_ids

    named = {table for info in CATALOGUE.values() for table in info.published}
    assert named <= set(table_ids())


def test_sheet_names_fit_excel_and_stay_unique():
    long = ["a" * 40, "a" * 40 + "b", "A" * 31]
    names = _sheet_names(long)
    assert all(len(name) <= 31 for name in names.values())
    assert len({name.lower() for name in names.values()}) == 3


@pytest.fixture(scope="module")
def workbook(ingested_study, tmp_path_factory):
    from caresurvey.analysis.tables import protected_analyses

    folder = tmp_path_factory.mktemp("workbook")
    config = dataclasses.replace(load_config(ingested_study), reports_dir=folder)
    tables = protected_analyses(config)
    path = write_workbook(folder / "tables.xlsx", tables, study=config.name, synthetic=True, threshold=10, round_to=0)
    return path, tables, config.name


def test_workbook_has_contents_notes_and_a_sheet_per_table_with_the_csv_values(workbook):
    path, tables, _ = workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["contents", "notes", *tables]
    contents = [row for row in book["contents"].iter_rows(min_row=5, values_only=True)]
    assert [row[1] for row in contents] == [CATALOGUE[t].title for t in tables]
    assert book["contents"]["A5"].hyperlink.location == "'legal_status_at_sampling'!A1"
    assert {row[0] for row in book["notes"].iter_rows(min_row=4, max_row=3 + len(SYMBOLS), values_only=True)} \
        == set(SYMBOLS)
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
    table = Protected.unchanged(frame)
    path = write_workbook(tmp_path / "t.xlsx", {"legal_status_at_sampling": table}, study="=cmd|' /C calc'!A0",
                          synthetic=True, threshold=10, round_to=0)
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not [sheet for sheet in sheets if "<f>" in sheet]  # no formula anywhere
        assert "hyperlink" not in archive.read("xl/worksheets/sheet3.xml").decode()
    book = openpyxl.load_workbook(path)
    cells = [row[0] for row in book["legal_status_at_sampling"].iter_rows(min_row=7, values_only=True)]
    assert cells == hostile


def test_workbook_is_byte_identical_when_nothing_changed(workbook, tmp_path):
    path, tables, study = workbook
    again = write_workbook(tmp_path / "tables.xlsx", tables, study=study, synthetic=True, threshold=10, round_to=0)
    assert again.read_bytes() == path.read_bytes()
