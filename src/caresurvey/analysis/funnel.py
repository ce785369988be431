"""Funnel plots for proportions: exact binomial control limits around a target.

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics
in Medicine 24, 1185-1202, Appendix A.1.1: exact binomial limits with interpolation between
the discrete points, so the funnel is smooth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["binomial_limit", "funnel_table", "overdispersion", "LEVELS", "FUNNEL_COLUMNS", "ADJUSTMENTS"]

#: Overdispersion adjustments (Spiegelhalter 2005, section 3.3): none for a handful of units;
#: for all English LAs, a multiplicative factor or an additive random-effects variance.
ADJUSTMENTS = ("none", "multiplicative", "additive")
#: Share of z-scores winsorised at each end before estimating overdispersion (Spiegelhalter 2005).
WINSORISE = 0.10

#: The two-sided coverage of each pair of limits: 95% (about 2 SD) and 99.8% (about 3 SD).
LEVELS = {"95": 0.95, "998": 0.998}

FUNNEL_COLUMNS = ["la_code", "la_name", "numerator", "denominator", "proportion", "target",
                  "lower95", "upper95", "lower998", "upper998", "flag95", "flag998"]


def binomial_limit(n: int, target: float, p: float) -> float:
    """The ``p`` quantile of a Bin(n, target) proportion, interpolated as Spiegelhalter (2005).

    Notes
    -----
    With F the binomial distribution function, r_p is the smallest r with F(r) >= p; then
    alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)) and the limit is (r_p - alpha) / n, clipped to
    [0, 1]. At a target of 0 or 1 a proportion cannot vary, and every limit is the target (the
    interpolation would put the upper limit at a target of 1 below 1, flagging every unit).
    """
    return float(binomial_limits(np.array([n]), target, p)[0])


def binomial_limits(n: np.ndarray, target: float, p: float) -> np.ndarray:
    """:func:`binomial_limit` for many denominators at once (NaN where a denominator is missing
    or not positive)."""
    n = np.asarray(n, dtype=float)
    valid = np.isfinite(n) & (n > 0)
    out = np.full(n.shape, np.nan)
    sizes = n[valid]
    if target in (0, 1):
        out[valid] = target
        return out
    r = stats.binom.ppf(p, sizes, target)  # smallest r with F(r) >= p
    upper, lower = stats.binom.cdf(r, sizes, target), stats.binom.cdf(r - 1, sizes, target)
    gap = upper - lower
    alpha = np.divide(upper - p, gap, out=np.zeros_like(gap), where=upper > lower)
    out[valid] = np.clip((r - alpha) / sizes, 0.0, 1.0)
    return out


def _flag(proportion: float, low: float, high: float) -> str:
    if np.isnan(proportion):
        return "no value"
    if proportion > high:
        return "above"
    if proportion < low:
        return "below"
    return "inside"


def overdispersion(proportions: np.ndarray, denominators: np.ndarray, target: float) -> dict:
    """Overdispersion of proportions around a target, from winsorised z-scores.

    Returns
    -------
    dict
        ``phi`` (multiplicative factor, at least 1), ``tau2`` (additive between-unit variance, at
        least 0), ``units`` (how many had a value).

    Notes
    -----
    Spiegelhalter (2005), section 3.3 (for a target t strictly between 0 and 1; otherwise phi is
    1 and tau^2 is 0): z_i = (y_i - t) / s_i with s_i^2 = t (1 - t) / n_i, the
    z-scores winsorised at their 10th and 90th percentiles, phi = sum(z^2) / I. Additive
    (DerSimonian-Laird): tau^2 = (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i), w_i = 1 / s_i^2.
    """
    keep = ~np.isnan(proportions) & (denominators > 0)
    y, n = proportions[keep], denominators[keep]
    if len(y) < 2 or not 0 < target < 1:  # at a target of 0 or 1 there is no binomial variance to scale
        return {"phi": 1.0, "tau2": 0.0, "units": int(len(y))}
    variance = target * (1 - target) / n
    z = (y - target) / np.sqrt(variance)
    low, high = np.quantile(z, [WINSORISE, 1 - WINSORISE])
    z = np.clip(z, low, high)
    units = len(z)
    phi = float(np.sum(z**2) / units)
    weights = 1 / variance
    tau2 = (units * phi - (units - 1)) / (weights.sum() - (weights**2).sum() / weights.sum())
    return {"phi": max(phi, 1.0), "tau2": float(max(tau2, 0.0)), "units": int(units)}


def funnel_table(frame: pd.DataFrame, target: float, adjustment: str = "none") -> pd.DataFrame:
    """Each unit's proportion beside the funnel's limits at its denominator, and where it falls.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``la_code, la_name, numerator, denominator`` (nullable: a suppressed value is missing),
        and optionally ``status`` (the published symbol of a missing value).
    target : float
        The proportion the funnel centres on (e.g. England's).
    adjustment : {"none", "multiplicative", "additive"}
        ``none`` (the default; right for a handful of units): exact binomial limits.
        ``multiplicative``: normal limits widened by sqrt(phi); ``additive``: normal limits with
        the random-effects variance tau^2 added (see :func:`overdispersion`). ``phi`` and ``tau2``
        are reported in the table either way.

    Returns
    -------
    pandas.DataFrame
        :data:`FUNNEL_COLUMNS` (plus ``status``): flags are ``inside``, ``above``, ``below``, or
        ``no value`` for a unit whose numerator or denominator was not published: such units
        stay in the table, marked, with no point and no limits at an unknown denominator.
    """
    out = frame.copy()
    numerator = pd.to_numeric(out["numerator"], errors="coerce").astype(float)  # nullable counts: NaN, not NA
    denominator = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
    out["proportion"] = np.where(denominator > 0, numerator / denominator.where(denominator > 0), np.nan)
    out["target"] = target
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment {adjustment!r} is not one of {', '.join(ADJUSTMENTS)}")
    spread = overdispersion(out["proportion"].to_numpy(dtype=float), denominator.fillna(0).to_numpy(dtype=float), target)
    for name, level in LEVELS.items():
        tail = (1 - level) / 2
        if adjustment == "none":
            sizes = denominator.to_numpy(dtype=float)
            out[f"lower{name}"] = binomial_limits(sizes, target, tail)
            out[f"upper{name}"] = binomial_limits(sizes, target, 1 - tail)
        else:
            z = stats.norm.ppf(1 - tail)
            variance = target * (1 - target) / denominator.where(denominator > 0)
            width = z * (np.sqrt(spread["phi"] * variance) if adjustment == "multiplicative"
                         else np.sqrt(variance + spread["tau2"]))
            out[f"lower{name}"] = np.clip(target - width, 0, 1)
            out[f"upper{name}"] = np.clip(target + width, 0, 1)
        out[f"flag{name}"] = [_flag(p, lo, hi) for p, lo, hi in zip(out["proportion"], out[f"lower{name}"],
                                                                     out[f"upper{name}"])]
    out["adjustment"], out["phi"], out["tau2"] = adjustment, spread["phi"], spread["tau2"]
    extra = [c for c in out.columns if c not in FUNNEL_COLUMNS]
    return out[FUNNEL_COLUMNS + extra]
