"""Synthetic interview coding: transcripts, a codebook and two coders, as REFI-QDA and MAXQDA exports.

The 138 interviews of the published sample (54 social workers, 54 IROs, 15 parents, 15 young
people on 61 cases) and its six focus groups (one multi-professional group in each LA, two of
young people) are written as numbered speaker turns of synthetic text. The codebook is
built from the seed's lists of IRO roles for change, the care-planning context and the
independence debate. Coder A codes every interview, one turn at a time; coder B codes a
double-coded subset of about a fifth, agreeing with A most of the time, picking a sibling code
sometimes and missing or adding codes now and then, as second coders do.

Outputs: a REFI-QDA project (``.qdpx``: ``project.qde`` plus one UTF-8 text file per interview
under ``sources/``), valid against the REFI-QDA Project schema of March 2019, and the same
codings as a MAXQDA-style "coded segments" spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from caresurvey.published.catalogue import load_table
from caresurvey.synth.case_files import CaseSample
from caresurvey.synth.files import FIXED_TIMESTAMP, write_xlsx, write_zip
from caresurvey.synth.randomness import random_generator

__all__ = [
    "CODEBOOK",
    "ROLE_LABELS",
    "CODERS",
    "Interview",
    "build_interviews",
    "write_qdpx",
    "write_coded_segments",
    "REFI_NAMESPACE",
]

REFI_NAMESPACE = "urn:QDA-XML:project:1.0"

#: The codebook: top-level themes (not codable themselves) and their codes. Sources: the UEA
#: presentation's slides "IRO roles for change (1)" and "(2)", "Care planning and review in
#: context", "Independence, challenge and change" and "Challenge and the 'inside/outside' question".
CODEBOOK: dict[str, tuple[str, ...]] = {
    "IRO roles for change": (
        "Monitoring permanence and future planning",
        "Identifying problems and gaps in the arrangements",
        "Holding an objective overview",
        "Knowing the child and ensuring their views are heard",
        "Bridge between parents and the local authority",
        "Keeping things on track",
        "Offering advice or practice wisdom",
        "Providing continuity",
        "Providing extra fire power",
        "Direct intervention",
        "Wider organisational change",
    ),
    "Review process": (
        "Child participation",
        "Parent participation",
        "Review records",
        "Timeliness of reviews",
        "Drift and delay",
    ),
    "Challenge": (
        "Informal challenge",
        "Dispute resolution process",
        "Independent legal advice",
        "Referral to Cafcass",
    ),
    "Independence": (
        "Inside: access and influence",
        "Outside: independence of view",
        "Compromised by employment",
    ),
    "Care planning context": (
        "Social work supervision",
        "Panels",
        "Court and proceedings",
        "Placement availability",
        "Workload",
    ),
}

#: Interviewee roles: speaker label in transcripts and document group.
ROLE_LABELS = {"Social worker": "SW", "IRO": "IRO", "Parent": "Parent", "Young person": "YP"}

#: The focus groups of the published sample (one multi-professional group in each LA, two of
#: young people), coded like the interviews; speaker label for their transcripts.
MULTI_PROFESSIONAL = "Focus group (multi-professional)"
YOUNG_PEOPLE_GROUP = "Focus group (young people)"
FOCUS_GROUP_SPEAKERS = {MULTI_PROFESSIONAL: "Participant", YOUNG_PEOPLE_GROUP: "Young person"}

CODERS = ("Coder A", "Coder B")

#: Share of interviews coded by both coders (assumption; a fifth is common practice).
DOUBLE_CODED_SHARE = 0.2

# Themes each role talks about more (relative weights of the themes' codes; assumption).
_THEME_WEIGHTS = {
    "Social worker": {"IRO roles for change": 3, "Review process": 2, "Challenge": 1, "Independence": 1, "Care planning context": 3},
    "IRO": {"IRO roles for change": 4, "Review process": 2, "Challenge": 2, "Independence": 2, "Care planning context": 2},
    "Parent": {"IRO roles for change": 2, "Review process": 3, "Challenge": 0.3, "Independence": 0.3, "Care planning context": 1},
    "Young person": {"IRO roles for change": 2, "Review process": 3, "Challenge": 0.1, "Independence": 0.1, "Care planning context": 0.5},
    MULTI_PROFESSIONAL: {"IRO roles for change": 3, "Review process": 2, "Challenge": 2, "Independence": 2, "Care planning context": 3},
    YOUNG_PEOPLE_GROUP: {"IRO roles for change": 2, "Review process": 3, "Challenge": 0.1, "Independence": 0.1, "Care planning context": 0.5},
}

# One sentence per code, written for this study; a turn coded with a code says its sentence.
_SENTENCES = {
    "Monitoring permanence and future planning": "The review kept asking what the long-term plan was and when it would be in place.",
    "Identifying problems and gaps in the arrangements": "There was a gap in the arrangements for contact that nobody had picked up until the review.",
    "Holding an objective overview": "Someone has to hold the helicopter view of the whole case, not just this month’s crisis.",
    "Knowing the child and ensuring their views are heard": "I made sure I saw the child before the meeting so their wishes were in the room.",
    "Bridge between parents and the local authority": "Mum trusted the reviewing officer more than the department, so messages went through her.",
    "Keeping things on track": "Actions from the last review were checked one by one and dates were set.",
    "Offering advice or practice wisdom": "Outside the review I gave the social worker some advice on how to approach the assessment.",
    "Providing continuity": "The reviewing officer was the one person who had known the child since the start.",
    "Providing extra fire power": "Having the IRO write to the head of service got the placement funding agreed.",
    "Direct intervention": "In the end I phoned the school myself because it was not happening.",
    "Wider organisational change": "The IRO service reported the pattern to senior managers and the procedure was changed.",
    "Child participation": "The young person chaired part of the meeting and said what they wanted.",
    "Parent participation": "I was invited but the meeting was at a time I could not get there.",
    "Review records": "The review record was sent out quickly and the actions were clear.",
    "Timeliness of reviews": "The reviews happen on time now; that is taken for granted.",
    "Drift and delay": "Things drifted for months while everyone waited for the assessment.",
    "Informal challenge": "I had a quiet word with the team manager first, which usually sorts it.",
    "Dispute resolution process": "We went to stage two of the dispute resolution process over the delay.",
    "Independent legal advice": "I took independent legal advice about whether the plan could be challenged.",
    "Referral to Cafcass": "A referral to Cafcass was discussed but never needed.",
    "Inside: access and influence": "Being inside means you have got the keys to the doors and you can just walk in.",
    "Outside: independence of view": "From outside you can say things a colleague down the corridor cannot.",
    "Compromised by employment": "It is hard to challenge the people who manage your own service.",
    "Social work supervision": "My supervision is where the plan actually gets worked through.",
    "Panels": "The permanence panel would not agree the plan until the assessment was done.",
    "Court and proceedings": "Once proceedings started the court timetable drove everything.",
    "Placement availability": "There simply was not a placement that could meet his needs locally.",
    "Workload": "With the caseload I have it is hard to do anything between reviews.",
}
_FILLER = (
    "I am not sure, it varies from case to case.",
    "Yes, that is about right.",
    "It depends who the worker is at the time.",
    "I would have to think about that one.",
)
_QUESTIONS = (
    "Can you tell me about the care plan for this child?",
    "How did the last review go?",
    "What does the IRO do between reviews?",
    "How are disagreements about the plan dealt with?",
    "Should the IRO service be independent of the local authority?",
    "Is there anything that would make the reviews work better?",
    "How are the child's views taken into account?",
)


@dataclass
class Turn:
    """One speaker turn: its number, speaker, text and where it sits in the transcript."""

    number: int
    speaker: str
    text: str
    start: int = 0  # offset of the turn's text in the transcript, in Unicode code points
    end: int = 0


@dataclass
class Interview:
    """One interview transcript and its codings.

    Attributes
    ----------
    name : str
        "LA1-003 IRO": the case and the interviewee's role.
    codings : dict of coder to list of (turn number, code)
    """

    name: str
    case: str
    la: str
    role: str
    date: dt.date
    turns: list[Turn]
    codings: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    guid: str = ""

    @property
    def text(self) -> str:
        return "".join(f"{t.number} {t.speaker}: {t.text}\n" for t in self.turns)


def _guid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _leaf_codes() -> list[tuple[str, str]]:
    return [(theme, code) for theme, codes in CODEBOOK.items() for code in codes]


def _transcript(rng: np.random.Generator, role: str) -> tuple[list[Turn], list[tuple[int, str]]]:
    """Turns of one interview, and coder A's codes (turn number, "Theme/Code")."""
    leaves = _leaf_codes()
    weights = np.array([_THEME_WEIGHTS[role][theme] for theme, _ in leaves], dtype=float)
    weights /= weights.sum()
    speaker = ROLE_LABELS.get(role) or FOCUS_GROUP_SPEAKERS[role]
    turns: list[Turn] = []
    codes: list[tuple[int, str]] = []
    number = 1
    for _ in range(int(rng.integers(8, 16))):
        turns.append(Turn(number, "Interviewer", str(rng.choice(_QUESTIONS))))
        number += 1
        coded = rng.choice(len(leaves), size=int(rng.choice([0, 1, 1, 2], p=[0.2, 0.4, 0.2, 0.2])), replace=False, p=weights)
        sentences = [_SENTENCES[leaves[k][1]] for k in coded] or [str(rng.choice(_FILLER))]
        turns.append(Turn(number, speaker, " ".join(sentences)))
        codes.extend((number, f"{leaves[k][0]}/{leaves[k][1]}") for k in sorted(coded))
        number += 1
    offset = 0
    for turn in turns:
        prefix = f"{turn.number} {turn.speaker}: "
        turn.start = offset + len(prefix)
        turn.end = turn.start + len(turn.text)
        offset = turn.end + 1  # the newline
    return turns, codes


def _second_coder(rng: np.random.Generator, turns: Sequence[Turn], first: Sequence[tuple[int, str]], role: str) -> list[tuple[int, str]]:
    """Coder B's codes: mostly A's, sometimes a sibling code, sometimes a miss or an extra code."""
    second = []
    for number, path in first:
        theme, code = path.split("/", 1)
        draw = rng.random()
        if draw < 0.82:
            second.append((number, path))
        elif draw < 0.94:
            siblings = [c for c in CODEBOOK[theme] if c != code]
            second.append((number, f"{theme}/{rng.choice(siblings)}"))
        # else: B did not code this turn
    coded_turns = {n for n, _ in first}
    leaves = _leaf_codes()
    for turn in turns:
        if turn.speaker != "Interviewer" and turn.number not in coded_turns and rng.random() < 0.06:
            theme, code = leaves[int(rng.integers(0, len(leaves)))]
            second.append((turn.number, f"{theme}/{code}"))
    return sorted(set(second))


def build_interviews(sample: CaseSample, seed: int) -> list[Interview]:
    """Every interview of the sample, with coder A's codes, and coder B's on a subset."""
    rng = random_generator(seed, "interviews")
    children = {c.case: c for c in sample.children}
    interviews: list[Interview] = []
    for case in sorted(sample.interviews):
        child = children[case]
        for role in sample.interviews[case]:
            turns, codes = _transcript(rng, role)
            interviews.append(Interview(
                name=f"{case} {ROLE_LABELS[role]}", case=case, la=child.la, role=role,
                date=child.interview_date, turns=turns, codings={CODERS[0]: codes}, guid=_guid(rng),
            ))
    interviews.extend(_focus_groups(rng, sample))
    # Double-code about a fifth of each role's interviews (focus groups are coded once).
    for role in ROLE_LABELS:
        of_role = [i for i in interviews if i.role == role]
        size = max(1, round(DOUBLE_CODED_SHARE * len(of_role)))
        for k in sorted(rng.choice(len(of_role), size=size, replace=False)):
            interview = of_role[k]
            interview.codings[CODERS[1]] = _second_coder(rng, interview.turns, interview.codings[CODERS[0]], role)
    return interviews


def _focus_groups(rng: np.random.Generator, sample: CaseSample) -> list[Interview]:
    """The published focus groups: a multi-professional group in each LA, two of young people."""
    table = load_table("sample_composition")
    counts = {c.item: c.count for c in table.cells if c.group == "Focus groups"}
    las = sorted({c.la for c in sample.children})
    if counts["Multi-professional (one in each LA)"] != len(las):
        raise ValueError("the published sample has one multi-professional focus group per LA")
    groups = [(f"{la} multi-professional focus group", la, MULTI_PROFESSIONAL) for la in las]
    groups += [(f"Young people focus group {k}", "", YOUNG_PEOPLE_GROUP) for k in range(1, counts["Young people"] + 1)]
    out = []
    for position, (name, la, role) in enumerate(groups):
        turns, codes = _transcript(rng, role)
        out.append(Interview(name=name, case="", la=la, role=role, date=FOCUS_GROUP_DAY + dt.timedelta(days=7 * position),
                             turns=turns, codings={CODERS[0]: codes}, guid=_guid(rng)))
    return out


#: When the focus groups met (assumption: autumn 2013, a week apart).
FOCUS_GROUP_DAY = dt.date(2013, 11, 4)


# --------------------------------------------------------------------------- REFI-QDA


def _timestamp(day: dt.date, rng: np.random.Generator) -> str:
    moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=int(rng.integers(0, 480)))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _coded_on(interview: Interview) -> dt.date:
    """Coding was done a few weeks after each interview (a fixed lag keeps files reproducible)."""
    return interview.date + dt.timedelta(days=28)


def project_xml(interviews: Sequence[Interview], seed: int) -> bytes:
    """The REFI-QDA ``project.qde`` document for the interviews."""
    rng = random_generator(seed, "refi-qda identifiers")
    ns = f"{{{REFI_NAMESPACE}}}"
    ET.register_namespace("", REFI_NAMESPACE)
    user_guid = {coder: _guid(rng) for coder in CODERS}
    project = ET.Element(f"{ns}Project", {
        "name": "Care planning and the IRO role: interviews (synthetic)",
        "origin": "caresurvey synthetic study",
        "creatingUserGUID": user_guid[CODERS[0]],
        "creationDateTime": FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    users = ET.SubElement(project, f"{ns}Users")
    for coder, guid in user_guid.items():
        ET.SubElement(users, f"{ns}User", {"guid": guid, "name": coder})

    code_guid: dict[str, str] = {}
    codebook = ET.SubElement(ET.SubElement(project, f"{ns}CodeBook"), f"{ns}Codes")
    for theme, codes in CODEBOOK.items():
        parent = ET.SubElement(codebook, f"{ns}Code", {"guid": _guid(rng), "name": theme, "isCodable": "false"})
        for code in codes:
            guid = _guid(rng)
            code_guid[f"{theme}/{code}"] = guid
            element = ET.SubElement(parent, f"{ns}Code", {"guid": guid, "name": code, "isCodable": "true"})
            ET.SubElement(element, f"{ns}Description").text = _SENTENCES[code]

    variables = ET.SubElement(project, f"{ns}Variables")
    variable_guid = {}
    for name in ("Role", "LA", "Case"):
        variable_guid[name] = _guid(rng)
        ET.SubElement(variables, f"{ns}Variable", {"guid": variable_guid[name], "name": name, "typeOfVariable": "Text"})

    cases = ET.SubElement(project, f"{ns}Cases")
    for interview in interviews:
        case = ET.SubElement(cases, f"{ns}Case", {"guid": _guid(rng), "name": interview.name})
        for name, value in (("Role", interview.role), ("LA", interview.la), ("Case", interview.case)):
            if not value:
                continue  # a young people's focus group has no LA or case
            holder = ET.SubElement(case, f"{ns}VariableValue")
            ET.SubElement(holder, f"{ns}VariableRef", {"targetGUID": variable_guid[name]})
            ET.SubElement(holder, f"{ns}TextValue").text = value
        ET.SubElement(case, f"{ns}SourceRef", {"targetGUID": interview.guid})

    sources = ET.SubElement(project, f"{ns}Sources")
    for interview in interviews:
        created = _timestamp(interview.date, rng)
        source = ET.SubElement(sources, f"{ns}TextSource", {
            "guid": interview.guid,
            "name": f"{interview.name} interview",
            "plainTextPath": f"internal://{interview.guid}.txt",
            "creatingUser": user_guid[CODERS[0]],
            "creationDateTime": created,
        })
        turns = {t.number: t for t in interview.turns}
        for coder, codings in interview.codings.items():
            by_turn: dict[int, list[str]] = {}
            for number, path in codings:
                by_turn.setdefault(number, []).append(path)
            coded_at = _timestamp(_coded_on(interview), rng)
            for number, paths in sorted(by_turn.items()):
                turn = turns[number]
                selection = ET.SubElement(source, f"{ns}PlainTextSelection", {
                    "guid": _guid(rng),
                    "name": f"{interview.name} turn {number}",
                    "startPosition": str(turn.start),
                    "endPosition": str(turn.end),
                    "creatingUser": user_guid[coder],
                    "creationDateTime": coded_at,
                })
                for path in paths:
                    coding = ET.SubElement(selection, f"{ns}Coding", {
                        "guid": _guid(rng), "creatingUser": user_guid[coder], "creationDateTime": coded_at,
                    })
                    ET.SubElement(coding, f"{ns}CodeRef", {"targetGUID": code_guid[path]})
    ET.indent(project)
    return ET.tostring(project, encoding="utf-8", xml_declaration=True)


def write_qdpx(interviews: Sequence[Interview], seed: int, path: Path) -> Path:
    """Write the REFI-QDA project archive: ``project.qde`` and ``sources/<guid>.txt``."""
    entries = [("project.qde", project_xml(interviews, seed))]
    entries += [(f"sources/{i.guid}.txt", i.text.encode("utf-8")) for i in interviews]
    write_zip(path, entries)
    return path


# --------------------------------------------------------------------------- MAXQDA coded segments

CODED_SEGMENT_COLUMNS = (
    "Color", "Document group", "Document name", "Code", "Begin", "End", "Weight score", "Segment",
    "Modified by", "Modified", "Created by", "Created", "Area", "Coverage %",
)
_THEME_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def coded_segment_rows(interviews: Sequence[Interview]) -> list[tuple]:
    """One row per coding, as MAXQDA's "Export coded segments" lays them out.

    MAXQDA numbers a text document's paragraphs from 1; each speaker turn is one paragraph,
    so Begin and End are the turn number. Code paths use MAXQDA's backslash separator.
    """
    colour = dict(zip(CODEBOOK, _THEME_COLOURS))
    rows = []
    for interview in interviews:
        length = len(interview.text)
        turns = {t.number: t for t in interview.turns}
        group = interview.role if interview.role in FOCUS_GROUP_SPEAKERS else f"{interview.role} interviews"
        for coder, codings in interview.codings.items():
            moment = dt.datetime.combine(_coded_on(interview), dt.time(10))
            for number, path in codings:
                theme, code = path.split("/", 1)
                turn = turns[number]
                area = turn.end - turn.start
                rows.append((
                    colour[theme], group, interview.name, f"{theme}\\{code}",
                    number, number, 0, turn.text, coder, moment.strftime("%d/%m/%Y %H:%M:%S"), coder,
                    moment.strftime("%d/%m/%Y %H:%M:%S"), area, round(100 * area / length, 2),
                ))
    return rows


def write_coded_segments(interviews: Sequence[Interview], path: Path) -> Path:
    write_xlsx(path, {"Coded segments": (CODED_SEGMENT_COLUMNS, coded_segment_rows(interviews))},
               title="Coded segments (synthetic)")
    return path
