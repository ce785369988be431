"""Exact rounding intervals, against the decimal oracle and hand-worked ties."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from caresurvey.published.rounding import PrintedPercent, Rounding, feasible_counts, is_feasible_count
from tests import oracle


@pytest.mark.parametrize(
    "text, value, decimals",
    [("27%", Fraction(27), 0), ("27", Fraction(27), 0), (" 14.5 % ", Fraction(29, 2), 1),
     ("0%", Fraction(0), 0), ("100", Fraction(100), 0), ("27.0", Fraction(27), 1), ("3.25", Fraction(13, 4), 2)],
)
def test_parse_keeps_printed_precision(text, value, decimals):
    printed = PrintedPercent.parse(text)
    assert printed.value == value
    assert printed.decimals == decimals


@pytest.mark.parametrize("text", ["", "%", "abc", "-5%", "101%", "27,5", "1e2", "<1%", "27.%"])
def test_parse_rejects_what_is_not_a_percentage(text):
    with pytest.raises(ValueError, match="percentage"):
        PrintedPercent.parse(text)


# 29 of 200 is exactly 14.5%: a tie at whole-percent precision.
# half-up prints 15; half-even prints 14 (14 is even); either allows both.
@pytest.mark.parametrize(
    "printed, mode, expected",
    [("14", "half-up", False), ("15", "half-up", True),
     ("14", "half-even", True), ("15", "half-even", False),
     ("14", "either", True), ("15", "either", True)],
)
def test_ties_follow_the_rounding_mode(printed, mode, expected):
    assert is_feasible_count(PrintedPercent.parse(printed), 29, 200, mode) is expected


def test_half_even_at_an_odd_tie():
    # 31 of 200 is exactly 15.5%: half-even goes to 16 (even), never to 15; half-up also 16.
    assert not is_feasible_count(PrintedPercent.parse("15"), 31, 200, Rounding.HALF_EVEN)
    assert is_feasible_count(PrintedPercent.parse("16"), 31, 200, Rounding.HALF_EVEN)
    assert is_feasible_count(PrintedPercent.parse("15"), 31, 200, Rounding.EITHER)


def test_seed_legal_status_counts_print_as_published():
    # Seed 001, slide "Care planning and change": s. 20 37 (30%), ICO 36 (30%), CO+PO 49 (40%) of 122.
    # By hand: 37/122 = 30.33%, 36/122 = 29.51%, 49/122 = 40.16%.
    for count, printed in [(37, "30%"), (36, "30%"), (49, "40%")]:
        assert count in feasible_counts(PrintedPercent.parse(printed), 122, Rounding.HALF_UP)


def test_feasible_counts_match_the_oracle_on_random_cases():
    rng = random.Random(20261122)
    for _ in range(4000):
        n = rng.randint(1, 400)
        decimals = rng.choice([0, 0, 1, 2])
        mode = rng.choice(["half-up", "half-even", "either"])
        if rng.random() < 0.7:
            # A value some k/n really prints as, so ties and edges are common.
            k = rng.randint(0, n)
            exact = Fraction(100 * k, n)
            scaled = exact * 10**decimals
            whole = min(int(scaled) + rng.choice([0, 1]), 100 * 10**decimals)
            unit = 10**decimals
            text = f"{whole // unit}.{whole % unit:0{decimals}d}" if decimals else str(whole)
        else:
            text = format(rng.uniform(0, 100), f".{decimals}f")
        printed = PrintedPercent.parse(text)
        assert list(feasible_counts(printed, n, mode)) == oracle.counts(text, n, mode), (text, n, mode)
