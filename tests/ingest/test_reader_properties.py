"""Every reader against broken, mutated and hostile versions of real-shaped files (hypothesis).

The only outcomes allowed are a correct result or one typed error:

* a correct result: every table passes its processed schema, every file's rows add up (read =
  kept + quarantined), and each quarantine row names its file and a row from 1;
* a typed error: :class:`~caresurvey.errors.InputError` naming the file, with a rule and a message.

Anything else (a ``KeyError`` from deep inside a library, a ``UnicodeDecodeError``, a
``MemoryError``) is a failure. The base files are the synthetic study's (cut to a few rows where
reading them whole is slow) and two small hand-made ones (an SSDA903 XML return and a DfE SFR
file). Hypothesis's profiles (``tests/conftest.py``) bound the examples in ``make test`` and
widen them in ``make fuzz``.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pyreadstat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caresurvey.config import load_config
from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.pipeline import _readers
from caresurvey.pseudonym import Pseudonymiser
from caresurvey.schemas import processed_schema

PROJECT = Path(__file__).resolve().parents[2]
PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")
READERS = _readers()

#: Cut slow files to this many data rows (the properties are about shape, not volume).
ROWS = 12

#: Values that spreadsheet programs turn into formulas (OWASP "CSV injection"), and others that
#: break naive readers: a huge field, control characters, a lone surrogate's replacement.
ODD_VALUES = ["=1+1", "+44 1234", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://example.org\")",
              "\t=1", "x" * 300_000, "\x00", "\x0b\x0c", "\ufffd", "😀", "  ", "NULL", "NaN", "1e309",
              "31/02/2014", "99999999999999999999"]

#: Encodings a file may arrive in by mistake.
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "utf-8-sig", "cp1252", "latin-1", "mac_roman", "shift_jis"]

SFR = (
    "New_geog_code,geog_l,geog_c,geog_n,CLA_Mar2014,CLA_S20,CLA_ICO\n"
    "E92000001,NATIONAL,999,ENGLAND,68840,19370,\"7,480\"\n"
    "E12000001,REGION,A,NORTH EAST,4170,x,..\n"
    "E06000001,LA,805,Hartlepool,185,40,20\n"
)
XML = (
    '<?xml version="1.0" encoding="UTF-8"?><EXPSSDA903>'
    "<CHILD><HEADER><CHILDID>907440</CHILDID><UPN>A999123456789</UPN><SEX>2</SEX><DOB>28/07/2010</DOB>"
    "<ETHNIC>BAFR</ETHNIC><AREVIEW><REVIEW>27/09/2015</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW></HEADER>"
    "<EPISODE><DECOM>06/01/2015</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N4</CIN><PL>U1</PL><PL_POST>E7 5YR</PL_POST>"
    "<DEC>06/10/2015</DEC><REC>E11</REC></EPISODE></CHILD>"
    "<CHILD><HEADER><CHILDID>228005</CHILDID><SEX>1</SEX><DOB>29/11/2006</DOB><ETHNIC>WBRI</ETHNIC></HEADER>"
    "<EPISODE><DECOM>24/04/2015</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N1</CIN><PL>U3</PL></EPISODE></CHILD>"
    "</EXPSSDA903>"
)


@dataclass(frozen=True)
class Sample:
    """A well-formed file of one format and what its manifest entry says."""

    format: str
    name: str
    data: bytes
    la: str | None = None
    group: str | None = None
    items: dict = field(default_factory=dict)
    codebook: Path | None = None

    def read(self, data: bytes):
        """Read ``data`` as this sample's file; returns the tables, or the InputError raised."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / self.name
            path.write_bytes(data)
            source = Source(path=path, display=self.name, pseudonymise=PSEUDONYMISE, la=self.la, group=self.group,
                            items=self.items, codebook=self.codebook)
            ledger = Ledger()
            try:
                tables = READERS[self.format](source, ledger)
            except InputError as error:
                assert error.file.startswith(self.name), error
                assert error.rule and error.message and "Traceback" not in str(error)
                return error
        for table, frame in tables.items():
            processed_schema(table, frame.columns).validate(frame)
        for count in ledger.reconciliations:
            assert count.file.startswith(self.name)
            assert count.rows_read == count.rows_kept + count.rows_quarantined
        for problem in ledger.problems:
            assert problem.file.startswith(self.name) and problem.row >= 1 and problem.rule and problem.message
            # a huge value is cut, not copied whole into the quarantine
            assert len(problem.value) < 300 and len(problem.message) < 2_000
        return tables


def _shorter_csv(data: bytes, header_rows: int = 1) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:header_rows + ROWS])


def _shorter_xlsx(data: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    if sheet.max_row > ROWS + 1:
        sheet.delete_rows(ROWS + 2, sheet.max_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shorter_sav(path: Path, folder: Path) -> bytes:
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    target = folder / "short.sav"
    pyreadstat.write_sav(frame.head(ROWS), str(target), column_labels=meta.column_labels,
                         variable_value_labels=meta.variable_value_labels, missing_ranges=meta.missing_ranges)
    return target.read_bytes()


@pytest.fixture(scope="module")
def samples(synthetic_study, tmp_path_factory) -> dict[str, Sample]:
    """One sample per format (two for survey tables: xlsx and CSV), keyed ``format`` or ``format.suffix``."""
    folder = tmp_path_factory.mktemp("samples")
    config = load_config(PROJECT / "caresurvey.toml")
    found: dict[str, Sample] = {}
    for spec in config.inputs:
        path = synthetic_study / spec.path.removeprefix("synthetic/")
        if "*" in spec.path:
            path = path.parent / "episodes.csv"
        key = f"{spec.format}{path.suffix}" if spec.format == "survey-table" else spec.format
        if key in found:
            continue
        data = path.read_bytes()
        if path.suffix == ".csv":
            data = _shorter_csv(data, header_rows=3 if spec.format == "qualtrics-csv" else 1)
        elif path.suffix == ".xlsx":
            data = _shorter_xlsx(data)
        elif path.suffix == ".sav":
            data = _shorter_sav(path, folder)
        codebook = synthetic_study / spec.codebook.removeprefix("synthetic/") if spec.codebook else None
        found[key] = Sample(spec.format, path.name, data, la=spec.la, group=spec.group, items=dict(spec.items),
                            codebook=codebook)
    found["ssda903-xml"] = Sample("ssda903-xml", "return.xml", XML.encode(), la="LA1")
    found["dfe-la"] = Sample("dfe-la", "SFR36_CLA2014.csv", SFR.encode())
    for key, sample in found.items():  # the base files themselves read whole, without a problem
        result = sample.read(sample.data)
        assert not isinstance(result, InputError) and any(len(t) for t in result.values()), (key, result)
    return found


ALL = ["ssda903-csv", "ssda903-xml", "case-abstraction", "qualtrics-csv", "spss-sav", "survey-table.xlsx",
       "survey-table.csv", "refi-qda", "coded-segments", "dfe-la"]
TEXT = ["ssda903-csv", "ssda903-xml", "qualtrics-csv", "survey-table.csv", "dfe-la"]
CSV = ["ssda903-csv", "qualtrics-csv", "survey-table.csv", "dfe-la"]
WORKBOOKS = ["case-abstraction", "survey-table.xlsx", "coded-segments"]
ARCHIVES = [*WORKBOOKS, "refi-qda"]


# ---- strategies: how a file goes wrong ------------------------------------------------------


@st.composite
def broken_bytes(draw, base: bytes) -> bytes:
    """Empty, random, truncated, with bytes changed, inserted or deleted, or a huge run inserted."""
    kind = draw(st.sampled_from(["empty", "random", "truncated", "flipped", "inserted", "deleted", "huge"]))
    if kind == "empty":
        return b""
    if kind == "random":
        return draw(st.binary(max_size=2048))
    at = draw(st.integers(0, len(base)))
    if kind == "truncated":
        return base[:at]
    if kind == "inserted":
        return base[:at] + draw(st.binary(min_size=1, max_size=64)) + base[at:]
    if kind == "deleted":
        return base[:at] + base[at + draw(st.integers(1, 256)):]
    if kind == "huge":
        return base[:at] + draw(st.sampled_from([b"A", b"\x00", b",", b'"', b"\n", b"<a>"])) * 300_000 + base[at:]
    data = bytearray(base)
    for position, value in draw(st.lists(st.tuples(st.integers(0, max(len(base) - 1, 0)), st.integers(0, 255)),
                                         min_size=1, max_size=16)):
        if data:
            data[position] = value
    return bytes(data)


@st.composite
def broken_rows(draw, rows: list[list[str]], header_rows: int = 1) -> list[list[str]]:
    """The table with its header shuffled, duplicated, misspelt, cut short or re-cased, columns
    dropped, odd values (formulas, huge fields, control characters) in cells, rows repeated,
    dropped or made ragged."""
    rows = [list(row) for row in rows]
    width = len(rows[0])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["shuffle", "duplicate", "misspell", "drop-column", "case", "odd-value",
                                     "repeat-row", "drop-row", "ragged", "header-only"]))
        column = draw(st.integers(0, width - 1))
        if kind == "shuffle":
            rows[0] = draw(st.permutations(rows[0]))
        elif kind == "duplicate":
            rows[0][column] = rows[0][draw(st.integers(0, width - 1))]
        elif kind == "misspell":
            name = rows[0][column]
            at = draw(st.integers(0, max(len(name) - 1, 0)))
            rows[0][column] = name[:at] + draw(st.sampled_from(["", "x", " ", "_", "\ufeff"])) + name[at + 1:]
        elif kind == "drop-column":
            rows = [row[:column] + row[column + 1:] for row in rows]
            width = max(width - 1, 1)
            if not rows[0]:
                rows[0] = [""]
        elif kind == "case":
            rows[0][column] = f"  {rows[0][column].lower()} "
        elif kind == "odd-value" and len(rows) > header_rows:
            row = draw(st.integers(header_rows, len(rows) - 1))
            if column < len(rows[row]):
                rows[row][column] = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=20))
        elif kind == "repeat-row" and len(rows) > header_rows:
            rows.append(list(rows[draw(st.integers(header_rows, len(rows) - 1))]))
        elif kind == "drop-row" and len(rows) > header_rows + 1:
            del rows[draw(st.integers(header_rows, len(rows) - 1))]
        elif kind == "ragged" and len(rows) > header_rows:
            rows[draw(st.integers(header_rows, len(rows) - 1))].append(draw(st.sampled_from(["", "extra", "=1"])))
        elif kind == "header-only":
            rows = rows[:header_rows]
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _workbook_rows(data: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _workbook_bytes(base: bytes, rows: list[list[str]]) -> bytes:
    """The workbook with its first sheet's cells replaced by ``rows`` (other sheets, such as a
    codebook, kept). A value beginning with "=" becomes a real formula cell."""
    book = openpyxl.load_workbook(io.BytesIO(base))
    sheet = book.worksheets[0]
    sheet.delete_rows(1, sheet.max_row)
    for row in rows:
        # Excel's longest cell; characters a worksheet cannot hold at all are left out
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value[:32_767]) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def broken_member(draw, base: bytes) -> bytes:
    """The archive with one member's bytes broken (or the member removed), everything else intact."""
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    if draw(st.booleans()):
        members[name] = draw(broken_bytes(members[name]))
    else:
        del members[name]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return out.getvalue()


# ---- the properties ---------------------------------------------------------------------------


def holds_for_every(sample: Sample, files, to_bytes=lambda data: data) -> None:
    """Read every file ``files`` draws (through ``to_bytes``) as ``sample``'s format; each must
    give a correct result or one typed error (:meth:`Sample.read`)."""

    @given(files)
    def check(drawn):
        sample.read(to_bytes(drawn))

    check()


@pytest.mark.parametrize("key", ALL)
def test_broken_bytes_give_a_table_or_a_typed_error(samples, key):
    holds_for_every(samples[key], broken_bytes(samples[key].data))


@pytest.mark.parametrize("key", TEXT)
def test_a_text_file_in_another_encoding_gives_a_table_or_a_typed_error(samples, key):
    text = samples[key].data.decode("utf-8")

    def encoded(drawn: tuple[str, str]) -> bytes:
        encoding, accent = drawn
        return (text.replace("a", accent, 3) if accent else text).encode(encoding, errors="replace")

    holds_for_every(samples[key], st.tuples(st.sampled_from(ENCODINGS), st.sampled_from(["", "é", "£", "’", "😀"])),
                    encoded)


@pytest.mark.parametrize("key", CSV)
def test_broken_csv_tables_give_a_table_or_a_typed_error(samples, key):
    header_rows = 3 if samples[key].format == "qualtrics-csv" else 1
    holds_for_every(samples[key], broken_rows(_csv_rows(samples[key].data), header_rows), _csv_bytes)


@pytest.mark.parametrize("key", WORKBOOKS)
def test_broken_sheets_and_formula_cells_give_a_table_or_a_typed_error(samples, key):
    base = samples[key].data
    holds_for_every(samples[key], broken_rows(_workbook_rows(base)), lambda rows: _workbook_bytes(base, rows))


@pytest.mark.parametrize("key", ARCHIVES)
def test_archives_with_a_broken_member_give_a_table_or_a_typed_error(samples, key):
    holds_for_every(samples[key], broken_member(samples[key].data))


def test_formulas_in_cells_are_read_as_text_never_evaluated(samples):
    # A case-file abstraction whose legal status is a formula: read as the text it is (and so
    # quarantined as no legal status), never as the formula's result.
    sample = samples["case-abstraction"]
    rows = _workbook_rows(sample.data)
    column = [name.strip().lower() for name in rows[0]].index("legal status at sampling")
    rows[1][column] = '="C"&"O"'
    result = sample.read(_workbook_bytes(sample.data, rows))
    assert not isinstance(result, InputError)
    assert len(result["case_files"]) == len(rows) - 2  # the formula's row is quarantined
