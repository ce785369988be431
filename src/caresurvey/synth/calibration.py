"""Choose the counts the synthetic study must contain so that it reproduces the published tables.

A printed percentage rarely fixes its count: 27% of IROs may be 17 of 63 or 15 of 55. The
consistency checker lists what is possible; this module picks one joint answer per table,
deterministically, by integer programming:

* every count prints as its published value under both half-up rounding (Excel, SPSS) and
  half-even rounding (R, numpy), so an analysis reproduces the table whichever it uses;
* counts of exclusive categories fit within their denominator, complete ones fill it, and
  tables whose columns add up (overall = LA-employed + self-employed) add up;
* each denominator is as close as possible to an assumed item response rate of the group that
  answered (for example 95% of the 39 children's guardians), with larger denominators
  preferred on ties.

The chosen solution is then checked by the consistency checker, and the choice, its
alternatives and the assumptions behind it are recorded in ``calibration.json``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caresurvey.errors import CaresurveyError
from caresurvey.published.catalogue import PublishedTable, load_table
from caresurvey.published.consistency import (
    Cell,
    ConsistencyProblem,
    ItemStructure,
    check_consistency,
)
from caresurvey.published.rounding import Rounding
from caresurvey.synth.integer_program import IntegerProgram

__all__ = [
    "Assumption",
    "UnitChoice",
    "Calibration",
    "calibrate",
    "POOLS",
    "ITEM_RESPONSE_RATE",
]

#: Respondent pools and where their sizes come from. The IRO pool is split by employment
#: below; the split is a modelling choice recorded as an assumption.
IRO = "IRO questionnaire"
IRO_LA = "IRO questionnaire: employed by the local authority"
IRO_SELF = "IRO questionnaire: self-employed"
IRO_OTHER = "IRO questionnaire: other employment"
TEAM_MANAGERS = "Team manager questionnaire"
GUARDIANS = "Children's guardian questionnaire"
CASES = "Case files"
CHILDREN = "Children's views survey"

#: Pool sizes fixed by the published tables: (table, group, item) of the cell that states them.
POOLS = {
    IRO: ("sample_composition", "Questionnaire respondents", "IROs"),
    TEAM_MANAGERS: ("sample_composition", "Questionnaire respondents", "Team managers"),
    GUARDIANS: ("sample_composition", "Questionnaire respondents", "Children's guardians"),
    CASES: ("sample_composition", "Case file analysis", "Cases"),
}

#: The share of a group assumed to answer any one question.
ITEM_RESPONSE_RATE = Fraction(95, 100)

#: Which pool answered each published group's question, table by table. ``None``: the group
#: is the sum of others (formal challenge "Overall"), so its denominator follows from theirs.
_POOL_OF_GROUP: dict[str, dict[str, str | None]] = {
    "legal_status_at_sampling": {"Children in the sample": CASES},
    "formal_challenge": {"Overall": None, "LA-employed IROS": IRO_LA, "Self-employed IROs": IRO_SELF},
    "iro_cg_contact": {"IRO": IRO, "CG": GUARDIANS},
    "independence_attitudes": {
        "Children's guardians": GUARDIANS,
        "Self-employed IROs": IRO_SELF,
        "LA-employed IROs": IRO_LA,
        "LAC team managers": TEAM_MANAGERS,
    },
    "children_views_professionals": {"Children in care surveyed": CHILDREN},
}

#: The tables the synthetic study reproduces, in the order they are solved (the formal
#: challenge table first: its answer fixes the IROs' employment split).
CALIBRATED_TABLES = tuple(_POOL_OF_GROUP)

#: Published tables the synthetic study does not contain, and why.
NOT_SYNTHESISED = {
    "sample_composition": "Counts of the study design; the synthetic study has exactly these numbers of cases, interviews and questionnaires.",
    "legal_status_at_file_analysis": "Chart 1 prints no values; the synthetic legal-status paths give a chart of their own.",
    "ncb_iro_employment": "A figure from another study (NCB, 2014) with no stated denominator; no questionnaire of that study is synthesised.",
}

# Objective weights: denominators near the response-rate target matter most; counts near
# the printed percentage break ties between counts for the same denominator; larger
# denominators break any remaining tie.
_WEIGHT_N = 1.0
_WEIGHT_COUNT = 1e-3
_WEIGHT_LARGER_N = 1e-6


@dataclass(frozen=True)
class Assumption:
    """A modelling choice the published tables do not fix, with its reason."""

    name: str
    value: str
    why: str


@dataclass
class UnitChoice:
    """The chosen denominator and counts of one consistency group of a published table.

    Attributes
    ----------
    table, label : str
        The table and its consistency group (e.g. ``"IRO | CG contacts IRO"``).
    group : str
        The published group (respondent group or column).
    pool : str or None
        The respondents who answered; ``None`` for a group that is the sum of others.
    n : int
        The chosen denominator.
    counts : dict of str to int
        The chosen count of each item (category or question) of the group.
    feasible_n : list of int
        Every denominator the published values allow for this group (consistency checker).
    """

    table: str
    label: str
    group: str
    pool: str | None
    n: int
    counts: dict[str, int]
    feasible_n: list[int] = field(default_factory=list)


@dataclass
class Calibration:
    """Everything the generator must reproduce: pool sizes, and per table the chosen counts."""

    pools: dict[str, int]
    tables: dict[str, dict[str, UnitChoice]]
    assumptions: list[Assumption]

    def unit(self, table: str, label: str) -> UnitChoice:
        try:
            return self.tables[table][label]
        except KeyError:
            raise KeyError(f"no calibrated group {label!r} in table {table!r}") from None

    def to_json(self) -> dict:
        return {
            "item_response_rate": str(ITEM_RESPONSE_RATE),
            "rounding": "every count prints as published under both half-up and half-even rounding",
            "pools": dict(self.pools),
            "assumptions": [vars(a) for a in self.assumptions],
            "tables": {
                table: {
                    label: {
                        "group": choice.group,
                        "pool": choice.pool,
                        "n": choice.n,
                        "counts": choice.counts,
                        "feasible_n": choice.feasible_n,
                    }
                    for label, choice in units.items()
                }
                for table, units in self.tables.items()
            },
            "not_synthesised": dict(NOT_SYNTHESISED),
        }


def _printed_count(table_id: str, group: str, item: str) -> int:
    table = load_table(table_id)
    for cell in table.cells:
        if cell.group == group and cell.item == item and cell.count is not None:
            return cell.count
    raise CaresurveyError(f"published table {table_id!r} has no count for {group!r} / {item!r}")


def _units(table: PublishedTable) -> dict[str, list[Cell]]:
    """The table's consistency cells grouped by consistency group, in printed order."""
    units: dict[str, list[Cell]] = {}
    for cell in table.consistency_cells():
        units.setdefault(cell.group, []).append(cell)
    return units


def _group_of_label(table: PublishedTable) -> dict[str, str]:
    return {table.group_label(c): c.group for c in table.cells if c.percent is not None}


def _prints_as_published(program: IntegerProgram, k: str, n: str, cell: Cell) -> None:
    """``k / n`` prints as the published value under both half-up and half-even rounding.

    Notes
    -----
    With ``p`` the printed value and ``h`` half its last digit, half-up prints ``p`` for
    ``p - h <= 100 k / n < p + h`` and half-even for the open interval plus both ends when
    ``p`` is even in its last digit. Both hold for ``p - h <= 100 k / n < p + h`` with the lower
    end allowed only for even ``p`` (18 of 48 is 37.5%, which both print as 38%). Both ends are
    fractions over ``2 * 10**decimals``; scaled to integers, a strict inequality is ``>= 1``.
    """
    scale = 2 * 10**cell.percent.decimals
    low = (cell.percent.value - cell.percent.half_unit) * scale
    high = (cell.percent.value + cell.percent.half_unit) * scale
    program.constrain({k: 100 * scale, n: -int(low)}, lower=0 if cell.percent.last_digit_is_even else 1)
    program.constrain({n: int(high), k: -100 * scale}, lower=1)


def _solve_table(
    table: PublishedTable,
    pools: Mapping[str, int],
    targets: bool = True,
) -> dict[str, UnitChoice]:
    spec = table.consistency
    if spec is None:
        raise CaresurveyError(f"published table {table.id!r} has no percentages to calibrate")
    pool_of_group = _POOL_OF_GROUP[table.id]
    group_of_label = _group_of_label(table)
    units = _units(table)
    program = IntegerProgram(f"calibration of {table.id}")
    n_var: dict[str, str] = {}
    k_var: dict[tuple[str, str], str] = {}

    for label, cells in units.items():
        group = group_of_label[label]
        pool = pool_of_group[group]
        upper = pools[pool] if pool is not None else sum(pools.values())
        n_var[label] = program.variable(f"n[{label}]", 1, upper)
        stated = {c.n for c in cells if c.n is not None}
        if len(stated) > 1:
            raise CaresurveyError(f"{table.id}: group {label!r} states several n: {sorted(stated)}")
        if stated:
            program.fix(n_var[label], stated.pop())
        elif pool is not None and targets:
            program.penalise_deviation({n_var[label]: 1}, float(ITEM_RESPONSE_RATE * pools[pool]), _WEIGHT_N)
        program.reward(n_var[label], _WEIGHT_LARGER_N)
        for cell in cells:
            k = program.variable(f"k[{label}][{cell.item}]", 0, upper)
            k_var[(label, cell.item)] = k
            program.constrain({k: 1, n_var[label]: -1}, upper=0)
            if cell.count is not None:
                program.fix(k, cell.count)
            else:
                _prints_as_published(program, k, n_var[label], cell)
                program.penalise_deviation(
                    {k: 100, n_var[label]: -float(cell.percent.value)}, 0.0, _WEIGHT_COUNT
                )
        # Parts of a whole (e.g. "CO (+ PO)" = CO + PO) are not separate categories.
        categories = [c for c in cells if not any(c.item in parts for parts in table.components.values())]
        if spec.structure is ItemStructure.EXCLUSIVE:
            program.constrain({k_var[(label, c.item)]: 1 for c in categories} | {n_var[label]: -1}, upper=0)
        elif spec.structure is ItemStructure.COMPLETE:
            program.constrain({k_var[(label, c.item)]: 1 for c in categories} | {n_var[label]: -1}, 0, 0)
        for whole, parts in table.components.items():
            if all((label, item) in k_var for item in (whole, *parts)):
                program.constrain(
                    {k_var[(label, whole)]: 1} | {k_var[(label, part)]: -1 for part in parts}, 0, 0
                )

    for constraint in spec.sums:
        program.constrain({n_var[constraint.total]: 1} | {n_var[p]: -1 for p in constraint.parts}, 0, 0)
        for cell in units[constraint.total]:
            program.constrain(
                {k_var[(constraint.total, cell.item)]: 1}
                | {k_var[(part, cell.item)]: -1 for part in constraint.parts},
                0,
                0,
            )

    values = program.solve()
    feasible = check_consistency(table.consistency_problem(Rounding.EITHER), limit=0).groups
    return {
        label: UnitChoice(
            table=table.id,
            label=label,
            group=group_of_label[label],
            pool=pool_of_group[group_of_label[label]],
            n=values[n_var[label]],
            counts={cell.item: values[k_var[(label, cell.item)]] for cell in cells},
            feasible_n=list(feasible[label].n),
        )
        for label, cells in units.items()
    }


def verify_choice(table: PublishedTable, choices: Mapping[str, UnitChoice]) -> None:
    """Check the chosen counts with the consistency checker, under half-up and half-even rounding.

    Raises
    ------
    CaresurveyError
        If the chosen counts do not print as published, or do not add up as the table requires.
    """
    spec = table.consistency
    cells = [
        Cell(
            group=cell.group,
            item=cell.item,
            percent=cell.percent,
            n=choices[cell.group].n,
            count=choices[cell.group].counts[cell.item],
        )
        for cell in table.consistency_cells()
    ]
    labels = set(choices)
    for rounding in (Rounding.HALF_UP, Rounding.HALF_EVEN):
        problem = ConsistencyProblem(
            cells=cells,
            rounding=rounding,
            sums=spec.sums,
            structure={label: spec.structure for label in labels},
        )
        if not check_consistency(problem, limit=0).consistent:
            raise CaresurveyError(
                f"calibration of {table.id!r} does not reproduce the published values under "
                f"{rounding.value} rounding: {[vars(c) for c in choices.values()]}"
            )


def _employment_split(formal_challenge: Mapping[str, UnitChoice], iro_total: int) -> tuple[dict[str, int], list[Assumption]]:
    """Split the IRO respondents by employment from the formal-challenge denominators."""
    la = formal_challenge["LA-employed IROS"].n
    self_employed = formal_challenge["Self-employed IROs"].n
    answered = la + self_employed
    other = 1
    skipped = iro_total - answered
    # The IROs who skipped the block are assumed split like those who answered it (rounded
    # half up), after one IRO of other employment, who could not be counted in either column.
    extra_self = math.floor(Fraction(self_employed * (skipped - other), answered) + Fraction(1, 2))
    pools = {
        IRO_SELF: self_employed + extra_self,
        IRO_OTHER: other,
        IRO_LA: iro_total - self_employed - extra_self - other,
    }
    assumptions = [
        Assumption(
            "IRO employment",
            f"{pools[IRO_LA]} employed by an LA, {pools[IRO_SELF]} self-employed, {pools[IRO_OTHER]} other",
            f"The formal-challenge table fixes {la} LA-employed and {self_employed} self-employed IROs "
            f"among the {answered} who answered it, and its 'Overall' column is their sum, so no IRO "
            f"of other employment answered it. Of the {skipped} who skipped it, one is of other "
            "employment (the questionnaire offered the option) and the rest split as those who answered.",
        )
    ]
    return pools, assumptions


def calibrate() -> Calibration:
    """Choose the counts of every published table the synthetic study reproduces.

    Returns
    -------
    Calibration

    Notes
    -----
    The formal-challenge table is solved first, since its denominators fix how many IROs
    answered by employment; the IRO pool is then split by employment (an assumption, recorded),
    and every other table is solved against its groups' pools.
    """
    pools = {name: _printed_count(*where) for name, where in POOLS.items()}
    children = load_table("children_views_professionals")
    pools[CHILDREN] = children.max_n_of("Children in care surveyed | Social worker")
    assumptions = [
        Assumption(
            "Item response",
            f"{float(ITEM_RESPONSE_RATE) * 100:g}% of each group",
            "Each question's denominator is chosen as close as the published percentages allow "
            "to this share of the group asked; the rest did not answer that question.",
        ),
        Assumption(
            "Children's survey size",
            f"{pools[CHILDREN]} children",
            "The Children's Rights Director surveyed 1,530 children (seed 002); each question's "
            "own denominator is not published.",
        ),
    ]
    tables: dict[str, dict[str, UnitChoice]] = {}
    formal = load_table("formal_challenge")
    # Before the employment split is known, any IRO could be in either column.
    provisional = {IRO_LA: pools[IRO], IRO_SELF: pools[IRO]}
    tables[formal.id] = _solve_table(formal, provisional, targets=False)
    employment, employment_assumptions = _employment_split(tables[formal.id], pools[IRO])
    pools.update(employment)
    assumptions.extend(employment_assumptions)
    for table_id in CALIBRATED_TABLES:
        if table_id == formal.id:
            continue
        tables[table_id] = _solve_table(load_table(table_id), pools)
    for table_id, choices in tables.items():
        verify_choice(load_table(table_id), choices)
    for table_id in CALIBRATED_TABLES:
        for choice in tables[table_id].values():
            if choice.pool is not None and choice.n > pools[choice.pool]:
                raise CaresurveyError(f"{table_id}: {choice.label} needs n={choice.n} > pool {pools[choice.pool]}")
    ordered = {table_id: tables[table_id] for table_id in CALIBRATED_TABLES}
    return Calibration(pools=pools, tables=ordered, assumptions=assumptions)
