"""The consistency checker, against a brute-force oracle and worked cases from the seeds."""

from __future__ import annotations

import itertools
import random

import pytest

from caresurvey.errors import CaresurveyError
from caresurvey.published.consistency import (
    MAX_EXPLICIT_OPTIONS,
    Cell,
    ConsistencyProblem,
    ItemStructure,
    SumConstraint,
    check_consistency,
    default_max_n,
)
from caresurvey.published.rounding import PrintedPercent
from tests import oracle


def cells_of(rows):
    """Cells from (group, item, printed[, n]) tuples."""
    return [Cell(row[0], row[1], PrintedPercent.parse(row[2]), *row[3:]) for row in rows]


def random_group(rng, name, items, max_n, decimals):
    """Printed values of a group made from real counts, so most random tables are consistent."""
    n = rng.randint(1, max_n)
    rows = []
    for item in items:
        k = rng.randint(0, n)
        value = min(100.0, 100 * k / n + rng.choice([0, 0, 0, 0.6]))
        rows.append((name, item, format(value, f".{decimals}f")))
    return rows


# ---------------------------------------------------------------- single groups


def test_single_groups_match_the_oracle():
    rng = random.Random(1)
    for case in range(1500):
        items = [f"i{j}" for j in range(rng.randint(1, 3))]
        max_n = rng.randint(1, 45)
        decimals = rng.choice([0, 0, 1])
        mode = rng.choice(["half-up", "half-even", "either"])
        structure = rng.choice(list(ItemStructure))
        rows = random_group(rng, "G", items, max_n, decimals)
        result = check_consistency(
            ConsistencyProblem(cells_of(rows), rounding=mode, default_max=max_n, structure={"G": structure}),
            limit=10_000,
        )
        expected = []
        for n in range(1, max_n + 1):
            for option in oracle.group_options([(r[1], r[2]) for r in rows], n, mode, structure.value):
                expected.append({"G": {"n": n, "counts": dict(zip(items, option))}})
        assert result.n_solutions == len(expected), (case, rows, mode, structure)
        assert result.solutions == expected
        assert result.groups["G"].n == sorted({s["G"]["n"] for s in expected})
        assert result.consistent is bool(expected)


def test_sums_match_the_oracle():
    rng = random.Random(2)
    for case in range(200):
        items = [f"i{j}" for j in range(rng.randint(1, 3))]
        mode = rng.choice(["half-up", "half-even", "either"])
        bound = 24
        # Make the parts from real counts and the total from their sum, then perturb sometimes.
        n_a, n_b = rng.randint(1, bound // 2), rng.randint(1, bound // 2)
        k_a = [rng.randint(0, n_a) for _ in items]
        k_b = [rng.randint(0, n_b) for _ in items]
        rows = []
        for group, ks, n in (("A", k_a, n_a), ("B", k_b, n_b),
                             ("T", [a + b for a, b in zip(k_a, k_b)], n_a + n_b)):
            for item, k in zip(items, ks):
                shift = rng.choice([0, 0, 0, 3])
                rows.append((group, item, str(min(100, round(100 * k / n) + shift))))
        result = check_consistency(
            ConsistencyProblem(cells_of(rows), rounding=mode, default_max=bound,
                               sums=[SumConstraint("T", ("A", "B"))]),
            limit=100_000,
        )
        cells = {g: [(r[1], r[2]) for r in rows if r[0] == g] for g in "ABT"}
        expected = []
        for na, nb in itertools.product(range(1, bound + 1), repeat=2):
            if na + nb > bound:
                continue
            total = set(oracle.group_options(cells["T"], na + nb, mode))
            for oa in oracle.group_options(cells["A"], na, mode):
                for ob in oracle.group_options(cells["B"], nb, mode):
                    if tuple(a + b for a, b in zip(oa, ob)) in total:
                        expected.append((na, oa, nb, ob))
        assert result.n_solutions == len(expected), (case, rows, mode)
        listed = {(s["A"]["n"], tuple(s["A"]["counts"].values()), s["B"]["n"], tuple(s["B"]["counts"].values()))
                  for s in result.solutions}
        assert listed == set(expected)
        assert result.groups["A"].n == sorted({e[0] for e in expected})
        assert result.groups["T"].n == sorted({e[0] + e[2] for e in expected})


def test_per_item_denominators_match_the_oracle():
    rng = random.Random(3)
    for _ in range(300):
        items = [f"i{j}" for j in range(rng.randint(1, 3))]
        max_n = rng.randint(1, 30)
        mode = rng.choice(["half-up", "half-even", "either"])
        rows = [("G", item, str(rng.randint(0, 100))) for item in items]
        result = check_consistency(
            ConsistencyProblem(cells_of(rows), rounding=mode, per_item_n=True, default_max=max_n), limit=0
        )
        per_item = {r[1]: [(n, k) for n in range(1, max_n + 1) for k in oracle.counts(r[2], n, mode)] for r in rows}
        expected = 1
        for options in per_item.values():
            expected *= len(options)
        assert result.n_solutions == expected
        if expected:
            assert result.groups["G"].n_by_item == {item: sorted({n for n, _ in o}) for item, o in per_item.items()}


# ---------------------------------------------------------------- worked cases from the seeds


FORMAL_CHALLENGE = [  # seed 001, slide "Formal challenge": Overall, LA-employed, self-employed IROs
    ("Overall", "Local dispute resolution", "76%"), ("LA", "Local dispute resolution", "81%"),
    ("Self", "Local dispute resolution", "50%"), ("Overall", "Independent legal advice", "36%"),
    ("LA", "Independent legal advice", "38%"), ("Self", "Independent legal advice", "30%"),
    ("Overall", "CAFCASS advice line", "19%"), ("LA", "CAFCASS advice line", "21%"),
    ("Self", "CAFCASS advice line", "10%"), ("Overall", "Formal referral to CAFCASS", "0%"),
    ("LA", "Formal referral to CAFCASS", "0%"), ("Self", "Formal referral to CAFCASS", "0%"),
]


def test_formal_challenge_self_employed_alone():
    # 50%, 30%, 10%, 0% of n <= 65 need n a multiple of 10: 50% needs n even (an odd n gives
    # k/n at least 50/n from 50%, more than 0.5 below n = 100), and 10% and 30% then rule out
    # every even n but 10, 20, ..., 60 (e.g. n = 12: 1/12 = 8.3%, 2/12 = 16.7%).
    result = check_consistency(
        ConsistencyProblem(cells_of([r for r in FORMAL_CHALLENGE if r[0] == "Self"]), default_max=65)
    )
    assert result.groups["Self"].n == [10, 20, 30, 40, 50, 60]


def test_formal_challenge_has_exactly_one_solution_when_columns_add_up():
    # With Overall = LA-employed + self-employed and n <= 65 (65 IRO questionnaires, seed 001),
    # the only solution is 48 + 10 = 58 IROs. By hand: 39/48 = 81.25%, 18/48 = 37.5% (a tie,
    # printed 38), 10/48 = 20.8%; 5/10, 3/10, 1/10; and 44/58 = 75.9%, 21/58 = 36.2%, 11/58 = 19.0%.
    result = check_consistency(
        ConsistencyProblem(cells_of(FORMAL_CHALLENGE), default_max=65, sums=[SumConstraint.parse("Overall=LA+Self")])
    )
    assert result.n_solutions == 1
    (solution,) = result.solutions
    assert solution["Overall"] == {"n": 58, "counts": {"Local dispute resolution": 44, "Independent legal advice": 21,
                                                       "CAFCASS advice line": 11, "Formal referral to CAFCASS": 0}}
    assert solution["LA"]["n"] == 48 and solution["Self"]["n"] == 10
    assert solution["LA"]["counts"]["Independent legal advice"] == 18


def test_formal_challenge_tie_needs_the_right_rounding():
    # 18/48 = 37.5% exactly prints 38 under half-up and half-even (38 is even), so the unique
    # solution survives both; under a rule that rounds ties down it would not, hence `either`
    # keeps it too.
    for mode in ("half-up", "half-even", "either"):
        result = check_consistency(
            ConsistencyProblem(cells_of(FORMAL_CHALLENGE), rounding=mode, default_max=65,
                               sums=[SumConstraint.parse("Overall=LA+Self")])
        )
        assert result.n_solutions == 1, mode


def test_guardians_contacting_iros():
    # Seed 001, "Different perceptions": CGs said CG contacts IRO always/mostly 67%, rarely/never
    # 10%, of at most 39 guardians. n = 21 (14, 2), 30 (20, 3) and 39 (26, 4) fit; n = 33 does
    # not (22/33 = 66.7% but 3/33 = 9.1% and 4/33 = 12.1%).
    rows = [("CG", "Always or mostly", "67%"), ("CG", "Rarely or never", "10%")]
    result = check_consistency(
        ConsistencyProblem(cells_of(rows), default_max=39, structure={"CG": ItemStructure.EXCLUSIVE})
    )
    assert result.groups["CG"].n == [21, 30, 39]
    assert result.groups["CG"].counts_by_n[30] == {"Always or mostly": [20], "Rarely or never": [3]}


def test_stated_n_and_printed_counts():
    # Seed 001: 37, 36 and 49 of 122 children, complete over the three statuses.
    rows = [Cell("Sample", "s. 20", PrintedPercent.parse("30%"), n=122, count=37),
            Cell("Sample", "ICO", PrintedPercent.parse("30%"), n=122, count=36),
            Cell("Sample", "CO (+ PO)", PrintedPercent.parse("40%"), n=122, count=49)]
    result = check_consistency(ConsistencyProblem(rows, structure={"Sample": ItemStructure.COMPLETE}))
    assert result.n_solutions == 1
    assert result.groups["Sample"].searched == "stated n=122"
    wrong = [rows[0], rows[1], Cell("Sample", "CO (+ PO)", PrintedPercent.parse("40%"), n=122, count=48)]
    assert not check_consistency(ConsistencyProblem(wrong, structure={"Sample": ItemStructure.COMPLETE})).consistent


# ---------------------------------------------------------------- behaviour


def test_limit_caps_listing_but_not_the_count():
    rows = [("G", "a", "50%"), ("G", "b", "25%")]
    full = check_consistency(ConsistencyProblem(cells_of(rows), default_max=100), limit=10_000)
    capped = check_consistency(ConsistencyProblem(cells_of(rows), default_max=100), limit=3)
    assert capped.n_solutions == full.n_solutions > 3
    assert capped.solutions == full.solutions[:3]


def test_default_bound_is_where_every_value_becomes_possible():
    # With whole percentages every n >= 100 admits every value (the step 100/n is at most 1).
    assert default_max_n(cells_of([("G", "a", "27%")])) == 100
    assert default_max_n(cells_of([("G", "a", "27.5%")])) == 1000


def test_inconsistent_table_reports_no_joint_n():
    rows = [("Self", "a", "50%"), ("Self", "b", "33%")]  # n even and a multiple of 3 near 33.3%
    result = check_consistency(ConsistencyProblem(cells_of(rows), default_max=5))
    assert not result.consistent and result.n_solutions == 0 and result.groups["Self"].n == []


@pytest.mark.parametrize(
    "sums, message",
    [
        (["T=A+X"], "'X' is not a group"),
        (["T=A+T"], "only once"),
        (["T=A+B", "T=A+B"], "already a total"),
        (["T=A+B", "A=T+B"], "already a part"),
    ],
)
def test_bad_sums_are_refused_with_a_reason(sums, message):
    rows = [(g, "x", "50%") for g in "TAB"]
    with pytest.raises(CaresurveyError, match=message):
        check_consistency(ConsistencyProblem(cells_of(rows), sums=[SumConstraint.parse(s) for s in sums]))


def test_sums_need_the_same_items():
    rows = [("T", "x", "50%"), ("A", "x", "50%"), ("B", "y", "50%")]
    with pytest.raises(CaresurveyError, match="same items"):
        check_consistency(ConsistencyProblem(cells_of(rows), sums=[SumConstraint.parse("T=A+B")]))


def test_nested_sums_are_solved():
    # T = A + B and A = C + D, each 50%: all four leaves even-split; check against brute force.
    rows = [(g, "x", "50%") for g in "TABCD"]
    result = check_consistency(
        ConsistencyProblem(cells_of(rows), default_max=12, sums=[SumConstraint.parse("T=A+B"), SumConstraint.parse("A=C+D")]),
        limit=10_000,
    )
    expected = 0
    for nc, nd, nb in itertools.product(range(1, 13), repeat=3):
        if nc + nd + nb > 12 or nc + nd > 12:
            continue
        for kc in oracle.counts("50", nc, "either"):
            for kd in oracle.counts("50", nd, "either"):
                for kb in oracle.counts("50", nb, "either"):
                    if oracle.prints_as(kc + kd, nc + nd, "50", "either") and oracle.prints_as(
                        kc + kd + kb, nc + nd + nb, "50", "either"
                    ):
                        expected += 1
    assert result.n_solutions == expected > 0
    assert len(result.solutions) == expected


def test_duplicate_items_and_conflicting_n_are_refused():
    with pytest.raises(CaresurveyError, match="twice"):
        check_consistency(ConsistencyProblem(cells_of([("G", "a", "5"), ("G", "a", "6")])))
    conflicting = [Cell("G", "a", PrintedPercent.parse("50"), n=10), Cell("G", "b", PrintedPercent.parse("50"), n=12)]
    with pytest.raises(CaresurveyError, match="different n"):
        check_consistency(ConsistencyProblem(conflicting))


def test_search_spaces_too_large_to_list_stop_with_advice():
    # Four items at 1 decimal with n up to 20,000 and a sum: far above the explicit-option bound.
    rows = [(g, f"i{j}", "50.0") for g in "TAB" for j in range(4)]
    with pytest.raises(CaresurveyError, match="smaller --max-n"):
        check_consistency(ConsistencyProblem(cells_of(rows), default_max=20_000, sums=[SumConstraint.parse("T=A+B")]))
    assert MAX_EXPLICIT_OPTIONS >= 1_000_000
