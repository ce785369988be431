"""Every analysis table by its fixed id, run against a study's processed data.

The ids are file names under ``reports/tables/`` that other tools read; they do not change.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from caresurvey.analysis.children_views import children_views
from caresurvey.analysis.compare_published import study_against_published
from caresurvey.analysis.comparison import published_comparison
from caresurvey.analysis.data import StudyData
from caresurvey.analysis.interviews import coding_agreement, interview_codes
from caresurvey.analysis.legal_status import legal_status_at_sampling, legal_status_transitions, status_at_file_analysis
from caresurvey.analysis.national import national_shares, share_funnel
from caresurvey.analysis.permanence import time_to_permanence
from caresurvey.analysis.questionnaires import (
    formal_challenge,
    formal_challenge_tests,
    independence_attitudes,
    independence_attitudes_model,
    iro_cg_contact,
    iro_cg_contact_tests,
)
from caresurvey.analysis.reviews import review_participation, review_timeliness
from caresurvey.analysis.study_las import study_la_funnels, study_la_heterogeneity
from caresurvey.config import Config

__all__ = ["ANALYSES", "DERIVED", "run_analyses"]

#: Table id -> how to compute it from the study data and the configuration.
ANALYSES: dict[str, Callable[[StudyData, Config], pd.DataFrame]] = {
    "legal_status_at_sampling": lambda data, config: legal_status_at_sampling(data),
    "legal_status_transitions": lambda data, config: legal_status_transitions(data),
    "legal_status_at_file_analysis": lambda data, config: status_at_file_analysis(data),
    "iro_cg_contact": lambda data, config: iro_cg_contact(data),
    "iro_cg_contact_tests": lambda data, config: iro_cg_contact_tests(data, config.seed),
    "formal_challenge": lambda data, config: formal_challenge(data),
    "formal_challenge_tests": lambda data, config: formal_challenge_tests(data),
    "independence_attitudes": lambda data, config: independence_attitudes(data),
    "independence_attitudes_model": lambda data, config: independence_attitudes_model(data),
    "children_views": lambda data, config: children_views(),
    "review_timeliness": lambda data, config: review_timeliness(data),
    "review_participation": lambda data, config: review_participation(data),
    "time_to_permanence": lambda data, config: time_to_permanence(data),
    "interview_codes": lambda data, config: interview_codes(data),
    "coding_agreement": lambda data, config: coding_agreement(data),
    "study_la_heterogeneity": lambda data, config: study_la_heterogeneity(data, config.seed),
    "study_la_funnels": lambda data, config: study_la_funnels(data),
    "published_comparison": lambda data, config: published_comparison(data, config.rounding),
    "national_shares": lambda data, config: national_shares(data.table("la_statistics")),
}

#: Tables computed from other tables: id -> how to compute it from the tables above.
DERIVED: dict[str, Callable[[dict[str, pd.DataFrame], Config], pd.DataFrame]] = {
    "national_funnel": lambda tables, config: share_funnel(tables["national_shares"]),
    "study_vs_published": lambda tables, config: study_against_published(tables["published_comparison"],
                                                                           config.rounding),
}


def run_analyses(config: Config, data: StudyData | None = None) -> dict[str, pd.DataFrame]:
    """Every analysis table of the study in ``config.processed_dir``."""
    data = data or StudyData(config.processed_dir)
    tables = {table_id: compute(data, config) for table_id, compute in ANALYSES.items()}
    for table_id, derive in DERIVED.items():
        tables[table_id] = derive(tables, config)
    return tables
