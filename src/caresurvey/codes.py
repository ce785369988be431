"""Code lists in one place: SSDA903 codes, the study's own categories and response scales.

Every reader, schema and generator takes its codes from here, so a code means the same thing
everywhere in the pipeline.

SSDA903 codes are those of the DfE "Children looked after by local authorities in England"
collection guide and its validation rules (the current code set, as checked by the open-source
DfE 903 validator). The study categories are those of the UEA care-planning study (Dickens et
al., 2015): its tables speak of "s. 20", "ICO", "CO" and "PO" rather than of codes.

References
----------
Department for Education. Children looked after by local authorities in England: guide to the
SSDA903 collection, code sets for legal status, reason for new episode, placement type,
placement provider, reason episode ceased, reason for placement change, review participation.

The Care Planning, Placement and Case Review (England) Regulations 2010, SI 2010/959, reg. 33
(timing of reviews).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "CODE_YEARS",
    "FIRST_COLLECTION_YEAR",
    "LAST_COLLECTION_YEAR",
    "valid_in_year",
    "code_years_phrase",
    "year_label",
    "builtin_scale_of",
    "SEX",
    "ETHNICITY",
    "ETHNIC_GROUP",
    "ETHNIC_GROUP_NOT_KNOWN",
    "ethnic_group",
    "LEGAL_STATUS",
    "REASON_NEW_EPISODE",
    "CATEGORY_OF_NEED",
    "PLACEMENT_TYPE",
    "PLACEMENT_PROVIDER",
    "REASON_EPISODE_CEASED",
    "REASON_PLACE_CHANGE",
    "REVIEW_PARTICIPATION",
    "PARTICIPATION_UNDER_FOUR",
    "ADOPTION_CODES",
    "SPECIAL_GUARDIANSHIP_CODES",
    "RETURN_HOME_CODES",
    "STUDY_LEGAL_STATUS",
    "STUDY_STATUS_OF_CODE",
    "AGE_GROUPS",
    "PERMANENCE_PLANS",
    "FREQUENCY_SCALE",
    "AGREEMENT_SCALE",
    "YES_NO",
    "EMPLOYMENT",
    "IMPORTANCE_SCALE",
    "EMPLOYMENT_MEANINGS",
    "LA_EMPLOYED",
    "SELF_EMPLOYED",
    "OTHER_EMPLOYMENT",
    "Scale",
    "SCALES",
    "PUBLISHED_ITEMS",
    "label_key",
    "RESPONDENT_GROUPS",
    "INTERVIEWEE_ROLES",
    "DFE_SYMBOLS",
    "OUTPUT_SYMBOLS",
    "SUPPRESSED",
    "ROUNDS_TO_ZERO",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
]

# --------------------------------------------------------------------------- SSDA903 header

#: Sex as returned: 1 and 2 until 2023-24, M, F and U from 2024-25 (see :data:`CODE_YEARS`).
SEX = {"1": "Male", "2": "Female", "M": "Male", "F": "Female", "U": "Unknown or not recorded"}

ETHNICITY = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

#: DfE's ethnic groups (the first letter of the code names the group).
ETHNIC_GROUP = {
    "W": "White",
    "M": "Mixed",
    "A": "Asian or Asian British",
    "B": "Black or Black British",
    "C": "Other ethnic group",
    "O": "Other ethnic group",
}
ETHNIC_GROUP_NOT_KNOWN = "Refused or not obtained"


def ethnic_group(code: str) -> str:
    """The DfE ethnic group of an SSDA903 ethnicity code."""
    if code in ("REFU", "NOBT"):
        return ETHNIC_GROUP_NOT_KNOWN
    return ETHNIC_GROUP[code[0]]


# --------------------------------------------------------------------------- SSDA903 episodes

LEGAL_STATUS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Single period of accommodation under section 20 (Children Act 1989)",
    "V3": "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded",
    "V4": "Accommodated under an agreed series of short-term breaks, when agreements are recorded",
    "L1": "Under police protection and in local authority accommodation",
    "L2": "Emergency protection order (EPO)",
    "L3": "Under child assessment order and in local authority accommodation",
    "J1": "Remanded to local authority accommodation or to youth detention accommodation",
    "J2": "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984",
    "J3": "Sentenced to a youth rehabilitation order with residence or fostering requirement",
}

REASON_NEW_EPISODE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carer(s) only",
    "T": "Change of both legal status and placement and carer(s) at the same time",
    "U": "Change of placement (but same carer(s)) only",
    "B": "Change of legal status and change of placement (but same carer(s)) at the same time",
}

CATEGORY_OF_NEED = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}

PLACEMENT_TYPE = {
    "A3": "Placed for adoption with parental/guardian consent with current foster carer(s)",
    "A4": "Placed for adoption with parental/guardian consent not with current foster carer(s)",
    "A5": "Placed for adoption with placement order with current foster carer(s)",
    "A6": "Placed for adoption with placement order not with current foster carer(s)",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K3": "Supported accommodation",
    "K1": "Secure children's home",
    "K2": "Children's home subject to Children's Homes Regulations",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living, e.g. in a flat, lodgings, bedsit, B&B or with friends",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS/health trust or other establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
    "T0": "All types of temporary move (see T1 to T4)",
    "T1": "Temporary periods in hospital",
    "T2": "Temporary absences of the child on holiday",
    "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "Temporary accommodation of seven days or less, for any reason not covered by T1 to T3",
    "U1": "Foster placement with relative(s) or friend(s): long-term fostering",
    "U2": "Foster placement with relative(s) or friend(s) who is also an approved adopter: FFA or concurrent planning",
    "U3": "Foster placement with relative(s) or friend(s): not long-term or FFA",
    "U4": "Foster placement with other foster carer(s): long-term fostering",
    "U5": "Foster placement with other foster carer(s) who is also an approved adopter: FFA or concurrent planning",
    "U6": "Foster placement with other foster carer(s): not long-term or FFA",
    "Z1": "Other placements",
    # Z1 was split into four codes in 2025-26; the DfE 903 validator's code list names them only.
    "Z11": "Other placements (a 2025-26 code of the split of Z1)",
    "Z12": "Other placements (a 2025-26 code of the split of Z1)",
    "Z13": "Other placements (a 2025-26 code of the split of Z1)",
    "Z14": "Other placements (a 2025-26 code of the split of Z1)",
}

PLACEMENT_PROVIDER = {
    "PR0": "Parent(s) or other person(s) with parental responsibility",
    "PR1": "Own provision (by the local authority)",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision (e.g. by a PCT)",
    "PR4": "Private provision",
    "PR5": "Voluntary/third sector provision",
}

REASON_EPISODE_CEASED = {
    "E11": "Adopted: application for an adoption order unopposed",
    "E12": "Adopted: consent dispensed with by the court",
    "E2": "Died",
    "E3": "Care taken over by another local authority in the UK",
    "E4A": "Returned home to live with parent(s), relative(s) or other person(s) with parental responsibility as part of the care planning process",
    "E4B": "Returned home to live with parent(s), relative(s) or other person(s) with parental responsibility not as part of the care planning process",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility",
    "E41": "Residence order (from 22 April 2014, child arrangement order) granted",
    "E43": "Special guardianship order made to former foster carer(s)",
    "E44": "Special guardianship order made to carer(s) other than former foster carer(s)",
    "E45": "Special guardianship order made to former foster carer(s) who are relative(s) or friend(s)",
    "E46": "Special guardianship order made to former foster carer(s) other than relative(s) or friend(s)",
    "E47": "Special guardianship order made to carer(s), not former foster carer(s), who are relative(s) or friend(s)",
    "E48": "Special guardianship order made to carer(s), not former foster carer(s), other than relative(s) or friend(s)",
    "E5": "Moved into independent living arrangement with formalised support",
    "E6": "Moved into independent living arrangement without formalised support",
    "E7": "Transferred to residential care funded by adult social services",
    "E8": "Period of being looked after ceased for any other reason",
    "E9": "Sentenced to custody",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment determined child aged 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 (or over) and remained with current carers",
    "X1": "Episode ceases, and new episode begins on same day, for any reason",
}

#: Reasons an episode ceased that end care in adoption, special guardianship or a return home:
#: the permanence outcomes of the study's competing-risks analysis.
ADOPTION_CODES = frozenset({"E11", "E12"})
SPECIAL_GUARDIANSHIP_CODES = frozenset({"E43", "E44", "E45", "E46", "E47", "E48"})
RETURN_HOME_CODES = frozenset({"E4A", "E4B", "E13"})

REASON_PLACE_CHANGE = {
    "ALLEG": "Allegation (s47)",
    "APPRR": "Approval removed",
    "CARPL": "Change to/implementation of care plan",
    "CHILD": "Child requests placement end",
    "CLOSE": "Resignation/closure of provision",
    "CREQB": "Carer(s) requests placement end due to child's behaviour",
    "CREQO": "Carer(s) requests placement end other than due to child's behaviour",
    "CUSTOD": "Custody arrangement",
    "LAREQ": "Responsible/area authority requests placement end",
    "OTHER": "Other",
    "PLACE": "Change in the status of placement only",
    "STAND": "Standards of care concern",
}

# --------------------------------------------------------------------------- SSDA903 codes by year

#: The collection years (each named by the year it ends in, on 31 March) whose SSDA903 returns
#: caresurvey reads: 2013-14 to 2026-27.
FIRST_COLLECTION_YEAR, LAST_COLLECTION_YEAR = 2014, 2027

#: Codes valid in some collection years only: field -> code -> (first year, last year), None for
#: open. Every other code of a list is valid in every year. Sources: the DfE 903 validator's code
#: lists per year (data-to-insight/csc-validator-be-903, ``lac_validator/rules/lac2022_23`` to
#: ``lac2025_26``, rules 101, 146 and 149), the LIIA tools' 2015-16 SSDA903 schema
#: (SocialFinanceDigitalLabs/liia-tools, ``SSDA903_schema_2016.yml``: E43 and E44, not E45 to
#: E48) and the 2016-17 return of data-to-insight's cs-demand-model test data (E45 to E48). Where
#: these do not fix the year a code stopped, it stays valid until the first list without it (E43
#: and E44 until 2021-22): a code is refused only in a year a source shows it could not be used.
CODE_YEARS: dict[str, dict[str, tuple[int | None, int | None]]] = {
    # rule 101: 1 and 2 to 2023-24; M, F and U from 2024-25
    "sex": {"1": (None, 2024), "2": (None, 2024), "M": (2025, None), "F": (2025, None), "U": (2025, None)},
    # rule 146: K3 (supported accommodation) from 2024-25; H5, P2 and Z1 until 2024-25; Z11-Z14 from 2025-26
    "placement": {"K3": (2025, None), "H5": (None, 2025), "P2": (None, 2025), "Z1": (None, 2025),
                  **dict.fromkeys(("Z11", "Z12", "Z13", "Z14"), (2026, None))},
    # LIIA 2015-16: E43, E44; cs-demand-model 2016-17: E45-E48; rule 149 (2022-23): E45-E48 only
    "reason_ceased": {"E43": (None, 2022), "E44": (None, 2022),
                      **dict.fromkeys(("E45", "E46", "E47", "E48"), (2017, None))},
}


def valid_in_year(field: str, code: str, year: int) -> bool:
    """Whether an SSDA903 code may be returned in the collection ending in ``year``."""
    first, last = CODE_YEARS.get(field, {}).get(code, (None, None))
    return (first is None or year >= first) and (last is None or year <= last)


def year_label(end: int) -> str:
    """``2018-19`` for the collection ending in March 2019."""
    return f"{end - 1}-{end % 100:02d}"


def code_years_phrase(field: str, code: str) -> str:
    """When a code is valid, as a message says it: ``from 2024-25``, ``until 2021-22``."""
    first, last = CODE_YEARS.get(field, {}).get(code, (None, None))
    label = year_label
    if first is not None and last is not None:
        return f"from {label(first)} to {label(last)}"
    return f"from {label(first)}" if first is not None else f"until {label(last)}" if last is not None else "in every year"

# --------------------------------------------------------------------------- SSDA903 reviews

REVIEW_PARTICIPATION = {
    "PN0": "Child aged under 4 at the time of the review",
    "PN1": "Child physically attends and speaks for self",
    "PN2": "Child physically attends; an advocate speaks on behalf of the child",
    "PN3": "Child physically attends and conveys views symbolically (non-verbally)",
    "PN4": "Child physically attends but does not speak for self, convey views symbolically or ask an advocate to speak",
    "PN5": "Child does not attend physically but briefs an advocate to speak for them",
    "PN6": "Child does not attend but conveys feelings by a facilitative medium",
    "PN7": "Child does not attend nor are views conveyed to the review",
}

#: PN0 is used exactly when the child is under 4 on the day of the review.
PARTICIPATION_UNDER_FOUR = "PN0"

# --------------------------------------------------------------------------- study categories

#: Legal status as the UEA study's tables name it, with the SSDA903 codes each covers.
#: "SGO", "Returned home" and "Adopted" are not legal statuses of a looked-after child but the
#: ways care ended, which the study's later time points record.
STUDY_LEGAL_STATUS = {
    "s.20": ("V2",),
    "ICO": ("C1",),
    "CO": ("C2",),
    "PO": ("E1", "D1"),
    "SGO": (),
    "Returned home": (),
    "Adopted": (),
    "Other": (),
}

#: The study category of each legal-status code (codes not listed fall under "Other").
STUDY_STATUS_OF_CODE = {code: name for name, codes in STUDY_LEGAL_STATUS.items() for code in codes}

#: DfE's age groups for children looked after (lower bound in whole years, label).
AGE_GROUPS = (
    (0, "Under 1"),
    (1, "1 to 4"),
    (5, "5 to 9"),
    (10, "10 to 15"),
    (16, "16 and over"),
)


PERMANENCE_PLANS = (
    "Return to birth family",
    "Special guardianship or kinship care",
    "Adoption",
    "Long-term foster care",
    "Residential care",
    "Independence",
)

# --------------------------------------------------------------------------- questionnaires

#: Ordered response scales, most to least; the published tables group their ends.
FREQUENCY_SCALE = ("Always", "Mostly", "Sometimes", "Rarely", "Never")
AGREEMENT_SCALE = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")
YES_NO = ("Yes", "No")
EMPLOYMENT = ("Employed by the local authority", "Self-employed", "Other")
#: The children's survey's scale; "don't know enough" is an answer there, counted in the published figures.
IMPORTANCE_SCALE = ("Very important", "Important", "Not very important", "Not important at all",
                    "Don't know enough to say")

#: Qualtrics' standard answer sets (the "Likert" scales its editor offers), most to least: an export
#: answered on one of them needs no [scales] entry. With "Somewhat" (five points) and without.
QUALTRICS_AGREEMENT_5 = ("Strongly agree", "Somewhat agree", "Neither agree nor disagree", "Somewhat disagree",
                         "Strongly disagree")
QUALTRICS_AGREEMENT_7 = ("Strongly agree", "Agree", "Somewhat agree", "Neither agree nor disagree",
                         "Somewhat disagree", "Disagree", "Strongly disagree")
QUALTRICS_FREQUENCY = ("Always", "Most of the time", "About half the time", "Sometimes", "Never")
QUALTRICS_SATISFACTION = ("Extremely satisfied", "Somewhat satisfied", "Neither satisfied nor dissatisfied",
                          "Somewhat dissatisfied", "Extremely dissatisfied")
SATISFACTION = ("Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied",
                "Very dissatisfied")
QUALTRICS_LIKELIHOOD = ("Extremely likely", "Somewhat likely", "Neither likely nor unlikely", "Somewhat unlikely",
                        "Extremely unlikely")
LIKELIHOOD = ("Very likely", "Likely", "Neither likely nor unlikely", "Unlikely", "Very unlikely")
QUALTRICS_IMPORTANCE = ("Extremely important", "Very important", "Moderately important", "Slightly important",
                        "Not at all important")

#: What an employment answer means to the analyses, which split IROs by who employs them.
LA_EMPLOYED, SELF_EMPLOYED, OTHER_EMPLOYMENT = "LA-employed", "Self-employed", "Other"
EMPLOYMENT_MEANINGS = (LA_EMPLOYED, SELF_EMPLOYED, OTHER_EMPLOYMENT)

#: The groups and roles of the published study (a study declares its own groups).
RESPONDENT_GROUPS = ("IRO", "Team manager", "Children's guardian", "Child in care")
INTERVIEWEE_ROLES = ("Social worker", "IRO", "Parent", "Young person")


def label_key(label: str) -> str:
    """How answer labels are compared: case, spacing and the kind of apostrophe do not matter."""
    return " ".join(str(label).replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


@dataclass(frozen=True)
class Scale:
    """The answers an item can have, as labels: an answer's meaning comes from its label (a
    codebook's, SPSS value labels, Qualtrics choice text), never from its numeric code.

    Attributes
    ----------
    labels : tuple of str
        The answers, in order (the first is position 1).
    missing : tuple of str
        Labels that mean no answer ("Don't know"): kept as the reason there is none.
    ordered : bool
        Whether the labels' order means more or less of something (an ordinal model is fitted
        only to ordered items).
    multiple : bool
        Whether a respondent may choose several labels (a multi-select question, exported as
        "Ramen,Curry"): each chosen label is a row of its own.
    means : mapping of str to str
        For an employment item: what each label means to the analyses
        (:data:`EMPLOYMENT_MEANINGS`).
    """

    labels: tuple[str, ...]
    missing: tuple[str, ...] = ()
    ordered: bool = True
    means: Mapping[str, str] = field(default_factory=dict)
    multiple: bool = False

    def place(self, label: str) -> tuple[str, int] | str | None:
        """``(label as the scale writes it, position)`` for an answer, its missing label (a
        str) for a label that means no answer, None for a label the scale does not have."""
        key = label_key(label)
        for position, option in enumerate(self.labels, start=1):
            if label_key(option) == key:
                return option, position
        return next((option for option in self.missing if label_key(option) == key), None)


#: The published study's questionnaire items, by the ids a study gives them, each with the scale
#: its analyses read it on: a study that declares one of these items gives it that scale.
PUBLISHED_ITEMS = {
    "employment": "employment",
    **dict.fromkeys(("cg_contacts_iro", "iro_contacts_cg", "discuss_care_plan"), "frequency"),
    **dict.fromkeys(("used_local_dispute_resolution", "used_independent_legal_advice", "used_cafcass_advice_line",
                     "used_formal_referral_to_cafcass"), "yes_no"),
    "separate_iro_service": "agreement",
    **dict.fromkeys(("importance_social_worker", "importance_iro", "importance_advocate", "importance_guardian"),
                    "importance"),
}

#: Scales a study can name without declaring them.
SCALES = {
    "frequency": Scale(FREQUENCY_SCALE),
    "agreement": Scale(AGREEMENT_SCALE),
    "yes_no": Scale(YES_NO, ordered=False),
    "importance": Scale(IMPORTANCE_SCALE, ordered=False),
    "employment": Scale(EMPLOYMENT, ordered=False, means=dict(zip(EMPLOYMENT, EMPLOYMENT_MEANINGS))),
    "agreement_somewhat": Scale(QUALTRICS_AGREEMENT_5),
    "agreement_7": Scale(QUALTRICS_AGREEMENT_7),
    "frequency_qualtrics": Scale(QUALTRICS_FREQUENCY),
    "satisfaction_somewhat": Scale(QUALTRICS_SATISFACTION),
    "satisfaction": Scale(SATISFACTION),
    "likelihood_somewhat": Scale(QUALTRICS_LIKELIHOOD),
    "likelihood": Scale(LIKELIHOOD),
    "importance_extremely": Scale(QUALTRICS_IMPORTANCE),
}


def builtin_scale_of(labels: Sequence[str]) -> str | None:
    """The name of the first built-in scale (:data:`SCALES`, in its order: the published study's,
    then Qualtrics') that has every one of ``labels``, if one has: "Agree" and "Strongly agree" are
    on the five-point agreement scale, "Agree" and "Somewhat agree" on Qualtrics' seven-point one."""
    return next((name for name, scale in SCALES.items() if labels and all(scale.place(label) is not None
                                                                             for label in labels)), None)

# --------------------------------------------------------------------------- DfE symbols

#: Symbols the DfE publishes in place of a number (older and current conventions), as read from
#: its statistics: a cell holding one keeps it as its status, never as a number.
DFE_SYMBOLS = {
    "x": "suppressed (older releases: 1 to 5, or to protect one)",
    "..": "not available",
    "c": "confidential (suppressed)",
    "z": "not applicable",
    "k": "rounds to zero",
    "u": "low reliability",
    "low": "positive number below 0.5",
    "-": "zero or negligible",
    ":": "not available",
    "~": "positive number below 0.5",
}

#: The symbols caresurvey's own outputs use in place of a number.
SUPPRESSED = "c"
ROUNDS_TO_ZERO = "k"
NOT_APPLICABLE = "z"
NOT_AVAILABLE = "x"

#: Every symbol an output cell can hold, as the workbook and the report explain it: caresurvey's
#: own, and those kept from published DfE tables.
OUTPUT_SYMBOLS = {
    SUPPRESSED: "confidential: withheld by disclosure control (a small count, or a cell that would reveal one)",
    ROUNDS_TO_ZERO: "not zero, but rounds to zero",
    NOT_AVAILABLE: "not available (as published)",
    NOT_APPLICABLE: "not applicable",
    "..": "not available (as published in older DfE tables)",
}
