"""What each column of an output table holds, and how its counts hang together.

An output table's declaration (:mod:`caresurvey.results.registry`) states its columns' roles
once. Disclosure control acts on them: counts are suppressed and rounded, what is computed from
a withheld count (proportions, intervals, statistics) goes with it, a statistic resting on too
few is withheld; the additive structure (totals, partitions, cumulative counts) is what an
intruder would use to recover a withheld count, so it is written down here too. The report
reads the same roles to print a column (a count with thousands separators, a year or a seed as
it is).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Roles", "Total", "Cumulative", "Cells", "Sum"]


@dataclass(frozen=True)
class Total:
    """Rows whose ``key`` is ``total`` hold the sum of the rows that agree on every other key and
    whose ``key`` is one of ``parts`` (every other value when ``parts`` is empty).

    Only ``columns`` add up when given (a combined category adds the counts, not the
    denominators). With ``complete=False`` the total also counts people in none of the parts (an
    "Overall" row that includes a small "other" group): the difference is an unpublished count,
    protected like any other.
    """

    key: str
    total: str
    parts: tuple[str, ...] = ()
    complete: bool = True
    columns: tuple[str, ...] = ()  # the count columns that add up (all of them when empty)


@dataclass(frozen=True)
class Cumulative:
    """``columns`` accumulate along ``key`` (ordered) within rows agreeing on ``by``: the
    difference between successive rows is an unpublished count, protected like any other."""

    key: str
    by: tuple[str, ...]
    columns: tuple[str, ...]
    #: A count column of the same row that the first value along ``key`` starts from (children at
    #: risk start from all children): the first step is an unpublished count too.
    start: str | None = None


@dataclass(frozen=True)
class Cells:
    """Cells of a released table: ``column`` in the rows whose keys take the given values.

    ``rows`` is ``((key, (value, ...)), ...)``; ``table`` is another output table's id (this
    table when empty), which must be controlled before this one (the registry's order).
    """

    column: str
    rows: tuple[tuple[str, tuple], ...] = ()
    table: str = ""


@dataclass(frozen=True)
class Sum:
    """Each ``total`` cell equals the sum of the ``parts`` cells that match it on ``by``.

    ``by`` pairs a key of the total's table with a key of the parts' table: the parts of a
    total row are the parts rows whose key takes the total row's value. With ``copies`` each
    matching part equals the total instead (a denominator printed on every row, a count shown
    in two tables). Either side may be another table, so a relation between tables (a
    transition table's margins and the status tables, one count shown in two places) is
    declared where the later table is.
    """

    total: Cells
    parts: Cells
    by: tuple[tuple[str, str], ...] = ()
    copies: bool = False


@dataclass(frozen=True)
class Roles:
    """The roles of an output table's columns, and the relations between its counts.

    Column roles (every column of the table has at least one):

    keys : columns that identify a row (never withheld).
    labels : columns that describe a row without identifying it (never withheld): a test's
        name, a seed, a published value as printed.
    counts : counts of children, respondents, reviews or interviews.
    denominator : the count column each row's counts are out of. Where the rest of the
        denominator is not itself a cell of the table (no ``partition`` or ``row_sum``), it is an
        unpublished count the row's count would reveal, so a count whose rest is small is
        withheld.
    beside : counts shown beside a row's figures that they are not computed from (the children
        still at risk beside a cumulative incidence): withholding one leaves the row's
        proportions and intervals.
    sizes : for statistical summaries, the numbers of observations a row's statistics rest on;
        the row is withheld when one is below the threshold.
    proportions : shares and percentages computed from the row's counts.
    intervals : the bounds of an interval (a confidence interval, a funnel limit).
    statistics : test statistics, effect sizes, model estimates.
    p_values : p-values.
    diagnostics : figures that check a method and are not released for real data (a chi-square
        test's smallest expected count, which gives a margin away).

    Relations between counts:

    totals : total rows over a key (:class:`Total`).
    partition : a key whose values (other than total labels and ``outside_partition``) split the
        denominator: the first count column, summed over them, equals the denominator.
    outside_partition : values of the partition key whose rows stand apart (another measure).
    row_sum : count columns of a row that add up to another of its count columns.
    cumulative : counts that accumulate along a key (:class:`Cumulative`), one or more.
    pooled : ``(keys, numerator, denominator, ratio)``: over rows agreeing on ``keys``, the
        ``ratio`` column shows sum(numerator) / sum(denominator) (a funnel's pooled target).
    sums : other sums among this table's counts and those of tables released before it
        (:class:`Sum`).

    Statistics as released (real data): p-values to two significant figures, or "< 0.001";
    other statistics and the intervals of a table without counts to two decimal places;
    diagnostics withheld, as secure research environments' output rules ask (SACRO).

    public : why the table needs no control (it holds published figures only); empty otherwise.
    """

    keys: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    denominator: str | None = None
    beside: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    proportions: tuple[str, ...] = ()
    intervals: tuple[str, ...] = ()
    statistics: tuple[str, ...] = ()
    totals: tuple[Total, ...] = ()
    partition: str | None = None
    outside_partition: tuple[str, ...] = ()
    row_sum: tuple[tuple[str, ...], str] | None = None
    cumulative: tuple[Cumulative, ...] = ()
    pooled: tuple[tuple[str, ...], str, str, str] | None = None
    sums: tuple[Sum, ...] = ()
    p_values: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()
    public: str = ""

    @property
    def count_columns(self) -> tuple[str, ...]:
        """The counts and the denominator: the cells primary and secondary suppression act on."""
        extra = (self.denominator,) if self.denominator and self.denominator not in self.counts else ()
        return (*self.counts, *extra)

    @property
    def fixed(self) -> tuple[str, ...]:
        """Columns that are never withheld: the keys and labels."""
        return (*self.keys, *self.labels)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column given a role, each once."""
        named = (*self.keys, *self.labels, *self.count_columns, *self.sizes, *self.proportions, *self.intervals,
                 *self.statistics, *self.p_values, *self.diagnostics)
        return tuple(dict.fromkeys(named))
