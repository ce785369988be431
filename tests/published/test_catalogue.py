"""The published tables as data, compared with the text of the seed documents."""

from __future__ import annotations

import re

import pytest

from caresurvey.errors import CaresurveyError
from caresurvey.published.catalogue import load_table, load_tables, parse_table, table_ids
from caresurvey.published.consistency import check_consistency

# Every table the issue names, by the id it has in the package.
REQUIRED = {
    "legal_status_at_sampling", "legal_status_at_file_analysis", "iro_cg_contact", "formal_challenge",
    "independence_attitudes", "children_views_professionals", "sample_composition", "ncb_iro_employment",
}
WORDS = {"four": 4, "Two": 2, "half": None}


def test_every_required_table_is_shipped():
    assert REQUIRED <= set(table_ids())


@pytest.mark.parametrize("table_id", sorted(REQUIRED))
def test_quotes_are_verbatim_in_the_seed_and_hold_each_value(table_id, seeds_dir):
    table = load_table(table_id)
    text = (seeds_dir / table.source).read_text(encoding="utf-8")
    assert table.title in text
    if table.header:
        assert table.header in text
    for cell in table.cells:
        assert cell.quote in text, cell
        if cell.percent is not None:
            assert cell.percent in cell.quote
        if cell.count is not None:
            assert (cell.printed or str(cell.count)) in cell.quote
        if cell.printed is not None:
            assert WORDS[cell.printed] == cell.count
        if cell.qualifier is not None:
            assert cell.qualifier in cell.quote


def _tab_table(text: str, header: str) -> list[list[str]]:
    """Rows of a tab-separated table in the seed text, from its header to the first line without tabs."""
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 1:]:
        if "\t" not in line:
            break
        rows.append(line.split("\t"))
    return rows


def test_iro_cg_contact_matches_the_seed_table(seeds_dir):
    # Parsed here from seed 001 independently of the TOML file: continuation rows leave the item blank.
    text = (seeds_dir / "001_ffa3a94287366133.txt").read_text(encoding="utf-8")
    table = load_table("iro_cg_contact")
    expected, item = {}, None
    for row in _tab_table(text, table.header):
        item = row[0] or item
        expected[(item, row[1], "Always or mostly")] = row[2]
        expected[(item, row[1], "Rarely or never")] = row[3]
    assert {(c.item, c.group, c.category): c.percent for c in table.cells} == expected
    assert len(expected) == 12  # three items, two respondent groups, two categories


def test_formal_challenge_matches_the_seed_table(seeds_dir):
    text = (seeds_dir / "001_ffa3a94287366133.txt").read_text(encoding="utf-8")
    table = load_table("formal_challenge")
    columns = table.header.split("\t")[1:]
    expected = {(row[0], col): value for row in _tab_table(text, table.header) for col, value in zip(columns, row[1:])}
    assert {(c.item, c.group): c.percent for c in table.cells} == expected
    assert len(expected) == 12  # four mechanisms, three columns


def test_independence_attitudes_matches_the_seed_table(seeds_dir):
    text = (seeds_dir / "001_ffa3a94287366133.txt").read_text(encoding="utf-8")
    table = load_table("independence_attitudes")
    expected = {row[0]: row[1] for row in _tab_table(text, table.header)}
    assert {c.group: c.percent for c in table.cells} == expected
    assert len(expected) == 4


def test_legal_status_adds_up():
    # Seed 001: "CO (+ PO): 33 + 16 = 49", and the three statuses make the 122 cases.
    table = load_table("legal_status_at_sampling")
    counts = {c.item: c.count for c in table.cells}
    assert counts["CO"] + counts["PO"] == counts["CO (+ PO)"] == 49
    assert counts["s. 20"] + counts["ICO"] + counts["CO (+ PO)"] == 122
    assert table.components == {"CO (+ PO)": ("CO", "PO")}


def test_sample_composition_matches_the_seed(seeds_dir):
    # Seed 001, "The research project: 2012-14".
    table = load_table("sample_composition")
    counts = {(c.group, c.item): c.count for c in table.cells}
    assert counts[("Case file analysis", "Cases")] == 122
    assert counts[("In-depth interviews", "Cases")] * 2 == 122  # "half the cases (61)"
    assert counts[("Questionnaire respondents", "IROs")] == 65
    assert counts[("Questionnaire respondents", "Team managers")] == 46
    assert counts[("Questionnaire respondents", "Children's guardians")] == 39
    text = (seeds_dir / table.source).read_text(encoding="utf-8")
    numbers = [int(x) for x in re.findall(r"\((\d+)\)", text[text.index(table.title):text.index("Care planning and change")])]
    assert sorted(numbers) == sorted(c.count for c in table.cells if f"({c.count})" in c.quote)


def test_chart_without_values_is_recorded_as_such():
    table = load_table("legal_status_at_file_analysis")
    assert table.values_printed is False and table.cells == () and not table.checkable


def test_every_checkable_table_is_consistent():
    # The published tables are what the synthetic study reproduces, so each must be consistent.
    for table in load_tables():
        if table.checkable:
            assert check_consistency(table.consistency_problem(), limit=1).consistent, table.id


def test_children_survey_bounds_and_exclusive_guardian_answers():
    table = load_table("children_views_professionals")
    problem = table.consistency_problem()
    assert set(problem.max_n.values()) == {1530}  # "a survey of 1,530 children in care" (seed 002)
    guardians = [c for c in problem.cells if c.group.endswith("Guardian in court")]
    assert sorted(c.percent.text for c in guardians) == ["38%", "44%"]


@pytest.mark.parametrize(
    "patch, message",
    [
        ('kind = "poster"', "kind"),
        ('colour = "red"', "unknown key"),
    ],
)
def test_malformed_table_files_are_refused(patch, message):
    good = (
        'id = "t"\ntitle = "T"\nsource = "s"\ndocument = "d"\nlocation = "l"\nkind = "table"\nmeasure = "percent"\n'
    )
    text = good.replace('kind = "table"', patch) if patch.startswith("kind") else good + patch + "\n"
    text += '[[cells]]\ngroup = "g"\nitem = "i"\npercent = "5%"\nquote = "5%"\n'
    with pytest.raises(CaresurveyError, match=message):
        parse_table(text, "t.toml")


def test_cells_need_a_value_and_a_valid_percent():
    head = 'id = "t"\ntitle = "T"\nsource = "s"\ndocument = "d"\nlocation = "l"\nkind = "table"\nmeasure = "percent"\n'
    with pytest.raises(CaresurveyError, match="percent or a count"):
        parse_table(head + '[[cells]]\ngroup = "g"\nitem = "i"\nquote = "q"\n', "t.toml")
    with pytest.raises(CaresurveyError, match="not a printed percentage"):
        parse_table(head + '[[cells]]\ngroup = "g"\nitem = "i"\npercent = "about 5"\nquote = "q"\n', "t.toml")
