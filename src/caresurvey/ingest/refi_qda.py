"""REFI-QDA projects (``.qdpx``): interview codings, without the transcript text.

A ``.qdpx`` is a zip of ``project.qde`` (XML) and the sources. Programs differ in ways a reader
must absorb: the XML namespace (the standard's ``urn:QDA-XML:project:1.0``, others, or none),
the sources folder (``sources/`` or ``Sources/``), GUIDs with or without braces and in either
case, and codings either grouped several to a selection or one selection per code, or attached
to a whole source. NVivo counts selection offsets in UTF-16 code units (and a CRLF as two);
they are converted to Unicode characters of the source text, so that every program's offsets
mean the same.

Each coding (code applied to a segment by a coder) is one record read. Its interview is named
by the project's case for the source when there is exactly one (else the source's name), and
the case's variables give the interviewee's role, LA and study case. A coding whose code or
offsets cannot be resolved is quarantined; its "row" is the coding's 1-based position in the
project file.
"""

from __future__ import annotations

import zipfile

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source, check_rows, codings_frame
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.ingest.untrusted import open_archive, parse_xml, read_member
from caresurvey.pseudonym import CASE_NAMESPACE, INTERVIEW_NAMESPACE

__all__ = ["read_refi_qda", "utf16_to_code_points"]


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def utf16_to_code_points(text: str, offset: int) -> int:
    """The code-point offset in ``text`` of a UTF-16 code-unit offset.

    Characters outside the Basic Multilingual Plane take two UTF-16 units and one code point.
    """
    units = 0
    for position, character in enumerate(text):
        if units >= offset:
            return position
        units += 2 if ord(character) > 0xFFFF else 1
    if units == offset:
        return len(text)
    raise ValueError(f"offset {offset} is beyond the text ({units} UTF-16 units)")


def _code_paths(root) -> dict[str, str]:
    paths: dict[str, str] = {}

    def walk(element, prefix: str) -> None:
        for code in _children(element, "Code"):
            path = f"{prefix}/{code.get('name', '').strip()}" if prefix else code.get("name", "").strip()
            paths[_guid(code.get("guid"))] = path
            walk(code, path)

    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            walk(codes, "")
    return paths


def _case_info(root) -> dict[str, dict]:
    """Per source GUID, its case's name and variable values (where one case holds it)."""
    variables = {}
    for block in _children(root, "Variables"):
        for variable in _children(block, "Variable"):
            variables[_guid(variable.get("guid"))] = variable.get("name", "").strip().casefold()
    holders: dict[str, list[dict]] = {}
    for block in _children(root, "Cases"):
        for case in _children(block, "Case"):
            values = {}
            for value in _children(case, "VariableValue"):
                refs = _children(value, "VariableRef")
                texts = [child.text for child in value if _local(child.tag).endswith("Value") and child.text]
                if refs and texts:
                    values[variables.get(_guid(refs[0].get("targetGUID")), "")] = texts[0].strip()
            info = {"name": case.get("name", "").strip(), "values": values}
            for ref in _children(case, "SourceRef"):
                holders.setdefault(_guid(ref.get("targetGUID")), []).append(info)
    return {source: cases[0] for source, cases in holders.items() if len(cases) == 1}


def _source_text(archive: zipfile.ZipFile, source, members: dict[str, str], file: str) -> str | None:
    inline = [c for c in source if _local(c.tag) == "PlainTextContent"]
    if inline:
        return inline[0].text or ""
    path = source.get("plainTextPath")
    if not path:
        return None
    name = path.removeprefix("internal://")
    member = members.get(f"sources/{name}".casefold()) or members.get(name.casefold())
    if member is None:
        raise InputError(file, "missing-source", f"the project names source {path!r} but the archive has no such file")
    # Exact decoding: no newline translation, so offsets count a CRLF as the two characters it is.
    try:
        return read_member(archive, member, file).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(file, "encoding", f"source {path!r} is not UTF-8 text (byte {error.start}); "
                                           "REFI-QDA sources are UTF-8") from None


def read_refi_qda(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """A REFI-QDA project's codings as ``codings`` rows."""
    with open_archive(source.path, source.display, "not-qdpx", "a .qdpx project (export it again as REFI-QDA)") as archive:
        return _read_project(archive, source, ledger)


def _read_project(archive: zipfile.ZipFile, source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    members = {name.casefold(): name for name in archive.namelist()}
    if "project.qde" not in members:
        raise InputError(source.display, "not-qdpx", "has no project.qde inside; is it a REFI-QDA project export?")
    root = parse_xml(read_member(archive, members["project.qde"], source.display), source.display, "project.qde",
                     "export the project again as REFI-QDA")
    if _local(root.tag) != "Project":
        raise InputError(source.display, "not-qdpx", f"project.qde's root is <{_local(root.tag)}>, not <Project>")
    nvivo = "nvivo" in (root.get("origin") or "").casefold()
    users = {_guid(u.get("guid")): u.get("name") or u.get("id") or _guid(u.get("guid"))
             for block in _children(root, "Users") for u in _children(block, "User")}
    paths = _code_paths(root)
    cases = _case_info(root)

    records, numbers = [], []
    position = 0
    pending: list[tuple[int, str, str, str]] = []  # (index, column, value, rule/message)
    for block in _children(root, "Sources"):
        for text_source in _children(block, "TextSource"):
            guid = _guid(text_source.get("guid"))
            text = _source_text(archive, text_source, members, source.display)
            case = cases.get(guid, {"name": "", "values": {}})
            document = case["name"] or text_source.get("name", "").strip()
            values = case["values"]
            base = {
                "interview_id": source.pseudonymise(INTERVIEW_NAMESPACE, document),
                "case_id": source.pseudonymise(CASE_NAMESPACE, values["case"]) if values.get("case") else None,
                "la": values.get("la") or values.get("local authority"),
                "respondent_role": values.get("role"),
            }
            selections = [(s, s.get("startPosition"), s.get("endPosition")) for s in _children(text_source, "PlainTextSelection")]
            selections += [(text_source, None, None)]  # codings of the whole source
            for holder, start_text, end_text in selections:
                for coding in _children(holder, "Coding"):
                    position += 1
                    index = len(records)
                    refs = _children(coding, "CodeRef")
                    code = paths.get(_guid(refs[0].get("targetGUID"))) if refs else None
                    coder = users.get(_guid(coding.get("creatingUser") or holder.get("creatingUser")), "unknown")
                    start = end = None
                    issue = None
                    if code is None:
                        issue = ("CodeRef", refs[0].get("targetGUID") if refs else "", "code",
                                 "the coding refers to no code of the codebook")
                    elif start_text is not None:
                        try:
                            start, end = int(start_text), int(end_text)
                            if nvivo and text is not None:
                                start, end = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
                            if not 0 <= start <= end or (text is not None and end > len(text)):
                                raise ValueError(f"selection {start}-{end} does not lie within the source "
                                                 f"({0 if text is None else len(text)} characters)")
                        except (TypeError, ValueError) as error:
                            issue = ("startPosition", f"{start_text}-{end_text}", "offsets", str(error))
                    records.append({**base, "code": code, "coder": coder, "start": start, "end": end,
                                    "unit": "character", "source_format": "refi-qda"})
                    numbers.append(position)
                    if issue:
                        pending.append((index, *issue))
    frame = codings_frame(records)
    problems = RowProblems(source.display, pd.Series(numbers, index=frame.index, dtype="int64"))
    for index, column, value, rule, message in pending:
        problems.add(index, column, value, rule, message)
    check_rows(frame.drop(index=list(problems.bad_index)), "codings", problems)
    ledger.drop_columns(source.display, ["transcript text"], "interview text never leaves the raw file")
    kept = problems.settle(frame, "codings", ledger)
    return {"codings": kept.reset_index(drop=True)}
