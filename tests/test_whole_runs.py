"""Whole runs of every command, as `make report` and a user at the command line run them:
raw data untouched, no direct identifier in any output, the same bytes from two runs, and the
pseudonymisation key never written anywhere.

The study is the synthetic one plus a broken SSDA903 header (a date of birth that is not a date,
so the quarantine is exercised) and a small DfE file (so the LA comparison runs).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caresurvey.cli import build_parser
from tests.identifiers import raw_identifiers, scan
from tests.ingest.test_reader_properties import SFR

PROJECT = Path(__file__).resolve().parents[1]
BROKEN = PROJECT / "tests" / "data" / "broken"
EXTRA_INPUTS = """
# the broken header table below loses 2 of its 3 rows, which the study accepts
[ingest]
accept_losses = true

[[inputs]]
path = "extra/header.csv"
format = "ssda903-csv"
la = "LA9"
description = "a broken header table: a date of birth that is not a date"

[[inputs]]
path = "extra/SFR36_CLA2014.csv"
format = "dfe-la"
description = "DfE statistics for three areas"
"""


def make_study(folder: Path, synthetic_study: Path, *, synthetic: bool = True) -> Path:
    """The study in ``folder``; returns its configuration file."""
    text = (PROJECT / "caresurvey.toml").read_text(encoding="utf-8") + EXTRA_INPUTS
    if not synthetic:
        text = text.replace("synthetic = true", "synthetic = false")
    (folder / "caresurvey.toml").write_text(text, encoding="utf-8")
    raw = folder / "data" / "raw"
    shutil.copytree(synthetic_study, raw / "synthetic")
    (raw / "extra").mkdir()
    shutil.copy(BROKEN / "header.csv", raw / "extra" / "header.csv")
    (raw / "extra" / "SFR36_CLA2014.csv").write_text(SFR, encoding="utf-8")
    # an LA's own table in a published table's layout, for `compare-published`
    (folder / "local.csv").write_text("group,item,category,n,denominator\nCG,IRO contacts CG,Rarely or never,10,30\n")
    shutil.copytree(PROJECT / "notebooks", folder / "notebooks")
    return folder / "caresurvey.toml"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def environment(hash_seed: str, key: str | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONHASHSEED": hash_seed,
           "HOME": os.environ.get("HOME", "/tmp")}
    if key is not None:
        env["CARESURVEY_KEY"] = key
    return env


def run(folder: Path, arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "caresurvey", *arguments], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)


def commands(folder: Path) -> list[list[str]]:
    """Every command, in the order `make report` runs them, then the others."""
    config = ["--config", "caresurvey.toml"]
    ssda903 = sorted(str(p) for p in (folder / "data" / "raw" / "synthetic" / "case_files" / "LA1").glob("*.csv"))
    return [
        ["inventory", *config], ["ingest", *config], ["tables", *config], ["figures", *config],
        ["report", *config], ["notebooks", *config], ["provenance", *config], ["check", *config],
        # the scaffold of the same files goes under reports/, so the identifier scan covers it
        ["init", "data/raw", "--out", "reports/init/caresurvey.toml"],
        ["consistency", "--published", "formal_challenge"], ["published", "export", "--out", "reports/published"],
        ["compare-las", "--measure", "CLA_S20", "--denominator", "CLA_Mar2014", "--year", "2014",
         "--out", "reports/compare", *config],
        ["compare-published", "local.csv", "--published", "iro_cg_contact", "--out", "reports/compare_published"],
        ["ingest", "--format", "ssda903-csv", *ssda903, "--la", "LA1", "--out", "data/processed/single",
         "--key-file", str(folder / "single.key")],
        ["synth", "--out", "elsewhere/synthetic", "--seed", "7"], ["rules"],
        ["pdf", *config],
    ]


@pytest.fixture(scope="module")
def whole_run(synthetic_study, tmp_path_factory):
    """Every command run once over the study, with the raw folder hashed before and after each.

    Returns the study folder and, per command, the raw folder's hashes before and after.
    """
    folder = tmp_path_factory.mktemp("whole_run")
    make_study(folder, synthetic_study)
    raw = folder / "data" / "raw"
    hashes = []
    (folder / "single.key").write_text("the key of single-file ingestion, long enough\n")
    env = environment("1")
    for arguments in commands(folder):
        if arguments[0] == "pdf" and not shutil.which("chromium"):
            continue  # the browser tests say why; every other command still runs
        before = tree_hashes(raw)
        result = run(folder, arguments, env)
        assert result.returncode == 0, (arguments, result.stderr)
        hashes.append((arguments[0], before, tree_hashes(raw)))
    return folder, hashes


def test_every_command_leaves_the_raw_data_as_it_was(whole_run):
    folder, hashes = whole_run
    names = {name for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)
             for name in action.choices}
    assert names == {name for name, _, _ in hashes} | ({"pdf"} if not shutil.which("chromium") else set())
    for name, before, after in hashes:
        assert before and after == before, name


def test_no_direct_identifier_reaches_processed_data_or_reports(whole_run):
    folder, _ = whole_run
    identifiers = raw_identifiers(folder / "data" / "raw")
    # the raw files hold every kind of identifier the scan looks for, and the scan finds them there
    assert all(identifiers.values()), {kind for kind, values in identifiers.items() if not values}
    assert "31 Sept 2011" in identifiers["date of birth"]  # the broken header's unreadable date of birth (no 31 September)
    found_in_raw = {hit.split(": ", 1)[1].split(" ", 1)[0] for hit in scan(folder / "data" / "raw", identifiers)}
    assert {"id", "UPN", "postcode", "IP", "e-mail", "name", "coordinates", "free"} <= found_in_raw
    outputs = [folder / "data" / "processed", folder / "reports"]
    assert sum(1 for output in outputs for p in output.rglob("*.parquet")) > 10
    hits = [hit for output in outputs for hit in scan(output, identifiers)]
    assert hits == []


def test_two_runs_write_the_same_bytes(whole_run, synthetic_study, tmp_path):
    # A second copy of the study, run with another hash seed (set and dict order must not matter)
    first, _ = whole_run
    make_study(tmp_path, synthetic_study)
    env = environment("2")
    for command in ("inventory", "ingest", "tables", "figures"):
        result = run(tmp_path, [command, "--config", "caresurvey.toml"], env)
        assert result.returncode == 0, result.stderr
    processed = tree_hashes(tmp_path / "data" / "processed")
    assert processed and processed == {k: v for k, v in tree_hashes(first / "data" / "processed").items()
                                       if not k.startswith("single/")}
    for part in ("tables", "figures"):
        second = tree_hashes(tmp_path / "reports" / part)
        assert second and second == tree_hashes(first / "reports" / part), part
    assert (tmp_path / "reports" / "tables.xlsx").read_bytes() == (first / "reports" / "tables.xlsx").read_bytes()


# ---- the pseudonymisation key -----------------------------------------------------------------

KEY = "caresurvey-test-key-5f0c1e7d9a2b4c6e8f"


def _forms(key: str) -> list[str]:
    """The ways a key could be written out: as given, hex, base64, and its plain SHA-256."""
    raw = key.encode()
    return [key, raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("="),
            hashlib.sha256(raw).hexdigest()]


def test_the_key_is_never_written_to_outputs_logs_or_provenance(synthetic_study, tmp_path):
    config = make_study(tmp_path, synthetic_study, synthetic=False)
    logs = []
    for arguments in (["ingest", "--verbose"], ["inventory", "--verbose"], ["provenance", "--verbose"]):
        result = run(tmp_path, [*arguments, "--config", config.name], environment("1", key=KEY))
        assert result.returncode == 0, result.stderr
        logs.append(result.stdout + result.stderr)
    assert "[1/" in logs[0]  # the verbose run did log its progress
    written = [p for folder in ("data/processed", "reports") for p in (tmp_path / folder).rglob("*") if p.is_file()]
    assert any(p.name == "provenance.json" for p in written) and any(".cache" in p.parts for p in written)
    for form in _forms(KEY):
        assert not any(form in log for log in logs), form
        for path in written:
            assert form.encode() not in path.read_bytes(), (form, path)


def test_real_data_without_a_key_stops_before_anything_is_written(synthetic_study, tmp_path):
    config = make_study(tmp_path, synthetic_study, synthetic=False)
    result = run(tmp_path, ["ingest", "--config", config.name], environment("1"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "needs a pseudonymisation key" in result.stderr and "CARESURVEY_KEY" in result.stderr
    processed = tmp_path / "data" / "processed"
    assert not processed.exists() or not any(processed.iterdir())
