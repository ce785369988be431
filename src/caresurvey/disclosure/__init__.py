"""Disclosure control: the roles of an output table's columns, the study's one policy, and the
suppression that protects a table.

``roles`` says what each column holds and how counts hang together; ``policy`` is the study's
:class:`DisclosurePolicy` (threshold, rounding, synthetic or not), applied by the results stage
to every released table; ``suppression`` withholds and rounds the cells.
"""

from caresurvey.disclosure.policy import SYNTHETIC_NOTE, DisclosurePolicy
from caresurvey.disclosure.roles import Cells, Cumulative, Roles, Sum, Total
from caresurvey.disclosure.suppression import Ledger, Protected, Suppression, protect

__all__ = ["DisclosurePolicy", "SYNTHETIC_NOTE", "Roles", "Total", "Cumulative", "Cells", "Sum", "Ledger", "Protected",
           "Suppression", "protect"]
