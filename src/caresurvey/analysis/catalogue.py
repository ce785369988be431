"""What each analysis table is for: the question it answers, its method and caveats, the
published tables it reproduces, and what data it needs.

The report writes one section per entry, and the workbook's contents sheet lists them; a test
keeps this catalogue and :data:`caresurvey.analysis.tables.PROTECTION` in step, so a new table
cannot reach the outputs without saying what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Analysis", "CATALOGUE", "TOPICS"]


@dataclass(frozen=True)
class Analysis:
    """One analysis table as a reader meets it.

    ``published`` names the published tables (ids in ``caresurvey published list``) whose
    figures the table reproduces; their printed values are shown beside the study's.
    ``figure`` is the key of its figure in :func:`caresurvey.report.analysis_figures.analysis_figures`.
    ``section`` is set where a table is shown in a section of its own (the LA comparison, the
    national statistics, the published study) rather than under its topic.
    """

    id: str
    topic: str
    title: str
    question: str
    method: str
    caveats: str
    needs: str
    published: tuple[str, ...] = ()
    figure: str | None = None
    section: str | None = None


_SSDA903 = "SSDA903 returns (header, episodes, reviews)"
_CASE_FILES = "the case-file abstraction"
_QUESTIONNAIRES = "the IRO, team manager and guardian questionnaires"
_CODINGS = "coded interviews (REFI-QDA or coded-segment exports)"
_DFE = "DfE looked-after children statistics (SFR underlying data or EES files)"
_WILSON = "Percentages of those who answered, with Wilson 95% intervals (not the Wald interval, which fails near 0% and 100% and for small groups)."

#: Topics in the order the report shows them.
TOPICS = (
    "Legal status and its change",
    "IROs and children's guardians",
    "Should IROs be independent of local authorities?",
    "Children's views",
    "Reviews in the SSDA903 returns",
    "Time to permanence",
    "Interviews",
    "Comparing local authorities",
    "Against the published study",
)

_ENTRIES = (
    Analysis(
        "legal_status_at_sampling", TOPICS[0], "Children by legal status when sampled",
        "How were the sampled children split between accommodation under s. 20, interim care orders and care "
        "(or placement) orders, overall and in each LA?",
        "Counts of the case-file abstraction's status at sampling, by LA and for all LAs. " + _WILSON,
        "The sample was drawn by legal status, so these shares describe the design, not the LAs' populations.",
        _CASE_FILES, published=("legal_status_at_sampling", "sample_composition")),
    Analysis(
        "legal_status_transitions", TOPICS[0], "Changes of legal status over the study",
        "By the time the files were analysed, and again at interview, how had the children's legal status changed?",
        "A transition table between consecutive time points (sampling to file analysis, file analysis to "
        "interview): for each status at the earlier point, how many children were in each status at the later one. "
        "Leaving care (SGO, returned home, adopted) is kept as a state.",
        "The second step covers only the cases followed to interview, so its totals are smaller than the first's.",
        _CASE_FILES),
    Analysis(
        "legal_status_at_file_analysis", TOPICS[0], "Legal status at the time of file analysis (Chart 1)",
        "How many children were in each legal status when their files were analysed?",
        "Counts of the status at file analysis, as in Chart 1 of the study's presentation. " + _WILSON,
        "The presentation prints Chart 1 without its values, so only its categories can be compared.",
        _CASE_FILES, published=("legal_status_at_file_analysis",), figure="chart1"),
    Analysis(
        "iro_cg_contact", TOPICS[1], "IRO and guardian contact when a case is in proceedings",
        "How often do IROs and children's guardians contact each other, and consult before a review, "
        "as each group reports it?",
        "Answers grouped as always or mostly, sometimes, rarely or never, for each item and respondent group. "
        + _WILSON,
        "Self-reported practice from volunteer respondents; the two groups describe different cases, so their "
        "answers need not agree.",
        _QUESTIONNAIRES, published=("iro_cg_contact",), figure="contact"),
    Analysis(
        "iro_cg_contact_tests", TOPICS[1], "Do IROs and guardians report contact differently?",
        "For each contact item, do IROs' and guardians' answers differ?",
        "The 2 x 3 table of group by answer tested by Fisher-Freeman-Halton with a seeded Monte Carlo p-value "
        "(the seed is in the table), Cramer's V as the effect size, Holm's adjustment over the items. The "
        "chi-square expected-count check is reported, not used to choose the test.",
        "Monte Carlo p-values carry simulation error of about 1/sqrt(resamples).",
        _QUESTIONNAIRES),
    Analysis(
        "formal_challenge", TOPICS[1], "Formal challenge mechanisms IROs have used",
        "Which formal challenge mechanisms (local dispute resolution, independent legal advice, the Cafcass "
        "advice line, formal referral to Cafcass) have IROs used, "
        "and does it differ with their employment?",
        "IROs who have used each mechanism, overall and by employment (LA-employed or self-employed). " + _WILSON,
        "'Overall' includes IROs who did not say how they were employed, so it is not the sum of the two groups.",
        _QUESTIONNAIRES, published=("formal_challenge", "ncb_iro_employment"), figure="challenge"),
    Analysis(
        "formal_challenge_tests", TOPICS[1], "LA-employed against self-employed IROs",
        "Are LA-employed IROs less likely than self-employed IROs to have used each mechanism?",
        "Difference in proportions with Newcombe's hybrid score 95% interval; Fisher's exact test on the 2 x 2 "
        "table; Holm's adjustment over the mechanisms.",
        "Few self-employed IROs answered: intervals are wide and a non-significant test is weak evidence of no "
        "difference.",
        _QUESTIONNAIRES),
    Analysis(
        "independence_attitudes", TOPICS[2], "In favour of separating IROs from local authorities",
        "Which respondents favour moving the IRO service out of local authorities?",
        "Respondents who agree or strongly agree that the service should be separated, by group. " + _WILSON,
        "The published study reports this for its respondents only; volunteer samples may over-represent "
        "strong views.",
        _QUESTIONNAIRES, published=("independence_attitudes",), figure="independence"),
    Analysis(
        "independence_attitudes_model", TOPICS[2], "The full five-point answer by respondent group",
        "Using every point of the Likert scale, not only agreement, how far does each group lean towards "
        "separation compared with team managers?",
        "Proportional-odds (ordinal logistic, logit link) regression of the five-point answer on respondent group "
        "(statsmodels OrderedModel), with Wald 95% intervals for the odds ratios.",
        "The proportional-odds assumption is not tested here; with three small groups a test would have little "
        "power. Check 'converged' before reading a row.",
        _QUESTIONNAIRES),
    Analysis(
        "children_views", TOPICS[3], "Children's views on the professionals who matter to them",
        "How important do children in care say their social worker, IRO, advocate and guardian are?",
        "The Children's Rights Director's published percentages with Wilson 95% intervals at the survey's size; "
        "no study data are used.",
        "The count behind each percentage is not published; the interval assumes every one of the survey's "
        "respondents answered each item.",
        "nothing (published figures)", published=("children_views_professionals",)),
    Analysis(
        "review_timeliness", TOPICS[4], "Reviews held on time (regulation 33)",
        "Were looked-after children's reviews held within the times the Care Planning Regulations allow?",
        "Each review's due date from the episodes: 20 working days after the period of care starts (England's "
        "bank holidays excluded), then 3 months, then every 6 months from the review actually held; a due review "
        "with none held before the period or the data ends is 'not held'. " + _WILSON,
        "A review held early for a reason the return does not record looks on time; reviews missing from the "
        "return look not held.",
        _SSDA903, figure="timeliness"),
    Analysis(
        "review_participation", TOPICS[4], "How children took part in their reviews",
        "How did children take part in their reviews (participation codes PN0-PN7), and were their views "
        "conveyed?",
        "Reviews by participation code, by LA and age group; for children aged 4 and over, the share of reviews "
        "at which views were conveyed (PN1-PN6 of PN1-PN7). " + _WILSON,
        "Age at review comes from the birth month (the full date of birth is never kept), so it can be a month "
        "out near a birthday.",
        _SSDA903),
    Analysis(
        "time_to_permanence", TOPICS[5], "Time to permanence, as competing risks",
        "How soon after first becoming looked after do children leave care by adoption, special guardianship "
        "or return home?",
        "Aalen-Johansen cumulative incidence of each way of leaving care, with the others as competing risks and "
        "children still looked after censored at the end of the data.",
        "1 minus Kaplan-Meier for one outcome would overstate it by treating the other exits as censoring; "
        "the Aalen-Johansen estimator does not.",
        _SSDA903, figure="permanence"),
    Analysis(
        "interview_codes", TOPICS[6], "Interview codes by respondent role",
        "Which themes come up in interviews and focus groups with social workers, IROs, parents and young people?",
        "Interviews of each role in which the primary coder applied each code at least once. " + _WILSON,
        "Counts interviews mentioning a theme, not how much was said about it.",
        _CODINGS, figure="codes"),
    Analysis(
        "coding_agreement", TOPICS[6], "Agreement between coders",
        "How consistently did two coders apply each code to the interviews both coded?",
        "For each code, presence or absence on each coded segment, as nominal judgements: Krippendorff's alpha "
        "(nominal) and Cohen's kappa.",
        "Alpha is unstable for codes applied to very few segments; read it with the counts beside it.",
        _CODINGS),
    Analysis(
        "study_la_heterogeneity", TOPICS[7], "Do the study's local authorities differ?",
        "Do legal status at sampling, review timeliness and children's participation differ between the study's LAs?",
        "Fisher-Freeman-Halton tests of LA by outcome (seeded Monte Carlo), Cramer's V, Holm's adjustment.",
        "Four LAs chosen for the study are not a sample of English LAs.",
        f"{_CASE_FILES} and {_SSDA903}", section="la-comparison"),
    Analysis(
        "study_la_funnels", TOPICS[7], "Each study LA against the pooled proportion",
        "Is any study LA unusual on review timeliness or participation?",
        "Funnel plot: each LA's proportion against its denominator, with exact binomial 95% and 99.8% limits "
        "(Spiegelhalter 2005) around the pooled proportion; no overdispersion adjustment for a handful of LAs.",
        "Limits around the study's own pooled figure show differences between the study LAs, not against England.",
        _SSDA903, section="la-comparison"),
    Analysis(
        "national_shares", TOPICS[7], "England's statistics: legal status shares by area and year",
        "What share of looked-after children are accommodated under s. 20, or on care or placement orders, "
        "nationally and in each LA?",
        "Numerators and denominators as published by the DfE; a share whose count the DfE suppressed stays "
        "missing with the published symbol.",
        "Published under the DfE's own suppression (counts of 1 to 5, and figures that would reveal them).",
        _DFE, section="national"),
    Analysis(
        "national_funnel", TOPICS[7], "Every English LA against England",
        "Which LAs stand out from England's share?",
        "Funnel plot with exact binomial limits around England's share; the overdispersion factor phi and "
        "between-LA variance tau-squared are reported.",
        "With 150 LAs, some fall outside the 99.8% limits by overdispersion alone: read the adjusted limits too.",
        _DFE, section="national"),
    Analysis(
        "published_comparison", TOPICS[8], "Published cells reproduced from the study data",
        "Does the study data reproduce every published figure, at the precision it was printed?",
        "Each published cell recomputed from the processed study and printed as the source printed it.",
        "A match at the printed precision allows more than one count where the published denominator is unknown.",
        "the whole study", section="against-published"),
    Analysis(
        "study_vs_published", TOPICS[8], "This study's sample against the published study",
        "Does this sample differ from the published one, whatever counts lie behind the published percentages?",
        "Fisher's exact test and the difference in proportions over every (n, count) pair consistent with the "
        "published percentage; the range of each is reported.",
        "A range that straddles 0.05 means the answer depends on the published study's unknown counts.",
        "the whole study", section="against-published"),
)

#: Table id -> what it is, in report order.
CATALOGUE: dict[str, Analysis] = {entry.id: entry for entry in _ENTRIES}
