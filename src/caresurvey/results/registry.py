"""Every output table, declared once: what computes it from what, its columns' roles, what it says,
its figure, and the published tables it reproduces.

The order here is the workbook's sheet order and, within each topic, the report's. Nothing else
in the package names an output table: the results stage computes them in dependency order from
these declarations, disclosure control reads their roles, and the report, the workbook and the
figures lay them out from the same declarations.
"""

from __future__ import annotations

import pandas as pd

from caresurvey.analysis.children_views import children_views
from caresurvey.analysis.compare_published import study_against_published
from caresurvey.analysis.comparison import COMPOSITION, FOCUS_GROUPS, INTERVIEWEES, NOT_REPLICATED, published_comparison
from caresurvey.analysis.data_quality import ALL_TABLES, quality_by_rule, quality_by_table
from caresurvey.analysis.interviews import coding_agreement, interview_codes
from caresurvey.analysis.items import ALL_GROUPS, MODEL_MIN_ANSWERS, item_answers, item_models, item_tests
from caresurvey.analysis.legal_status import (
    ALL_LAS,
    FIRST_STEP,
    legal_status_at_sampling,
    legal_status_transitions,
    sampling_cell,
    status_at_file_analysis,
)
from caresurvey.analysis.national import MEASURE_LABELS, national_shares, share_funnel
from caresurvey.analysis.permanence import FIRST_OUTCOME, time_to_permanence
from caresurvey.analysis.questionnaires import (
    CHALLENGE_GROUPS,
    CHALLENGE_ITEMS,
    CONTACT_CATEGORIES,
    CONTACT_GROUPS,
    CONTACT_ITEMS,
    INDEPENDENCE_GROUPS,
    IN_FAVOUR,
    INDEPENDENCE_ITEM,
    MODEL_REFERENCE,
    challenge_cell,
    contact_cell,
    formal_challenge,
    formal_challenge_tests,
    independence_answers,
    independence_attitudes,
    independence_attitudes_model,
    independence_cell,
    iro_cg_contact,
    iro_cg_contact_tests,
)
from caresurvey.analysis.reviews import (
    AGED_FOUR_AND_OVER,
    VIEWS_CONVEYED,
    VIEWS_CONVEYED_CODE,
    review_participation,
    review_timeliness,
)
from caresurvey.analysis.study_las import study_la_funnels, study_la_heterogeneity
from caresurvey.disclosure import Cells, Cumulative, Roles, Sum, Total
from caresurvey.published.summary import published_cells_frame, summary_frame
from caresurvey.results.charts import count_bars, funnels, heat_map, incidence_curves, share_bars
from caresurvey.results.declaration import OutputTable, Text, Topic
from caresurvey.results.inputs import (
    CELL_READERS,
    ITEM_SCALES,
    PUBLISHED_CHECKS,
    PUBLISHED_TABLES,
    QUARANTINE,
    RECONCILIATION,
    REPLICATES,
)

__all__ = ["REGISTRY", "TOPICS", "COMPARISON_ROLES"]

# --------------------------------------------------------------------------- topics, in report order

LEGAL_STATUS = Topic("Legal status and its change", "legal-status")
IROS_AND_GUARDIANS = Topic("IROs and children's guardians", "iros-and-guardians")
INDEPENDENCE = Topic("Should IROs be independent of local authorities?", "independence")
ITEMS = Topic("Every questionnaire item, by respondent group", "items")
CHILDRENS_VIEWS = Topic("Children's views", "childrens-views")
REVIEWS = Topic("Reviews in the SSDA903 returns", "reviews")
PERMANENCE = Topic("Time to permanence", "permanence")
INTERVIEWS = Topic("Interviews", "interviews")
LA_COMPARISON = Topic("Comparing the study's local authorities", "la-comparison")
NATIONAL = Topic("Every English LA against England", "national")
AGAINST_PUBLISHED = Topic("This study's sample against the published study", "against-published")
DATA_QUALITY = Topic("Data quality: what ingestion kept and quarantined", "data-quality")

#: The report's sections, in order.
TOPICS = (LEGAL_STATUS, IROS_AND_GUARDIANS, INDEPENDENCE, ITEMS, CHILDRENS_VIEWS, REVIEWS, PERMANENCE, INTERVIEWS,
          LA_COMPARISON, NATIONAL, AGAINST_PUBLISHED, DATA_QUALITY)

# --------------------------------------------------------------------------- shared wording and roles

_SSDA903 = "SSDA903 returns (header, episodes, reviews)"
_CASE_FILES = "the case-file abstraction"
#: What the published study's questionnaire tables need: its items, answered by its groups (named
#: as the study's configuration names them).
_CONTACT = (f"answers to the published study's contact items ({', '.join(CONTACT_ITEMS.values())}) from the groups "
            f"{' and '.join(CONTACT_GROUPS.values())} (so named in [study] groups)")
_CHALLENGE = (f"answers to the published study's challenge items ({', '.join(CHALLENGE_ITEMS.values())}) from the "
              "group IRO (so named in [study] groups), with the employment item for the split by employment")
_INDEPENDENCE = (f"answers to the item {INDEPENDENCE_ITEM} from the groups "
                 f"{', '.join(sorted({g for g, _ in INDEPENDENCE_GROUPS.values()}))} (so named in [study] groups; IROs "
                 "split by the employment item)")
_INDEPENDENCE_MODEL = (f"answers to the item {INDEPENDENCE_ITEM} from the group {INDEPENDENCE_GROUPS[MODEL_REFERENCE][0]} "
                       "(the reference, so named in [study] groups) and another of the published study's groups")
_ITEMS = "questionnaires whose variables the study maps to its items ([items], and items = { ... } in [[inputs]])"
_CODINGS = "coded interviews (REFI-QDA or coded-segment exports)"
_DFE = "DfE looked-after children statistics (SFR underlying data or EES files)"
_WILSON = ("Percentages of those who answered, with Wilson 95% intervals (not the Wald interval, which fails near "
           "0% and 100% and for small groups).")
_PUBLISHED_DFE = "published DfE statistics (already under the DfE's own suppression)"

#: The columns of a share with its Wilson interval.
_SHARE = {"counts": ("n",), "denominator": "denominator", "proportions": ("percent",), "intervals": ("ci_low", "ci_high")}
#: The columns of a test table.
_TEST = {"labels": ("test", "seed"), "p_values": ("p_value", "p_holm"), "statistics": ("cramers_v", "chi2_valid"),
         "diagnostics": ("min_expected",)}
#: The columns of a funnel table (:func:`caresurvey.analysis.funnel.funnel_table`).
_FUNNEL = {"proportions": ("proportion", "target"), "intervals": ("lower95", "upper95", "lower998", "upper998"),
           "statistics": ("flag95", "flag998", "phi", "tau2")}


#: The columns of a comparison of local counts with a published table: the study's own, and the one
#: `caresurvey compare-published` writes for a table from another sample (under the same policy).
COMPARISON_ROLES = Roles(keys=("table", "group", "item", "category"), labels=("published", "count_sets", "status"),
                         counts=("local_n",), denominator="local_denominator", proportions=("local_percent",),
                         statistics=("difference_min", "difference_max"), p_values=("p_min", "p_max"))


def _rows(**keys) -> tuple[tuple[str, tuple], ...]:
    """``Cells.rows`` from keyword arguments: a value or a tuple of values for each key."""
    return tuple((key, value if isinstance(value, tuple) else (value,)) for key, value in keys.items())


def _answers_in_published_tables() -> tuple[Sum, ...]:
    """How the answers to the published study's items, by group, add up to its tables' cells (the
    same respondents counted in two tables): each contact category is its frequency labels; the
    IROs who used a challenge mechanism are those answering Yes; the IROs of each employment
    are among all IROs. A relation the study's data do not satisfy (its items mapped otherwise)
    is left out by disclosure control."""
    sums = []
    for label, item in CONTACT_ITEMS.items():
        for published, group in CONTACT_GROUPS.items():
            mine = {"item": item, "group": group}
            for category, answers in CONTACT_CATEGORIES.items():
                sums.append(Sum(Cells("n", _rows(item=label, group=published, category=category), "iro_cg_contact"),
                                Cells("n", _rows(**mine, answer=tuple(answers)))))
            sums.append(Sum(Cells("denominator", _rows(item=label, group=published), "iro_cg_contact"),
                            Cells("denominator", _rows(**mine)), copies=True))
    overall = next(label for label, employment in CHALLENGE_GROUPS.items() if employment is None)
    for mechanism, item in CHALLENGE_ITEMS.items():
        where = _rows(mechanism=mechanism, group=overall)
        sums.append(Sum(Cells("n", where, "formal_challenge"), Cells("n", _rows(item=item, group="IRO", answer="Yes"))))
        sums.append(Sum(Cells("denominator", where, "formal_challenge"), Cells("denominator", _rows(item=item, group="IRO")),
                        copies=True))
    by_group: dict[str, tuple[str, ...]] = {}
    for published, (group, _) in INDEPENDENCE_GROUPS.items():
        by_group[group] = (*by_group.get(group, ()), published)
    for group, published in by_group.items():  # IROs of each employment are among all IROs: at most
        sums.append(Sum(Cells("n", _rows(item=INDEPENDENCE_ITEM, group=group)),
                        Cells("n", _rows(group=published), "independence_answers"), (("answer", "answer"),)))
    return tuple(sums)


def _national_funnel_title(table: pd.DataFrame) -> str:
    """``Share on s.20 at 31 March 2015, every LA against England``."""
    measure = str(table["measure"].iloc[0])
    return f"{MEASURE_LABELS.get(measure, measure)} {int(table['year'].iloc[0])}, every LA against England"


def _national_summary(table: pd.DataFrame) -> str:
    flags = table["flag998"].value_counts()
    return (f"With {len(table)} LAs, overdispersion matters: the estimated multiplicative factor is "
            f"phi = {float(table['phi'].iloc[0]):.2f} and the additive between-LA variance tau-squared = "
            f"{float(table['tau2'].iloc[0]):.4f}; `caresurvey compare-las --overdispersion multiplicative|additive` "
            f"widens the limits accordingly. Outside the 99.8% limits: {int(flags.get('above', 0))} above, "
            f"{int(flags.get('below', 0))} below; {int(flags.get('no value', 0))} LA(s) with a suppressed value are "
            "listed without a point.")


def _against_published_summary(table: pd.DataFrame) -> str:
    compared = table[table["status"] == "compared"]
    differ = int((compared["p_max"] < 0.05).sum())
    agree = int((compared["p_min"] >= 0.05).sum())
    depends = int(((compared["p_min"] < 0.05) & (compared["p_max"] >= 0.05)).sum())
    return (f"A conclusion that holds at both ends of the range does not depend on the published study's unknown "
            f"counts: {differ} cell(s) differ at p < 0.05 whatever those counts were, {agree} do not differ whatever "
            f"they were, and for {depends} the answer depends on them. `caresurvey compare-published TABLE.csv "
            "--published TABLE_ID` does the same for a table from another sample.")


# --------------------------------------------------------------------------- the declarations

REGISTRY: tuple[OutputTable, ...] = (
    OutputTable(
        "legal_status_at_sampling", legal_status_at_sampling, {"data": "case_files"},
        Roles(keys=("la", "status"), partition="status", **_SHARE,
              totals=(Total("la", ALL_LAS), Total("status", "CO (+ PO)", ("CO", "PO"), columns=("n",)))),
        Text("Children by legal status when sampled",
             "How were the sampled children split between accommodation under s. 20, interim care orders and care "
             "(or placement) orders, overall and in each LA?",
             "Counts of the case-file abstraction's status at sampling, by LA and for all LAs. " + _WILSON,
             "Where cases were sampled by legal status (the study's sampling is described at the top of the report), "
             "these shares describe the design, not the LAs' populations.",
             _CASE_FILES),
        LEGAL_STATUS, published={"legal_status_at_sampling": sampling_cell, "sample_composition": None}),
    OutputTable(
        "legal_status_transitions", legal_status_transitions, {"data": "case_files"},
        Roles(keys=("step", "from_status", "to_status"), counts=("count",), denominator="from_total",
              partition="to_status", proportions=("share",),
              # the children leaving each status at sampling are those sampled in it
              sums=(Sum(Cells("n", (("la", (ALL_LAS,)),), "legal_status_at_sampling"),
                        Cells("from_total", (("step", (FIRST_STEP,)),)), (("status", "from_status"),), copies=True),)),
        Text("Changes of legal status over the study",
             "By the time the files were analysed, and again at interview, how had the children's legal status "
             "changed?",
             "A transition table between consecutive time points (sampling to file analysis, file analysis to "
             "interview): for each status at the earlier point, how many children were in each status at the later "
             "one. Leaving care (SGO, returned home, adopted) is kept as a state.",
             "The second step covers only the cases followed to interview, so its totals are smaller than the "
             "first's.",
             _CASE_FILES),
        LEGAL_STATUS),
    OutputTable(
        "legal_status_at_file_analysis", status_at_file_analysis, {"data": "case_files"},
        Roles(keys=("status",), partition="status", **_SHARE,
              # each status at file analysis is where the first step's transitions arrive
              sums=(Sum(Cells("n"), Cells("count", (("step", (FIRST_STEP,)),), "legal_status_transitions"),
                        (("status", "to_status"),)),
                    Sum(Cells("denominator"), Cells("denominator", (("la", (ALL_LAS,)),), "legal_status_at_sampling"),
                        copies=True))),
        Text("Legal status at the time of file analysis (Chart 1)",
             "How many children were in each legal status when their files were analysed?",
             "Counts of the status at file analysis, as in Chart 1 of the study's presentation. " + _WILSON,
             "The presentation prints Chart 1 without its values, so only its categories can be compared.",
             _CASE_FILES),
        LEGAL_STATUS, published={"legal_status_at_file_analysis": None},
        figure=count_bars("Chart 1: children in each legal status at the time of file analysis", "status", "n",
                          "Children")),
    OutputTable(
        "iro_cg_contact", iro_cg_contact, {"responses": "responses"},
        Roles(keys=("item", "group", "category"), partition="category", **_SHARE),
        Text("IRO and guardian contact when a case is in proceedings",
             "How often do IROs and children's guardians contact each other, and consult before a review, "
             "as each group reports it?",
             "Answers grouped as always or mostly, sometimes, rarely or never, for each item and respondent group. "
             + _WILSON,
             "Self-reported practice from volunteer respondents; the two groups describe different cases, so their "
             "answers need not agree.",
             _CONTACT),
        IROS_AND_GUARDIANS, published={"iro_cg_contact": contact_cell},
        figure=share_bars("IRO and guardian contact when a case is in proceedings", ("item", "group", "category"),
                          rows=lambda table: table["category"] != "Sometimes")),
    OutputTable(
        "iro_cg_contact_tests", iro_cg_contact_tests, {"contact": "iro_cg_contact"},
        Roles(keys=("item",), sizes=("n_iro", "n_cg"), **_TEST),
        Text("Do IROs and guardians report contact differently?",
             "For each contact item, do IROs' and guardians' answers differ?",
             "The 2 x 3 table of group by answer, from the contact table as released, tested by "
             "Fisher-Freeman-Halton with a seeded Monte Carlo p-value (each test's own seed, derived from the "
             "study's seed, is in the table), Cramer's V as the effect size, Holm's adjustment over the items. The "
             "chi-square expected-count check is reported, not used to choose the test.",
             "Monte Carlo p-values carry simulation error of about 1/sqrt(resamples).",
             _CONTACT),
        IROS_AND_GUARDIANS, settings=("seed",)),
    OutputTable(
        "formal_challenge", formal_challenge, {"responses": "responses"},
        Roles(keys=("mechanism", "group"), **_SHARE,
              # "Overall" also counts IROs of neither employment group: the difference is protected
              totals=(Total("group", "Overall", ("LA-employed IROs", "Self-employed IROs"), complete=False),)),
        Text("Formal challenge mechanisms IROs have used",
             "Which formal challenge mechanisms (local dispute resolution, independent legal advice, the Cafcass "
             "advice line, formal referral to Cafcass) have IROs used, and does it differ with their employment?",
             "IROs who have used each mechanism, overall and by employment (LA-employed or self-employed). "
             + _WILSON,
             "'Overall' includes IROs who did not say how they were employed, so it is not the sum of the two "
             "groups.",
             _CHALLENGE),
        IROS_AND_GUARDIANS, published={"formal_challenge": challenge_cell, "ncb_iro_employment": None},
        figure=share_bars("Formal challenge mechanisms used by IROs", ("mechanism", "group"))),
    OutputTable(
        "formal_challenge_tests", formal_challenge_tests, {"challenge": "formal_challenge"},
        Roles(keys=("mechanism",), labels=("test",), intervals=("ci_low", "ci_high"),
              statistics=("difference",), p_values=("p_value", "p_holm")),
        Text("LA-employed against self-employed IROs",
             "Are LA-employed IROs less likely than self-employed IROs to have used each mechanism?",
             "Difference in proportions with Newcombe's hybrid score 95% interval; Fisher's exact test on the 2 x 2 "
             "table; Holm's adjustment over the mechanisms.",
             "Few self-employed IROs answered: intervals are wide and a non-significant test is weak evidence of no "
             "difference.",
             _CHALLENGE),
        IROS_AND_GUARDIANS),
    OutputTable(
        "independence_attitudes", independence_attitudes, {"responses": "responses"},
        Roles(keys=("group",), **_SHARE),
        Text("In favour of separating IROs from local authorities",
             "Which respondents favour moving the IRO service out of local authorities?",
             "Respondents who agree or strongly agree that the service should be separated, by group. " + _WILSON,
             "The published study reports this for its respondents only; volunteer samples may over-represent "
             "strong views.",
             _INDEPENDENCE),
        INDEPENDENCE, published={"independence_attitudes": independence_cell},
        figure=share_bars("In favour of separating IROs from local authorities", ("group",))),
    OutputTable(
        "independence_answers", independence_answers, {"responses": "responses"},
        Roles(keys=("group", "answer"), partition="answer", **_SHARE,
              # agreeing and strongly agreeing are the table above's "in favour", of the same respondents
              sums=(Sum(Cells("n", (), "independence_attitudes"), Cells("n", (("answer", IN_FAVOUR),)),
                        (("group", "group"),)),
                    Sum(Cells("denominator", (), "independence_attitudes"), Cells("denominator"), (("group", "group"),),
                        copies=True))),
        Text("Every answer on separating IROs from local authorities",
             "How did each group answer, on the full five-point scale?",
             "Respondents giving each answer of the agreement scale, by group (IROs split by employment). " + _WILSON,
             "The table the proportional-odds model below is fitted to, as released.",
             _INDEPENDENCE),
        INDEPENDENCE),
    OutputTable(
        "independence_attitudes_model", independence_attitudes_model, {"answers": "independence_answers"},
        Roles(keys=("term",), sizes=("n",), intervals=("ci_low", "ci_high"),
              statistics=("coefficient", "odds_ratio", "converged"), p_values=("p_value",)),
        Text("The full five-point answer by respondent group",
             "Using every point of the Likert scale, not only agreement, how far does each group lean towards "
             "separation compared with team managers?",
             "Proportional-odds (ordinal logistic, logit link) regression of the five-point answer on respondent "
             "group (statsmodels OrderedModel), fitted to the table of every answer as released, with Wald 95% "
             "intervals for the odds ratios.",
             "The proportional-odds assumption is not tested here; with three small groups a test would have little "
             "power. Check 'converged' before reading a row.",
             _INDEPENDENCE_MODEL),
        INDEPENDENCE),
    OutputTable(
        "item_answers", item_answers, {"responses": "responses", "scales": ITEM_SCALES},
        Roles(keys=("item", "group", "answer"), partition="answer", totals=(Total("group", ALL_GROUPS),), **_SHARE,
              sums=_answers_in_published_tables()),
        Text("Answers to every item, by respondent group",
             "How did each group answer each of the study's questionnaire items?",
             "Respondents giving each answer of the item's scale (every label, in the scale's order), by group and "
             "for all groups together. " + _WILSON,
             "Self-reported answers of volunteer respondents. Answers are placed by their labels, as the study's "
             "scales declare them; 'don't know' and unanswered are left out of the denominator.",
             _ITEMS),
        ITEMS),
    OutputTable(
        "item_tests", item_tests, {"answers": "item_answers", "scales": ITEM_SCALES},
        Roles(keys=("item",), sizes=("n",), labels=("test", "seed"), diagnostics=("min_expected",),
              p_values=("p_value", "p_holm"), statistics=("groups", "cramers_v", "chi2_valid")),
        Text("Do the groups answer each item alike?",
             "For each item asked of more than one group, do the groups' answers differ?",
             "The groups-by-answers table of each item, from the answers table as released, tested by Fisher's exact "
             "test (Freeman-Halton, seeded Monte Carlo beyond 2 x 2; each test's own seed is in the table), Cramer's V "
             "as the effect size, Holm's adjustment over the items.",
             "Many items make chance differences likely: read the Holm-adjusted p-values.",
             _ITEMS),
        ITEMS, settings=("seed",)),
    OutputTable(
        "item_models", item_models, {"answers": "item_answers", "scales": ITEM_SCALES},
        Roles(keys=("item", "term"), labels=("reference",), sizes=("n",), intervals=("ci_low", "ci_high"),
              statistics=("coefficient", "odds_ratio", "converged"), p_values=("p_value",)),
        Text("Each ordered item's answers, by respondent group",
             "Using every point of each ordered scale, how do the groups' answers differ from the largest group's?",
             f"Proportional-odds (ordinal logistic, logit link) regression of the answer's position on its scale on "
             f"respondent group, for each ordered item at least two groups answered {MODEL_MIN_ANSWERS} times or more "
             "(statsmodels OrderedModel), fitted to the answers table as released, with Wald 95% intervals for the "
             "odds ratios; the largest group is the reference. An odds ratio above 1: answers further along the "
             "scale (towards its last label).",
             "The proportional-odds assumption is not tested here. Check 'converged' before reading a row.",
             _ITEMS),
        ITEMS),
    OutputTable(
        "children_views", children_views, {"published": PUBLISHED_TABLES, "replicates": REPLICATES},
        Roles(keys=("item", "category"), labels=("qualifier", "source"), counts=("n",), proportions=("percent",),
              intervals=("ci_low", "ci_high"), public="published figures of the Children's Rights Director's survey"),
        Text("Children's views on the professionals who matter to them",
             "How important do children in care say their social worker, IRO, advocate and guardian are?",
             "The Children's Rights Director's published percentages with Wilson 95% intervals at the survey's "
             "size; no study data are used.",
             "The count behind each percentage is not published; the interval assumes every one of the survey's "
             "respondents answered each item.",
             empty="Not part of this study: it uses published figures only, shown where the study replicates the "
                   "Children's Rights Director's survey (children_views_professionals in [study] replicates)."),
        CHILDRENS_VIEWS, published={"children_views_professionals": None}),
    OutputTable(
        "review_timeliness", review_timeliness,
        {"episodes": "episodes", "reviews": "reviews", "periods": "care_periods"},
        Roles(keys=("la", "review"), counts=("on_time", "late", "not_held", "due"), denominator="due",
              row_sum=(("on_time", "late", "not_held"), "due"), totals=(Total("la", ALL_LAS), Total("review", "all")),
              proportions=("percent",), intervals=("ci_low", "ci_high")),
        Text("Reviews held on time (regulation 33)",
             "Were looked-after children's reviews held within the times the Care Planning Regulations allow?",
             "Each review's due date from the episodes: the 20th working day counted from the day after the period "
             "of care starts (England's bank holidays excluded), then 3 months, then every 6 months from the review actually held; a due "
             "review with none held before the period or the data ends is 'not held'. " + _WILSON,
             "A review held early for a reason the return does not record looks on time; reviews missing from the "
             "return look not held.",
             _SSDA903),
        REVIEWS,
        figure=share_bars("Reviews held on time (regulation 33)", ("la",),
                          rows=lambda table: table["review"] == "all", count="on_time", denominator="due")),
    OutputTable(
        "review_participation", review_participation, {"reviews": "reviews", "children": "children"},
        Roles(keys=("la", "age_group", "code"), labels=("description",), partition="code",
              outside_partition=(VIEWS_CONVEYED_CODE,), totals=(Total("la", ALL_LAS),), **_SHARE,
              # views conveyed: PN1-PN6 over every age group, of PN1-PN7
              sums=(Sum(Cells("n", (("code", (VIEWS_CONVEYED_CODE,)),)), Cells("n", (("code", VIEWS_CONVEYED),)),
                        (("la", "la"),)),
                    Sum(Cells("denominator", (("code", (VIEWS_CONVEYED_CODE,)),)),
                        Cells("n", (("code", AGED_FOUR_AND_OVER),)), (("la", "la"),)))),
        Text("How children took part in their reviews",
             "How did children take part in their reviews (participation codes PN0-PN7), and were their views "
             "conveyed?",
             "Reviews by participation code, by LA and age group; for children aged 4 and over, the share of reviews "
             "at which views were conveyed (PN1-PN6 of PN1-PN7). " + _WILSON,
             "Age at review comes from the birth month (the full date of birth is never kept), so it can be a month "
             "out near a birthday.",
             _SSDA903),
        REVIEWS),
    OutputTable(
        "time_to_permanence", time_to_permanence,
        {"episodes": "episodes", "reviews": "reviews", "periods": "care_periods"},
        Roles(keys=("outcome", "months"), counts=("events_so_far", "at_risk", "children"), beside=("at_risk",),
              # children leave the risk set from the start: each fall in at_risk is a count too
              cumulative=(Cumulative("months", ("outcome",), ("events_so_far",)),
                          Cumulative("months", ("outcome",), ("at_risk",), start="children")),
              sums=(Sum(Cells("at_risk", (("outcome", (FIRST_OUTCOME,)),)), Cells("at_risk"), (("months", "months"),),
                        copies=True),
                    Sum(Cells("children", (("outcome", (FIRST_OUTCOME,)),)), Cells("children"), copies=True)),
              proportions=("cumulative_incidence",)),
        Text("Time to permanence, as competing risks",
             "How soon after first becoming looked after do children leave care by adoption, special guardianship "
             "or return home?",
             "Aalen-Johansen cumulative incidence of each way of leaving care, with the others as competing risks "
             "and children still looked after censored at the end of the data.",
             "1 minus Kaplan-Meier for one outcome would overstate it by treating the other exits as censoring; "
             "the Aalen-Johansen estimator does not.",
             _SSDA903),
        PERMANENCE,
        figure=incidence_curves("Time to permanence (competing risks, Aalen-Johansen)",
                                "Months since first becoming looked after", "Cumulative incidence (%)")),
    OutputTable(
        "interview_codes", interview_codes, {"codings": "interview_codings"},
        Roles(keys=("role", "code"), **_SHARE),
        Text("Interview codes by respondent role",
             "Which themes come up in interviews and focus groups with social workers, IROs, parents and young "
             "people?",
             "Interviews of each role in which the primary coder applied each code at least once. " + _WILSON,
             "Counts interviews mentioning a theme, not how much was said about it.",
             _CODINGS),
        INTERVIEWS, figure=heat_map("Interview codes by respondent role", "% of the role's interviews")),
    OutputTable(
        "coding_agreement", coding_agreement, {"codings": "interview_codings"},
        Roles(keys=("code",), counts=("coded_by_first", "coded_by_second", "both"), sizes=("units",),
              statistics=("krippendorff_alpha", "cohens_kappa")),
        Text("Agreement between coders",
             "How consistently did two coders apply each code to the interviews both coded?",
             "For each code, presence or absence on each coded segment, as nominal judgements: Krippendorff's alpha "
             "(nominal) and Cohen's kappa.",
             "Alpha is unstable for codes applied to very few segments; read it with the counts beside it.",
             _CODINGS),
        INTERVIEWS),
    OutputTable(
        "study_la_heterogeneity", study_la_heterogeneity,
        {"status": "legal_status_at_sampling", "timeliness": "review_timeliness",
         "participation": "review_participation"},
        Roles(keys=("measure",), sizes=("n",), labels=("test", "seed"), diagnostics=("min_expected",),
              p_values=("p_value", "p_holm"), statistics=("las", "cramers_v", "chi2_valid")),
        Text("Do the study's local authorities differ?",
             "Do legal status at sampling, review timeliness and children's participation differ between the "
             "study's LAs?",
             "Fisher-Freeman-Halton tests of LA by outcome (seeded Monte Carlo), from the tables of the three "
             "measures as released, Cramer's V, Holm's adjustment.",
             "The study's LAs were chosen for it, not drawn at random from English LAs: a difference between them "
             "says nothing of LAs in general.",
             f"{_CASE_FILES} and {_SSDA903}"),
        LA_COMPARISON, settings=("seed",)),
    OutputTable(
        "study_la_funnels", study_la_funnels,
        {"timeliness": "review_timeliness", "participation": "review_participation"},
        Roles(keys=("measure", "la_code"), labels=("la_name", "adjustment"), counts=("numerator",),
              denominator="denominator", pooled=(("measure",), "numerator", "denominator", "target"), **_FUNNEL),
        Text("Each study LA against the pooled proportion",
             "Is any study LA unusual on review timeliness or participation?",
             "Funnel plot: each LA's proportion against its denominator, with exact binomial 95% and 99.8% limits "
             "(Spiegelhalter 2005) around the pooled proportion; no overdispersion adjustment for a handful of LAs.",
             "Limits around the study's own pooled figure show differences between the study LAs, not against "
             "England.",
             _SSDA903),
        LA_COMPARISON,
        figure=funnels(lambda part: f"{str(part['measure'].iloc[0]).capitalize()}, by study LA", by="measure")),
    OutputTable(
        "national_shares", national_shares, {"la_statistics": "la_statistics"},
        Roles(keys=("year", "geographic_level", "la_code", "old_la_code", "measure"), labels=("la_name", "status"),
              counts=("numerator",), denominator="denominator", proportions=("proportion",), public=_PUBLISHED_DFE),
        Text("England's statistics: legal status shares by area and year",
             "What share of looked-after children are accommodated under s. 20, or on care or placement orders, "
             "nationally and in each LA?",
             "Numerators and denominators as published by the DfE; a share whose count the DfE suppressed stays "
             "missing with the published symbol. The report shows England's series; every area is in the table.",
             "Published under the DfE's own suppression (counts of 1 to 5, and figures that would reveal them).",
             _DFE),
        NATIONAL,
        shown=lambda table: table[table["geographic_level"] == "National"].sort_values(["measure", "year"])),
    OutputTable(
        "national_funnel", share_funnel, {"shares": "national_shares"},
        Roles(keys=("measure", "year", "la_code"), labels=("la_name", "status", "adjustment"),
              counts=("numerator",), denominator="denominator", public=_PUBLISHED_DFE, **_FUNNEL),
        Text("Every English LA against England",
             "Which LAs stand out from England's share?",
             "Funnel plot with exact binomial limits around England's share; the overdispersion factor phi and "
             "between-LA variance tau-squared are reported. The report lists the LAs outside the 99.8% limits and "
             "those with a suppressed value; every LA is in the table.",
             "With 150 LAs, some fall outside the 99.8% limits by overdispersion alone: read the adjusted limits "
             "too.",
             _DFE),
        NATIONAL, figure=funnels(_national_funnel_title), summary=_national_summary,
        shown=lambda table: table[table["flag998"].isin(["above", "below", "no value"])]),
    OutputTable(
        "published_comparison", published_comparison,
        {"published": PUBLISHED_TABLES, "readers": CELL_READERS, "case_files": "case_files",
         "responses": "responses", "codings": "interview_codings", "replicates": REPLICATES},
        Roles(keys=("table", "group", "item", "category"), labels=("published", "status", "note"), counts=("n",),
              denominator="denominator", proportions=("reproduced",),
              # the sample's composition counts what other tables count: cases sampled, interviews by role
              sums=(Sum(Cells("denominator", _rows(la=ALL_LAS), "legal_status_at_sampling"),
                        Cells("n", _rows(table=COMPOSITION, group="Case file analysis", item="Cases")), copies=True),
                    *(Sum(Cells("denominator", _rows(role=role), "interview_codes"),
                          Cells("n", _rows(table=COMPOSITION, group=group, item=item)), copies=True)
                      for group, roles in (("Interviewees", INTERVIEWEES), ("Focus groups", FOCUS_GROUPS))
                      for item, role in roles.items()))),
        Text("Published cells reproduced from the study data",
             "Does the study data reproduce every published figure, at the precision it was printed?",
             "Each published cell of the tables the study replicates ([study] replicates) recomputed from the "
             "processed study and printed as the source printed it.",
             "A match at the printed precision allows more than one count where the published denominator is "
             "unknown.",
             empty="No published cell is compared with the study's: the study replicates no published table "
                   "([study] replicates). The published tables and their consistency are in their own section."),
        AGAINST_PUBLISHED, settings=("rounding",), beside=True,
        shown=lambda table: table[table["status"] != NOT_REPLICATED]),
    OutputTable(
        "study_vs_published", study_against_published,
        {"reproduced": "published_comparison", "published": PUBLISHED_TABLES},
        COMPARISON_ROLES,
        Text("This study's sample against the published study",
             "Does this sample differ from the published one, whatever counts lie behind the published "
             "percentages?",
             "Fisher's exact test and the difference in proportions over every (n, count) pair consistent with the "
             "published percentage; the range of each is reported.",
             "A range that straddles 0.05 means the answer depends on the published study's unknown counts.",
             empty="No published cell is set against the study's: the study replicates no published table ([study] "
                   "replicates), or has no data for the cells of those it replicates."),
        AGAINST_PUBLISHED, settings=("rounding",), summary=_against_published_summary,
        shown=lambda table: table[table["status"] == "compared"]),
    OutputTable(
        "data_quality_by_table", quality_by_table, {"files": RECONCILIATION},
        Roles(keys=("table",), labels=("files",), counts=("rows_read", "rows_kept", "rows_quarantined"),
              row_sum=(("rows_kept", "rows_quarantined"), "rows_read"), totals=(Total("table", ALL_TABLES),)),
        Text("Rows read, kept and quarantined, by processed table",
             "How many rows of each processed table were read from the raw files, kept, and quarantined?",
             "For every raw file and processed table, rows read = rows kept + rows quarantined (reconciliation.json); "
             "blank rows hold nothing and are not counted.",
             "A quarantined row is in no analysis: where many rows of a table were quarantined, see which rules "
             "they broke (rows quarantined, by rule) before reading the table's analyses.",
             "the processed study"),
        DATA_QUALITY),
    OutputTable(
        "data_quality_by_rule", quality_by_rule, {"quarantine": QUARANTINE},
        Roles(keys=("rule",), labels=("description", "columns", "files"), counts=("rows",)),
        Text("Rows quarantined, by rule",
             "Which rules did the quarantined rows break, in which columns and in how many files?",
             "Rows of quarantine.csv by rule (a row breaking two rules counts under both), with the columns the rule "
             "was broken in and the number of files.",
             "Only counts, rule names and column names are shown: a quarantined value can quote what a file holds, "
             "so it stays in quarantine.csv in the study's processed folder.",
             "the processed study", empty="No row was quarantined."),
        DATA_QUALITY),
    OutputTable(
        "published_consistency", summary_frame, {"checks": PUBLISHED_CHECKS},
        Roles(keys=("table", "group"),
              labels=("searched", "bound_reason", "feasible_n", "counts", "table_consistent", "rounding"),
              statistics=("n_feasible", "n_min", "n_max", "table_solutions"),
              public="the consistency of the published tables (no study data)"),
        Text("Consistency of the published tables",
             "Which denominators and counts could have produced each published table's printed percentages?",
             "The consistency checker over every table with printed percentages, with exact fractions and the "
             "study's rounding convention ([consistency] rounding)."),
        workbook=False, study=False),
    OutputTable(
        "published_cells", published_cells_frame, {"published": PUBLISHED_TABLES},
        Roles(keys=("table", "group", "item", "category"),
              labels=("percent", "qualifier", "quote", "source", "title"), counts=("count", "n"),
              public="the published tables as printed (no study data)"),
        Text("Every printed cell of the published tables",
             "What exactly did the source documents print, and where?",
             "Each printed value with its table, source document and the quote it was read from."),
        workbook=False, study=False),
)
