"""The processed tables: one pandera schema each, declared once.

Readers validate every table here before it is written (``lazy=True``: every failing row is
found, and each becomes a quarantine row rather than a crash), and ``datapackage.json`` is
written from the same schemas, so the documentation of ``data/processed/`` cannot drift from
what is in it. Code lists come from :mod:`caresurvey.codes`.
"""

from __future__ import annotations

import copy
import functools

import pandera.pandas as pa

from caresurvey import codes

__all__ = ["SCHEMAS", "DESCRIPTIONS", "QUARANTINE_COLUMNS", "schema", "row_schema", "processed_schema",
           "other_ssda903_schema"]

#: The columns of ``quarantine.csv``: where a rejected row is (file, 1-based row, column), its
#: value (withheld where it is an identifier) and the rule it broke, with a message.
QUARANTINE_COLUMNS = ["file", "row", "column", "value", "rule", "message"]

_ID = r"^[0-9a-f]{20}$"  # a pseudonym (see caresurvey.pseudonym)


def _code(values, description: str, nullable: bool = True) -> pa.Column:
    return pa.Column(str, pa.Check.isin(sorted(values)), nullable=nullable, description=description)


def _text(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column(str, nullable=nullable, description=description)


def _pseudonym(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(_ID), nullable=nullable, description=description)


def _date(description: str, nullable: bool = True) -> pa.Column:
    return pa.Column(pa.DateTime, nullable=nullable, description=description)


_STUDY_STATUS = list(codes.STUDY_LEGAL_STATUS)
_AGE_GROUPS = [label for _, label in codes.AGE_GROUPS]

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "children": pa.DataFrameSchema(
        {
            "child_id": _pseudonym("Keyed pseudonym of the LA's child id (stable across tables and years)"),
            "la": _text("The local authority the return came from"),
            "sex": _code(codes.SEX, "SSDA903 sex code as returned (1 male, 2 female until 2023-24; M, F, U from 2024-25)"),
            "birth_month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), nullable=True,
                                     description="Month of birth, YYYY-MM (the full date never leaves the raw files)"),
            "ethnicity": _code(codes.ETHNICITY, "SSDA903 ethnicity code"),
            "ethnic_group": _code(set(codes.ETHNIC_GROUP.values()) | {codes.ETHNIC_GROUP_NOT_KNOWN}, "DfE ethnic group"),
        },
        # one row per child: a child repeated in a header is quarantined, and returns of several
        # years are linked (caresurvey.ingest.linkage)
        strict=True, unique=["la", "child_id"], name="children",
    ),
    "episodes": pa.DataFrameSchema(
        {
            "child_id": _pseudonym("Keyed pseudonym of the child"),
            "la": _text("The local authority"),
            "start": _date("Date the episode started (DECOM)", nullable=False),
            "end": _date("Date the episode ceased (DEC); empty while open"),
            "reason_new_episode": _code(codes.REASON_NEW_EPISODE, "Reason for new episode (RNE)"),
            "legal_status": _code(codes.LEGAL_STATUS, "Legal status (LS)", nullable=False),
            "category_of_need": _code(codes.CATEGORY_OF_NEED, "Category of need (CIN)"),
            "placement": _code(codes.PLACEMENT_TYPE, "Placement type (PLACE)"),
            "placement_provider": _code(codes.PLACEMENT_PROVIDER, "Placement provider"),
            "reason_ceased": _code(codes.REASON_EPISODE_CEASED, "Reason episode ceased (REC)"),
            "reason_place_change": _code(codes.REASON_PLACE_CHANGE, "Reason for placement change"),
        },
        checks=[pa.Check(lambda df: df["end"].isna() | (df["end"] >= df["start"]), element_wise=False,
                         name="end-before-start", error="an episode cannot end before it starts",
                         description="end")],
        strict=True, name="episodes",
    ),
    "reviews": pa.DataFrameSchema(
        {
            "child_id": _pseudonym("Keyed pseudonym of the child"),
            "la": _text("The local authority"),
            "review_date": _date("Date of the review", nullable=False),
            "participation": _code(codes.REVIEW_PARTICIPATION, "How the child participated (PN0-PN7)"),
        },
        strict=True, name="reviews",
    ),
    "case_files": pa.DataFrameSchema(
        {
            "case_id": _pseudonym("Keyed pseudonym of the study's case reference"),
            "child_id": _pseudonym("Keyed pseudonym of the LA's child id, linking to the SSDA903 tables", nullable=True),
            "la": _text("The local authority"),
            "sampled": _date("Date the sample was drawn"),
            "status_at_sampling": _code(_STUDY_STATUS, "Legal status when sampled", nullable=False),
            "file_analysis": _date("Date the case file was analysed"),
            "status_at_file_analysis": _code(_STUDY_STATUS, "Legal status (or how care ended) at file analysis"),
            "interview": _date("Date of the interviews on the case; empty if not interviewed"),
            "status_at_interview": _code(_STUDY_STATUS, "Legal status (or how care ended) at interview"),
            "age_group": _code(_AGE_GROUPS, "DfE age group at sampling"),
            "permanence_plan": _code(codes.PERMANENCE_PLANS, "Permanence plan"),
            "iro_count": pa.Column("Int64", pa.Check.ge(0), nullable=True, description="Number of IROs on the case"),
        },
        strict=True, name="case_files",
    ),
    "responses": pa.DataFrameSchema(
        {
            "respondent_id": _pseudonym("Keyed pseudonym of the respondent"),
            "group": _text("Respondent group, as the study names it"),
            "employment": _code(codes.EMPLOYMENT_MEANINGS, "Who employs the respondent (what their answer to the "
                                                           "employment item means), where asked"),
            "item": _text("Study item id (from the manifest's item map) or the source's variable name"),
            "source_item": _text("Variable name in the source file"),
            "question": _text("Question text as asked", nullable=True),
            "response": _text("Answer as its label on the item's scale; empty where not answered", nullable=True),
            "response_code": pa.Column("Int64", nullable=True, description="Position of the label on the item's scale "
                                       "(1 = first option), placed by the label, never by a code in the file"),
            "missing_reason": _text("Why there is no answer (not answered, don't know, ...)", nullable=True),
            "source": _text("Raw file the response came from"),
        },
        checks=[pa.Check(lambda df: df["response"].isna() != df["missing_reason"].isna(), element_wise=False,
                         name="answer-or-reason", error="a response has an answer or a reason for none, not both",
                         description="response")],
        strict=True, name="responses",
    ),
    "codings": pa.DataFrameSchema(
        {
            "interview_id": _pseudonym("Keyed pseudonym of the interview (document)"),
            "case_id": _pseudonym("Keyed pseudonym of the study case, where the project records it", nullable=True),
            "la": _text("Local authority, where recorded", nullable=True),
            "respondent_role": _text("Interviewee role (social worker, IRO, parent, young person)", nullable=True),
            "code": _text("Full code path, themes separated by '/'"),
            "coder": _text("Who applied the code"),
            "start": pa.Column("Int64", pa.Check.ge(0), nullable=True, description="Start of the coded segment"),
            "end": pa.Column("Int64", pa.Check.ge(0), nullable=True, description="End of the coded segment"),
            "unit": _code(("character", "paragraph"), "What start and end count: Unicode characters or paragraphs", nullable=False),
            "source_format": _code(("refi-qda", "coded-segments"), "Export the coding came from", nullable=False),
        },
        strict=True, name="codings",
    ),
    "la_statistics": pa.DataFrameSchema(
        {
            "year": pa.Column(int, pa.Check.in_range(1990, 2100), description="Year ending 31 March of the statistics"),
            "geographic_level": _code(("National", "Regional", "Local authority"), "Geographic level", nullable=False),
            "la_code": _text("New-style code (E92000001 England, E12... regions, E06/E08/E09/E10 LAs)", nullable=True),
            "old_la_code": _text("Old three-digit LA code (or region letter), where published", nullable=True),
            "la_name": _text("Name of the area"),
            "measure": _text("The published column name (SFR files) or indicator (EES files)"),
            "breakdown": _text("EES filters, 'name=value; ...'; empty for SFR files"),
            "value": pa.Column(float, nullable=True, description="The number; empty where suppressed or not available"),
            "status": _text("The published symbol where there is no number (x, .., c, z, k, ...)", nullable=True),
            "source": _text("Raw file the row came from"),
        },
        checks=[pa.Check(lambda df: df["value"].isna() != df["status"].isna(), element_wise=False,
                         name="value-or-status", error="a cell has a number or a status symbol, not both",
                         description="value")],
        strict=True, name="la_statistics",
    ),
}

DESCRIPTIONS = {
    "children": "One row per child in the SSDA903 header table",
    "episodes": "SSDA903 episodes of care: one row per change of legal status or placement",
    "reviews": "SSDA903 reviews with the child's participation",
    "case_files": "The study's case-file abstraction, one row per sampled child",
    "responses": "Questionnaire answers, one row per respondent and item",
    "codings": "Interview codings, one row per code applied to a segment (no transcript text)",
    "la_statistics": "DfE local-authority statistics, one row per area, measure and year",
}


def schema(table: str) -> pa.DataFrameSchema:
    try:
        return SCHEMAS[table]
    except KeyError:
        raise KeyError(f"no schema for processed table {table!r}") from None


@functools.cache
def row_schema(table: str) -> pa.DataFrameSchema:
    """A table's schema for checking rows as a reader makes them: without the checks across
    rows (a child once per table), which hold only once returns are linked."""
    rows = copy.deepcopy(schema(table))
    rows.unique = None
    return rows


def other_ssda903_schema(name: str, columns) -> pa.DataFrameSchema:
    """An ``ssda903_<name>`` table (UASC, OC2, missing, ...): a pseudonymous child, the LA, text fields.

    These tables vary by collection year, so their fields are taken as found; identifying
    fields never reach them (see :mod:`caresurvey.ingest.ssda903`).
    """
    spec = {
        "child_id": _pseudonym("Keyed pseudonym of the child"),
        "la": _text("The local authority"),
        "birth_month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), nullable=True,
                                 description="Month of birth, YYYY-MM"),
    }
    spec = {name_: column for name_, column in spec.items() if name_ in columns}
    spec.update({c: pa.Column(str, nullable=True, description=f"SSDA903 {c.upper()}") for c in columns if c not in spec})
    return pa.DataFrameSchema(spec, strict=True, name=f"ssda903_{name}")


def processed_schema(table: str, columns) -> pa.DataFrameSchema:
    """The schema of any processed table, including the SSDA903 return tables found in the data."""
    if table in SCHEMAS:
        return SCHEMAS[table]
    if table.startswith("ssda903_"):
        return other_ssda903_schema(table.removeprefix("ssda903_"), list(columns))
    raise KeyError(f"no schema for processed table {table!r}")
