"""Ingestion re-reads only the raw files that changed, and what it writes does not depend on
whether a file was read now or taken from the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.ingest.pipeline import ingest_study

PROJECT = Path(__file__).resolve().parents[2]
CHANGED = "data/raw/synthetic/questionnaires/iro_questionnaire.csv"


@pytest.fixture()
def study(synthetic_study, tmp_path) -> Path:
    shutil.copy(PROJECT / "caresurvey.toml", tmp_path / "caresurvey.toml")
    shutil.copytree(synthetic_study, tmp_path / "data" / "raw" / "synthetic")
    return tmp_path / "caresurvey.toml"


def ingest(config_path: Path) -> tuple[dict, list[str]]:
    seen: list[str] = []
    summary = ingest_study(load_config(config_path), progress=lambda k, n, label: seen.append(label))
    return summary, seen


def outputs(config_path: Path) -> dict[str, bytes]:
    folder = load_config(config_path).processed_dir
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_only_the_changed_file_is_read_again_and_outputs_match_a_fresh_run(study):
    first, _ = ingest(study)
    files = len(load_config(study).input_files())
    assert first["unchanged_files"] == 0
    again, seen = ingest(study)
    assert again["unchanged_files"] == files and all(label.endswith(", unchanged)") for label in seen)
    assert again["rows_read"] == first["rows_read"]

    # the same answers with the other line ends: new bytes, the same table
    raw = study.parent / CHANGED
    before = raw.read_bytes()
    after = before.replace(b"\r\n", b"\n") if b"\r\n" in before else before.replace(b"\n", b"\r\n")
    assert after != before
    raw.write_bytes(after)
    changed, seen = ingest(study)
    assert changed["unchanged_files"] == files - 1
    assert [label for label in seen if not label.endswith(", unchanged)")] == [f"{CHANGED} (qualtrics-csv)"]
    cached = outputs(study)

    shutil.rmtree(load_config(study).processed_dir / ".cache")
    fresh, _ = ingest(study)
    assert fresh["unchanged_files"] == 0
    assert outputs(study) == cached  # byte for byte: parquet, quarantine, reconciliation, data package


def test_another_key_reads_everything_again(study, monkeypatch):
    ingest(study)
    monkeypatch.setenv("CARESURVEY_KEY", "another key of at least sixteen bytes")
    summary, _ = ingest(study)
    assert summary["unchanged_files"] == 0  # pseudonyms depend on the key: nothing is reused


def test_an_unfinished_cache_entry_is_ignored_and_removed(study):
    ingest(study)
    cache = load_config(study).processed_dir / ".cache"
    entry = next(cache.iterdir())
    (entry / "entry.json").unlink()  # as if the run had been killed while storing it
    stray = cache / ".entry-killed"
    stray.mkdir()
    summary, _ = ingest(study)
    assert summary["unchanged_files"] == len(load_config(study).input_files()) - 1
    assert not stray.exists() and (entry / "entry.json").is_file()
