"""Each statistical function against an independent reference, named beside the expected value."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import special as scipy_special
from scipy import stats as scipy_stats

from caresurvey.analysis import stats


def test_wilson_interval_matches_newcombe_1998():
    # Newcombe (1998) Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score):
    # 81/263 -> 0.2553 to 0.3662; 0/20 -> 0.0000 to 0.1611
    assert stats.wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert stats.wilson_interval(0, 20) == pytest.approx((0.0, 0.1611), abs=5e-5)


def test_fisher_exact_matches_the_tea_tasting_experiment():
    # Agresti (2002) Categorical Data Analysis, 3.5.2: Fisher's tea taster, [[3, 1], [1, 3]],
    # two-sided P = 0.486
    result = stats.exact_test(np.array([[3, 1], [1, 3]]), seed=1)
    assert result.p_value == pytest.approx(0.4857, abs=5e-4)
    assert result.method == "Fisher exact, two-sided"


def _freeman_halton_exact(table: np.ndarray) -> float:
    """Exact Freeman-Halton p-value by enumerating every 2 x c table with the same margins."""
    rows, columns = table.sum(axis=1), table.sum(axis=0)

    def probability(top):
        return math.prod(math.comb(c, t) for c, t in zip(columns, top)) / math.comb(int(columns.sum()), int(rows[0]))

    observed = probability(table[0])
    total = 0.0
    for top in itertools.product(*(range(c + 1) for c in columns)):
        if sum(top) == rows[0]:
            p = probability(np.array(top))
            if p <= observed * (1 + 1e-7):
                total += p
    return total


def test_many_fisher_tests_at_once_agree_with_scipy_one_at_a_time():
    # the tea-tasting table (Agresti 2002, p = 0.486), tables with empty margins (p = 1), and
    # random tables small and large, each against scipy.stats.fisher_exact
    rng = np.random.default_rng(7)
    tables = np.vstack([[[3, 1, 1, 3], [0, 0, 0, 0], [0, 3, 0, 4], [5, 0, 7, 0]],
                        rng.integers(0, 40, (400, 4)), rng.integers(200, 1500, (100, 4))])
    many = stats.fisher_exact_many(*tables.T)
    one_at_a_time = [scipy_stats.fisher_exact([[a, b], [c, d]]).pvalue for a, b, c, d in tables]
    assert many[0] == pytest.approx(0.4857, abs=1e-4)
    assert list(many[1:4]) == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(many, one_at_a_time, rtol=1e-9, atol=1e-12)


def _fisher_by_summation(a, b, c, d) -> np.ndarray:
    """Fisher's two-sided p-values by summing the probability of every table the margins allow
    (the first implementation of fisher_exact_many: linear in each table's size)."""
    a, b, c, d = (np.asarray(x, dtype=np.int64) for x in (a, b, c, d))
    row1, col1, total = a + b, a + c, a + b + c + d
    low, high = np.maximum(0, col1 - (c + d)), np.minimum(row1, col1)
    log_factorial = scipy_special.gammaln(np.arange(int(total.max()) + 2, dtype=float) + 1)

    def log_probability(x):
        def log_choose(n, k):
            return log_factorial[n] - log_factorial[k] - log_factorial[n - k]
        return (log_choose(col1[:, None], x) + log_choose((total - col1)[:, None], row1[:, None] - x)
                - log_choose(total, row1)[:, None])

    offsets = np.arange(int((high - low).max()) + 1)[None, :]
    inside = offsets <= (high - low)[:, None]
    x = np.where(inside, low[:, None] + offsets, low[:, None])
    log_p = log_probability(x)
    keep = inside & (log_p <= log_probability(a[:, None]) + np.log1p(stats.FISHER_TIE_MARGIN))
    out = np.minimum(1.0, np.where(keep, np.exp(log_p), 0.0).sum(axis=1))
    out[(row1 == 0) | (col1 == 0) | (c + d == 0) | (b + d == 0)] = 1.0
    return out


def test_many_fisher_tests_agree_with_summing_every_table():
    # what study_against_published asks: one local cell against every count set of a published
    # percentage, from tiny tables to thousands, p-values from 1 down to far below 1e-100
    rng = np.random.default_rng(11)
    local = rng.integers(0, 60, 2000)
    n = rng.integers(1, 1500, 2000)
    k = (rng.random(2000) * (n + 1)).astype(int)
    tables = np.column_stack([local, 60 - local, k, n - k])
    tables = np.vstack([tables, [[1148, 305, 9000, 2719], [0, 1453, 11719, 0], [30, 30, 30, 30], [1, 1, 1, 1]]])
    fast, slow = stats.fisher_exact_many(*tables.T), _fisher_by_summation(*tables.T)
    assert (slow < 1e-100).any() and (slow == 1).any()
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=0)


def test_monte_carlo_freeman_halton_agrees_with_exact_enumeration_and_is_seeded():
    table = np.array([[5, 3, 1], [1, 4, 6]])
    exact = _freeman_halton_exact(table)  # independent enumeration (hypergeometric products)
    first = stats.exact_test(table, seed=20140601)
    assert first.p_value == pytest.approx(exact, abs=0.005)
    assert stats.exact_test(table, seed=20140601).p_value == first.p_value  # same seed, same answer
    assert first.seed == 20140601


def test_cramers_v_by_hand():
    # phi = (ad - bc) / sqrt(r1 r2 c1 c2) = (400 - 600) / sqrt(30 * 70 * 40 * 60) = -0.08909
    assert stats.cramers_v(np.array([[10, 20], [30, 40]])) == pytest.approx(0.08909, abs=1e-5)


def test_chi_square_reports_its_expected_count_check():
    result = stats.chi_square_check(np.array([[10, 20], [30, 40]]))
    # expected counts: 12, 18, 28, 42 (row total x column total / 100); Pearson chi2 = 0.7937
    assert result["min_expected"] == pytest.approx(12) and result["valid"]
    assert result["chi2"] == pytest.approx(0.7937, abs=1e-4)
    assert not stats.chi_square_check(np.array([[1, 2], [3, 4]]))["valid"]


def test_risk_difference_matches_newcombe_method_10():
    # Newcombe (1998) Statistics in Medicine 17:873-890, Table II, example (a): 56/70 - 48/80,
    # method 10 (score, hybrid): 0.0524 to 0.3339
    difference, low, high = stats.risk_difference(56, 70, 48, 80)
    assert difference == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=5e-4)


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04 -> 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, max(0.04 x 1, 0.06) = 0.06
    assert stats.holm([0.01, 0.04, 0.03, float("nan")])[:3] == pytest.approx([0.03, 0.06, 0.06])


def test_ordinal_logit_with_two_levels_is_logistic_regression():
    # With two ordered categories the proportional-odds model is a logistic regression on one
    # binary covariate, whose maximum-likelihood coefficient is the sample log odds ratio of the
    # 2 x 2 table (hand calculation): group b 30 high / 10 low, group a 35 high / 25 low,
    # log((30 * 25) / (10 * 35)) = 0.7621.
    codes = pd.Series([1] * 10 + [2] * 30 + [1] * 25 + [2] * 35)
    groups = pd.Series(["b"] * 40 + ["a"] * 60)
    fitted = stats.ordinal_logit(codes, groups, reference="a")
    assert fitted.loc[0, "coefficient"] == pytest.approx(math.log((30 * 25) / (10 * 35)), abs=1e-4)
    assert fitted.loc[0, "n"] == 100 and fitted.loc[0, "converged"]


def test_krippendorff_alpha_and_kappa_by_hand():
    # Two coders, units (1,1), (1,2), (2,2), (2,2). Coincidences: o11 = 2, o12 = o21 = 1, o22 = 4;
    # n = 8, n1 = 3, n2 = 5. Nominal alpha = 1 - (n - 1) * 2 / (2 * n1 * n2) = 1 - 14/30 = 0.5333
    # (Krippendorff 2011, eq. for nominal data). Kappa: po = 3/4, pe = 2/4 * 1/4 + 2/4 * 3/4 = 1/2,
    # kappa = (0.75 - 0.5) / 0.5 = 0.5 (Cohen 1960).
    first, second = [1, 1, 2, 2], [1, 2, 2, 2]
    assert stats.krippendorff_alpha_nominal(np.array([first, second])) == pytest.approx(8 / 15)
    assert stats.cohens_kappa(first, second) == pytest.approx(0.5)


def test_cumulative_incidence_by_hand():
    # Times 1 (adoption), 2 (censored), 3 (SGO), 4 (adoption). At 1: 4 at risk, F_adopt = 1/4, S = 3/4.
    # At 3: 2 at risk, F_sgo = 3/4 * 1/2 = 3/8, S = 3/8. At 4: 1 at risk, F_adopt = 1/4 + 3/8 = 5/8.
    table = stats.cumulative_incidence(np.array([1, 2, 3, 4]), np.array(["adoption", "", "sgo", "adoption"]), [4])
    values = dict(zip(table["event"], table["cumulative_incidence"]))
    assert values == pytest.approx({"adoption": 5 / 8, "sgo": 3 / 8})


def test_cumulative_incidence_with_tied_times_and_censoring_after_events():
    # Ties handled exactly (no jitter): at t=2, 5 at risk, one adoption and one return home, and a
    # censoring that counts as after them. F_a(2) = 1/5, F_r(2) = 1/5, S(2) = 3/5; at t=5 two remain,
    # one adoption: F_a(5) = 1/5 + 3/5 * 1/2 = 1/2. Hand calculation (Aalen-Johansen).
    durations = np.array([2, 2, 2, 5, 7])
    events = np.array(["adoption", "home", "", "adoption", ""])
    table = stats.cumulative_incidence(durations, events, [2, 5, 7])
    got = {(e, t): v for e, t, v in zip(table["event"], table["time"], table["cumulative_incidence"])}
    assert got[("adoption", 2.0)] == pytest.approx(1 / 5) and got[("home", 2.0)] == pytest.approx(1 / 5)
    assert got[("adoption", 5.0)] == pytest.approx(1 / 2) and got[("adoption", 7.0)] == pytest.approx(1 / 2)
    at_risk = dict(zip(zip(table["event"], table["time"]), table["at_risk"]))
    assert at_risk[("adoption", 5.0)] == 2


def test_scipy_default_for_larger_tables_is_not_reproducible():
    # Why exact_test always passes a seeded method: scipy's own r x c default samples unseeded.
    table = np.array([[5, 3, 1], [1, 4, 6]])
    values = {scipy_stats.fisher_exact(table).pvalue for _ in range(5)}
    assert len(values) > 1


def test_large_tables_use_chi_square_only_when_expected_counts_allow():
    from scipy.stats import chi2_contingency

    large = np.array([[3000, 2000, 1500], [2500, 2600, 1400]])  # n = 13,000, every expected count in the thousands
    test = stats.exact_test(large, seed=1)
    assert test.method.startswith("Pearson chi-square")
    assert test.p_value == chi2_contingency(large, correction=False).pvalue  # no Yates correction
    sparse = np.vstack([large, [[1, 0, 2]]])  # a tiny third group: expected counts below 5
    assert "Monte Carlo (10000 resamples)" in stats.exact_test(sparse, seed=1).method
    small = np.array([[30, 20, 15], [25, 26, 14]])  # a study's size: exact, as before
    assert "Monte Carlo (100000 resamples)" in stats.exact_test(small, seed=1).method


@pytest.mark.parametrize("table, exact", [
    # the study's three contact items (IRO row, then CG; always or mostly, sometimes, rarely or never);
    # R 4.2.2: fisher.test(matrix(c(17, 28, 17, 26, 9, 4), nrow = 2, byrow = TRUE))$p.value
    ([[17, 28, 17], [26, 9, 4]], 0.000613469),
    # fisher.test(matrix(c(27, 23, 12, 3, 11, 23), nrow = 2, byrow = TRUE))$p.value
    ([[27, 23, 12], [3, 11, 23]], 1.00502e-05),
    # fisher.test(matrix(c(12, 22, 28, 21, 9, 9), nrow = 2, byrow = TRUE))$p.value
    ([[12, 22, 28], [21, 9, 9]], 0.00182237),
])
def test_monte_carlo_p_values_from_any_stream_agree_with_r_exact_test(table, exact):
    resamples = stats.MONTE_CARLO_RESAMPLES
    error = np.sqrt(max(exact, 1 / resamples) * (1 - exact) / resamples)  # the estimate's standard error
    for stream in ("iro_cg_contact_tests", "another table"):
        p_value = stats.exact_test(np.array(table), seed=stats.stream_seed(20140601, stream)).p_value
        assert abs(p_value - exact) < 4 * error, (stream, p_value)
