"""Reading the checker's CSV: tolerant of real files, precise about errors."""

from __future__ import annotations

import pytest

from caresurvey.errors import InputError
from caresurvey.published.percent_csv import read_percent_csv


def test_bom_header_case_spacing_and_extra_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff Group ,ITEM,Percent , N ,notes\nIRO,a, 27% ,65,x\n\n,,,,\nCG,b,10,,\n".encode("utf-8"))
    cells = read_percent_csv(path)
    assert [(c.group, c.item, c.percent.text, c.n) for c in cells] == [("IRO", "a", "27%", 65), ("CG", "b", "10", None)]


def test_windows_1252_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("group,item,percent\nChildren\u2019s guardians,a,67%\n".encode("cp1252"))
    assert read_percent_csv(path)[0].group == "Children\u2019s guardians"


@pytest.mark.parametrize(
    "content, row, column, rule",
    [
        ("group,item,percent\nG,a,50%\nG,b,about 5\n", 3, "percent", "percent-format"),
        ("group,item,percent,n\nG,a,50%,0\n", 2, "n", "n-range"),
        ("group,item,percent,n,count\nG,a,50%,4,5\n", 2, "count", "count-exceeds-n"),
        ("group,item,percent\nG,,50%\n", 2, "item", "item-required"),
        ("group,item\nG,a\n", 1, None, "missing-column"),
    ],
)
def test_errors_name_file_row_column_and_rule(tmp_path, content, row, column, rule):
    path = tmp_path / "t.csv"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_percent_csv(path)
    error = caught.value
    assert (error.row, error.column, error.rule) == (row, column, rule)
    assert str(path) in str(error) and f"row {row}" in str(error)


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_percent_csv(empty)
    header = tmp_path / "header.csv"
    header.write_text("group,item,percent\n")
    with pytest.raises(InputError, match="no rows"):
        read_percent_csv(header)
