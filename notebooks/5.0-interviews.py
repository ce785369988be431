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
from caresurvey.explore import open_study

study = open_study()
study.figure("interview_codes")

# %%
study.table("interview_codes").sort_values("percent", ascending=False).head(15)

# %%
study.table("coding_agreement")
