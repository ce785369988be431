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
# participation around the pooled proportion), and, where the study's manifest includes DfE
# statistics (`dfe-la` files), every English LA on one measure against England.

# %%
from caresurvey.analysis.data import open_study
from caresurvey.analysis.national import la_funnel
from caresurvey.analysis.study_las import study_la_funnels, study_la_heterogeneity
from caresurvey.report.analysis_figures import funnel_chart

config, data = open_study()
study_la_heterogeneity(data, config.seed)

# %%
funnels = study_la_funnels(data)
funnel_chart(funnels[funnels["measure"] == "reviews held on time"], "Reviews held on time, by study LA")

# %%
funnels

# %% [markdown]
# National statistics: the share on s.20 at 31 March, by LA, against England (exact binomial
# limits; with 150 LAs, see `--overdispersion` in `caresurvey compare-las`).

# %%
statistics = data.table("la_statistics")
years = sorted(statistics.loc[statistics["measure"].str.fullmatch(r"CLA_Mar\d{4}"), "year"].unique())
national = la_funnel(statistics, "CLA_S20", f"CLA_Mar{years[-1]}", int(years[-1])) if years else None
funnel_chart(national, f"Share on s.20 at 31 March {years[-1]}") if years else "no DfE statistics in this study"
