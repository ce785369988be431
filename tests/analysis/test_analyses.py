"""The analyses on the synthetic study (through ingestion) and on small hand-made processed data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from caresurvey.analysis.interviews import coding_agreement
from caresurvey.analysis.legal_status import legal_status_at_sampling, legal_status_transitions
from caresurvey.analysis.permanence import time_to_permanence
from caresurvey.analysis.questionnaires import (
    formal_challenge,
    independence_answers,
    independence_attitudes_model,
    iro_cg_contact,
    iro_cg_contact_tests,
)
from caresurvey.analysis.reviews import add_months, review_participation, review_timeliness
from caresurvey.config import load_config
from caresurvey.report.build import write_tables
from caresurvey.results import compute
from caresurvey.results.inputs import ProcessedStudy, read_processed
from caresurvey.schemas import SCHEMAS


@pytest.fixture(scope="module")
def study(ingested_study) -> ProcessedStudy:
    return read_processed(load_config(ingested_study).processed_dir)


def test_every_published_cell_is_reproduced_from_the_raw_files(ingested_study, tmp_path):
    # The Done-when of the analyses: through ingestion, not the generator's internals.
    config = load_config(ingested_study)
    config = dataclasses.replace(config, reports_dir=tmp_path)
    write_tables(config)
    comparison = pd.read_csv(tmp_path / "tables" / "published_comparison.csv")
    assert set(comparison["status"]) == {"match", "not in this study"}
    # the study replicates every published table but the NCB study's (manifest.SYNTHETIC_REPLICATES names their documents)
    assert comparison.loc[comparison["status"] == "not in this study", "table"].tolist() == ["ncb_iro_employment"]
    # every study table of seeds 001 and 002 is compared, cell by cell
    assert set(comparison["table"]) >= {"sample_composition", "legal_status_at_sampling", "iro_cg_contact",
                                        "formal_challenge", "independence_attitudes", "children_views_professionals"}
    for table_id in ("legal_status_at_sampling", "legal_status_transitions", "iro_cg_contact", "formal_challenge",
                     "independence_attitudes", "children_views", "review_timeliness", "review_participation",
                     "time_to_permanence", "interview_codes", "coding_agreement", "published_comparison"):
        assert (tmp_path / "tables" / f"{table_id}.csv").is_file(), table_id


def test_a_wrong_count_is_reported_as_a_mismatch(ingested_study, monkeypatch):
    study = read_processed(load_config(ingested_study).processed_dir)
    real = study.table

    def one_child_fewer(name):
        frame = real(name)
        return frame.iloc[1:] if name == "case_files" else frame

    monkeypatch.setattr(study, "table", one_child_fewer)
    comparison = compute(study, ["published_comparison"], load_config(ingested_study))["published_comparison"]
    mismatched = comparison[comparison["status"] == "MISMATCH"]
    assert ("sample_composition", "Cases") in set(zip(mismatched["table"], mismatched["item"]))


def test_legal_status_by_la_adds_up_to_the_sample(study):
    table = legal_status_at_sampling(study.table("case_files"))
    by_la = table[(table["la"] != "All LAs") & table["status"].isin(["s.20", "ICO", "CO", "PO"])]
    # seed 001: s. 20 37, ICO 36, CO 33, PO 16 of 122
    assert by_la.groupby("status")["n"].sum().to_dict() == {"s.20": 37, "ICO": 36, "CO": 33, "PO": 16}
    assert by_la.groupby("la")["denominator"].first().sum() == 122


def test_transitions_account_for_every_child(study):
    transitions = legal_status_transitions(study.table("case_files"))
    first = transitions[transitions["step"] == "sampling to file analysis"]
    assert first.groupby("from_status")["count"].sum().to_dict() == {"s.20": 37, "ICO": 36, "CO": 33, "PO": 16}
    assert (first.groupby("from_status")["count"].sum() == first.groupby("from_status")["from_total"].first()).all()
    second = transitions[transitions["step"] == "file analysis to interview"]
    assert second["count"].sum() == 61  # interviewed cases (seed 001)


def test_overall_challenge_is_the_sum_of_the_employment_columns(study):
    table = formal_challenge(study.table("responses")).set_index(["mechanism", "group"])["denominator"]
    for mechanism in table.index.get_level_values(0).unique():
        assert table[(mechanism, "Overall")] == table[(mechanism, "LA-employed IROs")] + table[(mechanism, "Self-employed IROs")]


def test_tests_record_their_own_seeds_and_holm_never_lowers_a_p_value(study):
    contact = iro_cg_contact(study.table("responses"))
    tests = iro_cg_contact_tests(contact, seed=20140601)
    assert tests["seed"].nunique() == len(tests) == 3  # each item's test draws from its own stream
    assert (tests["p_holm"] >= tests["p_value"]).all()
    assert tests.equals(iro_cg_contact_tests(contact, seed=20140601))
    assert not tests["p_value"].equals(iro_cg_contact_tests(contact, seed=20140602)["p_value"])


def test_a_test_resting_on_a_withheld_count_is_not_computed(study):
    contact = iro_cg_contact(study.table("responses"))
    contact.loc[0, "n"] = None  # withheld by disclosure control
    tests = iro_cg_contact_tests(contact, seed=20140601).set_index("item")
    withheld = contact.loc[0, "item"]
    assert tests.loc[withheld, "test"].startswith("not computed") and pd.isna(tests.loc[withheld, "p_value"])
    assert tests.drop(index=withheld)["p_value"].notna().all()


def test_guardians_lean_further_towards_separation_than_team_managers(study):
    model = independence_attitudes_model(independence_answers(study.table("responses"))).set_index("term")
    # seed 001: 67% of guardians in favour against 18% of team managers
    assert model.loc["Children's guardians", "odds_ratio"] > 1 and model.loc["Children's guardians", "ci_low"] > 1


def test_the_independence_model_fitted_to_the_answers_table_is_the_model_of_the_answers(study):
    # The cumulative-logit likelihood depends on the answers only through the group-by-answer counts,
    # so fitting it to the released table loses nothing: the same fit as to each respondent's answer.
    from caresurvey.analysis.questionnaires import AGREEMENT_SCALE, MODEL_REFERENCE, _independence_frame
    from caresurvey.analysis.stats import ordinal_logit

    frame = _independence_frame(study.table("responses"))
    each = ordinal_logit(len(AGREEMENT_SCALE) - frame["response"].map(AGREEMENT_SCALE.index),
                         frame["published_group"], reference=MODEL_REFERENCE).set_index("term")
    table = independence_answers(study.table("responses"))
    assert table.groupby("group")["n"].sum().to_dict() == frame["published_group"].value_counts().to_dict()
    model = independence_attitudes_model(table).set_index("term")
    pd.testing.assert_frame_equal(model[["coefficient", "ci_low", "ci_high", "p_value", "n"]],
                                  each[["coefficient", "ci_low", "ci_high", "p_value", "n"]], rtol=1e-6)
    # a withheld count: the model is not fitted
    table.loc[0, "n"] = None
    assert independence_attitudes_model(table)["term"].tolist() == ["not computed: a count it needs is withheld"]


def test_cumulative_incidences_rise_and_stay_below_one(study):
    table = time_to_permanence(study.table("episodes"), study.table("reviews"))
    for _, part in table.groupby("outcome"):
        assert part["cumulative_incidence"].is_monotonic_increasing
    assert table.groupby("months")["cumulative_incidence"].sum().max() <= 1 + 1e-9


def test_views_conveyed_share_counts_reviews_of_children_aged_four_and_over(study):
    reviews = study.table("reviews")
    table = review_participation(reviews, study.table("children"))
    row = table[(table["la"] == "All LAs") & (table["code"] == "views conveyed")].iloc[0]
    older = reviews[reviews["participation"] != "PN0"]
    assert row["denominator"] == len(older)
    assert row["n"] == older["participation"].isin(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6"]).sum()


# --------------------------------------------------------------------------- hand-made processed data


def _episodes(rows):
    frame = pd.DataFrame(rows, columns=["child_id", "la", "start", "end", "reason_new_episode", "legal_status",
                                        "category_of_need", "placement", "placement_provider", "reason_ceased",
                                        "reason_place_change"])
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def test_review_timeliness_by_hand():
    a, b = "a" * 20, "b" * 20
    episodes = _episodes([
        # Child a starts Monday 2 December 2013 and leaves 15 March 2014. Twenty working days,
        # skipping the bank holidays of 25 and 26 December 2013 and 1 January 2014 (gov.uk), end
        # on Thursday 2 January 2014; a review on 3 January is one day late. The second review
        # would be due on 3 April 2014, after the child left, so it is not due.
        (a, "LA9", "2013-12-02", "2014-03-15", "S", "V2", "N1", "U6", "PR1", "E4A", None),
        # Child b starts 3 June 2013, reviewed on 20 June (on time); the second review, due
        # 20 September 2013 (3 months on), is never held before the data end (31 March 2014).
        (b, "LA9", "2013-06-03", None, "S", "C2", "N1", "U6", "PR1", None, None),
    ])
    reviews = pd.DataFrame({"child_id": [a, b], "la": ["LA9", "LA9"],
                            "review_date": pd.to_datetime(["2014-01-03", "2013-06-20"]), "participation": ["PN1", "PN1"]})
    table = review_timeliness(episodes, reviews, end=dt.date(2014, 3, 31)).set_index(["la", "review"])
    assert table.loc[("LA9", "first"), ["due", "on_time", "late", "not_held"]].tolist() == [2, 1, 1, 0]
    assert table.loc[("LA9", "second"), ["due", "on_time", "late", "not_held"]].tolist() == [1, 0, 0, 1]
    assert add_months(dt.date(2014, 1, 31), 1) == dt.date(2014, 2, 28)  # no 31 February: the month's end


@pytest.mark.parametrize(("start", "due"), [
    # counted by hand on the calendar, England's bank holidays from gov.uk; day 1 is the first working
    # day after the child became looked after (Care Planning Regulations 2010, reg. 33(1))
    ("2014-01-08", "2014-02-05"),  # a Wednesday: day 1 Thursday 9 January
    ("2014-01-04", "2014-01-31"),  # a Saturday: day 1 Monday 6 January, not day 0
    ("2014-01-05", "2014-01-31"),  # a Sunday: the same
    ("2014-04-21", "2014-05-20"),  # Easter Monday: day 1 Tuesday 22 April; Monday 5 May a bank holiday
    ("2014-12-25", "2015-01-26"),  # Christmas Day: Boxing Day and New Year's Day closed; day 1 Monday 29 December
])
def test_the_first_review_is_due_on_the_twentieth_working_day_after_the_start(start, due):
    from caresurvey.analysis.reviews import bank_holidays, first_review_due

    holidays = np.array(bank_holidays(2013, 2015), dtype="datetime64[D]")
    assert first_review_due(pd.Series(pd.to_datetime([start])), holidays)[0] == np.datetime64(due)


def test_a_review_on_the_twenty_first_working_day_after_a_weekend_start_is_late():
    # Child c starts on Saturday 4 January 2014: due Friday 31 January, so a review on Monday
    # 3 February (the 21st working day) is late; child d starts on Sunday 5 January and is reviewed
    # on the 31st, on time.
    c, d = "c" * 20, "d" * 20
    episodes = _episodes([(c, "LA9", "2014-01-04", "2014-03-15", "S", "V2", "N1", "U6", "PR1", "E4A", None),
                          (d, "LA9", "2014-01-05", "2014-03-15", "S", "V2", "N1", "U6", "PR1", "E4A", None)])
    reviews = pd.DataFrame({"child_id": [c, d], "la": ["LA9", "LA9"],
                            "review_date": pd.to_datetime(["2014-02-03", "2014-01-31"]), "participation": ["PN1", "PN1"]})
    table = review_timeliness(episodes, reviews, end=dt.date(2014, 3, 31)).set_index(["la", "review"])
    assert table.loc[("LA9", "first"), ["due", "on_time", "late", "not_held"]].tolist() == [2, 1, 1, 0]


def test_coding_agreement_by_hand():
    # Coder A codes X on units 1 and 2, coder B on units 1 and 3 of one interview.
    # Code X: A = [1, 1, 0], B = [1, 0, 1]. Kappa: po = 1/3, pe = 2/3 * 2/3 + 1/3 * 1/3 = 5/9,
    # kappa = (1/3 - 5/9) / (4/9) = -0.5. Alpha (nominal): o11 = 2, o10 = o01 = 2, n = 6, n1 = 4,
    # n0 = 2: 1 - 5 * 4 / (2 * 4 * 2) = -0.25 (Krippendorff 2011).
    interview = "c" * 20
    rows = [(interview, coder, "X", start) for coder, start in (("A", 0), ("A", 10), ("B", 0), ("B", 20))]
    codings = pd.DataFrame([{"interview_id": i, "case_id": None, "la": None, "respondent_role": "IRO", "code": code,
                             "coder": coder, "start": start, "end": start + 5, "unit": "character",
                             "source_format": "refi-qda"} for i, coder, code, start in rows])
    codings = codings.astype({"start": "Int64", "end": "Int64"})
    SCHEMAS["codings"].validate(codings)
    table = coding_agreement(codings).set_index("code")
    assert table.loc["X", "units"] == 3
    assert table.loc["X", "cohens_kappa"] == pytest.approx(-0.5)
    assert table.loc["X", "krippendorff_alpha"] == pytest.approx(-0.25)


def test_study_las_are_compared_with_each_other(study):
    from caresurvey.analysis.study_las import study_la_funnels, study_la_heterogeneity

    timeliness = review_timeliness(study.table("episodes"), study.table("reviews"))
    participation = review_participation(study.table("reviews"), study.table("children"))
    status = legal_status_at_sampling(study.table("case_files"))
    tests = study_la_heterogeneity(status, timeliness, participation, seed=20140601).set_index("measure")
    # 122 children in 4 LAs (seed 001), tested LA by legal status
    assert tests.loc["legal status at sampling", ["las", "n"]].tolist() == [4, 122]
    assert tests.loc["legal status at sampling", "test"].startswith("Fisher-Freeman-Halton")
    assert (tests["p_holm"] >= tests["p_value"]).all()
    funnels = study_la_funnels(timeliness, participation)
    on_time = funnels[funnels["measure"] == "reviews held on time"]
    assert len(on_time) == 4
    # the default target is the pooled proportion of the study LAs
    assert on_time["target"].iloc[0] == pytest.approx(on_time["numerator"].sum() / on_time["denominator"].sum())
    assert set(on_time["flag95"]) <= {"inside", "above", "below"}
