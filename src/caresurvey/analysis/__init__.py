"""Analyses: one module per published analysis, each returning a tidy DataFrame.

``stats`` holds the statistical building blocks; formatting, disclosure control and figures
come after, in ``caresurvey.report``.
"""
