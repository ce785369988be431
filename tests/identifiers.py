"""Direct identifiers in a study's raw files, and a scan of outputs for any of them.

Independent of the readers on purpose: the identifiers are picked out of the raw files by their
columns as the formats define them (SSDA903's UPN, DOB and postcodes; Qualtrics's IP address,
e-mail, names and coordinates; free-text notes, comments and interview text), and the outputs
are searched as bytes and as parquet values, not through caresurvey's own loaders.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat

#: Columns of the raw formats that hold direct identifiers, by kind (headers compared
#: without case or spacing).
IDENTIFYING_COLUMNS = {
    "id": ("child", "childid", "child id", "case ref", "responseid", "id", "document name", "mother"),
    "date of birth": ("dob", "mc_dob"),
    "UPN": ("upn",),
    "postcode": ("home_post", "pl_post"),
    "IP address": ("ipaddress",),
    "e-mail": ("recipientemail",),
    "name": ("recipientfirstname", "recipientlastname"),
    "coordinates": ("locationlatitude", "locationlongitude"),
    "free text": ("notes", "comments", "q5", "q1_3_text", "segment"),
}
#: Free text is searched for by its first this many characters (enough to be unique).
FREE_TEXT_PREFIX = 40


def _key(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def _kind(column: object) -> str | None:
    for kind, names in IDENTIFYING_COLUMNS.items():
        if _key(column) in names:
            return kind
    return None


def _informative(value: str) -> bool:
    """Values that could single someone out: not blank, not one character repeated (a URN of
    XXXXXXX), not a small number (a respondent numbered 1 to 99 is a row number)."""
    return len(value) >= 4 and len(set(value)) > 1


def _frames(path: Path) -> Iterator[pd.DataFrame]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if len(frame) > 1 and frame.iloc[1].str.startswith('{"ImportId"').any():
            frame = frame.iloc[2:]  # a Qualtrics export's question-text and import-id rows say nothing of anyone
        yield frame
    elif suffix == ".xlsx":
        yield from pd.read_excel(path, sheet_name=None, dtype=str).values()
    elif suffix == ".sav":
        yield pyreadstat.read_sav(str(path))[0].astype(str)


def _transcript_lines(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".txt"):
                for line in archive.read(name).decode("utf-8").splitlines():
                    said = line.split(":", 1)[-1].strip()  # "12 IRO: what was said"
                    if len(said) >= FREE_TEXT_PREFIX:
                        yield said


def raw_identifiers(raw: Path) -> dict[str, set[str]]:
    """Every direct identifier in the raw files under ``raw``, by kind."""
    found: dict[str, set[str]] = {kind: set() for kind in IDENTIFYING_COLUMNS}
    for path in sorted(raw.rglob("*")):
        if path.suffix.lower() == ".qdpx":
            found["free text"].update(line[:FREE_TEXT_PREFIX] for line in _transcript_lines(path))
            continue
        if "codebook" in path.name:
            continue
        for frame in _frames(path):
            for column in frame.columns:
                kind = _kind(column)
                if kind is None:
                    continue
                values = {str(v).strip() for v in frame[column] if not pd.isna(v)}
                if kind == "free text":
                    found[kind].update(v[:FREE_TEXT_PREFIX] for v in values if len(v) >= 20)
                elif kind == "date of birth":
                    for value in values:  # as written, even where no date (it still says who), and as dates
                        found[kind].update(v for v in (value,) if _informative(v) and v.lower() != "nan")
                        day = pd.to_datetime(value, dayfirst=True, errors="coerce")
                        if not pd.isna(day):
                            found[kind].update({day.strftime("%d/%m/%Y"), day.strftime("%Y-%m-%d")})
                else:
                    found[kind].update(v for v in values if _informative(v) and v.lower() != "nan")
    return found


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a file holds: parquet values and metadata, archive members."""
    data = path.read_bytes()
    if path.suffix == ".parquet":
        table = pq.read_table(io.BytesIO(data))
        metadata = table.schema.metadata or {}
        yield f"{path} (metadata)", " ".join(v.decode("utf-8", "replace") for v in metadata.values())
        frame = table.to_pandas()
        for column in frame.columns:
            values = frame[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                continue  # a typed date is not a date of birth written out (an episode may start at birth)
            yield f"{path} [{column}]", "\n".join(map(str, values.tolist()))
        return
    if data[:4] == b"PK\x03\x04":  # xlsx workbooks
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield f"{path}!{name}", archive.read(name).decode("utf-8", "replace")
        return
    yield str(path), data.decode("utf-8", "replace")


_WORD = re.compile(r"[0-9A-Za-z]+")


def _in_a_decimal(value: str, text: str, at: int) -> bool:
    """Whether the digits ``value`` at ``at`` are one side of a decimal number (``123.959448``, a
    figure's coordinate), which no id is."""
    end = at + len(value)
    fraction = text[at - 1:at] == "." and text[at - 2:at - 1].isdigit()
    whole = text[end:end + 1] == "." and text[end + 1:end + 2].isdigit()
    return value.isdigit() and (fraction or whole)


def _appears(kind: str, value: str, text: str) -> bool:
    if kind == "free text":  # a prefix ends wherever 40 characters end, often inside a word
        return value in text
    at = text.find(value)
    while at >= 0:  # an occurrence with no letter or digit either side of it
        before, after = text[at - 1:at], text[at + len(value):at + len(value) + 1]
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()) \
                and not _in_a_decimal(value, text, at):
            return True
        at = text.find(value, at + 1)
    return False


def scan(folder: Path, identifiers: dict[str, set[str]]) -> list[str]:
    """Every place under ``folder`` where one of ``identifiers`` appears (not inside a longer
    word or number, so a pseudonym's hex digits are not mistaken for an id).

    Each text's words are collected first; only identifiers all of whose words are among them
    are searched for, which keeps thousands of identifiers over megabytes of output quick.
    """
    wanted = [(kind, value, _WORD.findall(value)) for kind, values in identifiers.items() for value in sorted(values)]
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for where, text in _texts(path):
            words = set(_WORD.findall(text))
            for kind, value, parts in wanted:
                needed = parts[:-1] if kind == "free text" else parts
                if all(part in words for part in needed) and _appears(kind, value, text):
                    hits.append(f"{where}: {kind} {value!r}")
    return hits
