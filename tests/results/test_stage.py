"""The results stage: declarations computed in dependency order, derived tables from controlled
tables, a new table through one declaration, and a study opened without writing anything."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from caresurvey.analysis.stats import exact_test, stream_seed
from caresurvey.codes import LA_EMPLOYED, SELF_EMPLOYED
from caresurvey.config import Config, load_config
from caresurvey.disclosure import Roles
from caresurvey.report.build import write_report
from caresurvey.results import REGISTRY, OutputTable, Text, build_release, compute, dependency_order
from caresurvey.results.charts import count_bars
from caresurvey.results.inputs import ProcessedStudy, read_processed
from caresurvey.results.registry import LEGAL_STATUS
from caresurvey.results.stage import check_registry
from caresurvey.schemas import SCHEMAS


def _declaration(table_id: str, inputs: dict[str, str], compute_=lambda **tables: pd.DataFrame()) -> OutputTable:
    return OutputTable(table_id, compute_, inputs, Roles(), Text(table_id))


# --------------------------------------------------------------------------- the registry


def test_every_table_is_computed_after_the_tables_it_takes():
    order = [d.id for d in dependency_order(REGISTRY)]
    assert sorted(order) == sorted(d.id for d in REGISTRY)
    position = {table_id: k for k, table_id in enumerate(order)}
    ids = set(position)
    for declaration in REGISTRY:
        for name in declaration.inputs.values():
            if name in ids:
                assert position[name] < position[declaration.id], (declaration.id, name)
    # the published cells are read from the tables that reproduce them, after their control
    readers = [d.id for d in REGISTRY if any(d.published.values())]
    assert readers and all(position[r] < position["published_comparison"] for r in readers)


def test_tables_that_take_each_other_are_refused():
    cycle = [_declaration("a", {"x": "b"}), _declaration("b", {"x": "a"})]
    with pytest.raises(ValueError, match="cycle"):
        dependency_order(cycle)


@pytest.mark.parametrize("declarations, message", [
    ([_declaration("a", {"data": "case_files"}), _declaration("a", {"data": "case_files"})], "declared twice"),
    ([_declaration("a", {"data": "no_such_table"})], "neither an output table nor an input"),
    ([OutputTable("a", lambda responses: None, {"data": "responses"}, Roles(), Text("a"))], "do not match"),
    ([OutputTable("a", lambda responses: None, {"responses": "responses"}, Roles(), Text("a"), settings=("seed",))],
     "do not match"),
    ([OutputTable("a", lambda responses, children: None, {"responses": "responses"}, Roles(), Text("a"))],
     "do not match"),
])
def test_a_registry_a_run_could_not_compute_is_refused(declarations, message):
    with pytest.raises(ValueError, match=message):
        check_registry(declarations)


def test_the_shipped_registry_is_computable():
    check_registry(REGISTRY)  # raises if not


# --------------------------------------------------------------------------- a hand-made own study


def _iros(answers: list[tuple[str, str]]) -> pd.DataFrame:
    """IRO questionnaire responses to the local-dispute-resolution item: (employment, Yes/No) each."""
    rows = [{"respondent_id": f"{k:020x}", "group": "IRO", "employment": employment,
             "item": "used_local_dispute_resolution", "source_item": "Q3_1", "question": None, "response": answer,
             "response_code": 1 if answer == "Yes" else 2, "missing_reason": None, "source": "iros.csv"}
            for k, (employment, answer) in enumerate(answers)]
    frame = pd.DataFrame(rows).astype({"response_code": "Int64"})
    return SCHEMAS["responses"].validate(frame)


@pytest.fixture(scope="module")
def own_study() -> ProcessedStudy:
    """20 LA-employed IROs (10 used local dispute resolution) and 12 self-employed (9 used it)."""
    la, own = LA_EMPLOYED, SELF_EMPLOYED
    answers = [(la, "Yes")] * 10 + [(la, "No")] * 10 + [(own, "Yes")] * 9 + [(own, "No")] * 3
    return ProcessedStudy.of({"responses": _iros(answers)})


def _config(tmp_path: Path, synthetic: bool, threshold: int = 10) -> Config:
    return Config(path=tmp_path / "caresurvey.toml", name="hand-made", synthetic=synthetic, seed=7, raw_dir=tmp_path,
                  processed_dir=tmp_path / "processed", reports_dir=tmp_path / "reports",
                  disclosure_threshold=threshold)


def _dispute_test(release) -> pd.Series:
    return release.tables["formal_challenge_tests"].values.set_index("mechanism").loc["Local dispute resolution"]


def test_a_test_is_computed_from_its_table_as_released(own_study, tmp_path):
    # R 4.2.2: fisher.test(matrix(c(10, 9, 10, 3), nrow = 2))$p.value = 0.2672531246
    shown = _dispute_test(build_release(_config(tmp_path, synthetic=True), study=own_study))
    assert shown["p_value"] == pytest.approx(0.2672531246, abs=1e-10)
    assert shown["difference"] == pytest.approx(10 / 20 - 9 / 12)  # LA-employed minus self-employed
    # real data at a threshold of 3: every count (10, 10, 9 and the 3 who did not) may be shown, and the
    # statistics are released as secure environments release them: p to two significant figures, the
    # difference (-0.25) to two decimals
    released = build_release(_config(tmp_path, synthetic=False, threshold=3), study=own_study)
    assert _dispute_test(released)["p_value"] == 0.27
    assert _dispute_test(released)["difference"] == -0.25


def test_a_test_resting_on_a_withheld_count_is_not_computed(own_study, tmp_path):
    # at the usual threshold of 10 the 9 self-employed IROs who used it are withheld, and the test with them
    release = build_release(_config(tmp_path, synthetic=False, threshold=10), study=own_study)
    challenge = release.tables["formal_challenge"].display().set_index(["mechanism", "group"])
    assert challenge.loc[("Local dispute resolution", "Self-employed IROs"), "n"] == "c"
    shown = _dispute_test(release)
    assert shown["test"].startswith("not computed") and shown[["difference", "p_value", "p_holm"]].isna().all()
    csv = release.tables["formal_challenge_tests"].display()
    assert not csv.astype(str).apply(lambda column: column.str.contains("0.267")).any(axis=None)


def test_counts_are_withheld_below_the_study_threshold_not_a_fixed_one(own_study, tmp_path):
    # 32 IROs answered: a count below a threshold of 40, not below one of 10
    for threshold, withheld in ((40, True), (10, False)):
        release = build_release(_config(tmp_path, synthetic=False, threshold=threshold), study=own_study)
        challenge = release.tables["formal_challenge"].display().set_index(["mechanism", "group"])
        cell = challenge.loc[("Local dispute resolution", "Overall"), "denominator"]
        assert (cell == "c") == withheld, threshold
        assert (cell == 32) == (not withheld), threshold


# --------------------------------------------------------------------------- the synthetic study


def test_every_column_of_every_table_has_a_role(ingested_study):
    release = build_release(load_config(ingested_study))
    for table_id, table in release.tables.items():
        roles = table.declaration.roles
        assert set(table.values.columns) <= set(roles.columns), (table_id, set(table.values.columns) - set(roles.columns))
        assert not set(roles.fixed) & set(roles.count_columns), table_id  # a count is never a key or label


def test_analyses_leave_the_processed_tables_as_they_were(ingested_study):
    study = read_processed(load_config(ingested_study).processed_dir)
    before = {name: study.table(name).copy() for name in study.names}
    compute(study, [d.id for d in REGISTRY if d.study], load_config(ingested_study))
    for name, frame in before.items():
        pd.testing.assert_frame_equal(study.table(name), frame, obj=name)


def test_each_monte_carlo_test_has_its_own_recorded_stream(ingested_study):
    config = load_config(ingested_study)
    release = build_release(config)
    seeds = []
    for table_id in ("iro_cg_contact_tests", "study_la_heterogeneity"):
        tests = release.tables[table_id].values
        seeds += tests["seed"].tolist()
        assert tests["seed"].ne(config.seed).all()
    assert len(set(seeds)) == len(seeds) == 6  # 3 contact items, 3 LA measures
    # the recorded seed repeats a test: the contact table's CG contacts IRO item (IRO row, then CG)
    contact = release.tables["iro_cg_contact"].values
    part = contact[contact["item"] == "CG contacts IRO"]
    table = np.array([part[part["group"] == g]["n"].to_numpy() for g in ("IRO", "CG")], dtype=int)
    row = release.tables["iro_cg_contact_tests"].values.set_index("item").loc["CG contacts IRO"]
    assert exact_test(table, int(row["seed"])).p_value == row["p_value"]
    # and streams differ from table to table and seed to seed
    assert len({stream_seed(config.seed, t) for t in ("a", "b")} | {stream_seed(config.seed + 1, "a")}) == 3


def test_a_table_added_through_one_declaration_reaches_tables_workbook_figures_and_report(ingested_study, tmp_path):
    def children_per_la(case_files: pd.DataFrame) -> pd.DataFrame:
        """``la, children``: sampled children in each LA."""
        return case_files.groupby("la").size().rename("children").reset_index()

    toy = OutputTable(
        "children_per_la", children_per_la, {"case_files": "case_files"}, Roles(keys=("la",), counts=("children",)),
        Text("Children sampled in each LA", "How many children did each LA's sample hold?", "Children counted.",
             "None.", "the case-file abstraction"),
        LEGAL_STATUS, figure=count_bars("Children sampled in each LA", "la", "children", "Children"))
    config = dataclasses.replace(load_config(ingested_study), reports_dir=tmp_path)
    write_report(config, release=build_release(config, (*REGISTRY, toy)))

    table = pd.read_csv(tmp_path / "tables" / "children_per_la.csv")
    assert table["la"].tolist() == ["LA1", "LA2", "LA3", "LA4"] and table["children"].sum() == 122  # seed 001: 122
    book = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    assert book.sheetnames[-1] == "children_per_la"
    assert next(book["children_per_la"].iter_rows(max_row=1, values_only=True))[0] == "Children sampled in each LA"
    assert (tmp_path / "figures" / "children_per_la.png").is_file() and (tmp_path / "figures" / "children_per_la.svg").is_file()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="legal-status">'):]
    section = section[:section.index("</section>")]
    article = section[section.index('id="analysis-children_per_la"'):]
    assert "How many children did each LA&#39;s sample hold?" in article and 'alt="Children sampled in each LA: LA1' in article


# --------------------------------------------------------------------------- opening a study


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_opening_a_study_whose_ingestion_was_killed_while_moving_files_reads_the_new_set_and_writes_nothing(
        ingested_study, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(load_config(ingested_study).processed_dir, processed)
    # a committed ingestion, killed after moving reconciliation.json but before case_files.parquet
    stage = processed / ".staging-killed"
    (stage / "files").mkdir(parents=True)
    fewer = pd.read_parquet(processed / "case_files.parquet").iloc[:100]
    fewer.to_parquet(stage / "files" / "case_files.parquet", index=False)
    (stage / "journal.json").write_text(json.dumps({"write": ["case_files.parquet", "reconciliation.json"],
                                                    "remove": ["codings.parquet"]}))
    # and a run that never committed: its files are not the study's
    (processed / ".staging-uncommitted" / "files").mkdir(parents=True)
    pd.DataFrame({"x": [1]}).to_parquet(processed / ".staging-uncommitted" / "files" / "responses.parquet")
    before = _tree(processed)

    study = read_processed(processed)
    assert len(study.table("case_files")) == 100  # the committed, not yet moved, table
    assert study.table("codings").empty  # removed by the committed run
    assert len(study.table("responses")) > 1  # the uncommitted run's file is ignored
    assert _tree(processed) == before  # nothing moved, written or deleted
