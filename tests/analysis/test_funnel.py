"""Funnel limits against an independent calculation from the binomial distribution."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caresurvey.analysis.funnel import binomial_limit, funnel_table


def binomial_cdf(r: int, n: int, p: float) -> float:
    """P(R <= r) for R ~ Bin(n, p), summed term by term (independent of scipy)."""
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(0, r + 1)) if r >= 0 else 0.0


def spiegelhalter_limit(n: int, target: float, p: float) -> float:
    """Spiegelhalter (2005), Appendix A.1.1, written out: smallest r with F(r) >= p, then interpolate."""
    r = next(r for r in range(n + 1) if binomial_cdf(r, n, target) >= p)
    upper, lower = binomial_cdf(r, n, target), binomial_cdf(r - 1, n, target)
    alpha = (upper - p) / (upper - lower)
    return min(max((r - alpha) / n, 0.0), 1.0)


@pytest.mark.parametrize("n", [5, 20, 37, 100, 250])
@pytest.mark.parametrize("target", [0.19, 0.5, 0.76])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_limits_match_the_binomial_calculation(n, target, p):
    assert binomial_limit(n, target, p) == pytest.approx(spiegelhalter_limit(n, target, p), abs=1e-9)


def test_worked_values_for_twenty_units_at_one_half():
    """A worked example of Spiegelhalter (2005), Appendix A.1.1, on n = 20 and target 0.5.

    The binomial distribution function counts subsets: F(5) = 21700 / 2^20, F(6) = 60460 / 2^20,
    F(13) = 988116 / 2^20, F(14) = 1026876 / 2^20 (sums of C(20, k)). The 2.5% point is r = 6 with
    alpha = (F(6) - 0.025) / (F(6) - F(5)), so the limit is (6 - alpha) / 20 = 4349 / 17000; the
    97.5% point is r = 14 and the limit (14 - alpha) / 20 = 11801 / 17000. The same steps are in
    Wicklin's SAS/IML module BinomialFunnel (The DO Loop, "Funnel plots for proportions", 2011).
    """
    assert binomial_limit(20, 0.5, 0.025) == pytest.approx(4349 / 17000, abs=1e-12)
    assert binomial_limit(20, 0.5, 0.975) == pytest.approx(11801 / 17000, abs=1e-12)


@pytest.mark.parametrize("n", [150, 200, 300, 250, 50, 220, 100, 90, 400, 425])
@pytest.mark.parametrize("p", [0.1, 0.9, 0.025, 0.975])
def test_interpolation_sits_just_below_the_uninterpolated_quantile(n, p):
    """funnelR's documented "exact" limits are qbinom(p, n, theta) / n, with no interpolation.

    The denominators, the 0.5 benchmark and the 80% and 95% levels are the physicians example of
    funnelR's vignette (Kumar, "Funnel Plots for Proportion Data", CRAN funnelR 0.1.0).
    Spiegelhalter's interpolation moves each limit down by less than one event: it lies in
    ((r - 1) / n, r / n] where r / n is funnelR's limit.
    """
    r = next(r for r in range(n + 1) if binomial_cdf(r, n, 0.5) >= p)
    assert (r - 1) / n < binomial_limit(n, 0.5, p) <= r / n


def test_limits_approach_the_normal_approximation_for_large_n():
    # De Moivre-Laplace: for large n the 95% limits tend to target +/- 1.96 sqrt(target (1 - target) / n)
    n, target = 20000, 0.3
    half_width = 1.959964 * math.sqrt(target * (1 - target) / n)
    assert binomial_limit(n, target, 0.975) == pytest.approx(target + half_width, abs=1e-4)
    assert binomial_limit(n, target, 0.025) == pytest.approx(target - half_width, abs=1e-4)


def test_flags_and_suppressed_units_stay_in_the_table():
    frame = pd.DataFrame({
        "la_code": ["E1", "E2", "E3", "E4"],
        "la_name": ["High", "Typical", "Low", "Suppressed"],
        "numerator": [60, 20, 2, np.nan],
        "denominator": [100, 100, 100, 100],
        "status": [None, None, None, "x"],
    })
    table = funnel_table(frame, target=0.2).set_index("la_name")
    assert table.loc["High", "flag95"] == "above" and table.loc["High", "flag998"] == "above"
    assert table.loc["Typical", "flag95"] == "inside"
    assert table.loc["Low", "flag95"] == "below"
    assert table.loc["Suppressed", "flag95"] == "no value" and np.isnan(table.loc["Suppressed", "proportion"])
    assert table.loc["Suppressed", "status"] == "x"
    # limits are clipped to [0, 1] and nested: 99.8% outside 95%
    assert (table["lower998"] <= table["lower95"]).all() and (table["upper95"] <= table["upper998"]).all()
    assert (table[["lower998", "upper998"]] >= 0).all().all() and (table[["lower998", "upper998"]] <= 1).all().all()


def test_overdispersion_by_hand():
    # Five units at target 0.2, n = 100 each, so s = sqrt(0.2 * 0.8 / 100) = 0.04 and
    # z = (y - 0.2) / 0.04: y = 0.1, 0.2, 0.2, 0.3, 0.4 -> z = -2.5, 0, 0, 2.5, 5.
    # Winsorised at the 10th and 90th percentiles (numpy linear quantiles: -1.5 and 4.0):
    # z = -1.5, 0, 0, 2.5, 4 -> phi = (2.25 + 6.25 + 16) / 5 = 4.9.
    # tau^2 = (5 * 4.9 - 4) / (5 * 625 - 5 * 625^2 / (5 * 625)) = 20.5 / 2500 = 0.0082.
    from caresurvey.analysis.funnel import overdispersion

    result = overdispersion(np.array([0.1, 0.2, 0.2, 0.3, 0.4]), np.array([100.0] * 5), 0.2)
    assert result["phi"] == pytest.approx(4.9) and result["tau2"] == pytest.approx(0.0082)


def test_adjusted_limits_are_wider_and_use_the_normal_quantiles():
    frame = pd.DataFrame({"la_code": list("ABCDE"), "la_name": list("ABCDE"),
                          "numerator": [10, 20, 20, 30, 40], "denominator": [100] * 5})
    plain = funnel_table(frame, 0.2)
    scaled = funnel_table(frame, 0.2, adjustment="multiplicative")
    # multiplicative: 0.2 + 1.959964 * sqrt(4.9) * 0.04 = 0.37354 (phi from the test above)
    assert scaled["upper95"].iloc[0] == pytest.approx(0.2 + 1.959964 * math.sqrt(4.9) * 0.04, abs=1e-5)
    assert (scaled["upper95"] > plain["upper95"]).all()
    additive = funnel_table(frame, 0.2, adjustment="additive")
    assert additive["upper998"].iloc[0] == pytest.approx(0.2 + 3.090232 * math.sqrt(0.0016 + 0.0082), abs=1e-5)


def test_at_a_target_of_0_or_1_the_limits_are_the_target_and_only_an_impossible_proportion_is_flagged():
    # Bin(n, 1) puts all its mass on n: every quantile of the proportion is 1 (and 0 at a target
    # of 0), so LAs whose every review conveyed views, pooled at 1, all lie inside.
    frame = pd.DataFrame({"la_code": ["A", "B", "C"], "la_name": ["A", "B", "C"], "numerator": [3, 2, 1],
                          "denominator": [3, 2, 2]})
    table = funnel_table(frame, target=1.0).set_index("la_name")
    assert (table[["lower95", "upper95", "lower998", "upper998"]] == 1.0).all().all()
    assert table.loc[["A", "B"], "flag998"].tolist() == ["inside", "inside"]
    assert table.loc["C", "flag998"] == "below"  # 1 of 2 cannot happen at a rate of 1
    assert binomial_limit(5, 0.0, 0.999) == 0.0
