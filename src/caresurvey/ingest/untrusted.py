"""Opening containers from untrusted sources: XML documents and zip archives.

Raw files come from many systems and people, and a file can be made to attack its reader:

* XML with a document type declaration can define entities that read local files (``<!ENTITY x
  SYSTEM "file:///etc/passwd">``) or expand without bound (the "billion laughs"). XML is parsed
  by defusedxml with DTDs forbidden; no return, REFI-QDA project or workbook needs one.
* A zip archive (``.qdpx``, ``.xlsx``) can hold a member that inflates to many gigabytes from a
  few kilobytes, or say it is smaller than it is. Members are checked against a size and a
  compression-ratio limit before they are read, and read with a hard cap whatever their header says.
* Member names with ``../`` or absolute paths cannot write anywhere: archives are never
  extracted, members are only read into memory by name.

Every refusal is an :class:`~caresurvey.errors.InputError` naming the file and the rule.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from caresurvey.errors import InputError

__all__ = ["MAX_MEMBER_BYTES", "MAX_COMPRESSION_RATIO", "parse_xml", "read_member", "check_archive", "open_archive"]

#: The most one archive member, or all of a workbook's members together, may inflate to.
MAX_MEMBER_BYTES = 256 * 2**20
#: The most a member may inflate relative to its compressed size. Real XML and text compress
#: 5 to 50 times; decompression bombs, thousands of times.
MAX_COMPRESSION_RATIO = 200


def parse_xml(data: bytes | Path, file: str, what: str, advice: str):
    """The root element of an XML document, parsed with DTDs, entities and external references forbidden.

    Parameters
    ----------
    data : bytes or Path
        The document, or the file holding it.
    file : str
        The file as messages name it.
    what : str
        What the document is, for messages ("the return", "project.qde").
    advice : str
        What to do about a malformed document.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException, ElementTree

    try:
        if isinstance(data, Path):
            return ElementTree.parse(data, forbid_dtd=True).getroot()
        return ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise InputError(file, "unsafe-xml",
                         f"{what} declares a document type or entities ({type(error).__name__}), which could read "
                         "local files or expand without bound, so it is not read; export it again without a DOCTYPE"
                         ) from None
    except ParseError as error:
        raise InputError(file, "unreadable-xml", f"{what} is not well-formed XML ({error}); {advice}") from None
    except LookupError as error:  # the XML declaration names an encoding Python does not know
        raise InputError(file, "unreadable-xml", f"{what} declares an unknown encoding ({error}); {advice}") from None


def open_archive(path: Path, file: str, rule: str, what: str) -> zipfile.ZipFile:
    """A zip archive, or an error with ``rule`` saying it is not ``what``."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(file, rule, f"is not {what} (not a readable zip archive: {error})") from None


def _check_member(info: zipfile.ZipInfo, file: str) -> None:
    if info.flag_bits & 0x1:
        raise InputError(file, "encrypted-archive", f"member {info.filename!r} is encrypted; export it without a password")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_MEMBER_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise InputError(file, "archive-bomb",
                         f"member {info.filename!r} would inflate to {info.file_size:,} bytes ({ratio:,.0f} times its "
                         f"compressed size; the limits are {MAX_MEMBER_BYTES:,} bytes and {MAX_COMPRESSION_RATIO} times), "
                         "so it is not read")


def read_member(archive: zipfile.ZipFile, name: str, file: str) -> bytes:
    """One member's bytes, within :data:`MAX_MEMBER_BYTES` and :data:`MAX_COMPRESSION_RATIO`.

    The member's header is checked first; the read is capped as well, as a header can lie.
    """
    info = archive.getinfo(name)
    _check_member(info, file)
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise InputError(file, "unreadable-archive", f"member {name!r} cannot be read ({error}); export it again") from None
    if len(data) > MAX_MEMBER_BYTES or len(data) > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise InputError(file, "archive-bomb", f"member {name!r} inflates beyond what its header says, so it is not read")
    return data


def check_archive(path: Path, file: str, rule: str, what: str) -> None:
    """Refuse an archive (a workbook) any of whose members, or all together, inflate too far.

    For archives read by another library (openpyxl), which would otherwise inflate them unchecked.
    """
    with open_archive(path, file, rule, what) as archive:
        total = 0
        for info in archive.infolist():
            _check_member(info, file)
            total += info.file_size
        if total > MAX_MEMBER_BYTES:
            raise InputError(file, "archive-bomb", f"would inflate to {total:,} bytes in all (the limit is "
                                                   f"{MAX_MEMBER_BYTES:,}), so it is not read")
