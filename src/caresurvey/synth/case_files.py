"""The synthetic case-file sample: 122 children in four LAs, as SSDA903 CSVs and an abstraction workbook.

The legal status at sampling reproduces the published split exactly; how the 122 children
spread over the four LAs, and which 61 cases were followed up by interview, is a controlled
rounding of proportional shares (so every LA has about the overall mix, and about half its
cases interviewed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from caresurvey.errors import CaresurveyError
from caresurvey.manifest import SYNTHETIC_LAS
from caresurvey.published.catalogue import load_table
from caresurvey.synth.case_histories import (
    STUDY_END,
    Child,
    StudyDates,
    age_group_on,
    age_on,
    build_child,
    status_on,
)
from caresurvey.synth.files import write_csv, write_xlsx
from caresurvey.synth.randomness import pick, random_generator
from caresurvey.synth.integer_program import controlled_rounding

__all__ = [
    "LOCAL_AUTHORITIES",
    "CaseSample",
    "build_case_sample",
    "write_ssda903",
    "write_abstraction",
    "HEADER_COLUMNS",
    "EPISODE_COLUMNS",
    "REVIEW_COLUMNS",
]

#: The four synthetic LAs, their share of the sample (assumption: one larger county, a city,
#: two smaller unitaries) and when each drew its sample and analysed its files.
LOCAL_AUTHORITIES = dict(zip(SYNTHETIC_LAS, (
    (0.30, StudyDates(dt.date(2012, 10, 1), dt.date(2013, 7, 1))),
    (0.27, StudyDates(dt.date(2012, 11, 1), dt.date(2013, 8, 1))),
    (0.23, StudyDates(dt.date(2012, 12, 3), dt.date(2013, 9, 2))),
    (0.20, StudyDates(dt.date(2013, 1, 7), dt.date(2013, 10, 7))),
), strict=True))

#: Share of children with a late review somewhere in their history (assumption; the NCB study
#: found timely reviews "could now be taken for granted in most cases").
LATE_REVIEW_RATE = 0.08

#: The last day an interview could be held: interviews ran to early 2014.
LAST_INTERVIEW = dt.date(2014, 3, 14)

#: Young people interviewed were at least this old on the day (assumption).
YOUNG_PERSON_MIN_AGE = 10

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
REVIEW_COLUMNS = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")

# Published legal status at sampling: the table's group and the items giving the four counts.
_STATUS_ITEMS = {"s.20": "s. 20", "ICO": "ICO", "CO": "CO", "PO": "PO"}


@dataclass
class CaseSample:
    """The 122 children, and the interviews held on 61 of their cases.

    Attributes
    ----------
    children : list of Child
    interviews : dict of case to tuple of str
        For each interviewed case, the roles interviewed ("Social worker", "IRO", "Parent",
        "Young person").
    """

    children: list[Child]
    interviews: dict[str, tuple[str, ...]]


def published_status_counts() -> dict[str, int]:
    """The four legal-status counts at sampling, as printed (s.20 37, ICO 36, CO 33, PO 16)."""
    table = load_table("legal_status_at_sampling")
    counts = {c.item: c.count for c in table.cells if c.count is not None}
    return {status: counts[item] for status, item in _STATUS_ITEMS.items()}


def _interviewee_counts() -> dict[str, int]:
    table = load_table("sample_composition")
    counts = {(c.group, c.item): c.count for c in table.cells}
    return {
        "cases": counts[("In-depth interviews", "Cases")],
        "Social worker": counts[("Interviewees", "Social workers")],
        "IRO": counts[("Interviewees", "IROs")],
        "Parent": counts[("Interviewees", "Parents")],
        "Young person": counts[("Interviewees", "Young people")],
    }


def _date_fmt(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def build_case_sample(seed: int) -> CaseSample:
    """Generate the children of every LA and choose the interviewed cases."""
    rng = random_generator(seed, "case files")
    statuses = published_status_counts()
    total = sum(statuses.values())
    shares = np.array([share for share, _ in LOCAL_AUTHORITIES.values()])
    overall = np.array(list(statuses.values()), dtype=float)
    expected = np.outer(shares / shares.sum() * total, overall / total)
    allocation = controlled_rounding(expected, column_totals=overall.astype(int), name="cases by LA and legal status")

    children: list[Child] = []
    by_cell: dict[tuple[int, int], list[Child]] = {}
    for i, (la, (_, dates)) in enumerate(LOCAL_AUTHORITIES.items()):
        ids = rng.choice(np.arange(100000, 999999), size=int(allocation[i].sum()), replace=False)
        # Case numbers in a random order of legal status, as a sample list would have them.
        cells = rng.permutation(np.repeat(np.arange(len(statuses)), allocation[i]))
        for number, j in enumerate(cells):
            child = build_child(
                rng,
                case=f"{la}-{number + 1:03d}",
                la=la,
                child_id=str(ids[number]),
                status=list(statuses)[j],
                dates=dates,
                late_review_rate=LATE_REVIEW_RATE,
            )
            children.append(child)
            by_cell.setdefault((i, int(j)), []).append(child)
    return CaseSample(children=children, interviews=_choose_interviews(rng, allocation, by_cell))


def _choose_interviews(
    rng: np.random.Generator, allocation: np.ndarray, by_cell: dict[tuple[int, int], list[Child]]
) -> dict[str, tuple[str, ...]]:
    """Half the cases of each LA and legal status, with the published numbers of interviewees."""
    wanted = _interviewee_counts()
    expected = allocation * (wanted["cases"] / allocation.sum())
    per_cell = controlled_rounding(expected, name="interviewed cases by LA and legal status")
    for _ in range(200):
        chosen: list[Child] = []
        for (i, j), members in sorted(by_cell.items()):
            picks = rng.choice(len(members), size=int(per_cell[i, j]), replace=False)
            chosen.extend(members[k] for k in sorted(picks))
        for child in chosen:
            start = child.dates.file_analysis + dt.timedelta(days=30)
            child.interview_date = start + dt.timedelta(days=int(rng.integers(0, (LAST_INTERVIEW - start).days + 1)))
        eligible = [c for c in chosen if age_on(c.dob, c.interview_date) >= YOUNG_PERSON_MIN_AGE]
        if len(eligible) >= wanted["Young person"]:
            break
        for child in chosen:
            child.interview_date = None
    else:
        raise CaresurveyError("could not find enough interviewed cases with a young person old enough to interview")

    cases = [c.case for c in chosen]
    roles: dict[str, list[str]] = {case: [] for case in cases}
    # Every case had a social worker or an IRO interview: the cases without one are disjoint.
    missing_sw = wanted["cases"] - wanted["Social worker"]
    missing_iro = wanted["cases"] - wanted["IRO"]
    order = rng.permutation(len(cases))
    no_sw = {cases[k] for k in order[:missing_sw]}
    no_iro = {cases[k] for k in order[missing_sw:missing_sw + missing_iro]}
    for case in cases:
        if case not in no_sw:
            roles[case].append("Social worker")
        if case not in no_iro:
            roles[case].append("IRO")
    for k in sorted(rng.choice(len(cases), size=wanted["Parent"], replace=False)):
        roles[cases[k]].append("Parent")
    for k in sorted(rng.choice(len(eligible), size=wanted["Young person"], replace=False)):
        roles[eligible[k].case].append("Young person")
    return {case: tuple(r) for case, r in roles.items()}


# --------------------------------------------------------------------------- SSDA903 tables


def episode_rows(child: Child) -> list[tuple[str, ...]]:
    """The child's SSDA903 episodes: a new one at every change of legal status or placement."""
    changes = sorted({s.start for s in child.legal} | {p.start for p in child.placements})
    rows = []
    for index, start in enumerate(changes):
        legal = [s for s in child.legal if s.start <= start][-1]
        placement = [p for p in child.placements if p.start <= start][-1]
        if index == 0:
            reason_new = "S"
        else:
            legal_changed = any(s.start == start for s in child.legal)
            placement_changed = any(p.start == start for p in child.placements)
            reason_new = "T" if legal_changed and placement_changed else ("L" if legal_changed else "P")
        if index + 1 < len(changes):
            end, reason_ceased = changes[index + 1], "X1"
            moved = any(p.start == end for p in child.placements)
            reason_change = child.placement_change_reasons.get(end, "CARPL") if moved else ""
        elif child.exit_date is not None:
            end, reason_ceased, reason_change = child.exit_date, child.exit_reason, ""
        else:
            end, reason_ceased, reason_change = None, "", ""
        rows.append((
            child.child_id, _date_fmt(start), reason_new, legal.code, child.need, placement.place,
            placement.provider, _date_fmt(end), reason_ceased, reason_change, child.home_postcode,
            placement.postcode, placement.urn,
        ))
    return rows


def write_ssda903(sample: CaseSample, folders: dict[str, Path]) -> list[Path]:
    """Write ``header.csv``, ``episodes.csv`` and ``reviews.csv`` of every LA into its folder (LA -> folder)."""
    written = []
    for la, target in folders.items():
        children = sorted((c for c in sample.children if c.la == la), key=lambda c: c.child_id)
        header = [
            (c.child_id, c.sex, _date_fmt(c.dob), c.ethnicity, c.upn, "", "")
            for c in children
        ]
        episodes = [row for c in children for row in episode_rows(c)]
        reviews = [(c.child_id, _date_fmt(c.dob), _date_fmt(day), code) for c in children for day, code in c.reviews]
        for name, columns, rows in (
            ("header.csv", HEADER_COLUMNS, header),
            ("episodes.csv", EPISODE_COLUMNS, episodes),
            ("reviews.csv", REVIEW_COLUMNS, reviews),
        ):
            write_csv(target / name, columns, rows)
            written.append(target / name)
    return written


# --------------------------------------------------------------------------- abstraction workbook

ABSTRACTION_COLUMNS = (
    "Case ref", "LA", "Child ID", "Date sampled", "Legal status at sampling", "Date of file analysis",
    "Legal status at file analysis", "Date of interview", "Legal status at interview",
    "Age group at sampling", "Permanence plan", "Number of IROs", "Notes",
)

_NOTES = (
    "IRO raised concern about drift in the permanence plan; escalated to team manager.",
    "Contact with mother supervised fortnightly; father not engaged.",
    "Sibling placed separately; IRO asked for sibling assessment before next review.",
    "Child attended review and spoke for self; wishes recorded in review record.",
    "Change of social worker twice in the year; review delayed once.",
    "Care plan for long-term fostering agreed at permanence panel.",
    "Parenting assessment ongoing; final hearing listed.",
    "Placement at risk; additional support package agreed at review.",
    "Education plan updated; designated teacher attended review.",
    "Dispute resolution started by IRO over delay in life-story work.",
)


def _permanence_plan(rng: np.random.Generator, status: str, age: int) -> str:
    if status in ("PO", "Adopted"):
        return "Adoption"
    if status == "SGO":
        return "Special guardianship or kinship care"
    if status == "Returned home":
        return "Return to birth family"
    if age >= 16:
        return "Independence"
    return pick(rng, {"Long-term foster care": 60, "Return to birth family": 15,
                      "Special guardianship or kinship care": 15, "Residential care": 10})


def abstraction_rows(sample: CaseSample, seed: int) -> list[tuple]:
    """One row per child, in case order."""
    rng = random_generator(seed, "case-file abstraction")
    rows = []
    for child in sorted(sample.children, key=lambda c: c.case):
        at_file = status_on(child, child.dates.file_analysis)
        at_interview = status_on(child, child.interview_date) if child.interview_date else None
        years = max(1, (min(child.last_day, STUDY_END) - child.entry).days // 365)
        iros = 1 + int(rng.binomial(min(years, 3), 0.3))
        rows.append((
            child.case,
            child.la,
            child.child_id,
            child.dates.sampling,
            child.status_at_sampling,
            child.dates.file_analysis,
            at_file,
            child.interview_date,
            at_interview,
            age_group_on(child, child.dates.sampling),
            _permanence_plan(rng, at_file, age_on(child.dob, child.dates.file_analysis)),
            iros,
            str(rng.choice(_NOTES)),
        ))
    return rows


def write_abstraction(sample: CaseSample, seed: int, path: Path) -> Path:
    """Write the study's case-file abstraction workbook (one sheet, a row per child)."""
    write_xlsx(path, {"Cases": (ABSTRACTION_COLUMNS, abstraction_rows(sample, seed))},
               title="Case-file abstraction (synthetic)")
    return path

