"""The results stage, between the analyses and the report.

Every output table is declared once (:mod:`~caresurvey.results.registry`): its id, the pure
function that computes it and the tables it takes, its columns' roles, its text and its figure.
:func:`build_release` computes them in dependency order from the processed study, puts each
through the study's one disclosure policy, and returns the :class:`Release` the report, the
workbook and the figures lay out.
"""

from caresurvey.results.declaration import OutputTable, Text, Topic
from caresurvey.results.registry import REGISTRY, TOPICS
from caresurvey.results.stage import Release, ReleasedTable, build_release, compute, dependency_order

__all__ = ["OutputTable", "Text", "Topic", "REGISTRY", "TOPICS", "Release", "ReleasedTable", "build_release", "compute",
           "dependency_order"]
