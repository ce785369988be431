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
# study (`make process`). Tables here are as computed, before disclosure control.

# %%
from caresurvey.explore import open_study

study = open_study()
study.table("legal_status_at_sampling").query("la == 'All LAs'")

# %%
study.figure("legal_status_at_file_analysis")

# %% [markdown]
# Transitions: each row is the number of children in `from_status` at one time point who were
# in `to_status` at the next. Exits from care (SGO, returned home, adopted) are kept as states.

# %%
study.table("legal_status_transitions")
