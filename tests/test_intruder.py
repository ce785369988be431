"""An intruder attacks the whole real-data release: nothing withheld can be recovered or shown small.

The release is built as a real study's would be (``synthetic = false``) for the default study
and for the hand-written own-study example, at thresholds 5, 10 and 20 and with counts rounded
to 5. The intruder (:mod:`tests.intruder`, written without the package's disclosure code) holds
every released table at once and solves integer programmes over them; the unprotected tables
give the truth to judge the attack by. The attacks an audit of an earlier release made are
checked by name too (each recovered a cell then: the numbers in the comments are what it got).
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.config import load_config
from caresurvey.ingest.pipeline import ingest_study
from caresurvey.results.inputs import read_processed
from caresurvey.results.stage import build_release, compute
from tests.intruder import Intruder, rows_of, write_relations

PROJECT = Path(__file__).resolve().parents[1]

#: Policies attacked: (threshold, rounding base). The default study at a threshold of 10 runs in
#: `make test`; the rest are slow (each release and attack takes 15-30 seconds) and run in CI.
POLICIES = [pytest.param(10, 0, id="threshold-10"),
            pytest.param(5, 0, id="threshold-5", marks=pytest.mark.slow),
            pytest.param(20, 0, id="threshold-20", marks=pytest.mark.slow),
            pytest.param(10, 5, id="threshold-10-rounded-5", marks=pytest.mark.slow)]


@dataclasses.dataclass
class Attacked:
    """A real-data release, what it hides, and what the intruder made of it."""

    threshold: int
    released: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    intruder: Intruder
    ranges: dict[str, tuple[float, float]]
    implied: dict[str, dict[int, float]]

    def true_value(self, var: int) -> float:
        table, row, column = self.intruder.where[var]
        return float(pd.to_numeric(self.truth[table].reset_index(drop=True).at[row, column], errors="coerce"))


def _attack(config_path: Path, threshold: int, round_to: int) -> Attacked:
    config = dataclasses.replace(load_config(config_path), synthetic=False, disclosure_threshold=threshold,
                                 round_to=round_to)
    release = build_release(config)
    released = {table_id: table.display() for table_id, table in release.tables.items()
                if not table.declaration.roles.public}
    truth = compute(read_processed(config.processed_dir), list(released), config)
    intruder = Intruder(released, round_to)
    implied = write_relations(intruder)
    expressions = {f"cell {k}": {k: 1.0} for k in intruder.withheld()} | implied
    # a range at least one wide that reaches the threshold needs no exact programme (see Intruder.ranges)
    ranges = intruder.ranges(expressions, enough=lambda low, high: high - low >= 1 and high >= threshold)
    return Attacked(threshold, released, truth, intruder, ranges, implied)


@pytest.fixture(scope="module")
def own_study(tmp_path_factory) -> Path:
    """The own-study example (two LAs, two questionnaires, written by hand), ingested in a copy."""
    folder = tmp_path_factory.mktemp("own_intruder") / "own_study"
    shutil.copytree(PROJECT / "examples" / "own_study", folder, ignore=shutil.ignore_patterns("processed", "reports"))
    ingest_study(load_config(folder / "caresurvey.toml"))
    return folder / "caresurvey.toml"


_ATTACKS: dict[tuple, Attacked] = {}


def attacked(config_path: Path, threshold: int, round_to: int) -> Attacked:
    key = (str(config_path), threshold, round_to)
    if key not in _ATTACKS:
        _ATTACKS[key] = _attack(config_path, threshold, round_to)
    return _ATTACKS[key]


def _recovered(attack: Attacked) -> list[str]:
    """Withheld cells pinned to one value, or small ones shown to be below the threshold."""
    found = []
    for var in attack.intruder.withheld():
        low, high = attack.ranges[f"cell {var}"]
        value = attack.true_value(var)
        if high - low < 1:
            found.append(f"{attack.intruder.where[var]} = {low:g} (true {value:g})")
        elif 0 < value < attack.threshold and high < attack.threshold:
            found.append(f"{attack.intruder.where[var]} shown below {attack.threshold}: {low:g} to {high:g}")
    return found


def _implied_small(attack: Attacked) -> list[str]:
    """Unpublished counts (a difference, the rest of a denominator) pinned or shown small and not zero."""
    found = []
    for name in attack.implied:
        low, high = attack.ranges[name]
        if 0 < low and high < attack.threshold:
            found.append(f"{name}: {low:g} to {high:g}")
    return found


@pytest.mark.parametrize(("threshold", "round_to"), POLICIES)
def test_no_withheld_cell_of_the_default_study_can_be_recovered(ingested_study, threshold, round_to):
    attack = attacked(ingested_study, threshold, round_to)
    assert len(attack.intruder.withheld()) > 300  # the attack has something to work on
    assert _recovered(attack) == []
    assert _implied_small(attack) == []


@pytest.mark.slow
@pytest.mark.parametrize(("threshold", "round_to"), [(5, 0), (10, 0), (20, 0), (10, 5)])
def test_no_withheld_cell_of_the_own_study_can_be_recovered(own_study, threshold, round_to):
    attack = attacked(own_study, threshold, round_to)
    assert attack.intruder.withheld()
    assert _recovered(attack) == []
    assert _implied_small(attack) == []


def test_the_attacks_of_the_audit_recover_nothing(ingested_study):
    attack = attacked(ingested_study, 10, 0)
    t, where = attack.released, {key: var for var, key in enumerate(attack.intruder.where)}

    def cell(table: str, column: str, **keys) -> tuple[float, float]:
        var = where[(table, rows_of(t[table], **keys)[0], column)]
        if str(t[table].at[rows_of(t[table], **keys)[0], column]) != "c":
            return (math.nan, math.nan)  # released: nothing to recover
        return attack.ranges[f"cell {var}"]

    # transitions against the status at file analysis gave s.20 -> returned home = 6
    low, high = cell("legal_status_transitions", "count", step="sampling to file analysis", from_status="s.20",
                     to_status="Returned home")
    assert high - low >= 1 and high >= 10
    # the at-risk column gave the children leaving care by 6 months = 3
    low, high = attack.ranges["left before 6.0 months"]
    assert high - low >= 1 and high >= 10
    # participation: views conveyed = PN1-PN6 over the age groups, its denominator PN1-PN7 (21 cells then)
    withheld = [var for var in attack.intruder.withheld() if attack.intruder.where[var][0] == "review_participation"]
    assert withheld and not [var for var in withheld
                             if attack.ranges[f"cell {var}"][1] - attack.ranges[f"cell {var}"][0] < 1]
    # a withheld number of coded units equalled every other row's: the units both coders coded are one
    # number, not a count of the row, and are shown on every row
    units = t["coding_agreement"]["units"].map(str)
    assert units.nunique() == 1 and units.iloc[0] != "c"


def test_no_statistic_rests_on_a_withheld_count(ingested_study):
    """A test, effect size or model is released only where every count of its table is."""
    attack = attacked(ingested_study, 10, 0)
    t = attack.released

    def withheld(table: str, **keys) -> bool:
        frame = t[table]
        rows = rows_of(frame, **keys)
        assert rows, (table, keys)
        return bool((frame.iloc[rows][["n", "denominator"]].astype(str) == "c").any(axis=None))

    checked = 0
    for item in t["iro_cg_contact_tests"]["item"]:
        row = t["iro_cg_contact_tests"].set_index("item").loc[item]
        if withheld("iro_cg_contact", item=item):
            assert pd.isna(row["p_value"]) and pd.isna(row["cramers_v"]), item
            checked += 1
    for item in t["item_tests"]["item"]:
        row = t["item_tests"].set_index("item").loc[item]
        if withheld("item_answers", item=item, group=[g for g in t["item_answers"]["group"].unique()
                                                     if g != "All groups"]):
            assert pd.isna(row["p_value"]) and pd.isna(row["cramers_v"]), item
            checked += 1
    for mechanism in t["formal_challenge_tests"]["mechanism"]:
        row = t["formal_challenge_tests"].set_index("mechanism").loc[mechanism]
        if withheld("formal_challenge", mechanism=mechanism, group=["LA-employed IROs", "Self-employed IROs"]):
            assert pd.isna(row["p_value"]) and pd.isna(row["difference"]), mechanism
            checked += 1
    assert checked >= 3
    # min_expected gave a margin away: never released for real data (SACRO)
    for table in ("iro_cg_contact_tests", "item_tests", "study_la_heterogeneity"):
        assert set(t[table]["min_expected"].astype(str)) == {"c"}, table


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_statistics_are_released_rounded(ingested_study):
    """p-values to two significant figures or "< 0.001", other statistics to two decimals (SACRO)."""
    released = attacked(ingested_study, 10, 0).released
    seen = 0
    for table, p_columns, other in (("formal_challenge_tests", ("p_value", "p_holm"), ("difference", "ci_low",
                                                                                      "ci_high")),
                                    ("coding_agreement", (), ("krippendorff_alpha", "cohens_kappa")),
                                    ("independence_attitudes_model", ("p_value",), ("coefficient", "odds_ratio",
                                                                                    "ci_low", "ci_high"))):
        frame = released[table].map(str)
        for column in p_columns:
            for text in frame[column]:
                if text not in ("nan", "None", "c", ""):
                    seen += 1
                    assert text == "< 0.001" or len(re.sub(r"^0\.0*", "", text).replace(".", "")) <= 2, (table, text)
        for column in other:
            for text in frame[column]:
                if text not in ("nan", "None", "c", ""):
                    seen += 1
                    assert _decimals(text) <= 2, (table, column, text)
    assert seen > 20
