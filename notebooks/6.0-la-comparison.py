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
# # Comparing local authorities
#
# The study's LAs with each other (tests of heterogeneity; funnels for review timeliness and
# participation around the pooled proportion); where the study's manifest includes DfE
# statistics (`dfe-la` files), every English LA on one measure against England; and the study's
# sample against the published study.

# %%
from caresurvey.explore import open_study

study = open_study()
study.table("study_la_heterogeneity")

# %%
study.figure("study_la_funnels")

# %%
study.table("study_la_funnels")

# %% [markdown]
# National statistics: each derived share per area and year (England's series first), then the
# latest year's share on s.20 at 31 March for every LA against England, with exact binomial
# limits. With 150 LAs overdispersion matters: `phi` and `tau2` are in the table, and
# `caresurvey compare-las --overdispersion` widens the limits.

# %%
shares = study.table("national_shares")
shares[shares["geographic_level"] == "National"] if len(shares) else "no DfE statistics in this study"

# %%
study.figure("national_funnel")

# %% [markdown]
# The study's own counts against the published tables, as a new local sample would be compared:
# Fisher's exact test over every (n, count) pair each published percentage allows. For a table
# from another sample, use `caresurvey compare-published TABLE.csv --published TABLE_ID`.

# %%
study.table("study_vs_published")
