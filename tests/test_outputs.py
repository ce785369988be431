"""Atomic outputs: a command's files appear together or not at all, even when the run is killed."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caresurvey import outputs
from caresurvey.outputs import atomic_write_text, output_transaction, recover, remove_output

PROJECT = Path(__file__).resolve().parents[1]


def snapshot(folder: Path) -> dict[str, str]:
    """The outputs under ``folder`` as a reader sees them (not the ingestion cache, not staging
    folders) and the SHA-256 of each file's bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).parts[0].startswith((".cache", ".staging-"))}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".staging-"))


def write_set(folder: Path, version: str, names: list[str]) -> None:
    for name in names:
        atomic_write_text(folder / name, f"{name} {version}\n")


OLD_FILES = ["a.csv", "b.csv", "sub/c.csv", "stale.csv"]
NEW_FILES = ["a.csv", "b.csv", "sub/c.csv", "sub/d.csv"]


def new_outputs(folder: Path) -> None:
    write_set(folder, "new", NEW_FILES)
    remove_output(folder / "stale.csv")


@pytest.fixture
def previous(tmp_path) -> Path:
    folder = tmp_path / "out"
    write_set(folder, "old", OLD_FILES)
    return folder


def test_a_step_that_fails_leaves_the_previous_outputs_whole(previous):
    before = snapshot(previous)
    with pytest.raises(RuntimeError):
        with output_transaction(previous):
            write_set(previous, "new", NEW_FILES[:2])
            assert snapshot(previous) == before  # staged, not yet visible
            raise RuntimeError("the third table fails")
    assert snapshot(previous) == before and leftovers(previous) == []


def test_a_finished_step_replaces_the_set_and_deletes_what_it_no_longer_makes(previous):
    with output_transaction(previous):
        new_outputs(previous)
        with output_transaction(previous / "sub"):  # a nested step joins the outer one
            atomic_write_text(previous / "sub" / "e.csv", "e\n")
        assert not (previous / "sub" / "e.csv").exists()
    assert snapshot(previous) == {**{n: hashlib.sha256(f"{n} new\n".encode()).hexdigest() for n in NEW_FILES},
                                  "sub/e.csv": hashlib.sha256(b"e\n").hexdigest()}
    assert leftovers(previous) == []


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even ``except Exception`` handlers."""


@pytest.mark.parametrize("after", range(len(NEW_FILES)))
def test_a_run_killed_while_moving_files_into_place_is_finished_by_the_next_one(previous, monkeypatch, tmp_path,
                                                                                after):
    # the reference: the same step run to its end
    expected = tmp_path / "expected"
    shutil.copytree(previous, expected)
    with output_transaction(expected):
        new_outputs(expected)
    old, new = snapshot(previous), snapshot(expected)
    assert old != new

    real_replace = os.replace
    moved = []

    def replace_then_die(source, target):
        if ".staging-" not in str(target):  # a move into place, not a write into the staging folder
            if len(moved) == after:
                raise Killed
            moved.append(target)
        real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", replace_then_die)
    with pytest.raises(Killed):
        with output_transaction(previous):
            new_outputs(previous)
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    assert len(leftovers(previous)) == 1  # the committed journal waits in its staging folder
    lines = recover(previous)
    assert lines and "finished moving" in lines[0]
    assert snapshot(previous) == new and leftovers(previous) == []


def test_a_run_killed_before_it_commits_is_discarded_by_the_next_one(previous, monkeypatch):
    old = snapshot(previous)

    def die(*args):
        raise Killed

    monkeypatch.setattr(outputs._Transaction, "commit", die)
    with pytest.raises(Killed):
        with output_transaction(previous):
            new_outputs(previous)
    monkeypatch.undo()
    assert len(leftovers(previous)) == 1
    # readers never look inside a staging folder: the previous outputs are what they see
    assert snapshot(previous) == old
    assert "removed the unfinished" in recover(previous)[0]
    assert snapshot(previous) == old and leftovers(previous) == []


def test_recovery_leaves_a_live_command_alone(previous):
    with output_transaction(previous):
        atomic_write_text(previous / "a.csv", "a newer\n")
        assert recover(previous) == []  # the staging folder belongs to a running command
        assert len(leftovers(previous)) == 1
    assert (previous / "a.csv").read_text() == "a newer\n"


# ---- real processes killed with SIGKILL -------------------------------------------------------


def _environment(key: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path), "CARESURVEY_KEY": key,
            "CARESURVEY_WORKERS": "1"}


def _command(config: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "caresurvey", *arguments, "--config", str(config)]


def _run(config: Path, key: str, *arguments: str) -> None:
    result = subprocess.run(_command(config, *arguments), capture_output=True, text=True, timeout=600,
                            env=_environment(key))
    assert result.returncode == 0, result.stderr


def _kill_when(config: Path, key: str, arguments: tuple[str, ...], folder: Path, moment) -> None:
    """Start the command, SIGKILL it as soon as ``moment(folder, seconds since the start)`` holds,
    and wait for it to die."""
    started = time.monotonic()
    process = subprocess.Popen(_command(config, *arguments), env=_environment(key),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None and not moment(folder, time.monotonic() - started):
            assert time.monotonic() - started < 300, "the command neither finished nor reached the moment"
            time.sleep(0.001)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def _staging_has_files(folder: Path, seconds: float) -> bool:
    return any(any(stage.rglob("*.parquet")) or any(stage.rglob("*.csv")) for stage in folder.glob(".staging-*"))


def _after(moment: float):
    return lambda folder, seconds: seconds >= moment


@pytest.fixture(scope="module")
def real_study(synthetic_study, tmp_path_factory) -> Path:
    """The synthetic study configured as real data, so that the pseudonymisation key is ours to change."""
    folder = tmp_path_factory.mktemp("killed")
    text = (PROJECT / "caresurvey.toml").read_text(encoding="utf-8").replace("synthetic = true", "synthetic = false")
    (folder / "caresurvey.toml").write_text(text, encoding="utf-8")
    shutil.copytree(synthetic_study, folder / "data" / "raw" / "synthetic")
    return folder / "caresurvey.toml"


def test_killed_ingestion_leaves_the_previous_or_the_new_processed_study(real_study):
    processed = real_study.parent / "data" / "processed"
    key_before, key_after = "the key of the previous run, long enough", "the key of this run, also long enough"
    started = time.monotonic()
    _run(real_study, key_after, "ingest")
    duration = time.monotonic() - started  # kill moments spread over a run as long as this one
    new = snapshot(processed)
    shutil.rmtree(processed)
    _run(real_study, key_before, "ingest")  # every pseudonym, so every table, differs between the two
    old = snapshot(processed)
    assert set(old) == set(new) and all(old[name] != new[name] for name in old if name.endswith(".parquet"))
    saved = real_study.parent / "saved"
    shutil.copytree(processed, saved)

    outcomes = []
    moments = [_staging_has_files] + [_after(share * duration) for share in (0.5, 0.85, 1.0)]
    for moment in moments:
        _kill_when(real_study, key_after, ("ingest",), processed, moment)
        staged = leftovers(processed)
        seen = snapshot(processed)
        if not any((processed / stage / "journal.json").exists() for stage in staged):
            assert seen in (old, new)  # nothing committed and unfinished: what is there is whole
        recover(processed)
        after = snapshot(processed)
        assert after in (old, new) and leftovers(processed) == []
        outcomes.append("new" if after == new else "old")
        shutil.rmtree(processed)
        shutil.copytree(saved, processed)
    assert outcomes[0] == "old"  # killed with tables staged: the previous study stands
    _run(real_study, key_after, "ingest")  # and the next run completes as if nothing happened
    assert snapshot(processed) == new


def test_a_killed_report_leaves_the_previous_reports(ingested_study, tmp_path):
    config = tmp_path / "caresurvey.toml"
    shutil.copy(ingested_study, config)
    (tmp_path / "data").symlink_to(ingested_study.parent / "data")  # only read: the report writes under reports/
    reports = tmp_path / "reports"
    _run(config, "", "tables")
    old = snapshot(reports)
    _kill_when(config, "", ("report",), reports, _staging_has_files)
    assert snapshot(reports) == old  # killed while staging its tables: nothing a reader sees changed
    recover(reports)
    assert snapshot(reports) == old and leftovers(reports) == []


# ---- text a spreadsheet would run ---------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    import pandas as pd

    from caresurvey.outputs import write_frame_csv

    # OWASP "CSV injection": a cell starting =, +, -, @, tab or carriage return runs as a formula
    frame = pd.DataFrame({"label": ["=HYPERLINK(\"http://example.org\")", "+44 1234", "@SUM(A1)", "\t=1", "-3",
                                    "+0.5", "-", "Rarely or never"],
                          "n": [1, -2, 3, 4, 5, 6, 7, 8]})
    write_frame_csv(tmp_path / "t.csv", frame)
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert back["label"].tolist() == ["'=HYPERLINK(\"http://example.org\")", "'+44 1234", "'@SUM(A1)", "'\t=1",
                                      "-3", "+0.5", "-", "Rarely or never"]  # numbers and a lone sign are not formulas
    assert back["n"].tolist() == ["1", "-2", "3", "4", "5", "6", "7", "8"]
