"""The synthetic questionnaires, in the formats each group's data arrives in.

* IROs (65): a Qualtrics CSV export, current three-header-row layout, choice text, with the
  usual metadata columns (IP address, location, recipient) and two "Survey Preview" test rows
  that an analysis must leave out;
* team managers (46): an SPSS ``.sav`` with variable labels, value labels and user-missing codes
  (-9 not answered, -8 don't know);
* children's guardians (39): an ``.xlsx`` workbook, a responses sheet and a codebook sheet;
* the Children's Rights Director's survey of children (1,530): a CSV with a codebook CSV.

Every published count is hit exactly (see :mod:`caresurvey.synth.calibration`); how the
grouped categories split into scale points ("Always or mostly" into always and mostly), who
skipped which question and the unpublished items are drawn from the seed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from caresurvey.codes import AGREEMENT_SCALE, EMPLOYMENT, FREQUENCY_SCALE, IMPORTANCE_SCALE, YES_NO
from caresurvey.synth import calibration as cal
from caresurvey.synth.files import write_csv, write_sav, write_xlsx
from caresurvey.synth.randomness import pick, random_generator

__all__ = [
    "CONTACT_ITEMS",
    "CHALLENGE_ITEMS",
    "INDEPENDENCE_STATEMENT",
    "CHILDREN_ITEMS",
    "write_iro_qualtrics",
    "write_team_manager_sav",
    "write_guardian_workbook",
    "write_children_survey",
]

#: The published contact items, and how each questionnaire asked them.
CONTACT_ITEMS = {
    "CG contacts IRO": ("The children's guardian contacts the IRO", "cg_contacts_iro"),
    "IRO contacts CG": ("The IRO contacts the children's guardian", "iro_contacts_cg"),
    "IRO and CG discuss care plan at end": (
        "The IRO and the children's guardian discuss the care plan at the end of proceedings",
        "discuss_care_plan",
    ),
}
CONTACT_QUESTION = "When a case is in care proceedings, how often does the following happen?"

#: The published formal-challenge items, and the questionnaire's wording.
CHALLENGE_ITEMS = {
    "Local dispute resolution": "The local dispute resolution process",
    "Independent legal advice": "Independent legal advice",
    "CAFCASS advice line": "The Cafcass advice line for IROs",
    "Formal referral to CAFCASS": "A formal referral to Cafcass",
}
CHALLENGE_QUESTION = "Have you ever used any of the following to challenge a local authority's plan for a child?"

INDEPENDENCE_STATEMENT = "The IRO service should be separated from local authorities and run independently."
INDEPENDENCE_ITEM = "In favour or strongly in favour of separating IROs from LAs"

CHILDREN_ITEMS = {
    "Social worker": ("q_social_worker", "How important is it to you to have a social worker?"),
    "IRO": ("q_iro", "How important is it to you to have an independent reviewing officer (IRO)?"),
    "Advocate": ("q_advocate", "How important is it to you to have an advocate?"),
    "Guardian in court": ("q_guardian", "How important is it to you to have a guardian in court?"),
}

# How the published groupings split into scale points (assumed shares, for plausible data).
_SHARE_ALWAYS_OF_TOP = 0.4
_SHARE_NEVER_OF_BOTTOM = 0.4
_SHARE_STRONGLY_OF_AGREE = 0.4
_REST_OF_AGREEMENT = {"Neither agree nor disagree": 0.35, "Disagree": 0.4, "Strongly disagree": 0.25}


@dataclass
class _Answers:
    """Answers to one question by respondent index; ``None`` for a respondent who skipped it."""

    values: list[str | None]


def _choose(rng: np.random.Generator, members: Sequence[int], n: int) -> list[int]:
    """``n`` of ``members``, at random, in ascending order."""
    if n > len(members):
        raise ValueError(f"cannot choose {n} of {len(members)} respondents")
    return sorted(int(m) for m in rng.choice(np.array(members, dtype=int), size=n, replace=False))


def _deal(rng: np.random.Generator, answerers: Sequence[int], counts: Mapping[str, int], size: int) -> _Answers:
    """Give each answerer one value so that each value occurs exactly ``counts[value]`` times."""
    if sum(counts.values()) != len(answerers):
        raise ValueError(f"counts {dict(counts)} do not add up to {len(answerers)} answers")
    values: list[str | None] = [None] * size
    pool = [value for value, count in counts.items() for _ in range(count)]
    order = rng.permutation(len(pool))
    for respondent, index in zip(answerers, order):
        values[respondent] = pool[index]
    return _Answers(values)


def _frequency_counts(rng: np.random.Generator, n: int, mostly: int, rarely: int) -> dict[str, int]:
    """Split "always or mostly" and "rarely or never" into the five frequency points."""
    always = int(rng.binomial(mostly, _SHARE_ALWAYS_OF_TOP))
    never = int(rng.binomial(rarely, _SHARE_NEVER_OF_BOTTOM))
    return dict(zip(FREQUENCY_SCALE, (always, mostly - always, n - mostly - rarely, rarely - never, never)))


def _agreement_counts(rng: np.random.Generator, n: int, agree: int) -> dict[str, int]:
    """Split "agree or strongly agree" and the rest into the five agreement points."""
    strongly = int(rng.binomial(agree, _SHARE_STRONGLY_OF_AGREE))
    rest = rng.multinomial(n - agree, list(_REST_OF_AGREEMENT.values()))
    return dict(zip(AGREEMENT_SCALE, (strongly, agree - strongly, *map(int, rest))))


def _contact_answers(rng, calibration: cal.Calibration, group: str, respondents: Sequence[int], size: int) -> dict[str, _Answers]:
    answers = {}
    for item in CONTACT_ITEMS:
        unit = calibration.unit("iro_cg_contact", f"{group} | {item}")
        counts = _frequency_counts(rng, unit.n, unit.counts["Always or mostly"], unit.counts["Rarely or never"])
        answers[item] = _deal(rng, _choose(rng, respondents, unit.n), counts, size)
    return answers


def _independence_answers(rng, calibration: cal.Calibration, group: str, respondents: Sequence[int], size: int) -> _Answers:
    unit = calibration.unit("independence_attitudes", group)
    counts = _agreement_counts(rng, unit.n, unit.counts[INDEPENDENCE_ITEM])
    return _deal(rng, _choose(rng, respondents, unit.n), counts, size)


def _time(start: dt.datetime, rng: np.random.Generator, days: int) -> dt.datetime:
    return start + dt.timedelta(seconds=int(rng.integers(0, days * 86400)))


_FIRST_NAMES = ("Alex", "Sam", "Jo", "Chris", "Pat", "Nicky", "Robin", "Jamie", "Lee", "Kim")
_SURNAMES = ("Example", "Sample", "Placeholder", "Testcase", "Fictional", "Madeup")
_COMMENTS = (
    "Workloads make it hard to see children between reviews.",
    "Most challenge happens informally before anything reaches dispute resolution.",
    "I often end up shaping the plan with the social worker rather than reviewing it.",
    "Being inside the authority gives access to managers that an outside body would not have.",
    "Contact with guardians depends on the individual guardian.",
    "Management support for escalation has improved since the 2011 guidance.",
)


# --------------------------------------------------------------------------- IROs: Qualtrics


def _iro_records(rng: np.random.Generator, calibration: cal.Calibration) -> tuple[list[str], dict]:
    """Employment and answers of the 65 IROs, by respondent index."""
    pools = calibration.pools
    size = pools[cal.IRO]
    employment = (
        [EMPLOYMENT[0]] * pools[cal.IRO_LA] + [EMPLOYMENT[1]] * pools[cal.IRO_SELF] + [EMPLOYMENT[2]] * pools[cal.IRO_OTHER]
    )
    if len(employment) != size:
        raise ValueError(f"employment split {len(employment)} != {size} IROs")
    employment = [employment[i] for i in rng.permutation(size)]
    by_employment = {e: [i for i in range(size) if employment[i] == e] for e in EMPLOYMENT}
    everyone = list(range(size))

    answers: dict = {"contact": _contact_answers(rng, calibration, "IRO", everyone, size)}
    # Formal challenge: the published columns are LA-employed and self-employed IROs.
    challenge: dict[str, list[str | None]] = {item: [None] * size for item in CHALLENGE_ITEMS}
    for label, employed in (("LA-employed IROS", EMPLOYMENT[0]), ("Self-employed IROs", EMPLOYMENT[1])):
        unit = calibration.unit("formal_challenge", label)
        answered = _choose(rng, by_employment[employed], unit.n)
        for item in CHALLENGE_ITEMS:
            dealt = _deal(rng, answered, {YES_NO[0]: unit.counts[item], YES_NO[1]: unit.n - unit.counts[item]}, size)
            for i in answered:
                challenge[item][i] = dealt.values[i]
    answers["challenge"] = challenge
    independence: list[str | None] = [None] * size
    for label, employed in (("LA-employed IROs", EMPLOYMENT[0]), ("Self-employed IROs", EMPLOYMENT[1])):
        dealt = _independence_answers(rng, calibration, label, by_employment[employed], size)
        for i in by_employment[employed]:
            independence[i] = dealt.values[i]
    for i in by_employment[EMPLOYMENT[2]]:  # not in a published column: any answer will do
        independence[i] = AGREEMENT_SCALE[int(rng.integers(0, 5))]
    answers["independence"] = independence
    return employment, answers


def write_iro_qualtrics(calibration: cal.Calibration, seed: int, path: Path) -> Path:
    """The IRO questionnaire as a Qualtrics CSV export (three header rows, choice text)."""
    rng = random_generator(seed, "IRO questionnaire")
    employment, answers = _iro_records(rng, calibration)
    size = len(employment)

    columns: list[tuple[str, str, str]] = [
        ("StartDate", "Start Date", "startDate"),
        ("EndDate", "End Date", "endDate"),
        ("Status", "Response Type", "status"),
        ("IPAddress", "IP Address", "ipAddress"),
        ("Progress", "Progress", "progress"),
        ("Duration (in seconds)", "Duration (in seconds)", "duration"),
        ("Finished", "Finished", "finished"),
        ("RecordedDate", "Recorded Date", "recordedDate"),
        ("ResponseId", "Response ID", "_recordId"),
        ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
        ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
        ("RecipientEmail", "Recipient Email", "recipientEmail"),
        ("ExternalReference", "External Data Reference", "externalDataReference"),
        ("LocationLatitude", "Location Latitude", "locationLatitude"),
        ("LocationLongitude", "Location Longitude", "locationLongitude"),
        ("DistributionChannel", "Distribution Channel", "distributionChannel"),
        ("UserLanguage", "User Language", "userLanguage"),
        ("Q1", "How are you employed as an IRO? - Selected Choice", "QID1"),
        ("Q1_3_TEXT", "How are you employed as an IRO? - Other (please specify) - Text", "QID1_3_TEXT"),
    ]
    for k, (item, (wording, _)) in enumerate(CONTACT_ITEMS.items(), start=1):
        columns.append((f"Q2_{k}", f"{CONTACT_QUESTION} - {wording}", f"QID2_{k}"))
    for k, wording in enumerate(CHALLENGE_ITEMS.values(), start=1):
        columns.append((f"Q3_{k}", f"{CHALLENGE_QUESTION} - {wording}", f"QID3_{k}"))
    columns.append(("Q4", f"How far do you agree or disagree? {INDEPENDENCE_STATEMENT}", "QID4"))
    columns.append(("Q5", "Is there anything else you would like to tell us about your role?", "QID5_TEXT"))

    opened = dt.datetime(2013, 2, 4, 9, 0, 0)
    rows = []

    def metadata(status: str, start: dt.datetime, finished: bool) -> list[str]:
        duration = int(rng.integers(240, 2400))
        end = start + dt.timedelta(seconds=duration)
        emailed = rng.random() < 0.5
        first, last = (str(rng.choice(_FIRST_NAMES)), str(rng.choice(_SURNAMES))) if emailed else ("", "")
        return [
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            status,
            f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{int(rng.integers(1, 255))}",
            "100" if finished else str(int(rng.integers(20, 95))),
            str(duration),
            "True" if finished else "False",
            end.strftime("%Y-%m-%d %H:%M:%S"),
            "R_" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"), size=15)),
            last,
            first,
            f"{first.lower()}.{last.lower()}@example.org" if emailed else "",
            "",
            f"{rng.uniform(50.6, 54.9):.10f}",
            f"{rng.uniform(-3.6, 0.6):.10f}",
            "email" if emailed else "anonymous",
            "EN-GB",
        ]

    # Two test responses made while the survey was being built (Qualtrics marks them).
    for _ in range(2):
        row = metadata("Survey Preview", opened - dt.timedelta(days=int(rng.integers(3, 10))), True)
        row += [EMPLOYMENT[0], ""] + [FREQUENCY_SCALE[2]] * 3 + [YES_NO[1]] * 4 + [AGREEMENT_SCALE[2], "test"]
        rows.append(row)
    for i in range(size):
        answered_last = answers["independence"][i] is not None
        row = metadata("IP Address", _time(opened, rng, 60), answered_last)
        row += [employment[i], "Employed by an independent agency" if employment[i] == EMPLOYMENT[2] else ""]
        row += [answers["contact"][item].values[i] or "" for item in CONTACT_ITEMS]
        row += [answers["challenge"][item][i] or "" for item in CHALLENGE_ITEMS]
        row += [answers["independence"][i] or ""]
        row += [str(rng.choice(_COMMENTS)) if answered_last and rng.random() < 0.3 else ""]
        rows.append(row)
    # Qualtrics lists responses by recorded date.
    rows.sort(key=lambda r: r[7])
    header = [c[0] for c in columns]
    texts = [c[1] for c in columns]
    import_ids = [json.dumps({"ImportId": c[2]}, separators=(",", ":")) for c in columns]
    write_csv(path, header, [texts, import_ids, *rows], encoding="utf-8-sig")
    return path


# --------------------------------------------------------------------------- team managers: SPSS

NOT_ANSWERED = -9
DONT_KNOW = -8


def _unpublished(rng, respondents: Sequence[int], size: int, scale: Sequence[str], shares: Sequence[float]) -> _Answers:
    """Answers to a question no table publishes: about 95% answer, values drawn from ``shares``."""
    n = int(rng.binomial(len(respondents), float(cal.ITEM_RESPONSE_RATE)))
    counts = dict(zip(scale, map(int, rng.multinomial(n, shares))))
    return _deal(rng, _choose(rng, respondents, n), counts, size)


def write_team_manager_sav(calibration: cal.Calibration, seed: int, path: Path) -> Path:
    """The team-manager questionnaire as SPSS, with labels and user-missing codes."""
    rng = random_generator(seed, "team manager questionnaire")
    size = calibration.pools[cal.TEAM_MANAGERS]
    everyone = list(range(size))
    independence = _independence_answers(rng, calibration, "LAC team managers", everyone, size)
    # Unpublished items, for realism: how often IROs challenge, whether challenge helps.
    challenge_often = _unpublished(rng, everyone, size, FREQUENCY_SCALE, (0.05, 0.2, 0.45, 0.25, 0.05))
    helpful = _unpublished(rng, everyone, size, AGREEMENT_SCALE, (0.2, 0.45, 0.2, 0.12, 0.03))

    def coded(answers: _Answers, scale: Sequence[str]) -> list[float]:
        out = []
        for value in answers.values:
            if value is None:
                out.append(float(DONT_KNOW if rng.random() < 0.3 else NOT_ANSWERED))
            else:
                out.append(float(scale.index(value) + 1))
        return out

    frame = pd.DataFrame({
        "resp_id": [float(i + 1) for i in range(size)],
        "years_tm": [float(int(rng.integers(1, 20))) for _ in range(size)],
        "q1_iro_challenge": coded(challenge_often, FREQUENCY_SCALE),
        "q2_challenge_helpful": coded(helpful, AGREEMENT_SCALE),
        "q3_independent": coded(independence, AGREEMENT_SCALE),
        "comments": [str(rng.choice(_COMMENTS)) if rng.random() < 0.25 else "" for _ in range(size)],
    })
    missing_labels = {float(NOT_ANSWERED): "Not answered", float(DONT_KNOW): "Don't know"}
    frequency_labels = {float(k + 1): v for k, v in enumerate(FREQUENCY_SCALE)} | missing_labels
    agreement_labels = {float(k + 1): v for k, v in enumerate(AGREEMENT_SCALE)} | missing_labels
    write_sav(
        path,
        frame,
        file_label="LAC team manager questionnaire (synthetic)",
        column_labels={
            "resp_id": "Respondent number",
            "years_tm": "Years as a team manager",
            "q1_iro_challenge": "How often do IROs challenge plans made in your team?",
            "q2_challenge_helpful": "IRO challenge helps to improve plans for children",
            "q3_independent": INDEPENDENCE_STATEMENT,
            "comments": "Any other comments",
        },
        value_labels={"q1_iro_challenge": frequency_labels, "q2_challenge_helpful": agreement_labels,
                      "q3_independent": agreement_labels},
        missing_values={c: [float(NOT_ANSWERED), float(DONT_KNOW)]
                        for c in ("q1_iro_challenge", "q2_challenge_helpful", "q3_independent")},
        measure={"resp_id": "nominal", "years_tm": "scale", "q1_iro_challenge": "ordinal",
                 "q2_challenge_helpful": "ordinal", "q3_independent": "ordinal", "comments": "nominal"},
    )
    return path


# --------------------------------------------------------------------------- guardians: xlsx

CODEBOOK_COLUMNS = ("variable", "question", "value", "label", "missing")
GUARDIAN_DONT_KNOW = 8


def _codebook_rows(variable: str, question: str, scale: Sequence[str], missing: Mapping[int, str]) -> list[tuple]:
    rows = [(variable, question, k + 1, label, "") for k, label in enumerate(scale)]
    rows += [(variable, question, code, label, "yes") for code, label in missing.items()]
    return rows


def write_guardian_workbook(calibration: cal.Calibration, seed: int, path: Path) -> Path:
    """The children's guardians' questionnaire: a responses sheet and a codebook sheet."""
    rng = random_generator(seed, "children's guardian questionnaire")
    size = calibration.pools[cal.GUARDIANS]
    everyone = list(range(size))
    contact = _contact_answers(rng, calibration, "CG", everyone, size)
    independence = _independence_answers(rng, calibration, "Children's guardians", everyone, size)
    independent_codes: list[int | None] = []
    for value in independence.values:
        if value is None:
            # Some who did not give a view said they did not know; the others left it blank.
            independent_codes.append(GUARDIAN_DONT_KNOW if rng.random() < 0.5 else None)
        else:
            independent_codes.append(AGREEMENT_SCALE.index(value) + 1)
    header = ("respondent", *(variable for _, variable in CONTACT_ITEMS.values()), "independent_iro_service", "comments")
    rows = []
    for i in range(size):
        rows.append((
            i + 1,
            *[(FREQUENCY_SCALE.index(v) + 1) if (v := contact[item].values[i]) is not None else None for item in CONTACT_ITEMS],
            independent_codes[i],
            str(rng.choice(_COMMENTS)) if rng.random() < 0.2 else None,
        ))
    codebook = [("respondent", "Respondent number", None, None, "")]
    for wording, variable in CONTACT_ITEMS.values():
        codebook += _codebook_rows(variable, f"{CONTACT_QUESTION} {wording}", FREQUENCY_SCALE, {})
    codebook += _codebook_rows("independent_iro_service", INDEPENDENCE_STATEMENT, AGREEMENT_SCALE,
                               {GUARDIAN_DONT_KNOW: "Don't know"})
    codebook.append(("comments", "Any other comments (free text)", None, None, ""))
    write_xlsx(path, {"Responses": (header, rows), "Codebook": (CODEBOOK_COLUMNS, codebook)},
               title="Children's guardian questionnaire (synthetic)")
    return path


# --------------------------------------------------------------------------- children's survey


def write_children_survey(calibration: cal.Calibration, seed: int, responses: Path, codebook: Path) -> list[Path]:
    """The children's survey of views on professionals: the responses CSV and its codebook CSV."""
    rng = random_generator(seed, "children's views survey")
    size = calibration.pools[cal.CHILDREN]
    everyone = list(range(size))
    columns = {}
    for item, (variable, _) in CHILDREN_ITEMS.items():
        unit = calibration.unit("children_views_professionals", f"Children in care surveyed | {item}")
        important = unit.counts["Important or very important"] if "Important or very important" in unit.counts else unit.counts["Important"]
        dont_know = unit.counts.get("Did not know enough about guardians to have an opinion")
        rest = unit.n - important - (dont_know or 0)
        if dont_know is None:  # not published for this question: a few, drawn
            dont_know = int(rng.binomial(rest, 0.08))
            rest -= dont_know
        very = int(rng.binomial(important, 0.55))
        not_very = int(rng.binomial(rest, 0.6))
        counts = dict(zip(IMPORTANCE_SCALE, (very, important - very, not_very, rest - not_very, dont_know)))
        dealt = _deal(rng, _choose(rng, everyone, unit.n), counts, size)
        columns[variable] = ["" if v is None else str(IMPORTANCE_SCALE.index(v) + 1) for v in dealt.values]
    ages = [pick(rng, {"8-10": 20, "11-13": 35, "14-17": 45}) for _ in range(size)]
    rows = [(f"C{i + 1:04d}", ages[i], *(columns[v][i] for v, _ in CHILDREN_ITEMS.values())) for i in range(size)]
    write_csv(responses, ("id", "age_band", *(v for v, _ in CHILDREN_ITEMS.values())), rows)
    codebook_rows = [("id", "Response number", "", "", ""), ("age_band", "Age band", "", "", "")]
    for variable, question in CHILDREN_ITEMS.values():
        codebook_rows += _codebook_rows(variable, question, IMPORTANCE_SCALE, {})
    write_csv(codebook, CODEBOOK_COLUMNS, codebook_rows)
    return [responses, codebook]
