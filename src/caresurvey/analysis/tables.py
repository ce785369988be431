"""Every analysis table by its fixed id, run against a study's processed data.

The ids are file names under ``reports/tables/`` that other tools read; they do not change.
Each table also states how its counts hang together (:class:`caresurvey.disclosure.Protection`),
so that outputs from real data go through disclosure control; tables computed from other tables
(``DERIVED``) are computed from those tables after control, so a withheld count stays withheld.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from caresurvey.analysis.children_views import children_views
from caresurvey.analysis.compare_published import study_against_published
from caresurvey.analysis.comparison import published_comparison
from caresurvey.analysis.data import StudyData
from caresurvey.analysis.interviews import coding_agreement, interview_codes
from caresurvey.analysis.legal_status import (
    ALL_LAS,
    legal_status_at_sampling,
    legal_status_transitions,
    status_at_file_analysis,
)
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
from caresurvey.disclosure import Cumulative, Protected, Protection, Total, protect

__all__ = ["ANALYSES", "DERIVED", "PROTECTION", "run_analyses", "protected_analyses"]

#: Table id -> how to compute it from the study data and the configuration.
ANALYSES: dict[str, Callable[[StudyData, Config], pd.DataFrame]] = {
    "legal_status_at_sampling": lambda data, config: legal_status_at_sampling(data),
    "legal_status_transitions": lambda data, config: legal_status_transitions(data),
    "legal_status_at_file_analysis": lambda data, config: status_at_file_analysis(data),
    "iro_cg_contact": lambda data, config: iro_cg_contact(data),
    "iro_cg_contact_tests": lambda data, config: iro_cg_contact_tests(data, config.seed),
    "formal_challenge": lambda data, config: formal_challenge(data),
    "independence_attitudes": lambda data, config: independence_attitudes(data),
    "independence_attitudes_model": lambda data, config: independence_attitudes_model(data),
    "children_views": lambda data, config: children_views(),
    "review_timeliness": lambda data, config: review_timeliness(data),
    "review_participation": lambda data, config: review_participation(data),
    "time_to_permanence": lambda data, config: time_to_permanence(data),
    "interview_codes": lambda data, config: interview_codes(data),
    "coding_agreement": lambda data, config: coding_agreement(data),
    "study_la_heterogeneity": lambda data, config: study_la_heterogeneity(data, config.seed),
    "national_shares": lambda data, config: national_shares(data.table("la_statistics")),
}

#: Tables computed from the tables above (after disclosure control): id -> how.
DERIVED: dict[str, Callable[[dict[str, pd.DataFrame], StudyData, Config], pd.DataFrame]] = {
    "formal_challenge_tests": lambda tables, data, config: formal_challenge_tests(data),
    "study_la_funnels": lambda tables, data, config: study_la_funnels(
        data, timeliness=tables["review_timeliness"], participation=tables["review_participation"]),
    "published_comparison": lambda tables, data, config: published_comparison(data, config.rounding, tables),
    "national_funnel": lambda tables, data, config: share_funnel(tables["national_shares"]),
    "study_vs_published": lambda tables, data, config: study_against_published(tables["published_comparison"],
                                                                                 config.rounding),
}

_PUBLISHED_DFE = "published DfE statistics (already under the DfE's own suppression)"

#: How each table's counts hang together, for disclosure control of real data.
PROTECTION: dict[str, Protection] = {
    "legal_status_at_sampling": Protection(
        counts=("n",), denominator="denominator", keys=("la", "status"), partition="status",
        totals=(Total("la", ALL_LAS), Total("status", "CO (+ PO)", ("CO", "PO"), columns=("n",)))),
    "legal_status_transitions": Protection(
        counts=("count",), denominator="from_total", keys=("step", "from_status", "to_status"), partition="to_status"),
    "legal_status_at_file_analysis": Protection(
        counts=("n",), denominator="denominator", keys=("status",), partition="status"),
    "iro_cg_contact": Protection(
        counts=("n",), denominator="denominator", keys=("item", "group", "category"), partition="category"),
    "iro_cg_contact_tests": Protection(keys=("item",), labels=("test",), minimum=("n_iro", "n_cg")),
    "formal_challenge": Protection(
        counts=("n",), denominator="denominator", keys=("mechanism", "group"),
        # "Overall" also counts IROs of neither employment group: the difference is protected
        totals=(Total("group", "Overall", ("LA-employed IROs", "Self-employed IROs"), complete=False),)),
    # a risk difference between two published denominators would reveal a withheld count: see _WITHHELD_WITH
    "formal_challenge_tests": Protection(keys=("mechanism",), labels=("test",)),
    "independence_attitudes": Protection(counts=("n",), denominator="denominator", keys=("group",)),
    "independence_attitudes_model": Protection(keys=("term",), minimum=("n",)),
    "children_views": Protection(public="published figures of the Children's Rights Director's survey"),
    "review_timeliness": Protection(
        counts=("on_time", "late", "not_held", "due"), denominator="due", keys=("la", "review"),
        row_sum=(("on_time", "late", "not_held"), "due"), totals=(Total("la", ALL_LAS), Total("review", "all"))),
    "review_participation": Protection(
        counts=("n",), denominator="denominator", keys=("la", "age_group", "code"), labels=("description",),
        partition="code", outside_partition=("views conveyed",), totals=(Total("la", ALL_LAS),)),
    "time_to_permanence": Protection(
        counts=("events_so_far", "at_risk", "children"), keys=("outcome", "months"),
        cumulative=Cumulative("months", ("outcome",), ("events_so_far",))),
    "interview_codes": Protection(counts=("n",), denominator="denominator", keys=("role", "code")),
    "coding_agreement": Protection(counts=("coded_by_first", "coded_by_second", "both"), keys=("code",),
                                   minimum=("units",)),
    "study_la_heterogeneity": Protection(keys=("measure",), labels=("test",), minimum=("n",)),
    "national_shares": Protection(public=_PUBLISHED_DFE),
    "study_la_funnels": Protection(
        counts=("numerator",), denominator="denominator", keys=("measure", "la_code"), labels=("la_name", "adjustment"),
        pooled=(("measure",), "numerator", "denominator", "target")),
    "published_comparison": Protection(
        counts=("n",), denominator="denominator", keys=("table", "group", "item", "category"),
        labels=("published", "status", "note")),
    "national_funnel": Protection(public=_PUBLISHED_DFE),
    "study_vs_published": Protection(
        counts=("local_n",), denominator="local_denominator",
        keys=("table", "group", "item", "category"), labels=("published", "count_sets", "status")),
}


#: Derived rows computed from another table's cells: (source table, the key they share). A row
#: goes when any of its source cells was withheld.
_WITHHELD_WITH = {"formal_challenge_tests": ("formal_challenge", "mechanism")}


def _control(table_id: str, frame: pd.DataFrame, config: Config, controlled: dict[str, Protected]) -> Protected:
    if config.synthetic:
        return Protected.unchanged(frame, "synthetic study: shown without disclosure control")
    spec = PROTECTION[table_id]
    protected = protect(frame, spec, config.disclosure_threshold, config.round_to, name=table_id)
    if table_id in _WITHHELD_WITH:
        source, key = _WITHHELD_WITH[table_id]
        hidden = controlled[source].symbols.ne("").any(axis=1)
        withheld = set(controlled[source].values.loc[hidden.to_numpy(), key])
        protected.withhold(protected.values[key].isin(withheld).to_numpy(), (*spec.keys, *spec.labels),
                           f"rests on a count withheld in {source}")
    return protected


def protected_analyses(config: Config, data: StudyData | None = None) -> dict[str, Protected]:
    """Every analysis table of the study in ``config.processed_dir``, under disclosure control
    unless the study is synthetic."""
    data = data or StudyData(config.processed_dir)
    out: dict[str, Protected] = {}
    for table_id, compute in ANALYSES.items():
        out[table_id] = _control(table_id, compute(data, config), config, out)
    for table_id, derive in DERIVED.items():
        out[table_id] = _control(table_id, derive({k: v.values for k, v in out.items()}, data, config), config, out)
    return out


def run_analyses(config: Config, data: StudyData | None = None) -> dict[str, pd.DataFrame]:
    """Every analysis table's publishable values (suppressed cells missing for real data)."""
    return {table_id: protected.values for table_id, protected in protected_analyses(config, data).items()}
