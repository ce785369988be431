"""REFI-QDA variants real programs write: namespaces, folder case, GUID styles, coding layouts, NVivo offsets."""

from __future__ import annotations

import zipfile

import pytest

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.refi_qda import read_refi_qda, utf16_to_code_points
from caresurvey.pseudonym import Pseudonymiser

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")
SOURCE = "aaaaaaaa-0000-4000-8000-000000000001"
CODE = "bbbbbbbb-0000-4000-8000-000000000002"
PARENT = "bbbbbbbb-0000-4000-8000-000000000003"
USER = "cccccccc-0000-4000-8000-000000000004"
# A transcript with a character outside the Basic Multilingual Plane (two UTF-16 units) and
# Windows line ends (NVivo counts CRLF as two).
TEXT = "1 Interviewer: Hello 😀\r\n2 IRO: We went to dispute resolution.\r\n"


def project(*, namespace: str | None = "urn:QDA-XML:project:1.0", origin: str = "QualCoder 3.5",
            guid=lambda g: g, folder: str = "sources", selections: str | None = None) -> tuple[bytes, str]:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    start = TEXT.index("We went")
    end = TEXT.index("resolution.") + len("resolution.")
    if origin.startswith("NVivo"):
        start = len(TEXT[:start].encode("utf-16-le")) // 2
        end = len(TEXT[:end].encode("utf-16-le")) // 2
    selections = selections or (
        f'<PlainTextSelection guid="{guid("dddddddd-0000-4000-8000-000000000005")}" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{guid(USER)}"><Coding guid="{guid("eeeeeeee-0000-4000-8000-000000000006")}" '
        f'creatingUser="{guid(USER)}"><CodeRef targetGUID="{guid(CODE)}"/></Coding></PlainTextSelection>'
    )
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><Project{xmlns} name="t" origin="{origin}">'
        f'<Users><User guid="{guid(USER)}" name="Coder A"/></Users>'
        f'<CodeBook><Codes><Code guid="{guid(PARENT)}" name="Challenge" isCodable="false">'
        f'<Code guid="{guid(CODE)}" name="Dispute resolution process" isCodable="true"/></Code></Codes></CodeBook>'
        f'<Sources><TextSource guid="{guid(SOURCE)}" name="LA9-001 IRO interview" plainTextPath="internal://{guid(SOURCE)}.txt">'
        f'{selections}</TextSource></Sources></Project>'
    )
    return xml.encode("utf-8"), folder


def qdpx(tmp_path, **kwargs):
    xml, folder = project(**kwargs)
    path = tmp_path / "p.qdpx"
    guid = kwargs.get("guid", lambda g: g)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"{folder}/{guid(SOURCE)}.txt", TEXT.encode("utf-8"))
    return path


def read(path):
    ledger = Ledger()
    codings = read_refi_qda(Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE), ledger)["codings"]
    return codings, ledger


@pytest.mark.parametrize("variant", [
    {},
    {"namespace": None},
    {"namespace": "http://www.qdasoftware.org/ns/project"},
    {"folder": "Sources"},
    {"guid": lambda g: "{" + g.upper() + "}"},
    {"origin": "NVivo 14"},
])
def test_every_variant_gives_the_same_coding(tmp_path, variant):
    codings, ledger = read(qdpx(tmp_path, **variant))
    assert codings["code"].tolist() == ["Challenge/Dispute resolution process"]
    assert codings["coder"].tolist() == ["Coder A"]
    start, end = codings.loc[0, ["start", "end"]]
    assert TEXT[start:end] == "We went to dispute resolution."  # offsets in characters of the text
    assert not ledger.problems
    assert "dispute resolution." not in codings.to_csv()  # no transcript text


def test_one_selection_per_code_and_several_codings_per_selection(tmp_path):
    two_codings = (
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000005" startPosition="0" endPosition="5">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-000000000006" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
        f'<Coding guid="eeeeeeee-0000-4000-8000-000000000007" creatingUser="{USER}"><CodeRef targetGUID="{PARENT}"/></Coding>'
        f'</PlainTextSelection>'
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000008" startPosition="0" endPosition="5">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-000000000009" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
        f'</PlainTextSelection>'
    )
    codings, ledger = read(qdpx(tmp_path, selections=two_codings))
    assert sorted(codings["code"]) == ["Challenge", "Challenge/Dispute resolution process",
                                       "Challenge/Dispute resolution process"]
    assert ledger.reconciliations[0].rows_read == 3


def test_unresolvable_codings_are_quarantined(tmp_path):
    bad = (
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000005" startPosition="10" endPosition="9999">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-000000000006" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
        f'</PlainTextSelection>'
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-000000000008" startPosition="0" endPosition="5">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-000000000009" creatingUser="{USER}">'
        f'<CodeRef targetGUID="ffffffff-0000-4000-8000-00000000000a"/></Coding></PlainTextSelection>'
    )
    codings, ledger = read(qdpx(tmp_path, selections=bad))
    assert codings.empty
    assert {(p.row, p.rule) for p in ledger.problems} == {(1, "offsets"), (2, "code")}
    count = ledger.reconciliations[0]
    assert (count.rows_read, count.rows_kept, count.rows_quarantined) == (2, 0, 2)


def test_utf16_offsets_count_astral_characters_twice():
    text = "a😀b"
    assert [utf16_to_code_points(text, units) for units in (0, 1, 3, 4)] == [0, 1, 2, 3]


def test_a_file_that_is_not_a_project_is_one_clear_error(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_text("not a zip")
    with pytest.raises(InputError, match="is not a .qdpx"):
        read(path)
