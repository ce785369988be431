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
from caresurvey.analysis.compare_published import study_against_published
from caresurvey.analysis.comparison import published_comparison
from caresurvey.analysis.data import open_study
from caresurvey.analysis.national import national_shares, share_funnel
from caresurvey.analysis.study_las import study_la_funnels, study_la_heterogeneity
from caresurvey.report.analysis_figures import funnel_chart, national_funnel_title

config, data = open_study()
study_la_heterogeneity(data, config.seed)

# %%
funnels = study_la_funnels(data)
funnel_chart(funnels[funnels["measure"] == "reviews held on time"], "Reviews held on time, by study LA")

# %%
funnels

# %% [markdown]
# National statistics: each derived share per area and year (England's series first), then the
# latest year's share on s.20 at 31 March for every LA against England, with exact binomial
# limits. With 150 LAs overdispersion matters: `phi` and `tau2` are in the table, and
# `caresurvey compare-las --overdispersion` widens the limits.

# %%
shares = national_shares(data.table("la_statistics"))
shares[shares["geographic_level"] == "National"] if len(shares) else "no DfE statistics in this study"

# %%
national = share_funnel(shares)
funnel_chart(national, national_funnel_title(national)) if len(national) else "no DfE statistics in this study"

# %% [markdown]
# The study's own counts against the published tables, as a new local sample would be compared:
# Fisher's exact test over every (n, count) pair each published percentage allows. For a table
# from another sample, use `caresurvey compare-published TABLE.csv --published TABLE_ID`.

# %%
study_against_published(published_comparison(data, config.rounding), config.rounding)
