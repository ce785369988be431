"""The study folder as a whole: determinism, README, manifest, refusal to overwrite raw data."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from caresurvey.errors import CaresurveyError
from caresurvey.config import load_config
from caresurvey.manifest import DEFAULT_SEED, SYNTHETIC_STUDY
from caresurvey.synth.study import MARKER, write_study

PROJECT = Path(__file__).resolve().parents[2]


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_files(study, tmp_path):
    again = tmp_path / "again"
    write_study(again, DEFAULT_SEED)
    assert digests(again) == digests(study)


def test_another_seed_gives_other_records_but_the_same_published_counts(study, tmp_path):
    other = tmp_path / "other"
    write_study(other, DEFAULT_SEED + 1)
    first, second = digests(study), digests(other)
    assert first.keys() == second.keys()
    changed = {name for name in first if first[name] != second[name]}
    assert "case_files/LA1/episodes.csv" in changed
    assert "questionnaires/team_manager_questionnaire.sav" in changed
    # the calibration depends on the published tables only; the record names the seed
    calibration = (other / MARKER).read_text().replace(str(DEFAULT_SEED + 1), str(DEFAULT_SEED))
    assert calibration == (study / MARKER).read_text()


def test_readme_says_synthetic_how_and_which_seed(study):
    readme = (study / "README.md").read_text(encoding="utf-8")
    assert "**Every record in this folder is synthetic.**" in readme
    assert f"seed **{DEFAULT_SEED}**" in readme
    assert "Dickens, J., Schofield, G." in readme  # the published tables it reproduces
    for entry in SYNTHETIC_STUDY:
        assert f"`{entry.path}`" in readme


def test_every_manifest_entry_exists(study):
    for entry in SYNTHETIC_STUDY:
        assert list(study.glob(entry.path)), entry.path
        if entry.codebook:
            assert (study / entry.codebook).is_file()


def test_the_shipped_config_takes_its_inputs_from_the_synthetic_study_manifest(study):
    with (PROJECT / "caresurvey.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    assert "inputs" not in raw  # the synthetic study's files are listed once, in caresurvey.manifest
    assert raw["study"]["seed"] == DEFAULT_SEED and raw["study"]["synthetic"] is True
    config = load_config(PROJECT / "caresurvey.toml")
    listed = [(e.path, e.format, e.la, e.group, e.codebook, dict(e.items)) for e in config.inputs]
    made = [(f"synthetic/{f.path}", f.format, f.la, f.group, f.codebook and f"synthetic/{f.codebook}", dict(f.items))
            for f in SYNTHETIC_STUDY]
    assert listed == made


def test_refuses_to_overwrite_a_folder_that_is_not_a_synthetic_study(tmp_path):
    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "episodes.csv").write_text("CHILD\n1\n")
    with pytest.raises(CaresurveyError, match="refusing to overwrite"):
        write_study(folder, 1)
    assert (folder / "episodes.csv").read_text() == "CHILD\n1\n"
    assert not list(tmp_path.glob(".real.*"))


def test_replaces_a_previous_synthetic_study(study, tmp_path):
    folder = tmp_path / "synthetic"
    write_study(folder, DEFAULT_SEED + 2)
    (folder / "stale.txt").write_text("left from an older version")
    write_study(folder, DEFAULT_SEED)
    assert digests(folder) == digests(study)
