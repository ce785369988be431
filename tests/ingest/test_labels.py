"""Answers mean what their labels say, never what their codes are: a codebook or SPSS file whose
codes run the other way gives the same tables; a label the item's scale lacks, or a variable the
file lacks, stops the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from caresurvey.analysis.questionnaires import independence_attitudes
from caresurvey.codes import AGREEMENT_SCALE
from caresurvey.config import load_config
from caresurvey.errors import InputError
from caresurvey.ingest.pipeline import ingest_study

#: Five guardians' answers to "the IRO service should be separated from local authorities".
ANSWERS = ["Strongly agree", "Agree", "Agree", "Disagree", "Strongly disagree"]


def _study(folder: Path, files: dict[str, str | bytes], entry: str, extra: str = "") -> Path:
    for name, content in files.items():
        path = folder / "raw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    config = folder / "caresurvey.toml"
    config.write_text('[study]\nname = "labels"\nsynthetic = true\nseed = 1\ngroups = ["Children\'s guardian"]\n'
                      '[paths]\nraw = "raw"\nprocessed = "processed"\nreports = "reports"\n'
                      '[items]\nseparate_iro_service = "agreement"\n' + extra + "[[inputs]]\n" + entry, encoding="utf-8")
    return config


def _responses(config: Path) -> pd.DataFrame:
    ingest_study(load_config(config))
    return pd.read_parquet(config.parent / "processed" / "responses.parquet")


def _survey(codes: dict[str, int]) -> dict[str, str]:
    """A survey CSV and its codebook, the agreement scale coded as ``codes`` says."""
    rows = "\n".join(f"{k},{codes[a]}" for k, a in enumerate(ANSWERS, start=1))
    codebook = "variable,question,value,label,missing\n" + "\n".join(
        f"independent,Should the IRO service be separated?,{codes[label]},{label}," for label in AGREEMENT_SCALE)
    return {"guardians.csv": f"respondent,independent\n{rows}\n", "codebook.csv": codebook + "\n"}


ENTRY = ('path = "guardians.csv"\nformat = "survey-table"\ngroup = "Children\'s guardian"\ncodebook = "codebook.csv"\n'
         'items = { independent = "separate_iro_service" }\n')


def test_a_codebook_whose_codes_run_the_other_way_gives_the_same_answers(tmp_path):
    forward = {label: k for k, label in enumerate(AGREEMENT_SCALE, start=1)}   # 1 = Strongly agree
    backward = {label: 6 - k for label, k in forward.items()}                    # 1 = Strongly disagree
    read = {way: _responses(_study(tmp_path / way, _survey(codes), ENTRY)) for way, codes in
            (("forward", forward), ("backward", backward))}
    for responses in read.values():
        assert responses["response"].tolist() == ANSWERS
        # the position on the study's scale, from the label: Strongly agree is 1 whatever the file's code
        assert responses["response_code"].tolist() == [1, 2, 2, 4, 5]
    tables = {way: independence_attitudes(responses) for way, responses in read.items()}
    pd.testing.assert_frame_equal(tables["forward"], tables["backward"])
    guardians = tables["forward"].set_index("group").loc["Children's guardians"]
    assert (guardians["n"], guardians["denominator"]) == (3, 5)  # by hand: Strongly agree, Agree, Agree of 5


def test_an_spss_file_whose_codes_run_the_other_way_gives_the_same_answers(tmp_path):
    import pyreadstat

    read = {}
    for way, code in (("forward", lambda k: k), ("backward", lambda k: 6 - k)):
        labels = {float(code(k)): label for k, label in enumerate(AGREEMENT_SCALE, start=1)}
        values = [float(code(AGREEMENT_SCALE.index(a) + 1)) for a in ANSWERS]
        path = tmp_path / f"{way}.sav"
        pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0, 3.0, 4.0, 5.0], "q_independent": values}), str(path),
                             variable_value_labels={"q_independent": labels})
        entry = (f'path = "{way}.sav"\nformat = "spss-sav"\ngroup = "Children\'s guardian"\n'
                 'items = { q_independent = "separate_iro_service" }\n')
        read[way] = _responses(_study(tmp_path / way, {f"{way}.sav": path.read_bytes()}, entry))
    for responses in read.values():
        assert responses["response"].tolist() == ANSWERS and responses["response_code"].tolist() == [1, 2, 2, 4, 5]


def test_labels_match_whatever_their_case_spacing_or_apostrophe(tmp_path):
    extra = '[scales]\nknow = { labels = ["Yes", "No"], missing = ["Don\'t know"] }\n[items.knows_iro]\nscale = "know"\n'
    entry = ('path = "guardians.csv"\nformat = "survey-table"\ngroup = "Children\'s guardian"\n'
             'codebook = "codebook.csv"\nitems = { knows = "knows_iro" }\n')
    files = {"guardians.csv": "respondent,knows\n1,YES\n2,  no \n3,Don\u2019t Know\n",
             "codebook.csv": "variable,question,value,label,missing\nknows,Do you know your IRO?,,,\n"}
    responses = _responses(_study(tmp_path, files, entry, extra))
    assert responses["response"].fillna("").tolist() == ["Yes", "No", ""]
    assert responses["missing_reason"].fillna("").tolist() == ["", "", "don't know"]


def test_a_label_the_scale_lacks_stops_the_run_naming_it_and_the_scale(tmp_path):
    files = _survey({label: k for k, label in enumerate(AGREEMENT_SCALE, start=1)})
    files["codebook.csv"] = files["codebook.csv"].replace(",Agree,", ",Tend to agree,")
    with pytest.raises(InputError, match=r"row 3, column 'independent', value 'Tend to agree': 'Tend to agree' is not an "
                                         r"answer of item 'separate_iro_service', whose scale is Strongly agree, Agree, ")\
            as caught:
        _responses(_study(tmp_path, files, ENTRY))
    assert caught.value.rule == "unknown-label"
    assert not (tmp_path / "processed" / "responses.parquet").exists()


def test_a_mapped_variable_the_file_lacks_stops_the_run(tmp_path):
    files = _survey({label: k for k, label in enumerate(AGREEMENT_SCALE, start=1)})
    entry = ENTRY.replace("items = { independent =", "items = { indepedent =")
    with pytest.raises(InputError, match=r"maps 'indepedent' to items, but the file has no such variable; its variables "
                                         r"are independent") as caught:
        _responses(_study(tmp_path, files, entry))
    assert caught.value.rule == "unknown-variable"
