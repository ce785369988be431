"""The catalogue of quarantine rules: every reason a row read can be quarantined, in one place.

As the DfE's 903 validator keeps one file per rule, each rule here has a code (what
``quarantine.csv`` and the data-quality tables name), a description a reader of the report
understands, and the columns it is checked on. Every reader quarantines under these codes only:
a row broken the same way is quarantined under the same rule whatever its format
(:meth:`caresurvey.ingest.ledger.RowProblems.add` refuses a code not listed here), and
``caresurvey rules`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "rule", "rule_of_check"]


@dataclass(frozen=True)
class Rule:
    """One reason to quarantine a row: its code, what it means, and where it is checked."""

    code: str
    description: str
    columns: str
    formats: tuple[str, ...]


_ALL = ("ssda903-csv", "ssda903-xml", "case-abstraction", "coded-segments", "refi-qda", "qualtrics-csv", "spss-sav",
        "survey-table", "dfe-la")
_SURVEYS = ("qualtrics-csv", "spss-sav", "survey-table")

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("required", "A value the table cannot do without is empty.",
         "child and case ids, episode and review dates, codes, document names", _ALL),
    Rule("date", "A date that cannot be read in its file's date convention, or that is not a calendar date.",
         "dates of birth, episode, review and interview dates", ("ssda903-csv", "ssda903-xml", "case-abstraction")),
    Rule("code", "A code or category that is not in its list (the SSDA903 code lists, the study's categories).",
         "legal status, placement, reason codes, sex, ethnicity, participation; the study's categories",
         ("ssda903-csv", "ssda903-xml", "case-abstraction", "refi-qda")),
    Rule("code-year", "An SSDA903 code that is valid in other collection years but not in the return's.",
         "SEX, PLACE, REC and the other coded SSDA903 fields", ("ssda903-csv", "ssda903-xml")),
    Rule("form", "A value not in the form its column holds (a pseudonym, a month of birth as yyyy-mm).",
         "pseudonyms, birth months", _ALL),
    Rule("range", "A number outside the range its column allows (a negative count, a year outside 1990-2100).",
         "counts, offsets, years", ("case-abstraction", "coded-segments", "refi-qda", "dfe-la")),
    Rule("whole-number", "A count or position that is not a whole number.",
         "number of IROs, segment start and end", ("case-abstraction", "coded-segments")),
    Rule("end-before-start", "An episode that ends before it starts.", "DECOM, DEC", ("ssda903-csv", "ssda903-xml")),
    Rule("duplicate-child", "A child listed more than once in one header (every copy where the copies differ; "
         "the repeats where they are written alike).", "CHILD", ("ssda903-csv", "ssda903-xml")),
    Rule("offsets", "A coded segment whose start and end do not lie within its document.",
         "startPosition, endPosition", ("refi-qda",)),
    Rule("not-a-respondent", "A Qualtrics response that is no respondent's: a survey preview, a test response, "
         "or one flagged as spam.", "Status", ("qualtrics-csv", "spss-sav")),
    Rule("unlabelled-answer", "An answer code that its codebook or value labels do not name: its meaning is not "
         "certain.", "questionnaire variables", ("spss-sav", "survey-table")),
    Rule("employment", "An answer to the employment item that the study does not say the meaning of.",
         "the variable mapped to the employment item", _SURVEYS),
    Rule("answer-or-reason", "An answer that has both a label and a reason for no answer, or neither.",
         "response, missing_reason", _SURVEYS),
    Rule("geographic-level", "A statistics row whose geographic level is not one the DfE publishes.",
         "geographic_level", ("dfe-la",)),
    Rule("time-period", "A statistics row whose time period is not a year (YYYY or YYYYYY).",
         "time_period", ("dfe-la",)),
    Rule("number-or-symbol", "A statistics cell that is neither a number nor a DfE symbol (c, k, x, z, ..): the "
         "cell is left out, its row kept.", "every statistics column", ("dfe-la",)),
    Rule("value-or-status", "A statistics cell with both a number and a symbol, or neither.", "value, status",
         ("dfe-la",)),
    Rule("extra-values", "A row with more values than its header has columns: which value belongs where cannot "
         "be known.", "the row", _ALL),
)}

#: pandera's checks (as its failure cases name them) and the rule each breaks.
_CHECK_RULES = {"not_nullable": "required", "isin": "code", "str_matches": "form",
                "greater_than_or_equal_to": "range", "in_range": "range"}


def rule(code: str) -> Rule:
    """The rule of a code.

    Raises
    ------
    KeyError
        For a code not in the catalogue: a reader quarantining under it is a bug.
    """
    try:
        return RULES[code]
    except KeyError:
        raise KeyError(f"{code!r} is not a quarantine rule of the catalogue (caresurvey.rules.RULES)") from None


def rule_of_check(check: str) -> str:
    """The rule a failed schema check breaks: a table-wide check is named by its rule, a column
    check (``isin(...)``, ``not_nullable``) by pandera's name for it."""
    name = check.split("(")[0]
    return rule(_CHECK_RULES.get(name, name)).code
