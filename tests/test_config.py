"""Configuration: the shipped file loads, paths are relative to it, mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]

MINIMAL = '[study]\nname = "S"\nsynthetic = false\nseed = 1\n'


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
