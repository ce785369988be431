"""Coded-segment spreadsheets exported from MAXQDA or ATLAS.ti (xlsx or CSV) into ``codings``.

MAXQDA ("Export coded segments"): Document group, Document name, Code (``Parent\\Child``),
Begin, End (paragraph numbers), Segment, Created by, ... ATLAS.ti (quotation export): Document,
Codes (``Parent::Child``, several per cell on separate lines), Start, End, Quotation Content,
Created by, ... The segment text is left out; each code on a row is one coding. Begin/Start and
End count paragraphs.
"""

from __future__ import annotations

import pandas as pd

from caresurvey.ingest.common import ProblemsByOwner, Source, check_rows, codings_frame, read_table_file, table_problems
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.tabular import RawTable, has_columns, match_columns
from caresurvey.ingest.values import parse_whole_number
from caresurvey.pseudonym import INTERVIEW_NAMESPACE

__all__ = ["read_coded_segments", "is_coded_segments"]

_COLUMNS = {
    "document": ("Document name", "Document", "Primary Document", "Source"),
    "group": ("Document group", "Document groups", "Group"),
    "code": ("Code", "Codes"),
    "start": ("Begin", "Start", "Start position"),
    "end": ("End", "End position"),
    "coder": ("Created by", "Coder", "Author", "Modified by"),
}


_REQUIRED = ("document", "code")


def _path(code: str) -> str:
    """A code path with '/' between levels, from MAXQDA's backslash or ATLAS.ti's '::'."""
    for separator in ("::", "\\"):
        code = code.replace(separator, "/")
    return "/".join(part.strip() for part in code.split("/"))


def _role(group: str) -> str | None:
    """The interviewee role a document group names ("IRO interviews" -> "IRO")."""
    text = group.strip()
    for suffix in (" interviews", " interview"):
        if text.casefold().endswith(suffix):
            text = text[: -len(suffix)]
    return text or None


def is_coded_segments(table: RawTable) -> bool:
    """Whether a table has a coded-segments export's required columns (document, code)."""
    return has_columns(table, _COLUMNS, _REQUIRED)


def read_coded_segments(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """A coded-segments export as ``codings`` rows (one per code on a row)."""
    table = read_table_file(source)
    cols = match_columns(table, _COLUMNS, _REQUIRED, what="a coded-segments export (MAXQDA or ATLAS.ti)")
    raw = table.data
    problems = table_problems(table)
    records, owners = [], []
    for index, values in raw.iterrows():
        positions = {}
        for key in ("start", "end"):
            text = values[cols[key]] if key in cols else ""
            try:
                positions[key] = parse_whole_number(text) if text else None
            except ValueError as error:
                problems.add(index, cols[key], text, "whole-number", str(error))
                positions[key] = None
        if values[cols["document"]] == "":
            problems.add(index, cols["document"], "", "required", "the document name is required")
        codes = [c for c in values[cols["code"]].splitlines() if c.strip()]
        if not codes:
            problems.add(index, cols["code"], "", "required", "the code is required")
        for code in codes or [""]:
            records.append({
                "interview_id": source.pseudonymise(INTERVIEW_NAMESPACE, values[cols["document"]]),
                "case_id": None,
                "la": None,
                "respondent_role": _role(values[cols["group"]]) if "group" in cols else None,
                "code": _path(code),
                "coder": (values[cols["coder"]] if "coder" in cols else "") or "unknown",
                "start": positions["start"],
                "end": positions["end"],
                "unit": "paragraph",
                "source_format": "coded-segments",
            })
            owners.append(index)
    frame = codings_frame(records)
    frame["_owner"] = owners
    checked = frame[~frame["_owner"].isin(problems.bad_index)]
    check_rows(checked.drop(columns="_owner"), "codings", ProblemsByOwner(problems, frame["_owner"]))
    ledger.drop_columns(table.file, [c for c in table.columns if c not in cols.values()],
                        "segment text, or a column the study does not use")
    problems.settle(raw, "codings", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))
    kept = frame[~frame["_owner"].isin(problems.bad_index)].drop(columns="_owner")
    return {"codings": kept.reset_index(drop=True)}

