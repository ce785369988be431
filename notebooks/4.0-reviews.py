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
from caresurvey.analysis.data import open_study
from caresurvey.analysis.permanence import time_to_permanence
from caresurvey.analysis.reviews import review_participation, review_timeliness
from caresurvey.report.analysis_figures import cumulative_incidence_chart, review_timeliness_chart

config, data = open_study()
timeliness = review_timeliness(data)
review_timeliness_chart(timeliness)

# %%
timeliness

# %%
review_participation(data).query("code == 'views conveyed'")

# %%
permanence = time_to_permanence(data)
cumulative_incidence_chart(permanence)

# %%
permanence
