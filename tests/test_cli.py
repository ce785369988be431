"""The command line: help for every subcommand, exit codes, JSON shape, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from caresurvey.cli import build_parser, main

SUBCOMMANDS = ["consistency", "published", "init", "check", "inventory", "tables", "figures", "report", "notebooks", "pdf",
               "provenance", "synth", "ingest", "compare-las", "compare-published", "rules"]
DATA = Path(__file__).parent / "data"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "caresurvey", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "usage: caresurvey " + command in result.stdout


def test_parser_lists_exactly_these_subcommands():
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    assert sorted(subparsers.choices) == sorted(SUBCOMMANDS)


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("caresurvey")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "consistency" in result.stdout


def test_json_output_has_the_documented_shape(capsys):
    # Seed 001 formal challenge: one joint solution, 58 = 48 + 10 IROs.
    assert main(["consistency", str(DATA / "formal_challenge.csv"), "--max-n", "65",
                 "--sum", "Overall=LA-employed+Self-employed", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["consistent"] is True and answer["n_solutions"] == 1
    assert answer["groups"]["Overall"]["n"] == [58]
    assert answer["solutions"][0]["Self-employed"] == {
        "n": 10, "counts": {"Local dispute resolution": 5, "Independent legal advice": 3,
                            "CAFCASS advice line": 1, "Formal referral to CAFCASS": 0}}


def test_limit_and_per_group_bounds(capsys):
    assert main(["consistency", str(DATA / "formal_challenge.csv"), "--max-n", "65",
                 "--max-n", "Self-employed=15", "--json", "--limit", "0"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["solutions"] == [] and answer["n_solutions"] > 0
    assert answer["groups"]["Self-employed"]["n"] == [10]
    assert answer["groups"]["Self-employed"]["searched"] == "1..15"


def test_inconsistent_table_exits_1(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("group,item,percent\nG,a,50%\nG,b,33%\n")  # n even and near a third: none below 6
    assert main(["consistency", str(table), "--max-n", "5"]) == 1
    assert "INCONSISTENT" in capsys.readouterr().out


def test_errors_are_one_line_without_traceback(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("group,item,pct\nG,a,50%\n")
    result = run("consistency", str(table))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing column(s) percent" in result.stderr and "row 1" in result.stderr


def test_published_table_through_the_cli(capsys):
    assert main(["consistency", "--published", "legal_status_at_sampling", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["groups"]["Children in the sample"]["n"] == [122]


def test_published_export_round_trips_through_the_checker(tmp_path, capsys):
    assert main(["published", "export", "formal_challenge", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    exported = tmp_path / "formal_challenge.percent.csv"
    assert main(["consistency", str(exported), "--max-n", "65",
                 "--sum", "Overall=LA-employed IROS+Self-employed IROs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_solutions"] == 1


def test_published_options_are_not_mixed_with_overrides(capsys):
    assert main(["consistency", "--published", "formal_challenge", "--max-n", "10"]) == 2
    assert "recorded with the table" in capsys.readouterr().err


def test_synth_writes_a_study_with_the_seed_given(tmp_path):
    result = run("synth", "--out", str(tmp_path / "study"), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "seed 3" in result.stdout
    assert "seed **3**" in (tmp_path / "study" / "README.md").read_text(encoding="utf-8")


def test_synth_takes_the_seed_from_the_config(tmp_path, capsys):
    config = tmp_path / "caresurvey.toml"
    config.write_text('[study]\nname = "x"\nsynthetic = true\nseed = 42\n')
    assert main(["synth", "--out", str(tmp_path / "study"), "--config", str(config)]) == 0
    assert "seed 42" in capsys.readouterr().out


def test_synth_national_needs_statistics(tmp_path, capsys):
    assert main(["synth", "--scale", "national", "--out", str(tmp_path / "n")]) == 2
    assert "--statistics DIR" in capsys.readouterr().err
    assert main(["synth", "--out", str(tmp_path / "s"), "--years", "3"]) == 2
    assert "--scale national only" in capsys.readouterr().err


def test_rules_lists_every_rule_of_the_catalogue():
    from caresurvey.rules import RULES

    result = run("rules")
    assert result.returncode == 0
    listed = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == list(RULES)
