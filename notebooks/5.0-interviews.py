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
# # Interview coding
#
# How often each code (IRO roles for change, review process, challenge, independence, care
# planning context) comes up in the interviews of each role, and how far the two coders agree
# on the double-coded interviews (Krippendorff's alpha, nominal; Cohen's kappa).

# %%
from caresurvey.analysis.data import open_study
from caresurvey.analysis.interviews import coding_agreement, interview_codes
from caresurvey.report.analysis_figures import code_frequency_chart

config, data = open_study()
codes = interview_codes(data)
code_frequency_chart(codes)

# %%
codes.sort_values("percent", ascending=False).head(15)

# %%
coding_agreement(data)
