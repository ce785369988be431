"""An LA is one LA however a study writes it: English LAs are named as the DfE names them, and two
spellings of one name are refused rather than read as two LAs."""

from __future__ import annotations

import pytest

from caresurvey.config import load_config
from caresurvey.errors import CaresurveyError, ConfigError
from caresurvey.local_authorities import known_la

SSDA903 = '[[inputs]]\npath = "{path}"\nformat = "ssda903-csv"\nla = "{la}"\n'


def _config(tmp_path, entries: str):
    (tmp_path / "c.toml").write_text('[study]\nname = "LAs"\nsynthetic = true\nseed = 1\n[paths]\nraw = "raw"\n'
                                     'processed = "processed"\n' + entries, encoding="utf-8")
    return tmp_path / "c.toml"


def test_english_las_are_known_by_name_or_ons_code_and_a_studys_own_labels_are_kept():
    # names and codes as the DfE's statistics publish them (SFR 34/2015; EES 2023)
    assert known_la("norfolk ") == known_la("NORFOLK") == known_la("E10000020") == "Norfolk"
    assert known_la("Kingston Upon Hull City of") == "Kingston upon Hull, City of"
    assert known_la("Bournemouth") == "Bournemouth"  # since merged into BCP (2019): older returns name it
    assert known_la("LA1") is None and known_la("926") is None  # a study's label; a bare number may be one too


def test_the_manifest_names_an_english_la_as_the_dfe_does(tmp_path):
    config = load_config(_config(tmp_path, SSDA903.format(path="a/*.csv", la="norfolk")))
    assert [spec.la for spec in config.inputs] == ["Norfolk"]


def test_two_spellings_of_one_la_name_are_refused(tmp_path):
    entries = SSDA903.format(path="a/*.csv", la="Northbury") + SSDA903.format(path="b/*.csv", la="north bury")
    with pytest.raises(ConfigError, match="name one LA as 'Northbury' and 'north bury'"):
        load_config(_config(tmp_path, entries))


def test_an_la_written_one_way_in_the_manifest_and_another_in_the_case_files_is_refused(tmp_path):
    from caresurvey.ingest.pipeline import ingest_study

    raw = tmp_path / "raw"
    (raw / "a").mkdir(parents=True)
    (raw / "a" / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC\n1,1,30/06/2008,WBRI\n", encoding="utf-8")
    (raw / "cases.csv").write_text("Case ref,LA,Child ID,Legal status at sampling\nC1,LA 1,1,Section 20\n",
                                   encoding="utf-8")
    entries = SSDA903.format(path="a/*.csv", la="LA1") + '[[inputs]]\npath = "cases.csv"\nformat = "case-abstraction"\n'
    with pytest.raises(CaresurveyError, match="one LA is written in more than one way .'LA 1' in case_files; 'LA1' in "
                                              "children"):
        ingest_study(load_config(_config(tmp_path, entries)))
    assert not (tmp_path / "processed" / "children.parquet").exists()
