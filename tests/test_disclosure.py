"""Disclosure control: tables built to defeat naive suppression, checked by brute force."""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import pytest

from caresurvey.config import load_config
from caresurvey.disclosure import Roles, Total, protect
from caresurvey.report.build import write_report
from caresurvey.report.notebooks import NOT_RENDERED_FOR_REAL_DATA
from caresurvey.results import REGISTRY

THRESHOLD = 10


def withheld(protected) -> list[int]:
    return [row for row in protected.symbols.index if protected.symbols.at[row, "n"] == "c"]


def test_a_small_cell_with_row_and_column_totals_cannot_be_recovered():
    # 3 and 8 are below the threshold; withholding them alone, A's total (15) minus 12 gives 3 back
    frame = pd.DataFrame({"la": ["A", "A", "A", "B", "B", "B", "All", "All", "All"],
                          "category": ["x", "y", "Total"] * 3,
                          "n": [3, 12, 15, 11, 8, 19, 14, 20, 34]})
    spec = Roles(counts=("n",), keys=("la", "category"), totals=(Total("la", "All"), Total("category", "Total")))
    protected = protect(frame, spec, THRESHOLD, name="test")
    hidden = withheld(protected)
    assert {0, 4} <= set(hidden)
    # What a reader holding the published cells can still believe, by enumeration (independent of
    # the LP): every whole-number filling of the withheld cells with all six sums right.
    known = {(r.la, r.category): int(r.n) for r in frame.itertuples() if r.Index not in hidden}
    keys = [(frame.at[row, "la"], frame.at[row, "category"]) for row in hidden]
    possible = []
    for values in itertools.product(range(35), repeat=len(keys)):
        t = {**known, **dict(zip(keys, values))}
        if all(t[(la, "x")] + t[(la, "y")] == t[(la, "Total")] for la in ("A", "B", "All")) and \
                all(t[("A", c)] + t[("B", c)] == t[("All", c)] for c in ("x", "y", "Total")):
            possible.append(dict(zip(keys, values)))
    for row, key in zip(hidden, keys):
        values = {p[key] for p in possible}
        assert len(values) > 1, f"{key} is recoverable"
        if 0 < frame.at[row, "n"] < THRESHOLD:
            assert max(values) >= THRESHOLD, f"{key} is known to be small"


def test_an_overall_row_that_includes_a_small_other_group_is_not_a_difference_attack():
    # Overall 20 = LA-employed 12 + self-employed 7 + one IRO of other employment: showing all
    # three tells everyone what that one IRO answered
    frame = pd.DataFrame({"group": ["Overall", "LA-employed", "Self-employed"], "n": [20, 12, 7], "denominator": [30, 18, 11]})
    spec = Roles(counts=("n",), denominator="denominator", keys=("group",),
                      totals=(Total("group", "Overall", ("LA-employed", "Self-employed"), complete=False),))
    protected = protect(frame, spec, THRESHOLD, name="test")
    display = protected.display()
    # the other group's answer (20 - 12 - 7 = 1) and its size (30 - 18 - 11 = 1) are not both derivable
    n_known = (display["n"] != "c").all()
    d_known = (display["denominator"] != "c").all()
    assert not (n_known and d_known)
    assert display.loc[2, "n"] == "c"  # 7 < 10


def test_a_count_whose_rest_is_small_is_withheld_with_its_percentages():
    frame = pd.DataFrame({"group": ["A", "B"], "n": [25, 40], "denominator": [28, 80], "percent": [89.3, 50.0]})
    spec = Roles(counts=("n",), denominator="denominator", keys=("group",))
    display = protect(frame, spec, THRESHOLD, name="test").display()
    assert display.loc[0, "n"] == "c" and display.loc[0, "percent"] == "c"  # 28 - 25 = 3 did not
    assert display.loc[1, "n"] == 40 and display.loc[1, "percent"] == 50.0


def test_rounding_marks_counts_that_round_to_zero():
    frame = pd.DataFrame({"area": ["North", "South", "England"], "n": [2, 1236, 1238]})
    spec = Roles(counts=("n",), keys=("area",))
    protected = protect(frame, spec, threshold=1, round_to=5, name="test")
    display = protected.display()
    assert display["n"].tolist() == ["k", 1235, 1240]  # DfE symbol k: not zero, rounds to zero


def test_a_wrong_specification_is_an_error_not_a_leak():
    frame = pd.DataFrame({"la": ["A", "B", "All"], "n": [12, 15, 30]})
    with pytest.raises(ValueError, match="does not hold"):
        protect(frame, Roles(counts=("n",), keys=("la",), totals=(Total("la", "All"),)), THRESHOLD, name="test")


def _allowed(value) -> bool:
    """A published count: blank, a DfE symbol, zero, or at least the threshold."""
    if value in (None, "", "c", "k", "x", "z"):
        return True
    return not 0 < float(value) < THRESHOLD


def test_real_data_mode_leaves_no_count_under_the_threshold_in_any_output(ingested_study, tmp_path):
    import re

    import openpyxl

    config = dataclasses.replace(load_config(ingested_study), synthetic=False, reports_dir=tmp_path)
    write_report(config, ["caresurvey", "report"])
    book = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    checked = {"csv": 0, "xlsx": 0}
    for declaration in REGISTRY:
        table_id, spec = declaration.id, declaration.roles
        if spec.public:
            continue
        table = pd.read_csv(tmp_path / "tables" / f"{table_id}.csv", dtype=str, keep_default_na=False)
        rows = list(book[table_id].iter_rows(min_row=6, values_only=True))  # the header is row 6
        sheet = pd.DataFrame(rows[1:], columns=rows[0]) if rows else pd.DataFrame(columns=table.columns)
        assert list(sheet.columns) == list(table.columns) and len(sheet) == len(table), table_id
        for column in spec.count_columns:
            for value in table[column]:
                checked["csv"] += 1
                assert _allowed(value), (table_id, column, value)
            for value in sheet[column]:
                checked["xlsx"] += 1
                assert _allowed(value), ("tables.xlsx", table_id, column, value)
        for column in spec.sizes:
            for row in table.itertuples():
                value = getattr(row, column)
                if value not in ("c", "") and float(value) < THRESHOLD:
                    assert all(getattr(row, c) == "c" for c in table.columns if c not in (*spec.keys, *spec.labels))
    assert checked["csv"] > 500 and checked["xlsx"] == checked["csv"]

    # every count a figure prints carries an SVG id starting "count" (a percentage is followed by %)
    labels = []
    for svg in (tmp_path / "figures").glob("*.svg"):
        labels += re.findall(r'<g id="count-[^"]*">\s*<text[^>]*>([^<]*)</text>', svg.read_text(encoding="utf-8"))
    numbers = [int(n) for label in labels for n in re.findall(r"(?<![\d.])(\d+)(?![\d%.])", label)]
    assert len(labels) > 20 and any("c" in label for label in labels)  # withheld values are drawn as c
    assert all(_allowed(n) for n in numbers), [label for label in labels if not all(
        _allowed(int(n)) for n in re.findall(r"(?<![\d.])(\d+)(?![\d%.])", label))]

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="disclosure"' in html and "Synthetic study." not in html
    shares = re.findall(r"\((\w+)/(\w+)\)", " ".join(re.findall(r'alt="([^"]*)"', html)))
    assert shares and all(_allowed(k) and _allowed(n) for k, n in shares)
    for table in re.findall(r'<caption><code>tables/(\w+)\.csv</code>.*?</table>', html, re.S):
        assert table in {d.id for d in REGISTRY}
    assert NOT_RENDERED_FOR_REAL_DATA in html  # notebooks show tables before control: not run for real data


def test_a_small_change_in_a_falling_count_is_protected():
    # children at risk 30, then 25: the 5 who left in between are a count below the threshold
    from caresurvey.disclosure import Cumulative

    frame = pd.DataFrame({"months": [6, 12, 18], "at_risk": [30, 25, 12]})
    spec = Roles(counts=("at_risk",), keys=("months",), cumulative=(Cumulative("months", (), ("at_risk",)),))
    display = protect(frame, spec, THRESHOLD, name="test").display()
    assert "c" in display["at_risk"].tolist()[:2]  # 30 - 25 is no longer derivable


# --------------------------------------------------------------------------- the study's one policy


def test_the_policy_comes_from_the_configuration(tmp_path):
    from caresurvey.disclosure import DisclosurePolicy

    config = tmp_path / "caresurvey.toml"
    config.write_text('[study]\nname = "x"\nsynthetic = false\nseed = 1\n[disclosure]\nthreshold = 5\nround_to = 5\n'
                      'protection = 3\n')
    policy = DisclosurePolicy.from_config(load_config(config))
    assert policy == DisclosurePolicy(threshold=5, round_to=5, synthetic=False, protection=3)
    described = policy.describe()
    assert described.startswith("Real study data: counts from 1 to 4, and cells that would reveal one")
    assert "narrowed to fewer than 4 values or shown to be below 5. Counts are rounded to the nearest 5" in described


def test_the_policy_withholds_by_its_own_threshold_and_shows_a_synthetic_study_as_computed():
    from caresurvey.disclosure import SYNTHETIC_NOTE, DisclosurePolicy

    frame = pd.DataFrame({"group": ["A", "B"], "n": [3, 7], "denominator": [40, 40]})
    spec = Roles(counts=("n",), denominator="denominator", keys=("group",))
    # DfE practice (counts of 1 to 5 withheld) shows the 7; a secure environment's 10 does not
    assert DisclosurePolicy(threshold=6).control("t", frame, spec).display()["n"].tolist() == ["c", 7]
    assert DisclosurePolicy(threshold=10).control("t", frame, spec).display()["n"].tolist() == ["c", "c"]
    synthetic = DisclosurePolicy(threshold=10, synthetic=True).control("t", frame, spec)
    assert synthetic.display().equals(frame) and synthetic.note == SYNTHETIC_NOTE and not synthetic.suppressions
