"""The one disclosure policy of a study, applied to every table the study releases.

The results stage hands every output table to :meth:`DisclosurePolicy.control` before anything
is computed from it, written, drawn or shown, with one :class:`Ledger` for the whole release, so
each table is protected against everything released before it; a table computed from other
tables receives them after control, so a withheld count stays withheld.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caresurvey.disclosure.roles import Roles
from caresurvey.disclosure.suppression import P_BELOW_FLOOR, Ledger, Protected, protect, protect_together

__all__ = ["DisclosurePolicy", "SYNTHETIC_NOTE"]

#: Why tables of a synthetic study are shown as computed.
SYNTHETIC_NOTE = "synthetic study: shown without disclosure control"


@dataclass(frozen=True)
class DisclosurePolicy:
    """How a study's outputs are protected.

    Attributes
    ----------
    threshold : int
        Counts from 1 to ``threshold - 1`` are withheld (``[disclosure] threshold``; secure
        research environments use 10, DfE practice 1-5).
    round_to : int
        Counts shown are rounded to a multiple of this (``[disclosure] round_to``; 0: not rounded).
    protection : int
        The narrowest interval a reader holding every released number may be able to place a
        withheld small count in (``[disclosure] protection``); the interval must also reach the
        threshold, so that nobody can show the count is small.
    synthetic : bool
        The data describe no one (``[study] synthetic``): tables are shown as computed, marked so.
    """

    threshold: int = 10
    round_to: int = 0
    synthetic: bool = False
    protection: int = 1

    @classmethod
    def from_config(cls, config) -> DisclosurePolicy:
        """The policy a study's configuration sets (:class:`caresurvey.config.Config`)."""
        return cls(threshold=config.disclosure_threshold, round_to=config.round_to, synthetic=config.synthetic,
                   protection=config.protection)

    def control(self, name: str, frame: pd.DataFrame, roles: Roles, ledger: Ledger | None = None,
                released_only: bool = False) -> Protected:
        """``frame`` (output table ``name``, columns as ``roles`` describe them) as it may be released,
        given the tables ``ledger`` holds (released before it; this table alone when None).
        ``released_only``: the table is computed from released tables only
        (:func:`caresurvey.disclosure.protect`)."""
        if self.synthetic:
            return Protected.unchanged(frame, SYNTHETIC_NOTE)
        return protect(frame, roles, self.threshold, self.round_to, name=name, ledger=ledger,
                       protection=self.protection, released_only=released_only)

    def control_together(self, tables: list[tuple[str, pd.DataFrame, Roles]], ledger: Ledger) -> dict[str, Protected]:
        """Tables ``(name, frame, roles)`` released together, protected jointly against each other and
        the tables ``ledger`` holds (:func:`caresurvey.disclosure.protect_together`)."""
        if self.synthetic:
            return {name: Protected.unchanged(frame, SYNTHETIC_NOTE) for name, frame, _ in tables}
        return protect_together(tables, self.threshold, self.round_to, ledger, self.protection)

    def describe(self) -> str:
        """The policy in one sentence, for the outputs' notes."""
        if self.synthetic:
            return "Synthetic study: generated data, shown without disclosure control."
        rounded = (f" Counts are rounded to the nearest {self.round_to}, and percentages to whole numbers."
                   if self.round_to else "")
        return (f"Real study data: counts from 1 to {self.threshold - 1}, and cells that would reveal one from "
                f"anything else released, are withheld (c): from everything released, no withheld count can be "
                f"worked out, nor a small one narrowed to fewer than {self.protection + 1} values or shown to be "
                f"below {self.threshold}.{rounded} A statistic is released only from released counts and resting on "
                f"at least {self.threshold}: p-values to two significant figures ({P_BELOW_FLOOR} below that), "
                "other statistics to two decimal places; expected-count diagnostics are withheld.")
