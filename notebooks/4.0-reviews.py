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
# # Reviews and permanence from the SSDA903 returns
#
# Timeliness of reviews under regulation 33 (first within 20 working days, then 3 months,
# then every 6 months), how children took part (PN0-PN7), and time to permanence with
# adoption, special guardianship and return home as competing risks.

# %%
from caresurvey.analysis.reviews import review_timeliness
from caresurvey.explore import open_study

study = open_study()
study.figure("review_timeliness")

# %%
study.table("review_timeliness")

# %% [markdown]
# The analyses are functions of the processed tables, so they run on any part of them: here,
# the reviews of one LA.

# %%
episodes, reviews = study.processed.table("episodes"), study.processed.table("reviews")
la = sorted(episodes["la"].unique())[0] if len(episodes) else None
review_timeliness(episodes[episodes["la"] == la], reviews[reviews["la"] == la]) if la else "no SSDA903 returns"

# %%
study.table("review_participation").query("code == 'views conveyed'")

# %%
study.figure("time_to_permanence")

# %%
study.table("time_to_permanence")
