"""Analyses: one module per topic, each function taking DataFrames and column names and returning
a tidy DataFrame whose columns its docstring lists. No configuration, no files.

``stats`` holds the statistical building blocks. Which function makes which output table, from
which tables, is declared in :mod:`caresurvey.results.registry`; disclosure control and layout
come after, in :mod:`caresurvey.disclosure` and :mod:`caresurvey.report`.
"""
