"""The one disclosure policy of a study, applied to every table the study releases.

The results stage hands every output table to :meth:`DisclosurePolicy.control` before anything
is computed from it, written, drawn or shown; a table computed from other tables receives them
after control, so a withheld count stays withheld.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caresurvey.disclosure.roles import Roles
from caresurvey.disclosure.suppression import Protected, protect

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
    synthetic : bool
        The data describe no one (``[study] synthetic``): tables are shown as computed, marked so.
    """

    threshold: int = 10
    round_to: int = 0
    synthetic: bool = False

    @classmethod
    def from_config(cls, config) -> DisclosurePolicy:
        """The policy a study's configuration sets (:class:`caresurvey.config.Config`)."""
        return cls(threshold=config.disclosure_threshold, round_to=config.round_to, synthetic=config.synthetic)

    def control(self, name: str, frame: pd.DataFrame, roles: Roles) -> Protected:
        """``frame`` (output table ``name``, columns as ``roles`` describe them) as it may be released."""
        if self.synthetic:
            return Protected.unchanged(frame, SYNTHETIC_NOTE)
        return protect(frame, roles, self.threshold, self.round_to, name=name)

    def describe(self) -> str:
        """The policy in one sentence, for the outputs' notes."""
        if self.synthetic:
            return "Synthetic study: generated data, shown without disclosure control."
        rounded = f"; counts rounded to the nearest {self.round_to}" if self.round_to else ""
        return (f"Real study data: counts from 1 to {self.threshold - 1} and cells that would reveal them are "
                f"withheld (c){rounded}.")
