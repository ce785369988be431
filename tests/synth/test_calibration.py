"""Calibration: the chosen counts print as published, add up, and come from the checker's solutions."""

from __future__ import annotations

import numpy as np
import pytest

from caresurvey.published.catalogue import load_table
from caresurvey.synth.calibration import IRO, IRO_LA, IRO_OTHER, IRO_SELF, calibrate
from caresurvey.synth.integer_program import IntegerProgram, controlled_rounding
from tests.synth.conftest import printed


@pytest.fixture(scope="module")
def calibration():
    return calibrate()


def test_every_chosen_count_prints_as_published_under_both_roundings(calibration):
    for table_id, units in calibration.tables.items():
        table = load_table(table_id)
        for cell in table.consistency_cells():
            choice = units[cell.group]
            shown = printed(choice.counts[cell.item], choice.n)
            percent = cell.percent.text if cell.percent.text.endswith("%") else cell.percent.text + "%"
            if cell.count is None:
                assert shown == {percent}, (table_id, cell)
            else:  # a printed count is taken as printed
                assert choice.counts[cell.item] == cell.count


def test_formal_challenge_is_the_unique_solution(calibration):
    # The only joint solution of seed 001's "Formal challenge" slide (consistency checker, checked
    # against a decimal brute force in tests/published): overall 44, 21, 11, 0 of 58 =
    # LA-employed 39, 18, 10, 0 of 48 + self-employed 5, 3, 1, 0 of 10.
    units = calibration.tables["formal_challenge"]
    assert (units["Overall"].n, list(units["Overall"].counts.values())) == (58, [44, 21, 11, 0])
    assert (units["LA-employed IROS"].n, list(units["LA-employed IROS"].counts.values())) == (48, [39, 18, 10, 0])
    assert (units["Self-employed IROs"].n, list(units["Self-employed IROs"].counts.values())) == (10, [5, 3, 1, 0])


def test_employment_split_covers_every_iro_and_every_answer(calibration):
    pools = calibration.pools
    assert pools[IRO] == 65  # seed 001: 65 IRO questionnaires
    assert pools[IRO_LA] + pools[IRO_SELF] + pools[IRO_OTHER] == 65
    assert pools[IRO_LA] >= 48 and pools[IRO_SELF] >= 10
    independence = calibration.tables["independence_attitudes"]
    assert independence["LA-employed IROs"].n <= pools[IRO_LA]
    assert independence["Self-employed IROs"].n <= pools[IRO_SELF]


def test_exclusive_categories_fit_their_denominator_and_are_checker_solutions(calibration):
    respondents = {"IRO": 65, "CG": 39}  # questionnaires returned (seed 001)
    for choice in calibration.tables["iro_cg_contact"].values():
        assert sum(choice.counts.values()) <= choice.n
        assert choice.n in choice.feasible_n
        # n is the feasible denominator nearest to 95% of the group (the stated response target)
        target = 0.95 * respondents[choice.group]
        nearest = min(abs(n - target) for n in choice.feasible_n if n <= respondents[choice.group])
        assert abs(choice.n - target) == nearest


def test_controlled_rounding_keeps_margins_and_cells_near_expected():
    # An independent check: margins as given, every cell within 1 of its expected value.
    expected = np.outer([36.6, 32.9, 28.1, 24.4], [37, 36, 33, 16]) / 122
    table = controlled_rounding(expected, column_totals=np.array([37, 36, 33, 16]))
    assert table.sum(axis=0).tolist() == [37, 36, 33, 16]
    assert table.sum() == 122
    assert np.all(np.abs(table - expected) < 1)
    assert np.all(np.abs(table.sum(axis=1) - expected.sum(axis=1)) < 1)


def test_integer_program_minimises_absolute_deviation():
    # minimise |x - 2.4| + |y - 2.4| with x + y = 5: optimum 2.4 + 2.6 spread, i.e. {2, 3}
    program = IntegerProgram("toy")
    program.variable("x", 0, 10)
    program.variable("y", 0, 10)
    program.constrain({"x": 1, "y": 1}, 5, 5)
    program.penalise_deviation({"x": 1}, 2.4, 1.0)
    program.penalise_deviation({"y": 1}, 2.4, 1.0)
    values = program.solve()
    assert sorted((values["x"], values["y"])) == [2, 3]


def test_integer_program_reports_infeasibility():
    from caresurvey.errors import CaresurveyError

    program = IntegerProgram("impossible")
    program.variable("x", 0, 1)
    program.constrain({"x": 1}, 2, 3)
    with pytest.raises(CaresurveyError, match="impossible: no integer solution"):
        program.solve()
