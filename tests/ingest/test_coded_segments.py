"""Coded-segment exports: MAXQDA's layout and ATLAS.ti's (several codes a row, '::' paths)."""

from __future__ import annotations

from caresurvey.ingest.coded_segments import read_coded_segments
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger
from caresurvey.pseudonym import Pseudonymiser

PSEUDONYMISE = Pseudonymiser(b"a test key of 24 bytes..")


def read(path):
    ledger = Ledger()
    return read_coded_segments(Source(path=path, display=path.name, pseudonymise=PSEUDONYMISE), ledger)["codings"], ledger


def test_atlas_ti_quotations_with_several_codes(tmp_path):
    path = tmp_path / "quotations.csv"
    path.write_text(
        'ID,Quotation Name,Document,Codes,Start,End,Quotation Content,Created by\n'
        '1:1,We went,LA9-001 IRO,"Challenge::Dispute resolution process\nIndependence::Inside: access and influence",'
        '2,2,We went to dispute resolution,Coder B\n',
        encoding="utf-8",
    )
    codings, ledger = read(path)
    assert sorted(codings["code"]) == ["Challenge/Dispute resolution process", "Independence/Inside: access and influence"]
    assert set(codings["coder"]) == {"Coder B"} and set(codings["unit"]) == {"paragraph"}
    assert "dispute resolution" not in codings.to_csv()
    # one spreadsheet row read, kept whole
    [count] = ledger.reconciliations
    assert (count.rows_read, count.rows_kept) == (1, 1)
    assert any("Quotation Content" in c for c in ledger.dropped_columns["quotations.csv"])


def test_maxqda_document_groups_name_the_role(synthetic_study):
    codings, ledger = read(synthetic_study / "interviews" / "coded_segments.xlsx")
    assert set(codings["respondent_role"]) == {"Social worker", "IRO", "Parent", "Young person",
                                               "Focus group (multi-professional)", "Focus group (young people)"}
    assert codings["interview_id"].nunique() == 138 + 6  # seed 001: 138 interviews and 6 focus groups
    assert not ledger.problems
