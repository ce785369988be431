"""Which raw format a file is, from its contents: what ``caresurvey init`` writes into a new
study's manifest.

Each format is recognised by what its own reader requires (an SSDA903 table by its columns, a
Qualtrics export by its header rows, a DfE file by its geography columns, a case-file abstraction
or coded-segments export by its required columns, a codebook by variable, value and label), so a
file recognised here is one its reader will take. Nothing is guessed from a file's name; a file
no format takes is reported with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caresurvey.errors import InputError
from caresurvey.ingest import casefile, coded_segments, dfe, qualtrics, ssda903, survey_table
from caresurvey.ingest.common import Source, read_table_file
from caresurvey.ingest.tabular import apart_by_position, read_csv_table

__all__ = ["Detected", "CODEBOOK", "detect_format"]

#: What a codebook file is detected as: not an input itself, but the codebook of a survey table.
CODEBOOK = "codebook"

_TABLES = (".csv", ".xlsx", ".xlsm")
#: The start of a file read to recognise an XML return.
_XML_PEEK = 4096


@dataclass(frozen=True)
class Detected:
    """A raw file and the format it was recognised as (a manifest format, :data:`CODEBOOK`, or
    None), with what recognised it or why nothing did."""

    path: Path
    format: str | None
    why: str
    detail: str = ""  # an SSDA903 table's kind, a DfE file's layout


def detect_format(path: Path, display: str | None = None) -> Detected:
    """The format of one raw file, from its contents."""
    display = display or str(path)
    suffix = path.suffix.lower()
    if suffix in (".sav", ".zsav"):
        return Detected(path, "spss-sav", "an SPSS data file")
    if suffix == ".qdpx":
        return Detected(path, "refi-qda", "a REFI-QDA project")
    if suffix == ".xml":
        with path.open("rb") as stream:
            head = stream.read(_XML_PEEK)
        if b"<EXPSSDA903" in head:
            return Detected(path, "ssda903-xml", "an SSDA903 XML return (root element EXPSSDA903)")
        return Detected(path, None, "XML, but not an SSDA903 return (no EXPSSDA903 root element)")
    if suffix not in _TABLES:
        return Detected(path, None, f"not a format caresurvey reads ({suffix or 'no suffix'})")
    try:
        return _table_format(path, display)
    except InputError as error:
        return Detected(path, None, f"could not be read: {error}")


def _table_format(path: Path, display: str) -> Detected:
    csv = path.suffix.lower() == ".csv"
    if not csv and survey_table.has_codebook_sheet(path, display):
        return Detected(path, "survey-table", "a questionnaire workbook with a Codebook sheet")
    # a repeated column name does not hide a file's format (Qualtrics repeats export tags; its reader
    # tells them apart, and any other reader refuses them when it reads the file)
    table = read_csv_table(path, display=display, repeated=apart_by_position) if csv \
        else read_table_file(Source(path, display, None))
    if survey_table.is_codebook(table):
        return Detected(path, CODEBOOK, "a codebook (variable, value, label)")
    if csv:
        try:
            kind = ssda903.table_kind(table)
        except InputError:
            pass
        else:
            return Detected(path, "ssda903-csv", f"an SSDA903 {kind} table", kind)
        try:
            layout = qualtrics.layout(table)
        except InputError:
            pass
        else:
            return Detected(path, "qualtrics-csv", f"a Qualtrics export ({layout} layout)", layout)
        layout = dfe.layout(table)
        if layout is not None:
            what = "SFR underlying data" if layout == "sfr" else "an Explore Education Statistics file"
            return Detected(path, "dfe-la", f"DfE statistics ({what})", layout)
    if casefile.is_case_abstraction(table):
        return Detected(path, "case-abstraction", "a case-file abstraction (case reference, legal status at sampling)")
    if coded_segments.is_coded_segments(table):
        return Detected(path, "coded-segments", "a coded-segments export (document, code)")
    return Detected(path, None, f"its columns ({', '.join(table.columns[:8])}{', ...' if len(table.columns) > 8 else ''}) "
                                "match no format; a questionnaire table needs a codebook beside it (survey-table)")
