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
