"""Outputs for people, laid out from the study's release (:mod:`caresurvey.results`): CSV tables,
the workbook, figures, the HTML report, executed notebooks and the PDF. Nothing here computes."""
