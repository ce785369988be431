"""The raw-file manifest: what an entry says about a file, the formats there are, and the shipped
synthetic study's own entries.

The synthetic study is described here once. The generator (:mod:`caresurvey.synth`) writes
exactly these files, and a configuration that declares the synthetic study (``[paths]
synthetic``) takes these entries as its inputs, so the two can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from caresurvey.codes import PUBLISHED_ITEMS, year_label

__all__ = ["InputSpec", "INPUT_FORMATS", "PUBLISHED_FORMATS", "DATE_FORMATS", "DEFAULT_SEED", "SYNTHETIC_LAS", "SYNTHETIC_SSDA903",
           "SYNTHETIC_ABSTRACTION", "SYNTHETIC_IRO_QUESTIONNAIRE", "SYNTHETIC_TEAM_MANAGER_QUESTIONNAIRE",
           "SYNTHETIC_GUARDIAN_QUESTIONNAIRE", "SYNTHETIC_CHILDREN_SURVEY", "SYNTHETIC_REFI_QDA",
           "SYNTHETIC_CODED_SEGMENTS", "SYNTHETIC_STUDY", "SYNTHETIC_GROUPS", "SYNTHETIC_ITEMS",
           "SYNTHETIC_REPLICATES", "collection_year", "year_label"]

#: The raw formats a manifest entry can declare, with what they hold.
INPUT_FORMATS = {
    "ssda903-csv": "SSDA903 return tables as CSV (header, episodes, reviews, ...)",
    "ssda903-xml": "SSDA903 return as XML",
    "case-abstraction": "case-file abstraction spreadsheet, one row per child (xlsx or csv)",
    "qualtrics-csv": "Qualtrics CSV export (three-header or legacy layout)",
    "spss-sav": "SPSS .sav questionnaire file",
    "survey-table": "questionnaire responses as CSV/xlsx with a codebook",
    "refi-qda": "REFI-QDA project (.qdpx) of coded interviews",
    "coded-segments": "coded-segment spreadsheet exported from MAXQDA, ATLAS.ti or NVivo",
    "dfe-la": "DfE local-authority statistics (SFR underlying data or EES CSV)",
}

#: Which way round a file writes numeric dates, as a manifest entry's ``date_format`` declares it
#: where the file's own dates cannot tell (day first, as SSDA903 returns; or month first).
DATE_FORMATS = ("dd/mm/yyyy", "mm/dd/yyyy")

#: Formats of published statistics: they identify no one, so reading them needs no
#: pseudonymisation key.
PUBLISHED_FORMATS = frozenset({"dfe-la"})


# A collection year as written: 2019 (the year it ends in), 2018-19, 2018/2019, 2018_19, 201819.
_COLLECTION_YEAR = re.compile(r"^(20\d\d)(?:\s*[-_/ ]?\s*(\d\d|20\d\d))?$")


def collection_year(value: int | str) -> int:
    """The year a DfE collection ends in (on 31 March): ``2019`` or ``"2018-19"`` gives 2019.

    DfE collections run from 1 April to 31 March and are named by the year they end in (the
    SSDA903 2019 collection covers 1 April 2018 to 31 March 2019), so a single year is the end.

    Raises
    ------
    ValueError
        For anything else, or a range that is not two consecutive years.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a collection year")
    if isinstance(value, int):
        value = str(value)
    found = _COLLECTION_YEAR.match(str(value).strip())
    if found is None:
        raise ValueError(f"{value!r} is not a collection year (write 2019, or 2018-19 for 1 April 2018 to 31 March 2019)")
    start, end = found.groups()
    if end is None:
        return int(start)
    end_year = int(end) if len(end) == 4 else int(start[:2] + end)
    if end_year != int(start) + 1:
        raise ValueError(f"{value!r} is not a collection year: a collection runs from one April to the next")
    return end_year


@dataclass(frozen=True)
class InputSpec:
    """One entry of the raw-file manifest.

    Attributes
    ----------
    path : str
        File or glob pattern, relative to the raw folder (or absolute).
    format : str
        One of :data:`INPUT_FORMATS`.
    la : str or None
        The local authority the file belongs to, where it holds one LA only.
    group : str or None
        The respondent group of a questionnaire file (IRO, team manager, children's guardian).
    codebook : str or None
        For a survey table in CSV, the codebook file beside it (an xlsx holds its own sheet).
    items : mapping of str to str
        A questionnaire's variable names mapped to the study's item ids, so that the same
        question asked of different groups (``Q2_1`` of the IROs, ``cg_contacts_iro`` of the
        guardians) is one item in ``responses``. ``employment`` marks the employment question.
    description : str
    date_format : str or None
        Which way round the file writes numeric dates (:data:`DATE_FORMATS`), for a file whose
        own dates cannot tell (none has a day above 12).
    year : int or None
        The collection year of an SSDA903 return (the year it ends in, :func:`collection_year`),
        where its path and dates do not say it.
    """

    path: str
    format: str
    la: str | None = None
    group: str | None = None
    codebook: str | None = None
    items: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    date_format: str | None = None
    year: int | None = None


# --------------------------------------------------------------------------- the synthetic study

#: The seed of the shipped synthetic study (the shipped configuration's ``[study] seed``).
DEFAULT_SEED = 20140601

#: The synthetic study's local authorities.
SYNTHETIC_LAS = ("LA1", "LA2", "LA3", "LA4")

# Paths are relative to the synthetic study's folder.
SYNTHETIC_SSDA903 = tuple(
    InputSpec(f"case_files/{la}/*.csv", "ssda903-csv", la=la, description=f"SSDA903 return tables of {la}")
    for la in SYNTHETIC_LAS
)
SYNTHETIC_ABSTRACTION = InputSpec("case_files/case_file_abstraction.xlsx", "case-abstraction",
                                  description="case-file abstraction, one row per child")
SYNTHETIC_IRO_QUESTIONNAIRE = InputSpec(
    "questionnaires/iro_questionnaire.csv", "qualtrics-csv", group="IRO",
    items={"Q1": "employment", "Q2_1": "cg_contacts_iro", "Q2_2": "iro_contacts_cg", "Q2_3": "discuss_care_plan",
           "Q3_1": "used_local_dispute_resolution", "Q3_2": "used_independent_legal_advice",
           "Q3_3": "used_cafcass_advice_line", "Q3_4": "used_formal_referral_to_cafcass", "Q4": "separate_iro_service"},
    description="IRO questionnaire, Qualtrics export")
SYNTHETIC_TEAM_MANAGER_QUESTIONNAIRE = InputSpec(
    "questionnaires/team_manager_questionnaire.sav", "spss-sav", group="Team manager",
    items={"q1_iro_challenge": "iro_challenge_frequency", "q2_challenge_helpful": "challenge_helpful",
           "q3_independent": "separate_iro_service"},
    description="team manager questionnaire, SPSS")
SYNTHETIC_GUARDIAN_QUESTIONNAIRE = InputSpec(
    "questionnaires/childrens_guardian_questionnaire.xlsx", "survey-table", group="Children's guardian",
    items={"cg_contacts_iro": "cg_contacts_iro", "iro_contacts_cg": "iro_contacts_cg",
           "discuss_care_plan": "discuss_care_plan", "independent_iro_service": "separate_iro_service"},
    description="children's guardian questionnaire with a codebook sheet")
SYNTHETIC_CHILDREN_SURVEY = InputSpec(
    "questionnaires/children_views_survey.csv", "survey-table", group="Child in care",
    codebook="questionnaires/children_views_survey_codebook.csv",
    items={"q_social_worker": "importance_social_worker", "q_iro": "importance_iro",
           "q_advocate": "importance_advocate", "q_guardian": "importance_guardian"},
    description="children's survey of views on professionals, with a codebook CSV")
SYNTHETIC_REFI_QDA = InputSpec("interviews/interview_coding.qdpx", "refi-qda",
                               description="coded interviews, REFI-QDA project")
SYNTHETIC_CODED_SEGMENTS = InputSpec("interviews/coded_segments.xlsx", "coded-segments",
                                     description="the same codings, MAXQDA coded segments")

#: The synthetic study's respondent groups.
SYNTHETIC_GROUPS = ("IRO", "Team manager", "Children's guardian", "Child in care")

#: The synthetic study's items, each with the name of its scale (:data:`caresurvey.codes.SCALES`): the
#: published study's, and two the team managers' questionnaire asks besides.
SYNTHETIC_ITEMS = {**PUBLISHED_ITEMS, "iro_challenge_frequency": "frequency", "challenge_helpful": "agreement"}

#: The source documents whose published tables the synthetic study replicates: the UEA study's and
#: Martin's national survey (not the NCB study's, which it holds no data for).
SYNTHETIC_REPLICATES = ("001_ffa3a94287366133.txt", "002_7363f04d5fb400a9.txt")

#: Every file of the synthetic study, in the order a study configuration lists its inputs.
SYNTHETIC_STUDY = (
    *SYNTHETIC_SSDA903,
    SYNTHETIC_ABSTRACTION,
    SYNTHETIC_IRO_QUESTIONNAIRE,
    SYNTHETIC_TEAM_MANAGER_QUESTIONNAIRE,
    SYNTHETIC_GUARDIAN_QUESTIONNAIRE,
    SYNTHETIC_CHILDREN_SURVEY,
    SYNTHETIC_REFI_QDA,
    SYNTHETIC_CODED_SEGMENTS,
)
