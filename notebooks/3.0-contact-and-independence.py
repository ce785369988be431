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
from caresurvey.analysis.data import open_study
from caresurvey.analysis.questionnaires import (
    formal_challenge,
    formal_challenge_tests,
    independence_attitudes,
    independence_attitudes_model,
    iro_cg_contact,
    iro_cg_contact_tests,
)
from caresurvey.report.analysis_figures import shares_chart

config, data = open_study()
contact = iro_cg_contact(data)
shares_chart(contact[contact["category"] != "Sometimes"], ["item", "group", "category"],
             "IRO and guardian contact when a case is in proceedings", "iro_cg_contact")

# %%
iro_cg_contact_tests(data, config.seed)

# %%
shares_chart(formal_challenge(data), ["mechanism", "group"], "Formal challenge used by IROs",
             "formal_challenge")

# %%
formal_challenge_tests(data)

# %%
shares_chart(independence_attitudes(data), ["group"],
             "In favour of separating IROs from local authorities", "independence_attitudes")

# %%
independence_attitudes_model(data)
