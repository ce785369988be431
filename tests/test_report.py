"""The report: self-contained HTML, figures with alt text, provenance, deterministic files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from caresurvey.config import load_config
from caresurvey.files import sha256_file
from caresurvey.report.build import write_report
from caresurvey.synth.study import write_study

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    shutil.copy(PROJECT / "caresurvey.toml", folder / "caresurvey.toml")
    config = load_config(folder / "caresurvey.toml")
    write_study(config.raw_dir / "synthetic", config.seed)
    write_report(config, ["caresurvey", "report"])
    return config


def test_report_is_self_contained(built):
    html = (built.reports_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html), "external resource"
    assert "<script" not in html and "<link" not in html
    images = re.findall(r"<img [^>]*>", html)
    assert images and all('alt="' in tag and 'src="data:image/png;base64,' in tag for tag in images)


def test_report_states_consistency_table_by_table(built):
    html = (built.reports_dir / "report.html").read_text(encoding="utf-8")
    for table_id in ("formal_challenge", "iro_cg_contact", "independence_attitudes", "legal_status_at_sampling",
                     "children_views_professionals", "ncb_iro_employment"):
        assert f'id="consistency-{table_id}"' in html
    assert "Synthetic study." in html
    assert "6 of 6 tables with percentages are consistent" in html


def test_provenance_records_config_inputs_packages_and_commit(built):
    record = json.loads((built.reports_dir / "provenance.json").read_text())
    assert record["config"]["sha256"] == sha256_file(built.path)
    by_path = {entry["path"]: entry for entry in record["inputs"]}
    # 4 LAs x 3 SSDA903 tables, the abstraction, 4 questionnaires and 2 interview files
    assert len(by_path) == 4 * 3 + 1 + 4 + 2
    entry = by_path["data/raw/synthetic/questionnaires/team_manager_questionnaire.sav"]
    assert entry["sha256"] == sha256_file(built.raw_dir / "synthetic/questionnaires/team_manager_questionnaire.sav")
    assert {"python", "caresurvey", "pandas", "numpy", "scipy", "statsmodels", "matplotlib"} <= set(record["packages"])
    assert "commit" in record["git"]
    assert record["command"] == ["caresurvey", "report"]


def test_outputs_are_byte_identical_on_a_second_run(built):
    folder = built.reports_dir
    watched = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in {"provenance.json", "report.html"})
    before = {p: p.read_bytes() for p in watched}
    write_report(built, ["caresurvey", "report"])
    assert {p: p.read_bytes() for p in watched} == before


def test_tables_have_one_row_per_consistency_group(built):
    import pandas as pd

    summary = pd.read_csv(built.reports_dir / "tables" / "published_consistency.csv")
    formal = summary[summary["table"] == "formal_challenge"].set_index("group")
    assert formal.loc["Overall", "feasible_n"] == "58"  # seed 001; see tests/published/test_consistency.py
    assert set(summary["table_consistent"]) == {True}


def test_report_compares_the_study_las_when_the_study_is_ingested(ingested_study, tmp_path):
    import dataclasses

    config = dataclasses.replace(load_config(ingested_study), reports_dir=tmp_path)
    write_report(config, ["caresurvey", "report"])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="la-comparison"' in html
    assert "legal status at sampling" in html and "reviews held on time" in html
    section = html[html.index('id="la-comparison"'):html.index('id="printed-only"')]
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="Reviews held on time', section)
    for number in (1, 2):  # one funnel per measure, written beside the others
        assert (tmp_path / "figures" / f"study_la_funnels_{number}.png").is_file()
    section = html[html.index('id="against-published"'):html.index('id="printed-only"')]
    compared = pd.read_csv(tmp_path / "tables" / "study_vs_published.csv")
    # the study's counts print as the published percentages, so no cell can differ from them
    assert (compared["status"] == "compared").all() and compared["p_max"].to_numpy() == pytest.approx(1.0)
    assert f"{len(compared)} do not differ whatever they were" in " ".join(section.split())


def test_report_compares_every_la_with_england_when_the_study_has_dfe_statistics(shared_data, tmp_path):
    from caresurvey.ingest.pipeline import ingest_study

    config_path = tmp_path / "caresurvey.toml"
    config_path.write_text(
        '[study]\nname = "DfE statistics only"\nsynthetic = true\nseed = 1\n'
        f'[paths]\nraw = "{(shared_data / "dfe" / "la_underlying").as_posix()}"\nprocessed = "processed"\n'
        'reports = "reports"\n'
        '[[inputs]]\npath = "*/*.csv"\nformat = "dfe-la"\n', encoding="utf-8")
    config = load_config(config_path)
    ingest_study(config)
    write_report(config, ["caresurvey", "report"])
    html = (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    section = " ".join(html[html.index('id="national"'):html.index('id="printed-only"')].split())
    funnel = pd.read_csv(tmp_path / "reports" / "tables" / "national_funnel.csv")
    # the latest year of the underlying files is 2015 (SFR 34/2015): England 19,850 of 69,540 on s.20
    assert set(funnel["year"]) == {2015} and funnel["target"].iloc[0] == pytest.approx(19850 / 69540)
    assert "Share on s.20 at 31 March 2015, every LA against England" in section
    # England's series, as SFR 34/2015 prints it: 19,230 children on s.20 at 31 March 2014
    england = re.findall(r"<tr><td[^>]*>2014</td><td>National</td>.*?</tr>", section)
    assert [row for row in england if "<td>s20_share_at_31_march</td>" in row and ">19,230<" in row]
    suppressed = funnel[funnel["flag998"] == "no value"]
    assert f"{len(suppressed)} LA(s) with a suppressed value" in section
    for row in suppressed.itertuples():  # listed in the report, as in the table
        assert re.search(rf"<td>{row.la_code}</td><td>{re.escape(row.la_name)}</td>.*?<td>no value</td>", section)


def test_cells_print_as_counts_three_figures_or_symbols():
    import numpy as np

    from caresurvey.report.build import format_cell

    assert [format_cell(v) for v in (1234, 1234.0, 76.4705882, 4.97737557, 4.7e-05, np.nan, None, "c", True)] == \
        ["1,234", "1,234", "76.5", "4.98", "4.7e-05", "", "", "c", "yes"]
    assert format_cell(20140601, grouping=False) == "20140601"


def test_every_analysis_has_its_section_with_question_method_and_caveats(ingested_study, tmp_path):
    import dataclasses

    from caresurvey.results import REGISTRY

    config = dataclasses.replace(load_config(ingested_study), reports_dir=tmp_path)
    write_report(config, ["caresurvey", "report"])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for declaration in REGISTRY:
        if declaration.topic is None:
            assert f'id="analysis-{declaration.id}"' not in html, declaration.id
            continue
        section = html[html.index(f'<section id="{declaration.topic.slug}">'):]
        article = section[section.index(f'id="analysis-{declaration.id}"'):]
        article = article[:article.index("</article>")]
        for part in ("<strong>Question.</strong>", "<strong>Method.</strong>", "<strong>Caveats.</strong>"):
            assert part in article, (declaration.id, part)
        beside = "Published figures beside the study" in article or "without its values" in article
        assert beside == bool(declaration.published), declaration.id
    assert 'id="data-quality"' in html and "not-a-respondent" in html  # the Qualtrics previews
    assert 'id="ingestion"' in html and "rows read = rows kept + rows quarantined for every file" in html
    assert (tmp_path / "tables.xlsx").is_file() and (tmp_path / "tables" / "data_quality_by_rule.csv").is_file()


def test_real_data_provenance_gives_no_sizes_and_only_keyed_hashes(ingested_study, tmp_path, monkeypatch):
    import dataclasses
    import hashlib
    import hmac

    from caresurvey.provenance import collect_provenance

    config = dataclasses.replace(load_config(ingested_study), synthetic=False, reports_dir=tmp_path)
    monkeypatch.setenv("CARESURVEY_KEY", "the study's secret, long enough to be one")
    record = collect_provenance(config, ["caresurvey", "report"])
    entry = next(e for e in record["inputs"] if e["path"].endswith("team_manager_questionnaire.sav"))
    # a size gives a return's rows; a plain hash lets anyone holding a candidate file confirm it was used
    assert "bytes" not in entry and "sha256" not in entry
    plain = sha256_file(config.raw_dir / "synthetic/questionnaires/team_manager_questionnaire.sav")
    # by hand: HMAC-SHA256 of the file's SHA-256 under a key derived from the study's
    file_key = hmac.new(b"the study's secret, long enough to be one", b"caresurvey provenance: input files",
                        hashlib.sha256).digest()
    assert entry["hmac_sha256"] == hmac.new(file_key, bytes.fromhex(plain), hashlib.sha256).hexdigest() != plain
    monkeypatch.delenv("CARESURVEY_KEY")
    assert all(set(e) == {"path", "format", "la", "group"} for e in collect_provenance(config)["inputs"])
