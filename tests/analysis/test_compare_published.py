"""A local sample against a published table, over every count set the published values allow."""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest

from caresurvey.analysis.compare_published import compare_with_published
from caresurvey.ingest.local_table import read_local_table
from caresurvey.errors import InputError
from caresurvey.published.catalogue import load_table


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact two-sided p by summing hypergeometric probabilities no larger than the observed (by hand)."""
    row1, row2, col1 = a + b, c + d, a + c
    total = row1 + row2

    def probability(x: int) -> float:
        return math.comb(row1, x) * math.comb(row2, col1 - x) / math.comb(total, col1)

    observed = probability(a)
    return sum(probability(x) for x in range(max(0, col1 - row2), min(row1, col1) + 1)
               if probability(x) <= observed * (1 + 1e-7))


def local(tmp_path, rows):
    path = tmp_path / "local.csv"
    pd.DataFrame(rows, columns=["group", "item", "category", "n", "denominator"]).to_csv(path, index=False)
    return read_local_table(path)


def test_a_table_with_one_consistent_count_set_gives_one_test(tmp_path):
    # seed 001 "Formal challenge": LA-employed 81% has one joint solution, 39 of 48
    frame = local(tmp_path, [("LA-employed IROS", "Local dispute resolution", "", 20, 40)])
    row = compare_with_published(frame, load_table("formal_challenge")).iloc[0]
    assert row["count_sets"] == 1
    assert row["difference_min"] == pytest.approx(20 / 40 - 39 / 48)
    assert row["p_min"] == pytest.approx(fisher_two_sided(20, 20, 39, 9)) == row["p_max"]


def test_several_count_sets_give_the_range_of_results(tmp_path):
    # seed 001 "Different perceptions": IRO "CG contacts IRO" always or mostly 27%, denominator
    # not printed; every (n, count) the checker allows is compared, n up to the 65 IROs.
    frame = local(tmp_path, [("IRO", "CG contacts IRO", "Always or mostly", 30, 50)])
    row = compare_with_published(frame, load_table("iro_cg_contact")).iloc[0]
    assert row["count_sets"] > 10
    assert row["p_min"] < 0.05 <= row["p_max"]  # the conclusion depends on the published study's n
    assert row["difference_min"] <= row["difference_max"]


def test_rows_the_table_lacks_are_marked_and_bad_rows_refused(tmp_path):
    frame = local(tmp_path, [("Nobody", "Nothing", "", 1, 2)])
    assert compare_with_published(frame, load_table("formal_challenge"))["status"].tolist() == ["no published cell"]
    with pytest.raises(InputError, match="n must lie between 0 and the denominator"):
        local(tmp_path, [("IRO", "CG contacts IRO", "Always or mostly", 5, 3)])


def test_compare_published_command(tmp_path):
    path = tmp_path / "local.csv"
    path.write_text("group,item,category,n,denominator\nCG,IRO contacts CG,Rarely or never,10,30\n")
    result = subprocess.run([sys.executable, "-m", "caresurvey", "compare-published", str(path), "--published",
                             "iro_cg_contact", "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "out" / "comparison.csv")["status"].tolist() == ["compared"]
