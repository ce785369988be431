"""Statistical building blocks with the defaults this field needs, not the packages' defaults.

* Proportions get Wilson score intervals (statsmodels' default is the Wald interval, which
  fails for small n and proportions near 0 or 1).
* Contingency tables get Fisher's exact test: exact for 2 x 2, and for larger tables the
  Freeman-Halton statistic by Monte Carlo with a recorded seed (scipy's own default for r x c
  draws an unseeded sample, so its p-value changes from run to run).
* Chi-square is reported only with its expected-count check (Cochran: all expected >= 5).
* Effect sizes: risk difference with Newcombe's hybrid score interval; Cramer's V.
* Multiple testing: Holm, explicitly.
* Ordinal outcomes: proportional-odds logistic regression (statsmodels ``OrderedModel``, logit).
* Coding agreement: Krippendorff's alpha (nominal) and Cohen's kappa.
* Competing risks: the Aalen-Johansen cumulative incidence, computed here so that tied event
  times are handled exactly (lifelines' fitter jitters ties at random by default).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = [
    "wilson_interval",
    "with_wilson",
    "ExactTest",
    "exact_test",
    "fisher_exact_many",
    "chi_square_check",
    "cramers_v",
    "table_test",
    "risk_difference",
    "holm",
    "ordinal_logit",
    "krippendorff_alpha_nominal",
    "cohens_kappa",
    "cumulative_incidence",
    "MONTE_CARLO_RESAMPLES",
    "NOT_COMPUTED",
    "stream_seed",
]

#: Monte Carlo resamples for r x c exact tests: the p-value's standard error is at most 0.0016.
MONTE_CARLO_RESAMPLES = 100_000

#: Above this many observations an r x c table whose expected counts all reach 5 is tested by
#: Pearson's chi-square: the exact test's Monte Carlo would only reproduce the asymptotic answer,
#: at a cost that grows with n (national SSDA903 data have hundreds of thousands of reviews).
EXACT_TEST_MAX_N = 10_000

#: Monte Carlo resamples for a table above EXACT_TEST_MAX_N that still has small expected counts
#: (a few tiny LAs among many large ones): each resample costs time in proportion to n, and the
#: p-value's standard error stays at most 0.005.
LARGE_TABLE_RESAMPLES = 10_000


#: A test's ``test`` when a count it needs was withheld by disclosure control: it is not run, and
#: its statistics stay missing (a statistic is released only from released counts).
NOT_COMPUTED = "not computed: a count it needs is withheld"


def stream_seed(seed: int, name: str) -> int:
    """The seed of one Monte Carlo test's own random stream: derived from ``seed`` (a study's,
    or a table's) and the test's ``name`` with numpy's ``SeedSequence``, so that each test draws
    independently of every other and adding a test or a table changes no other result. The
    value is recorded beside the test; ``numpy.random.default_rng(value)`` redraws its sample.
    """
    return int(np.random.SeedSequence([seed, zlib.crc32(name.encode("utf-8"))]).generate_state(1)[0])


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``count / n`` (as proportions).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22, 209-212. Newcombe, R. G. (1998). Two-sided confidence intervals for the single
    proportion. Statistics in Medicine 17, 857-872 (method 3).
    """
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


def with_wilson(frame: pd.DataFrame, count: str = "count", n: str = "n", confidence: float = 0.95) -> pd.DataFrame:
    """Add ``percent``, ``ci_low`` and ``ci_high`` (percentages) for ``count`` of ``n`` on each row.

    With the default column names, ``count`` and ``n`` come out as ``n`` and ``denominator``,
    the names the output tables use (n of denominator); named columns keep their names.
    """
    from statsmodels.stats.proportion import proportion_confint

    out = frame.copy()
    out["percent"] = np.where(out[n] > 0, 100 * out[count] / out[n].where(out[n] > 0), np.nan)
    counts, totals = out[count].to_numpy(dtype=float), out[n].to_numpy(dtype=float)
    answered = totals > 0
    low, high = np.full(len(out), np.nan), np.full(len(out), np.nan)
    if answered.any():  # the same formula as wilson_interval, over every row at once
        low[answered], high[answered] = proportion_confint(counts[answered], totals[answered], alpha=1 - confidence,
                                                           method="wilson")
    out["ci_low"], out["ci_high"] = 100 * low, 100 * high
    if (count, n) == ("count", "n"):
        out = out.rename(columns={"count": "n", "n": "denominator"})
    return out


@dataclass(frozen=True)
class ExactTest:
    """A test of independence in a contingency table."""

    method: str
    statistic: float
    p_value: float
    seed: int | None = None


def exact_test(table: np.ndarray, seed: int | None = None, resamples: int = MONTE_CARLO_RESAMPLES) -> ExactTest:
    """Fisher's exact test: exact for 2 x 2, seeded Monte Carlo (Freeman-Halton) for larger tables.

    ``seed`` is required for a table larger than 2 x 2 (a Monte Carlo test without a recorded
    seed could not be repeated); a 2 x 2 table needs none.

    Rows or columns that are all zero are dropped first (they carry no information). A larger
    table of more than :data:`EXACT_TEST_MAX_N` observations whose expected counts all reach 5
    gets Pearson's chi-square instead (no continuity correction), and says so; if some expected
    counts are small it keeps the Monte Carlo test with :data:`LARGE_TABLE_RESAMPLES` resamples.
    """
    table = np.asarray(table, dtype=int)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return ExactTest("not testable (one row or column)", float("nan"), float("nan"))
    if table.shape == (2, 2):
        result = stats.fisher_exact(table, alternative="two-sided")
        return ExactTest("Fisher exact, two-sided", float(result.statistic), float(result.pvalue))
    if table.sum() > EXACT_TEST_MAX_N:
        check = chi_square_check(table)
        if check["valid"]:
            return ExactTest(f"Pearson chi-square (n > {EXACT_TEST_MAX_N:,}, every expected count at least 5)",
                             check["chi2"], check["p_value"])
        resamples = min(resamples, LARGE_TABLE_RESAMPLES)
    if seed is None:
        raise ValueError(f"a {table.shape[0]} x {table.shape[1]} table is tested by Monte Carlo: give the seed of "
                         "its random stream")
    method = stats.MonteCarloMethod(n_resamples=resamples, rng=np.random.default_rng(seed))
    result = stats.fisher_exact(table, method=method)
    return ExactTest(f"Fisher-Freeman-Halton, Monte Carlo ({resamples} resamples)", float(result.statistic),
                     float(result.pvalue), seed)


#: Tables whose probability is within this relative margin of the observed one count as no more
#: probable (R's ``fisher.test`` uses the same margin, so that ties survive rounding error).
FISHER_TIE_MARGIN = 1e-7


def fisher_exact_many(a, b, c, d) -> np.ndarray:
    """Two-sided Fisher exact p-values of many 2 x 2 tables ``[[a, b], [c, d]]`` in one call.

    Each p-value sums the hypergeometric probabilities (the table's margins fixed) of every table
    no more probable than the observed one. ``scipy.stats.fisher_exact`` gives the same value one
    table at a time; comparing a local table with every count set a published percentage allows
    needs tens of thousands of tables, so they are evaluated together here.

    Notes
    -----
    The hypergeometric distribution is unimodal, so the tables more probable than the observed
    one are a run of counts around the mode: its ends are found by bisection on each side of the
    mode (all tables at once), and the p-value is the two tails beyond them, from the
    distribution's CDF and survival function (as ``scipy.stats.fisher_exact`` does, there one
    table at a time). The work per table is logarithmic in its size, not linear.
    """
    a, b, c, d = (np.atleast_1d(np.asarray(x, dtype=np.int64)) for x in (a, b, c, d))
    row1, col1, total = a + b, a + c, a + b + c + d
    low, high = np.maximum(0, col1 - (c + d)), np.minimum(row1, col1)
    if len(a) == 0:
        return np.empty(0, dtype=float)
    # log x! looked up once; then log P(X = x) = log C(col1, x) + log C(total - col1, row1 - x) - log C(total, row1)
    log_factorial = special.gammaln(np.arange(int(total.max()) + 2, dtype=float) + 1)

    def log_choose(n, k):
        return log_factorial[n] - log_factorial[k] - log_factorial[n - k]

    def log_probability(x):
        return log_choose(col1, x) + log_choose(total - col1, row1 - x) - log_choose(total, row1)

    threshold = log_probability(a) + np.log1p(FISHER_TIE_MARGIN)
    mode = np.clip((row1 + 1) * (col1 + 1) // (total + 2), low, high)
    # first count on the left of the mode, and last on its right, more probable than observed
    left_lo, left_hi = low.copy(), mode.copy()
    while np.any(left_lo < left_hi):
        mid = (left_lo + left_hi) // 2
        above = log_probability(mid) > threshold
        left_hi, left_lo = np.where(above, mid, left_hi), np.where(above, left_lo, mid + 1)
    right_lo, right_hi = mode.copy(), high.copy()
    while np.any(right_lo < right_hi):
        mid = (right_lo + right_hi + 1) // 2
        above = log_probability(mid) > threshold
        right_lo, right_hi = np.where(above, mid, right_lo), np.where(above, right_hi, mid - 1)
    tails = stats.hypergeom.cdf(left_lo - 1, total, col1, row1) + stats.hypergeom.sf(right_lo, total, col1, row1)
    # where not even the mode is more probable than the observed table, every table counts
    out = np.where(log_probability(mode) > threshold, np.minimum(1.0, tails), 1.0)
    # a table with an empty row or column is the only one its margins allow
    out[(row1 == 0) | (col1 == 0) | (c + d == 0) | (b + d == 0)] = 1.0
    return out


def chi_square_check(table: np.ndarray) -> dict:
    """Pearson's chi-square with the check that decides whether it may be used.

    Returns ``chi2``, ``df``, ``p_value``, ``min_expected`` and ``valid`` (every expected count
    at least 5; Cochran, 1954). Without continuity correction.
    """
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    chi2, p, df, expected = stats.chi2_contingency(table, correction=False)
    return {"chi2": float(chi2), "df": int(df), "p_value": float(p), "min_expected": float(expected.min()),
            "valid": bool(expected.min() >= 5)}


def cramers_v(table: np.ndarray) -> float:
    """Cramer's V, sqrt(chi2 / (n (min(r, c) - 1))), without bias correction."""
    table = np.asarray(table, dtype=int)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return float("nan")
    return float(stats.contingency.association(table, method="cramer", correction=False))


def table_test(cells: np.ndarray, seed: int, stream: str) -> dict:
    """An output row's test of one contingency table: Fisher's exact test (Freeman-Halton by
    seeded Monte Carlo beyond 2 x 2, on the stream ``stream_seed(seed, stream)``), Cramer's V,
    and the chi-square expected-count check (reported, not used to choose the test).

    Parameters
    ----------
    cells : numpy.ndarray
        The table's counts as floats; NaN where disclosure control withheld one.

    Returns
    -------
    dict
        ``test, p_value, seed, cramers_v, chi2_valid, min_expected``; where a count is withheld,
        ``test`` is :data:`NOT_COMPUTED` and the statistics are missing.
    """
    cells = np.asarray(cells, dtype=float)
    if np.isnan(cells).any():
        return {"test": NOT_COMPUTED, "p_value": np.nan, "seed": None, "cramers_v": np.nan, "chi2_valid": None,
                "min_expected": np.nan}
    table = cells.astype(int)
    test = exact_test(table, stream_seed(seed, stream))
    used = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    check = chi_square_check(used) if used.size and min(used.shape) > 1 else {"valid": False, "min_expected": np.nan}
    return {"test": test.method, "p_value": test.p_value, "seed": test.seed, "cramers_v": cramers_v(table),
            "chi2_valid": check["valid"], "min_expected": check["min_expected"]}


def risk_difference(count1: int, n1: int, count2: int, n2: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """``count1/n1 - count2/n2`` with Newcombe's hybrid score interval (method 10).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(count1, n1, count2, n2, method="newcomb", compare="diff",
                                           alpha=1 - confidence)
    return count1 / n1 - count2 / n2, float(low), float(high)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN)."""
    from statsmodels.stats.multitest import multipletests

    values = np.asarray(p_values, dtype=float)
    out = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        out[present] = multipletests(values[present], method="holm")[1]
    return out.tolist()


def ordinal_logit(codes: pd.Series, groups: pd.Series, reference: str) -> pd.DataFrame:
    """Proportional-odds (cumulative logit) model of an ordered response on a group factor.

    Parameters
    ----------
    codes : pandas.Series
        The response as its scale position (1 = first option); higher = further along the scale.
    groups : pandas.Series
        Each response's group.
    reference : str
        The group the others are compared with.

    Returns
    -------
    pandas.DataFrame
        One row per non-reference group: ``term``, ``coefficient`` (log odds of a higher
        response, relative to the reference), ``odds_ratio``, ``ci_low``, ``ci_high`` (of the
        odds ratio, 95%), ``p_value``; plus ``n`` and ``converged`` for the model.

    Notes
    -----
    statsmodels' ``OrderedModel`` parametrises P(Y <= j) = F(theta_j - x'beta), so a positive
    coefficient means a higher response is more likely. No intercept (the thresholds take it).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    data = pd.DataFrame({"code": codes, "group": groups}).dropna()
    levels = sorted(data["code"].unique())
    endog = pd.Series(pd.Categorical(data["code"], categories=levels, ordered=True), index=data.index)
    others = [g for g in sorted(data["group"].unique()) if g != reference]
    exog = pd.DataFrame({g: (data["group"] == g).astype(float) for g in others}, index=data.index)
    result = OrderedModel(endog, exog, distr="logit").fit(method="bfgs", disp=False, maxiter=1000)
    intervals = result.conf_int()
    rows = []
    for term in others:
        coefficient = float(result.params[term])
        rows.append({
            "term": term,
            "coefficient": coefficient,
            "odds_ratio": float(np.exp(coefficient)),
            "ci_low": float(np.exp(intervals.loc[term, 0])),
            "ci_high": float(np.exp(intervals.loc[term, 1])),
            "p_value": float(result.pvalues[term]),
            "n": len(data),
            "converged": bool(result.mle_retvals.get("converged", False)),
        })
    return pd.DataFrame(rows)


def krippendorff_alpha_nominal(reliability_data: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data; rows are coders, columns units, NaN where not coded.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
    Pennsylvania. (Computed with the ``krippendorff`` package.)
    """
    import krippendorff

    data = np.asarray(reliability_data, dtype=float)
    values = data[~np.isnan(data)]
    if np.unique(values).size < 2:
        return float("nan")  # one category only: agreement cannot be told from chance
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def cohens_kappa(first: Sequence, second: Sequence) -> float:
    """Cohen's kappa of two coders' labels of the same units."""
    from statsmodels.stats.inter_rater import cohens_kappa as statsmodels_kappa

    labels = sorted(set(first) | set(second))
    if len(labels) < 2:
        return float("nan")
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for a, b in zip(first, second):
        table[index[a], index[b]] += 1
    return float(statsmodels_kappa(table).kappa)


def cumulative_incidence(durations: np.ndarray, events: np.ndarray, times: Sequence[float]) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of each competing event.

    Parameters
    ----------
    durations : array of float
        Time from the origin to the event or censoring.
    events : array of str
        The event that ended follow-up, or ``""`` for censoring.
    times : sequence of float
        Where to report the incidence.

    Returns
    -------
    pandas.DataFrame
        ``event, time, cumulative_incidence, at_risk, events_so_far``.

    Notes
    -----
    With distinct event times t_1 < t_2 < ..., n_i at risk just before t_i and d_ki events of
    type k at t_i, the all-cause survival is S(t) = prod_{t_i <= t} (1 - d_i / n_i) and the
    cumulative incidence of k is F_k(t) = sum_{t_i <= t} S(t_i-) d_ki / n_i. Censoring at t_i is
    taken to happen after the events at t_i. Tied times are handled exactly.
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=object)
    kinds = sorted({e for e in events if e})
    order = np.argsort(durations, kind="stable")
    durations, events = durations[order], events[order]
    unique, first, which = np.unique(durations, return_index=True, return_inverse=True)
    at_risk = len(durations) - first  # n_i: everyone whose time is t_i or later
    deaths = {k: np.bincount(which[events == k], minlength=len(unique)).astype(float) for k in kinds}
    all_deaths = sum(deaths.values(), np.zeros(len(unique)))
    # S(t_i-): the product of (1 - d_j / n_j) over earlier times, multiplied in time order
    before = np.concatenate([[1.0], np.cumprod(1 - all_deaths / at_risk)[:-1]])
    incidence = {k: np.cumsum(before * deaths[k] / at_risk) for k in kinds}
    so_far = {k: np.cumsum(deaths[k]).astype(int) for k in kinds}
    rows = []
    for k in kinds:
        for time in times:
            last = np.searchsorted(unique, time, side="right") - 1  # the latest event time up to ``time``
            rows.append({"event": k, "time": float(time),
                         "cumulative_incidence": float(incidence[k][last]) if last >= 0 else 0.0,
                         "at_risk": int(len(durations) - np.searchsorted(durations, time, side="left")),
                         "events_so_far": int(so_far[k][last]) if last >= 0 else 0})
    return pd.DataFrame(rows)
