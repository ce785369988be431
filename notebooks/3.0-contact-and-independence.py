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
# # IROs and children's guardians: contact, challenge and independence
#
# The questionnaire tables of the UEA study, reproduced from the processed responses, with
# Wilson intervals, exact tests (seeded Monte Carlo for 2 x 3 tables) and an ordinal model of
# support for an independent IRO service.

# %%
from caresurvey.explore import open_study

study = open_study()
study.figure("iro_cg_contact")

# %%
study.table("iro_cg_contact_tests")

# %%
study.figure("formal_challenge")

# %%
study.table("formal_challenge_tests")

# %%
study.figure("independence_attitudes")

# %%
study.table("independence_attitudes_model")
