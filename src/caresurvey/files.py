"""Reading files the way every stage needs them: text in whatever encoding a spreadsheet saved it,
and a file's digest.

Ingestion, the consistency checker's CSV reader, the ingest cache and provenance all read files;
they share these two functions from here, a module that imports nothing else of the package, so
that no stage has to import another to read a file.
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from caresurvey.errors import InputError

__all__ = ["decode_text", "sha256_file"]

_CHUNK = 1 << 20

#: Byte-order marks of the Unicode encodings a spreadsheet's "Unicode text" export may use
#: (UTF-32's first, as UTF-32-LE's begins with UTF-16-LE's).
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(path: Path, display: str | None = None) -> str:
    """A text file's contents: UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with
    a byte-order mark, else Windows-1252.

    Raises
    ------
    InputError
        If the file is none of these (a few bytes are undefined in Windows-1252).
    """
    file = display or str(path)
    data = Path(path).read_bytes()
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise InputError(file, "encoding", f"begins as {encoding.upper()} text but is not (byte "
                                 f"{error.start}); save it as UTF-8 CSV") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved as "CSV" on Windows are cp1252; anything else is refused below.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise InputError(
                file, "encoding",
                f"cannot be read as UTF-8 or Windows-1252 text (byte {error.start}); save it as UTF-8 CSV",
            ) from None


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so large files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
