# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Legal status of the sampled children, and how it changed
#
# The UEA study sampled 122 children by legal status (s. 20 37, ICO 36, CO + PO 49) and found
# that "by time of file analysis, things had often changed". This notebook reproduces the
# split, draws Chart 1 (status at file analysis) and shows the transitions, from the processed
# study (`make process`).

# %%
from caresurvey.analysis.data import open_study
from caresurvey.analysis.legal_status import legal_status_at_sampling, legal_status_transitions, status_at_file_analysis
from caresurvey.report.analysis_figures import status_chart

config, data = open_study()
legal_status_at_sampling(data).query("la == 'All LAs'")

# %%
chart = status_chart(status_at_file_analysis(data), "Chart 1: children in each legal status at the time of file analysis",
                     "legal_status_at_file_analysis")
chart

# %%

# %% [markdown]
# Transitions: each row is the number of children in `from_status` at one time point who were
# in `to_status` at the next. Exits from care (SGO, returned home, adopted) are kept as states.

# %%
legal_status_transitions(data)
