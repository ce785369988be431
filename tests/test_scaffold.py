"""`caresurvey init` scaffolds a study from its raw files, and `caresurvey check` reads a study's
files as ingestion would without writing anything.

The own study is the hand-written worked example (``examples/own_study``); real files are those
of ``../shared/data``, named in its README with what each holds.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.errors import CaresurveyError
from caresurvey.ingest.detect import CODEBOOK, detect_format
from caresurvey.ingest.survey import LISTED_FROM, observed_labels
from caresurvey.scaffold import scaffold_study, write_scaffold

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "own_study"


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "caresurvey", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def own_study(tmp_path) -> Path:
    """The worked example's raw files, with a return of Norfolk's in a folder named as written."""
    raw = tmp_path / "mystudy" / "raw"
    shutil.copytree(EXAMPLE / "raw", raw)
    shutil.copytree(raw / "southmoor", raw / "norfolk ")  # a trailing space, as folders get
    return raw


def test_init_writes_a_configuration_that_loads_and_lists_every_file(own_study):
    result = _run("init", str(own_study), cwd=own_study.parent)
    assert result.returncode == 0, result.stderr
    config_path = own_study.parent / "caresurvey.toml"
    # 9 return tables and 2 questionnaires; the codebooks go with their questionnaires
    assert "11 file(s) recognised (9 ssda903-csv, 2 survey-table); 0 not recognised" in result.stdout
    config = load_config(config_path)
    assert config.synthetic is False and config.raw_dir == own_study.resolve()
    by_path = {spec.path: spec for spec in config.inputs}
    # each folder of returns is one entry; its LA is the DfE's name where the folder names an English LA
    assert by_path["norfolk /*.csv"].la == "Norfolk"
    assert by_path["northbury/*.csv"].la == "northbury" and by_path["southmoor/*.csv"].la == "southmoor"
    assert {spec.format for spec in config.inputs} == {"ssda903-csv"}  # questionnaires wait for their groups
    text = config_path.read_text()
    assert 'la = "northbury"  # the folder\'s name, not an English LA\'s as the DfE writes it: check it' in text
    # each questionnaire is listed with its codebook, every labelled variable as a mapping to fill in, in code order
    assert '# codebook = "questionnaires/iro_survey_codebook.csv"' in text
    assert ('# "separate" = "item_id"  # The IRO service should be separated from local authorities.; answers: '
            "Strongly disagree | Disagree | Neither agree nor disagree | Agree | Strongly agree; no answer: Don't know; "
            "the built-in scale agreement") in text
    assert ('# "workload" = "item_id"  # How would you describe your caseload?; answers: Manageable | Stretched | '
            "Unmanageable") in text
    assert "#   comments: Any other comments; not coded in the codebook: an id or free text" in text
    # uncommenting an entry as its comments say (a group, one variable mapped to an item) gives a valid one
    start = text.index('# [[inputs]]\n# path = "questionnaires/social_worker_survey.csv"')
    end = text.find("\n\n", start)
    block = [line[2:] for line in text[start:end if end > 0 else None].splitlines() if not line.startswith("#  ")]
    entry = [line.replace('group = "..."', 'group = "Social worker"').replace('"item_id"', '"involved_in_plan"')
             for line in block if not line.startswith('"') or line.startswith('"involved"')]
    config_path.write_text(text.replace('# groups = ["IRO", "Social worker"]', 'groups = ["Social worker"]') + "\n"
                           + "\n".join(entry) + '\n\n[items]\ninvolved_in_plan = "frequency"\n')
    reloaded = load_config(config_path)
    (questionnaire,) = [spec for spec in reloaded.inputs if spec.format == "survey-table"]
    assert questionnaire.group == "Social worker" and dict(questionnaire.items) == {"involved": "involved_in_plan"}


def test_init_never_replaces_a_configuration_unless_told(own_study):
    out = own_study.parent / "caresurvey.toml"
    out.write_text("# mine\n")
    with pytest.raises(CaresurveyError, match="exists; give another --out, or --force"):
        write_scaffold(scaffold_study(own_study), out)
    assert out.read_text() == "# mine\n"
    write_scaffold(scaffold_study(own_study), out, force=True)
    assert tomllib.loads(out.read_text())["study"]["synthetic"] is False


def test_a_label_one_respondent_gave_is_never_copied_into_the_scaffold():
    # three Qualtrics answers, one written by a single respondent ("Other: my foster carer Jo Bloggs")
    values = ["Always", "Always", "Rarely", "Rarely", "Other: my foster carer Jo Bloggs", ""]
    variable = observed_labels("Q3", "How often?", values)
    assert variable.labels == ("Always", "Rarely") and LISTED_FROM == 2
    assert variable.note == "1 answer(s) given by fewer than 2 respondents not listed"
    free = observed_labels("Q9", "Anything else?", [f"comment {i}" for i in range(25)])
    assert free.labels == () and "not listed" in free.note


def test_a_multi_select_question_is_listed_by_its_labels_with_a_hint():
    # Qualtrics writes several choices as one comma-joined answer
    values = ["Legal advice,Advocate", "Advocate", "Legal advice", "Advocate,Legal advice", ""]
    variable = observed_labels("Q4", "Which advice did you seek?", values)
    assert set(variable.labels) == {"Legal advice", "Advocate"}
    assert "multi-select question? give its scale multiple = true" in variable.note


def test_check_reads_every_file_and_writes_nothing(tmp_path):
    study = tmp_path / "own_study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("processed", "reports"))
    before = _tree(study)
    result = _run("check", "--config", str(study / "caresurvey.toml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "raw/questionnaires/social_worker_survey.csv: 14 rows read, 14 kept, 0 quarantined" in result.stdout
    assert "raw/northbury/header.csv: 3 rows read, 3 kept, 0 quarantined; dates dd/mm/yyyy" in result.stdout
    assert "every file it names can be ingested" in result.stdout
    assert _tree(study) == before
    # a child whose sex SSDA903 does not have: 1 of Northbury's 3 header rows would be lost
    header = study / "raw" / "northbury" / "header.csv"
    header.write_text(header.read_text().replace("N02,2,", "N02,9,"))
    result = _run("check", "--config", str(study / "caresurvey.toml"), cwd=tmp_path)
    assert result.returncode == 1
    assert "raw/northbury/header.csv: 3 rows read, 2 kept, 1 quarantined (problems: 1 code)" in result.stdout
    assert "ingestion would stop" in result.stdout and "file raw/northbury/header.csv: 1 of 3 rows" in result.stdout
    # an answer its codebook does not label: ingestion cannot place it, so check stops as ingestion would
    codebook = study / "raw" / "questionnaires" / "social_worker_survey_codebook.csv"
    codebook.write_text(codebook.read_text().replace(",3,Unmanageable,", ",3,Overwhelming,"))
    result = _run("check", "--config", str(study / "caresurvey.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "Overwhelming" in result.stderr and "Traceback" not in result.stderr
    assert not (study / "processed").exists()


def test_detect_recognises_the_real_files_of_every_format(shared_data):
    # what each file is, from ../shared/data/README.md
    expected = {
        "ssda903/validator_fake/header.csv": ("ssda903-csv", "header"),
        "ssda903/validator_fake/episodes.csv": ("ssda903-csv", "episodes"),
        "ssda903/validator_fake/reviews.csv": ("ssda903-csv", "reviews"),
        "ssda903/validator_fake/uasc.csv": ("ssda903-csv", "uasc"),
        "ssda903/cs_demand_model/2019/2019-oc2.csv": ("ssda903-csv", "oc2"),
        "ssda903/validator_fake/fake_903.xml": ("ssda903-xml", ""),
        "dfe/la_underlying/2014/SFR36_CLA2014.csv": ("dfe-la", "sfr"),
        "dfe/ees/cla_number_and_rate_per_10k_children.csv": ("dfe-la", "ees"),
        "surveys/qualtrics/sample.csv": ("qualtrics-csv", "current"),
        "surveys/qualtrics/sample_legacy.csv": ("qualtrics-csv", "legacy"),
        "surveys/spss/pyreadstat/basic__sample.sav": ("spss-sav", ""),
        "README.md": (None, ""),
        "refi-qda/Project-mrt2019.xsd": (None, ""),
    }
    for relative, (format_name, detail) in expected.items():
        found = detect_format(shared_data / relative)
        assert (found.format, found.detail) == (format_name, detail), (relative, found)


def test_init_over_the_real_files_lists_what_it_cannot_read_with_why(shared_data, tmp_path):
    scaffold = scaffold_study(shared_data / "ssda903")
    out = write_scaffold(scaffold, tmp_path / "caresurvey.toml")
    config = load_config(out)
    # five collection years of one LA in year folders under cs_demand_model, and the validator's CSV and XML
    assert sorted(spec.path for spec in config.inputs) == [
        "cs_demand_model/2017/*.csv", "cs_demand_model/2018/*.csv", "cs_demand_model/2019/*.csv",
        "cs_demand_model/2020/*.csv", "cs_demand_model/2021/*.csv", "validator_fake/*.csv",
        "validator_fake/fake_903.xml"]
    assert {spec.la for spec in config.inputs} == {"cs_demand_model", "validator_fake"}
    assert {d.path.name for d in scaffold.unrecognised} == {"LICENSE"}
    assert "#   cs_demand_model/LICENSE: not a format caresurvey reads (no suffix)" in out.read_text()


def test_a_codebook_goes_with_the_table_named_after_it():
    found = detect_format(EXAMPLE / "raw" / "questionnaires" / "iro_survey_codebook.csv")
    assert found.format == CODEBOOK
    scaffold = scaffold_study(EXAMPLE / "raw")
    (iro,) = [e for e in scaffold.entries if e.path == "questionnaires/iro_survey.csv"]
    assert iro.format == "survey-table" and iro.codebook == "questionnaires/iro_survey_codebook.csv"
    assert [v.name for v in iro.variables] == ["respondent", "employer", "involved", "separate", "comments"]
