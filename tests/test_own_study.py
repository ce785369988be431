"""The worked example, a researcher's own study written by hand (``examples/own_study``), built end
to end as the README says: `make report CONFIG=...`. It builds into its own folders, leaves the
default study's files as they were, and its tables are the counts of its files, worked out by
hand below.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "own_study"
#: The default study's folders, and the example's own in the repository.
UNTOUCHED = ("data/raw", "data/processed", "reports", "examples/own_study/processed", "examples/own_study/reports")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example copied out of the repository and built with make; returns its reports folder."""
    if shutil.which("make") is None or not (PROJECT / ".venv" / ".installed").is_file():
        pytest.skip("needs make and the project's environment (`make setup`), as `make test` provides")
    study = tmp_path_factory.mktemp("own") / "own_study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("processed", "reports"))
    before = {folder: _hashes(PROJECT / folder) for folder in UNTOUCHED}
    result = subprocess.run(["make", "report", f"CONFIG={study / 'caresurvey.toml'}", "JOBS=2"], cwd=PROJECT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert {folder: _hashes(PROJECT / folder) for folder in UNTOUCHED} == before
    return study / "reports"


def _table(reports: Path, table_id: str) -> pd.DataFrame:
    return pd.read_csv(reports / "tables" / f"{table_id}.csv", keep_default_na=False)


def test_the_study_builds_into_its_own_folders_and_nothing_else(built):
    study = built.parent
    assert (built / "report.html").is_file() and (study / "processed" / "reconciliation.json").is_file()
    assert not (study / "raw" / "synthetic").exists()  # the synthetic study is written only where declared
    html = (built / "report.html").read_text(encoding="utf-8")
    assert "Review timeliness and children&#39;s participation in two LAs" in html  # [study] description
    assert "2: Northbury, Southmoor" in html and "SSDA903 episodes from July 2013 to January 2014" in html
    assert "Four LAs" not in html and not re.search(r"\bnan\b", html, flags=re.IGNORECASE)
    assert "processed/quarantine.csv" in html and "data/processed/quarantine.csv" not in html


def _answers(reports: Path, item: str, group: str) -> tuple[list[int], set[int]]:
    """An item's counts of each answer (in its scale's order) by one group, and its denominators."""
    answers = _table(reports, "item_answers")
    part = answers[(answers["item"] == item) & (answers["group"] == group)]
    return part["n"].tolist(), set(part["denominator"])


def test_answers_are_the_counts_of_the_files_whichever_way_the_codebook_runs(built):
    # iro_survey.csv, coded 1 = Never .. 5 = Always (its codebook): involved = 5,4,5,3,4,5,2,4,-,5,4,3
    assert _answers(built, "involved_in_plan", "IRO") == ([4, 4, 2, 1, 0], {11})
    # social_worker_survey.csv, coded 1 = Always .. 5 = Never: 1,2,2,2,3,3,3,3,3,4,4,4,5,5
    assert _answers(built, "involved_in_plan", "Social worker") == ([1, 3, 5, 3, 2], {14})
    # the IROs' agreement runs 1 = Strongly disagree .. 5 = Strongly agree, 9 = Don't know (not an answer):
    # 4,5,4,5,3,2,5,4,4,9,5,1 -> Strongly agree 4, Agree 4, Neither 1, Disagree 1, Strongly disagree 1 of 11
    assert _answers(built, "separate_iro_service", "IRO") == ([4, 4, 1, 1, 1], {11})
    # the social workers' runs 1 = Strongly agree: 4,2,3,4,5,4,1,3,4,-,4,2,3,5 -> 1, 2, 3, 5, 2 of 13
    assert _answers(built, "separate_iro_service", "Social worker") == ([1, 2, 3, 5, 2], {13})
    assert _answers(built, "workload", "Social worker") == ([3, 7, 4], {14})
    assert _answers(built, "employment", "IRO") == ([9, 3], {12})


def test_the_published_analyses_run_on_the_study_s_own_items_and_groups(built):
    # in favour (Strongly agree or Agree) of separating IROs, by employment (employer 1 = the LA):
    # LA-employed IROs answered 4,5,4,3,2,4,4,(Don't know),1 -> 5 of 8; self-employed 5,5,5 -> 3 of 3
    favour = _table(built, "independence_attitudes").set_index("group")
    assert favour[["n", "denominator"]].to_dict("index") == {"Self-employed IROs": {"n": 3, "denominator": 3},
                                                             "LA-employed IROs": {"n": 5, "denominator": 8}}
    # the study replicates no published table: none of its cells is compared
    compared = _table(built, "published_comparison")
    assert set(compared["status"]) == {"not in this study"}


def test_reviews_on_time_are_worked_out_by_hand_from_the_returns(built):
    # First review due 20 working days after the period starts, then 3 months after the first held, then 6;
    # the return's year ends 31 March 2014. Northbury: N01 starts 06/01/2014, due 03/02, held 31/01 (on time);
    # N02 starts 13/01/2014, due 10/02, none held (not held); N03 starts 02/09/2013, due 30/09, held 04/10
    # (late), second due 04/01/2014, held 03/01 (on time). Southmoor: S01 starts 15/07/2013, due 12/08, held
    # 29/07 (on time), second due 29/10, held 28/10 (on time), care ends 20/12/2013; S02 starts 21/10/2013,
    # due 18/11, held 18/11 (on time), second due 18/02/2014, none held (not held).
    timeliness = _table(built, "review_timeliness")
    rows = {(row.la, row.review): [row.due, row.on_time, row.late, row.not_held] for row in timeliness.itertuples()}
    assert rows[("Northbury", "first")] == [3, 1, 1, 1] and rows[("Northbury", "second")] == [1, 1, 0, 0]
    assert rows[("Southmoor", "first")] == [2, 2, 0, 0] and rows[("Southmoor", "second")] == [2, 1, 0, 1]
    # views conveyed (PN1-PN6) at reviews of children aged 4 and over: N01 PN1, N03 PN1 and PN3, S01 PN2 twice
    funnels = _table(built, "study_la_funnels")
    conveyed = funnels[funnels["measure"] == "views conveyed at reviews (aged 4+)"].set_index("la_code")
    assert conveyed[["numerator", "denominator"]].to_dict("index") == {"Northbury": {"numerator": 3, "denominator": 3},
                                                                       "Southmoor": {"numerator": 2, "denominator": 2}}
    # every LA conveyed every child's views: at a pooled proportion of 1 no LA can be outside the limits
    assert set(conveyed["flag998"]) == {"inside"}
