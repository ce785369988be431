"""Configuration: the shipped file loads, paths are relative to it, mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]

MINIMAL = '[study]\nname = "S"\nsynthetic = false\nseed = 1\n'
#: A study with one group and one item (following MINIMAL's [study]), and a questionnaire entry to fill in.
QUESTIONNAIRE = ('groups = ["Guardians"]\n[items]\nseparate_iro_service = "agreement"\n[[inputs]]\npath = "q.csv"\n'
                 'format = "survey-table"\ngroup = "{group}"\n{items}')


def test_shipped_config_loads():
    config = load_config(PROJECT / "caresurvey.toml")
    assert config.synthetic is True and config.disclosure_threshold == 10
    assert config.reports_dir == PROJECT / "reports"


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "raw" / "la1").mkdir(parents=True)
    (tmp_path / "raw" / "la1" / "episodes.csv").write_text("CHILD\n1\n")
    (tmp_path / "study.toml").write_text(
        MINIMAL + '[paths]\nraw = "raw"\n[[inputs]]\npath = "la*/episodes.csv"\nformat = "ssda903-csv"\nla = "LA1"\n'
    )
    config = load_config(tmp_path / "study.toml")
    assert config.raw_dir == tmp_path / "raw"
    [(spec, path)] = config.input_files()
    assert spec.la == "LA1" and path == tmp_path / "raw" / "la1" / "episodes.csv"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("[disclosure]\nthreshhold = 5\n", "unknown key"),
        ("[disclosure]\nthreshold = 0\n", "at least 1"),
        ("[consistency]\nrounding = \"banker\"\n", "rounding must be one of"),
        ('[[inputs]]\npath = "x.csv"\nformat = "excel"\n', "format 'excel' is not one of"),
        ("[extras]\n", "unknown section"),
        # groups and items: a mistake is an error, not an empty table
        ('[[inputs]]\npath = "q.csv"\nformat = "qualtrics-csv"\nitems = { Q1 = "x" }\n', "needs its respondent group"),
        (QUESTIONNAIRE.format(group="IRO", items='items = { Q1 = "separate_iro_service" }\n'),
         "not one of the study's groups"),
        (QUESTIONNAIRE.format(group="Guardians", items=""), "map the variables the study analyses"),
        (QUESTIONNAIRE.format(group="Guardians", items='items = { Q1 = "seperate_iro_service" }\n'),
         "'seperate_iro_service' are not declared in \\[items\\]"),
        ('[items]\nx = "likert"\n', "names the scale 'likert', which is neither built in nor declared"),
        ('[items]\nemployment = { scale = "who" }\n[scales]\nwho = ["LA", "Agency"]\n',
         "say what each answer means, 'LA', 'Agency' included"),
        ('[items]\nemployment = { scale = "who", means = { LA = "council" } }\n[scales]\nwho = ["LA"]\n',
         "'council' is not one of LA-employed, Self-employed, Other"),
        ('[items]\nseparate_iro_service = "agree3"\n[scales]\nagree3 = ["Agree", "Neutral", "Disagree"]\n',
         "one of the published study's items, whose analyses read its answers on the agreement scale"),
        ('[scales]\nyn = ["Yes", "yes "]\n', "repeats 'Yes', 'yes '"),
        ('[scales]\nyn = { labels = ["Yes", "No"], missing = ["no"] }\n', "cannot be both an answer and missing"),
        ('[scales]\nadvice = { labels = ["Legal", "Advocate"], multiple = true, ordered = true }\n',
         "a multi-select scale \\(multiple = true\\) has no order"),
        ('[items]\nseparate_iro_service = "agree"\n[scales]\nagree = { labels = ["Strongly agree", "Agree", '
         '"Neither agree nor disagree", "Disagree", "Strongly disagree"], multiple = true }\n',
         "one of the published study's items"),
        ('[[inputs]]\npath = "x.csv"\nformat = "ssda903-csv"\ndate_format = "%d/%m/%Y"\n', "date_format"),
        ('[[inputs]]\npath = "x.csv"\nformat = "ssda903-csv"\nyear = "2018-20"\n',
         "year: '2018-20' is not a collection year: a collection runs from one April to the next"),
    ],
)
def test_mistakes_are_named(tmp_path, extra, message):
    (tmp_path / "c.toml").write_text(MINIMAL + extra)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "c.toml")


def test_missing_inputs_and_files_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
    (tmp_path / "c.toml").write_text(MINIMAL + '[[inputs]]\npath = "nowhere/*.csv"\nformat = "dfe-la"\n')
    with pytest.raises(ConfigError, match="matches no file"):
        load_config(tmp_path / "c.toml").input_files()


def test_a_group_is_matched_whatever_its_case_and_spacing_and_spelt_as_the_study_spells_it(tmp_path):
    (tmp_path / "c.toml").write_text(MINIMAL + QUESTIONNAIRE.format(group="  guardians", items='items = { Q1 = '
                                                                    '"separate_iro_service" }\n'))
    (spec,) = load_config(tmp_path / "c.toml").inputs
    assert spec.group == "Guardians"


def test_an_entry_names_its_collection_year_as_the_dfe_does(tmp_path):
    (tmp_path / "c.toml").write_text(MINIMAL + '[[inputs]]\npath = "x.csv"\nformat = "ssda903-csv"\nla = "LA1"\n'
                                               'year = "2018-19"\n')
    (spec,) = load_config(tmp_path / "c.toml").inputs
    assert spec.year == 2019  # the collection ending 31 March 2019


def test_a_multi_select_scale_is_never_ordered(tmp_path):
    (tmp_path / "c.toml").write_text(MINIMAL + '[scales]\nadvice = { labels = ["Legal", "Advocate"], multiple = true }\n')
    advice = load_config(tmp_path / "c.toml").scales["advice"]
    assert advice.multiple and not advice.ordered
