"""SSDA903 returns, as CSV tables or as XML, into ``children``, ``episodes``, ``reviews`` and the rest.

A CSV file is recognised by its columns, not its name (``LA1 episodes 2014.csv`` is fine). The
XML form (``EXPSSDA903``) holds the same records nested by child; both give the same rows.

Minimisation happens here: the child's id becomes a keyed pseudonym (namespaced by LA, since
ids are only unique within one), the date of birth becomes a birth month, and UPNs, postcodes,
Ofsted URNs, the mother's child's date of birth and social-worker ids never leave the reader.
The other return tables (UASC, OC2, OC3, AD1, missing, placed for adoption, previous
permanence, social-worker episodes) become ``ssda903_<table>`` tables, minimised the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from caresurvey import codes
from caresurvey.errors import InputError
from caresurvey.ingest.common import Source, blank_to_none, check_rows, parse_dates, table_problems, text_series
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.ingest.tabular import ROW, RawTable, match_columns, normalise_header, read_csv_table
from caresurvey.pseudonym import birth_month

__all__ = ["read_ssda903_csv", "read_ssda903_xml", "OTHER_TABLES"]

_HEADER = {"child": ("CHILD", "CHILDID"), "sex": ("SEX",), "dob": ("DOB",), "ethnic": ("ETHNIC",)}
_EPISODES = {
    "child": ("CHILD", "CHILDID"), "decom": ("DECOM",), "rne": ("RNE",), "ls": ("LS",), "cin": ("CIN",),
    "place": ("PLACE", "PL"), "provider": ("PLACE_PROVIDER",), "dec": ("DEC",), "rec": ("REC",),
    "reason_place_change": ("REASON_PLACE_CHANGE",),
}
_REVIEWS = {"child": ("CHILD", "CHILDID"), "review": ("REVIEW",), "code": ("REVIEW_CODE",)}

#: The other return tables: the column that identifies each.
OTHER_TABLES = {
    "uasc": "DUC",
    "oc2": "SDQ_SCORE",
    "oc3": "IN_TOUCH",
    "ad1": "DATE_INT",
    "missing": "MIS_START",
    "placed_for_adoption": "DATE_PLACED",
    "previous_permanence": "PREV_PERM",
    "sw_episodes": "SW_ID",
}
#: Columns that identify a person or a place; dropped from every table. DOB becomes birth_month.
IDENTIFYING = {"upn", "homepost", "plpost", "urn", "mcdob", "swid", "mother"}


def _kind(table: RawTable) -> str:
    keys = {normalise_header(c) for c in table.columns}
    if {"decom", "ls"} <= keys:
        return "episodes"
    if {"review", "reviewcode"} <= keys:
        return "reviews"
    for name, marker in OTHER_TABLES.items():
        if normalise_header(marker) in keys:
            return name
    if {"sex", "dob", "ethnic"} <= keys:
        return "header"
    raise InputError(
        table.file, "not-ssda903",
        f"is not an SSDA903 table: its columns ({', '.join(table.columns)}) match none of header, "
        "episodes, reviews or the other return tables; check the file and its header row",
    )


def _require_la(source: Source) -> str:
    if not source.la:
        raise InputError(source.display, "no-la",
                         "SSDA903 child ids are unique only within an LA: give the file's LA "
                         "(la = \"...\" in its [[inputs]] entry, or --la on the command line)")
    return source.la


def _child_ids(frame: pd.DataFrame, column: str, written: str, source: Source, problems: RowProblems) -> pd.Series:
    la = _require_la(source)
    values = frame[column]
    for index in values.index[values == ""]:
        problems.add(index, written, "", "required", f"{written} (the child's id) is required")
    # A child has many episodes and reviews: pseudonymise each distinct id once.
    pseudonyms = {value: source.pseudonymise(f"child:{la}", value) for value in values.unique() if value != ""}
    return text_series(values.map(pseudonyms))


def _codes(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return text_series([None] * len(frame), frame.index)
    return blank_to_none(frame[column])


def _header(table: RawTable, source: Source, ledger: Ledger) -> pd.DataFrame:
    cols = match_columns(table, _HEADER, ("child", "sex", "dob", "ethnic"), what="an SSDA903 header table")
    raw, problems = table.data, table_problems(table)
    dob = parse_dates(raw, cols["dob"], cols["dob"], problems, required=False)
    ethnic = _codes(raw, cols["ethnic"])
    frame = pd.DataFrame({
        "child_id": _child_ids(raw, cols["child"], cols["child"], source, problems),
        "la": source.la,
        "sex": _codes(raw, cols["sex"]),
        "birth_month": text_series([birth_month(d) if pd.notna(d) else None for d in dob], raw.index),
        "ethnicity": ethnic,
        "ethnic_group": text_series([codes.ethnic_group(e) if e in codes.ETHNICITY else None for e in ethnic],
                                    raw.index),
    })
    written = {"child_id": cols["child"], "sex": cols["sex"], "ethnicity": cols["ethnic"], "birth_month": cols["dob"]}
    check_rows(frame.drop(index=list(problems.bad_index)), "children", problems, written, raw)
    return problems.settle(frame, "children", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))


def _episodes(table: RawTable, source: Source, ledger: Ledger) -> pd.DataFrame:
    cols = match_columns(table, _EPISODES, ("child", "decom", "ls"), what="an SSDA903 episodes table")
    raw, problems = table.data, table_problems(table)
    frame = pd.DataFrame({
        "child_id": _child_ids(raw, cols["child"], cols["child"], source, problems),
        "la": source.la,
        "start": parse_dates(raw, cols["decom"], cols["decom"], problems, required=True),
        "end": parse_dates(raw, cols["dec"], cols["dec"], problems, required=False) if "dec" in cols
        else pd.Series(pd.NaT, index=raw.index),
        "reason_new_episode": _codes(raw, cols.get("rne")),
        "legal_status": _codes(raw, cols["ls"]),
        "category_of_need": _codes(raw, cols.get("cin")),
        "placement": _codes(raw, cols.get("place")),
        "placement_provider": _codes(raw, cols.get("provider")),
        "reason_ceased": _codes(raw, cols.get("rec")),
        "reason_place_change": _codes(raw, cols.get("reason_place_change")),
    })
    written = {"child_id": cols["child"], "start": cols["decom"], "end": cols.get("dec", "DEC"),
               "reason_new_episode": cols.get("rne", "RNE"), "legal_status": cols["ls"],
               "category_of_need": cols.get("cin", "CIN"), "placement": cols.get("place", "PLACE"),
               "placement_provider": cols.get("provider", "PLACE_PROVIDER"), "reason_ceased": cols.get("rec", "REC"),
               "reason_place_change": cols.get("reason_place_change", "REASON_PLACE_CHANGE")}
    check_rows(frame.drop(index=list(problems.bad_index)), "episodes", problems, written, raw)
    return problems.settle(frame, "episodes", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))


def _reviews(table: RawTable, source: Source, ledger: Ledger) -> pd.DataFrame:
    cols = match_columns(table, _REVIEWS, ("child", "review"), what="an SSDA903 reviews table")
    raw, problems = table.data, table_problems(table)
    frame = pd.DataFrame({
        "child_id": _child_ids(raw, cols["child"], cols["child"], source, problems),
        "la": source.la,
        "review_date": parse_dates(raw, cols["review"], cols["review"], problems, required=True),
        "participation": _codes(raw, cols.get("code")),
    })
    written = {"child_id": cols["child"], "review_date": cols["review"], "participation": cols.get("code", "REVIEW_CODE")}
    check_rows(frame.drop(index=list(problems.bad_index)), "reviews", problems, written, raw)
    return problems.settle(frame, "reviews", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))


def _other(name: str, table: RawTable, source: Source, ledger: Ledger) -> pd.DataFrame:
    cols = match_columns(table, {"child": ("CHILD", "CHILDID")}, ("child",), what=f"an SSDA903 {name} table")
    raw, problems = table.data, table_problems(table)
    frame = pd.DataFrame({"child_id": _child_ids(raw, cols["child"], cols["child"], source, problems), "la": source.la})
    for column in table.columns:
        key = normalise_header(column)
        if column == cols["child"] or key in IDENTIFYING:
            continue
        if key == "dob":
            dob = parse_dates(raw, column, column, problems, required=False)
            frame["birth_month"] = text_series([birth_month(d) if pd.notna(d) else None for d in dob], raw.index)
        else:
            frame[column.strip().lower()] = blank_to_none(raw[column])
    return problems.settle(frame, f"ssda903_{name}", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))


def read_ssda903_csv(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """One SSDA903 CSV table (header, episodes, reviews or another return table)."""
    table = read_csv_table(source.path, display=source.display)
    kind = _kind(table)
    if kind == "header":
        return {"children": _header(table, source, ledger)}
    if kind == "episodes":
        return {"episodes": _episodes(table, source, ledger)}
    if kind == "reviews":
        return {"reviews": _reviews(table, source, ledger)}
    return {f"ssda903_{kind}": _other(kind, table, source, ledger)}


# --------------------------------------------------------------------------- XML

# XML element -> (CSV table kind, tag renames). Nested record elements of a child's HEADER.
_XML_RECORDS = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "OC2": "oc2",
    "OC3": "oc3",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
    "ADOPTION": "ad1",
}


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return "" if found is None or found.text is None else found.text.strip()


def read_ssda903_xml(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """An SSDA903 XML return (``EXPSSDA903``): the same tables as the CSV form.

    Each record's "row" in messages is the 1-based position of its ``CHILD`` element.
    """
    from defusedxml import ElementTree
    from xml.etree.ElementTree import ParseError

    try:
        root = ElementTree.parse(source.path).getroot()
    except ParseError as error:
        raise InputError(source.display, "unreadable-xml", f"is not well-formed XML ({error}); export the return again") from None
    if root.tag != "EXPSSDA903":
        raise InputError(source.display, "not-ssda903",
                         f"is not an SSDA903 XML return: its root element is <{root.tag}>, not <EXPSSDA903>")
    rows: dict[str, list[dict[str, str]]] = {}
    for position, child in enumerate(root.iter("CHILD"), start=1):
        header = child.find("HEADER")
        if header is None:
            rows.setdefault("header", []).append({ROW: position, "CHILD": ""})
            continue
        child_id = _text(header, "CHILDID")
        record = {ROW: position, "CHILD": child_id, "SEX": _text(header, "SEX"), "DOB": _text(header, "DOB"),
                  "ETHNIC": _text(header, "ETHNIC")}
        rows.setdefault("header", []).append(record)
        for element in header:
            kind = _XML_RECORDS.get(element.tag)
            if kind is None:
                if element.tag == "UASC" and len(element):
                    kind = "uasc"
                else:
                    continue
            values = {ROW: position, "CHILD": child_id}
            values.update({sub.tag: (sub.text or "").strip() for sub in element})
            if kind == "reviews" or any(v for k, v in values.items() if k not in (ROW, "CHILD")):
                rows.setdefault(kind, []).append(values)
        for episode in child.iter("EPISODE"):
            values = {ROW: position, "CHILD": child_id}
            values.update({("PLACE" if sub.tag == "PL" else sub.tag): (sub.text or "").strip() for sub in episode})
            rows.setdefault("episodes", []).append(values)
    out: dict[str, pd.DataFrame] = {}
    for kind, records in rows.items():
        table = _table_from_records(source.display, records)
        if kind == "header":
            out["children"] = _header(table, source, ledger)
        elif kind == "episodes":
            out["episodes"] = _episodes(table, source, ledger)
        elif kind == "reviews":
            out["reviews"] = _reviews(table, source, ledger)
        else:
            out[f"ssda903_{kind}"] = _other(kind, table, source, ledger)
    return out


def _table_from_records(file: str, records: list[Mapping[str, object]]) -> RawTable:
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k != ROW and k not in columns)
    data = pd.DataFrame([{c: str(r.get(c, "")) for c in columns} for r in records], columns=columns, dtype=object)
    data[ROW] = [int(r[ROW]) for r in records]
    return RawTable(file=file, columns=columns, data=data)

