"""SSDA903 XML returns in both layouts, written by hand: records nested in HEADER, and the DfE's,
where UASC, OC3 and AD1 are HEADER's own fields. Every element is read or listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.ssda903 import read_ssda903_xml
from caresurvey.pseudonym import Pseudonymiser

EPISODE = ("<EPISODE><DECOM>01/04/2023</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U6</PL>"
           "<PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE /></EPISODE>")


def _return(tmp_path: Path, name: str, header_extra: str, child_extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(
        "<?xml version='1.0' encoding='utf-8'?><EXPSSDA903><CHILD><HEADER><CHILDID>C1</CHILDID><UPN>A123456789012</UPN>"
        f"<SEX>1</SEX><DOB>01/02/2008</DOB><ETHNIC>WBRI</ETHNIC>{header_extra}</HEADER>{EPISODE}{child_extra}</CHILD>"
        "</EXPSSDA903>", encoding="utf-8")
    return path


def _read(path: Path) -> tuple[dict, Ledger]:
    ledger = Ledger()
    tables = read_ssda903_xml(Source(path, path.name, Pseudonymiser(b"a test key of 24 bytes.."), la="LA1"), ledger)
    return tables, ledger


FLAT = ("<UASC>1</UASC><DUC>01/02/2026</DUC><IN_TOUCH>YES</IN_TOUCH><ACTIV>F1</ACTIV><ACCOM>S1</ACCOM>"
        "<DATE_INT>01/05/2023</DATE_INT><DATE_MATCH>01/06/2023</DATE_MATCH><FOSTER_CARE>0</FOSTER_CARE>"
        "<NB_ADOPTR>1</NB_ADOPTR><SEX_ADOPTR>M1</SEX_ADOPTR><LS_ADOPTR>L0</LS_ADOPTR>")
NESTED = ("<UASC><SEX>1</SEX><DOB>01/02/2008</DOB><DUC>01/02/2026</DUC></UASC>"
          "<OC3><DOB>01/02/2008</DOB><IN_TOUCH>YES</IN_TOUCH><ACTIV>F1</ACTIV><ACCOM>S1</ACCOM></OC3>"
          "<ADOPTION><DOB>01/02/2008</DOB><DATE_INT>01/05/2023</DATE_INT><DATE_MATCH>01/06/2023</DATE_MATCH>"
          "<FOSTER_CARE>0</FOSTER_CARE><NB_ADOPTR>1</NB_ADOPTR><SEX_ADOPTR>M1</SEX_ADOPTR><LS_ADOPTR>L0</LS_ADOPTR>"
          "</ADOPTION>")


def test_the_flat_and_nested_layouts_give_the_same_records(tmp_path):
    flat, _ = _read(_return(tmp_path, "flat.xml", FLAT))
    nested, _ = _read(_return(tmp_path, "nested.xml", NESTED))
    for table in ("ssda903_uasc", "ssda903_oc3", "ssda903_ad1"):
        assert len(flat[table]) == 1, table
        columns = sorted(flat[table].columns)
        assert columns == sorted(nested[table].columns), table
        assert flat[table][columns].equals(nested[table][columns]), table
    assert flat["ssda903_uasc"].loc[0, "duc"] == "01/02/2026" and flat["ssda903_oc3"].loc[0, "in_touch"] == "YES"


@pytest.mark.parametrize("flag, records", [("<UASC />", 0), ("<UASC>0</UASC>", 0), ("<UASC>1</UASC>", 1),
                                           ("<UASC /><DUC>01/02/2026</DUC>", 1)])
def test_a_uasc_record_is_made_only_for_a_flagged_child(tmp_path, flag, records):
    tables, ledger = _read(_return(tmp_path, "r.xml", flag))
    assert len(tables.get("ssda903_uasc", [])) == records
    assert sum(r.rows_read for r in ledger.reconciliations) == 2 + records  # the header, the episode, the record


def test_a_record_or_field_not_known_here_is_read_or_listed_never_lost(tmp_path):
    # a record of a table added in a later collection year, and a field this reader does not know
    unknown = "<DOL><DOL_START>01/01/2024</DOL_START><DOL_END /></DOL><NEW_FIELD>x</NEW_FIELD>"
    tables, ledger = _read(_return(tmp_path, "r.xml", unknown, child_extra="<SW_EPISODE><SW_ID>SW1</SW_ID></SW_EPISODE>"))
    assert tables["ssda903_dol"]["dol_start"].tolist() == ["01/01/2024"]
    assert len(tables["ssda903_sw_episode"]) == 1 and "sw_id" not in tables["ssda903_sw_episode"].columns
    left_out = ledger.dropped_columns["r.xml"]
    assert "NEW_FIELD (not a field of the return caresurvey reads)" in left_out
    assert "UPN (identifier)" in left_out and "SW_ID (identifier)" in left_out
    assert all(r.rows_read == r.rows_kept + r.rows_quarantined for r in ledger.reconciliations)
