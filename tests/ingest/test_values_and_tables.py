"""Reading raw tables and values: dates, encodings, header spelling, blank and ragged rows."""

from __future__ import annotations

import datetime as dt

import pytest

from caresurvey.errors import InputError
from caresurvey.ingest.tabular import match_columns, read_csv_table
from caresurvey.ingest.values import parse_date, parse_whole_number


@pytest.mark.parametrize("text, expected", [
    ("31/03/2014", dt.date(2014, 3, 31)),       # SSDA903's dd/mm/yyyy
    ("1/4/2014", dt.date(2014, 4, 1)),          # without leading zeros
    ("2014-03-31", dt.date(2014, 3, 31)),       # ISO 8601
    ("2014-03-31 00:00:00", dt.date(2014, 3, 31)),  # ISO as a spreadsheet exports a date
    ("41730", dt.date(2014, 4, 1)),             # Excel: =DATE(2014,4,1) is serial 41730
    ("41730.0", dt.date(2014, 4, 1)),
])
def test_dates_in_every_form_real_files_use(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2014/04/03", "3 Apr 14", "31/02/2014", "04-03-2014", "2014-03-31 10:15", "123"])
def test_dates_that_cannot_be_read_with_certainty_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_whole_numbers():
    assert parse_whole_number(" 3 ") == 3 and parse_whole_number("3.0") == 3 and parse_whole_number("-9") == -9
    with pytest.raises(ValueError):
        parse_whole_number("3.5")


def test_bom_cp1252_spacing_blank_and_ragged_rows(tmp_path):
    path = tmp_path / "t.csv"
    # Windows-1252 bytes (0xE9 is e-acute), a header with stray spaces and trailing empty
    # columns, a blank row, a row with a value beyond the header, and a short row.
    path.write_bytes("Child , Name,,\r\n1,Ren\xe9e,,\r\n,,,\r\n2,Jo,x,\r\n3\r\n".encode("latin-1"))
    table = read_csv_table(path)
    assert table.columns == ["Child", "Name"]
    assert table.data["Name"].tolist() == ["Renée", ""]
    assert table.data["_row"].tolist() == [2, 5]  # spreadsheet rows: header is 1
    assert table.blank_rows == 1
    assert table.ragged == [(4, ["2", "Jo", "x", ""])]


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffCHILD,DOB\n1,01/01/2010\n".encode("utf-8"))
    assert read_csv_table(path).columns == ["CHILD", "DOB"]


def test_headers_match_whatever_case_and_spacing(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("child , Review code\n1,PN1\n")
    table = read_csv_table(path)
    found = match_columns(table, {"child": ("CHILD",), "code": ("REVIEW_CODE",)}, ("child", "code"), what="x")
    assert found == {"child": "child", "code": "Review code"}


def test_a_missing_required_column_is_one_clear_error(tmp_path):
    path = tmp_path / "episodes.csv"
    path.write_text("CHILD,LS\n1,C2\n")
    table = read_csv_table(path)
    with pytest.raises(InputError) as caught:
        match_columns(table, {"child": ("CHILD",), "decom": ("DECOM",)}, ("child", "decom"), what="an episodes table")
    message = str(caught.value)
    assert "episodes.csv" in message and "missing column(s) DECOM" in message and "[rule: missing-column]" in message


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n\x81\x8d,1\n")  # undefined in Windows-1252, invalid in UTF-8
    with pytest.raises(InputError, match="encoding"):
        read_csv_table(path)
