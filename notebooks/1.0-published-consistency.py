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
# # Are the published tables consistent?
#
# Each percentage printed in the studies' tables is the rounding of a count out of a
# denominator. This notebook checks every published table of the package and shows, for
# the formal-challenge table, the denominators and counts that reproduce it exactly.
# Open it with `jupytext --to notebook` or run it as a script.

# %%
from caresurvey.published.catalogue import load_table, load_tables
from caresurvey.published.consistency import check_consistency
from caresurvey.published.summary import check_published, describe_result, summary_frame

checks = check_published(load_tables())
summary = summary_frame(checks)
summary[["table", "group", "searched", "feasible_n", "n_feasible", "table_consistent"]]

# %% [markdown]
# The formal-challenge table assumes all IROs = LA-employed + self-employed. With at most 65
# IRO questionnaires, only one set of denominators and counts reproduces every printed cell.

# %%
formal = load_table("formal_challenge")
print(describe_result(check_consistency(formal.consistency_problem())))
