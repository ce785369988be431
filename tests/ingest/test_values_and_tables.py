"""Reading raw tables and values: dates, encodings, header spelling, blank and ragged rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caresurvey.errors import InputError
from caresurvey.ingest.dates import DAY_FIRST, MONTH_FIRST, Convention, file_convention, parse_date, undecided_error
from caresurvey.ingest.tabular import RawTable, _build, _read_plain_csv, match_columns, read_csv_table
from caresurvey.ingest.values import parse_whole_number


@pytest.mark.parametrize("text, convention, expected", [
    ("31/03/2014", DAY_FIRST, dt.date(2014, 3, 31)),         # SSDA903's dd/mm/yyyy
    ("1/4/2014", DAY_FIRST, dt.date(2014, 4, 1)),            # without leading zeros
    ("04/01/2014", MONTH_FIRST, dt.date(2014, 4, 1)),        # a month-first export
    ("01.04.14", DAY_FIRST, dt.date(2014, 4, 1)),            # dots, a two-digit year (POSIX: 00-68 are 20xx)
    ("2014-03-31", None, dt.date(2014, 3, 31)),              # ISO 8601
    ("2014-03-31 00:00:00", None, dt.date(2014, 3, 31)),     # ISO as a spreadsheet exports a date
    ("2014/03/31", None, dt.date(2014, 3, 31)),              # year first, slashes
    ("3 Apr 14", None, dt.date(2014, 4, 3)),                 # dd Mon yy: the month by name
    ("03-APR-2014", None, dt.date(2014, 4, 3)),
    ("3 Sept 2014", None, dt.date(2014, 9, 3)),
    ("9 March 1999", None, dt.date(1999, 3, 9)),
    ("01-Jan-69", None, dt.date(1969, 1, 1)),                # POSIX: 69-99 are 19xx
    ("41730", None, dt.date(2014, 4, 1)),                    # Excel: =DATE(2014,4,1) is serial 41730
    ("41730.0", None, dt.date(2014, 4, 1)),
])
def test_dates_in_every_form_real_files_use(text, convention, expected):
    assert parse_date(text, convention) == expected


@pytest.mark.parametrize("text, convention", [
    ("04-03-2014", None),            # day or month first: the file's convention decides, and none is given
    ("31/02/2014", DAY_FIRST),       # no 31 February
    ("12/25/2013", DAY_FIRST),       # no 25th month: the file says day first
    ("3 Smarch 2014", None),
    ("2014-03-31 10:15", None),      # a time of day: a timestamp, not a date
    ("123", None),                   # as an Excel serial, 1900
])
def test_dates_that_cannot_be_read_with_certainty_are_refused(text, convention):
    with pytest.raises(ValueError):
        parse_date(text, convention)


def _convention(values: dict[str, list[str]], declared=None, withheld=()):
    frame = pd.DataFrame(values)
    return file_convention("f.csv", frame, list(values), pd.Series(range(2, len(frame) + 2)), declared, withheld)


def test_a_file_shows_which_way_round_it_writes_dates():
    assert _convention({"DECOM": ["03/04/2014", "25/12/2013", ""]}) == Convention(DAY_FIRST)  # 25 is no month
    assert _convention({"DECOM": ["03/04/2014", "12/25/2013"]}) == Convention(MONTH_FIRST)
    assert _convention({"DECOM": ["2014-04-03", "3 Apr 2014"]}) == Convention(None)  # nothing numeric to decide
    assert _convention({"DECOM": ["03/04/2014"]}, declared=MONTH_FIRST) == Convention(MONTH_FIRST)


def test_a_file_whose_dates_cannot_tell_is_undecided_and_one_whose_dates_disagree_is_refused():
    undecided = _convention({"DECOM": ["03/04/2014", "01/02/2014"]})
    assert not undecided.decided and undecided.examples == ("DECOM row 2: '03/04/2014'", "DECOM row 3: '01/02/2014'")
    error = undecided_error("f.csv", undecided, [])
    assert error.rule == "date-convention" and 'date_format = "dd/mm/yyyy"' in error.message
    with pytest.raises(InputError, match="both day first .*25/12/2013.* and month first .*12/25/2013"):
        _convention({"DECOM": ["25/12/2013", "12/25/2013"]})
    hidden = _convention({"DOB": ["03/04/2010"]}, withheld=["DOB"])
    assert hidden.examples == ("DOB row 2: (a date of birth, not shown)",)


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


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_text_with_a_byte_order_mark_reads_as_utf8_does(tmp_path, encoding):
    # Excel's "Unicode text" and some exports are UTF-16 with a BOM (Python's utf-16 and utf-32
    # codecs write one); read as Windows-1252 their headers would be full of NULs
    text = "CHILD,ETHNIC,NOTE\n1,WBRI,Zoë’s £5\n"
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes(("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding))
    utf8 = tmp_path / "t.csv"
    utf8.write_text(text, encoding="utf-8")
    assert read_csv_table(utf16).data.equals(read_csv_table(utf8).data)
    assert read_csv_table(utf16).data["NOTE"].tolist() == ["Zoë’s £5"]


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


# The plain-CSV path (pyarrow) must make exactly the table the csv module's path makes: the
# reference is _build over csv.reader's rows, the definition of how a CSV is read.
_ANY_CELL = st.text(alphabet=st.sampled_from(list("ab1 /\t\u00a0\x1f\x0bé,\r\n\"")), max_size=4)
# Cells of plain files: no quote, comma or line break, but every kind of space str.strip strips.
_PLAIN_CELL = st.text(alphabet=st.sampled_from(list("ab1 /\t\u00a0\u2003\x1f\x0b\x0cé")), max_size=4)


@st.composite
def _plain_tables(draw):
    """Rows as wide as a header of distinct names, with empty lines and rows of spaces between."""
    width = draw(st.integers(1, 4))
    header = draw(st.lists(st.text(alphabet="ABC_ ", min_size=1, max_size=3).filter(str.strip),
                           min_size=width, max_size=width, unique_by=str.strip))
    row = st.one_of(st.lists(_PLAIN_CELL, min_size=width, max_size=width), st.just([]))
    lines = [",".join(header)] + [",".join(cells) for cells in draw(st.lists(row, min_size=1, max_size=6))]
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines) + draw(st.sampled_from(["", "\n"]))


def _reference(text: str) -> RawTable:
    return _build("f.csv", list(csv.reader(io.StringIO(text, newline=""))), 1, 1)


def _same_table(fast: RawTable, reference: RawTable) -> None:
    assert fast.columns == reference.columns
    assert (fast.blank_rows, fast.ragged, fast.header_rows) == (reference.blank_rows, reference.ragged, [])
    pd.testing.assert_frame_equal(fast.data, reference.data)


@pytest.mark.parametrize("text", [
    "CHILD,SEX\n1,2\n3,4\n",                   # the plainest return
    "CHILD, SEX \r\n 1 ,2\r\n\r\n3,\r\n",      # CRLF, padding, an empty line, an empty value
    "CHILD,SEX\n,\n1,2\n , \n",                # rows of empty values are blank
    "ONLY\n1\n\n2",                            # one column; an empty line is a blank row; no final newline
    "CHILD,SEX\r1,2\r3,4",                     # old Mac line ends
    "CHILD,SEX\n1,\u00a02\u00a0\n",            # Unicode spaces strip as str.strip strips them
])
def test_plain_csv_files_are_read_by_pyarrow_exactly_as_by_the_csv_module(text):
    fast = _read_plain_csv("f.csv", text)
    assert fast is not None, "the plain path should take this file"
    _same_table(fast, _reference(text))


@pytest.mark.parametrize("text", [
    'CHILD,SEX\n"1,2",3\n',      # a quoted value may hold the delimiter
    "CHILD,SEX\n1,2,3\n",        # a ragged row
    "CHILD,SEX\n1\n",            # a short row (padded by _build)
    "CHILD,SEX,\n1,2,\n",        # a trailing unnamed column
    "CHILD,CHILD\n1,2\n",        # a header naming a column twice
    "CHILD,SEX\n",               # no rows
])
def test_anything_less_plain_is_left_to_the_csv_module(text):
    assert _read_plain_csv("f.csv", text) is None


@settings(max_examples=300, deadline=None)
@given(_plain_tables())
def test_plain_csv_text_reads_the_same_by_either_path(text):
    reference = _reference(text)
    fast = _read_plain_csv("f.csv", text)
    if len(reference.data) == 0:
        assert fast is None  # a header alone, or blank rows alone, are left to the csv module
    else:
        assert fast is not None, "a plain table should take the plain path"
        _same_table(fast, reference)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_ANY_CELL, min_size=1, max_size=4), min_size=1, max_size=6),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_csv_text_the_plain_path_takes_reads_the_same(rows, newline):
    text = newline.join(",".join(row) for row in rows)
    try:
        reference = _reference(text)
    except InputError:  # no header, an unnamed column: the csv module's error (read_csv_table)
        return
    fast = _read_plain_csv("f.csv", text)
    if fast is not None:
        _same_table(fast, reference)
