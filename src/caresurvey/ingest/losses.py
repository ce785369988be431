"""Rows lost to quarantine, against what the study accepts: a report must not come from a fraction
of the data unnoticed.

A file loses too much when quarantine removes more than a share of its rows (``[ingest]
max_quarantined_share``, 5% by default); an LA is lost from a processed table (its episodes, say)
when rows of it were read for the table and none kept, and a respondent group when none of its
respondents was kept. Either stops ingestion, unless the study accepts its losses
(``--accept-losses``, ``[ingest] accept_losses``), when the report says so in its first section.
A declared group none of whose files holds a respondent is a mistake, never accepted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from caresurvey.config import DEFAULT_MAX_QUARANTINED_SHARE
from caresurvey.errors import CaresurveyError
from caresurvey.ingest.ledger import Problem, Reconciliation

__all__ = ["Loss", "find_losses", "losses_error", "check_groups_answered"]


@dataclass(frozen=True)
class Loss:
    """Rows of one file, LA or respondent group lost to quarantine beyond what the study accepts.

    ``kind`` is ``"file"``, ``"LA"`` or ``"group"``; ``read`` and ``kept`` count rows (for a
    group, respondents).
    """

    kind: str
    name: str
    read: int
    kept: int

    @property
    def quarantined(self) -> int:
        return self.read - self.kept

    def describe(self) -> str:
        """One line, e.g. ``file survey.csv: 12 of 40 rows quarantined (30.0%)``."""
        unit = "respondents" if self.kind == "group" else "rows"
        if self.kept == 0:
            return f"{self.kind} {self.name}: every one of its {self.read} {unit} quarantined"
        return (f"{self.kind} {self.name}: {self.quarantined} of {self.read} {unit} quarantined "
                f"({100 * self.quarantined / self.read:.1f}%)")

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "read": self.read, "kept": self.kept,
                "quarantined": self.quarantined}


def find_losses(reconciliations: Sequence[Reconciliation], groups: Mapping[str, str],
                max_share: float = DEFAULT_MAX_QUARANTINED_SHARE) -> list[Loss]:
    """Files that lost more than ``max_share`` of their rows, LAs that lost every row of a processed
    table (named ``LA (table)``), and groups that lost every respondent.

    Parameters
    ----------
    reconciliations : sequence of Reconciliation
        Every file's counts, per table it fed.
    groups : mapping of str to str
        Each questionnaire file (as messages name it) to its respondent group.
    max_share : float
        The share of a file's rows (over all the tables it feeds) quarantine may remove.

    Returns
    -------
    list of Loss
        Files first, then LAs, then groups, each in name order.
    """
    files: dict[str, list[int]] = {}
    las: dict[str, list[int]] = {}
    answered: dict[str, list[int]] = {}
    for entry in reconciliations:
        _add(files, entry.file, entry.rows_read, entry.rows_kept)
        for la, (read, kept) in entry.la_rows.items():
            if la:  # a row naming no LA is the file's loss only
                _add(las, f"{la} ({entry.table})", read, kept)
        group = _group_of(entry, groups)
        if group is not None:
            _add(answered, group, entry.rows_read, entry.rows_kept)
    losses = [Loss("file", name, read, kept) for name, (read, kept) in sorted(files.items())
              if read and (read - kept) / read > max_share]
    losses += [Loss("LA", name, read, kept) for name, (read, kept) in sorted(las.items()) if read and not kept]
    losses += [Loss("group", name, read, kept) for name, (read, kept) in sorted(answered.items()) if read and not kept]
    return losses


def _group_of(entry: Reconciliation, groups: Mapping[str, str]) -> str | None:
    """The respondent group of a file's ``responses`` rows (a workbook's file is named with its
    sheet: ``survey.xlsx [Responses]``)."""
    if entry.table != "responses":
        return None
    return groups.get(entry.file) or groups.get(entry.file.rsplit(" [", 1)[0])


def _add(totals: dict[str, list[int]], name: str, read: int, kept: int) -> None:
    counts = totals.setdefault(name, [0, 0])
    counts[0] += read
    counts[1] += kept


def check_groups_answered(declared: Iterable[str], reconciliations: Sequence[Reconciliation],
                          groups: Mapping[str, str]) -> None:
    """Refuse a declared respondent group none of whose questionnaire files holds a respondent.

    Raises
    ------
    CaresurveyError
        Naming the group and its files.
    """
    read: Counter[str] = Counter()
    for entry in reconciliations:
        group = _group_of(entry, groups)
        if group is not None:
            read[group] += entry.rows_read
    for group in declared:
        if not read[group]:
            files = sorted(file for file, owner in groups.items() if owner == group)
            where = f"its questionnaire(s) {', '.join(files)} hold no respondent" if files else \
                "no questionnaire of the manifest names it"
            raise CaresurveyError(f"respondent group {group!r} has no respondents: {where}; check the file is the "
                                  "export with answers, or remove the group from [study] groups")


def losses_error(losses: Sequence[Loss], problems: Sequence[Problem], max_share: float, quarantine: str) -> CaresurveyError:
    """The error that stops ingestion: each loss, with the rules that quarantined most of its rows.

    Values are not shown (the quarantine file has them, beside the raw files): the message may
    reach a log.
    """
    lines = [f"quarantine removed more of the data than the study accepts (more than {100 * max_share:g}% of a "
             "file's rows, or every row of an LA or respondent group):"]
    for loss in losses:
        lines.append(f"  {loss.describe()}")
        if loss.kind == "file":
            rules = Counter(p.rule for p in problems if p.file == loss.name)
            lines += [f"    {count} problem(s) breaking rule {rule!r}" for rule, count in rules.most_common(3)]
    lines.append(f"Every problem is in {quarantine} (file, row, column, value, rule, message). Fix the raw files, "
                 "or, having read why, accept the losses: caresurvey ingest --accept-losses (make report "
                 "ACCEPT_LOSSES=1), or [ingest] accept_losses = true; the report then says what was lost.")
    return CaresurveyError("\n".join(lines))
