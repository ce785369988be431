"""Write the whole synthetic study into one folder, with a README saying what it is.

The folder is written next to its destination and moved into place only when complete, so an
interrupted run never leaves half a study. An existing folder is replaced only if it holds a
previous synthetic study; anything else there is refused, since raw data is never overwritten.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from caresurvey import __version__
from caresurvey.errors import CaresurveyError
from caresurvey.manifest import (
    DEFAULT_SEED,
    SYNTHETIC_ABSTRACTION,
    SYNTHETIC_CHILDREN_SURVEY,
    SYNTHETIC_CODED_SEGMENTS,
    SYNTHETIC_GUARDIAN_QUESTIONNAIRE,
    SYNTHETIC_IRO_QUESTIONNAIRE,
    SYNTHETIC_REFI_QDA,
    SYNTHETIC_SSDA903,
    SYNTHETIC_STUDY,
    SYNTHETIC_TEAM_MANAGER_QUESTIONNAIRE,
)
from caresurvey.published.catalogue import load_table
from caresurvey.synth.calibration import CASES, CHILDREN, GUARDIANS, IRO, TEAM_MANAGERS, Calibration, calibrate
from caresurvey.synth.case_files import (
    LATE_REVIEW_RATE,
    LOCAL_AUTHORITIES,
    YOUNG_PERSON_MIN_AGE,
    build_case_sample,
    write_abstraction,
    write_ssda903,
)
from caresurvey.synth.interviews import DOUBLE_CODED_SHARE, build_interviews, write_coded_segments, write_qdpx
from caresurvey.synth.questionnaires import (
    write_children_survey,
    write_guardian_workbook,
    write_iro_qualtrics,
    write_team_manager_sav,
)

__all__ = ["MARKER", "write_study"]

log = logging.getLogger(__name__)

#: The file that marks a folder as a synthetic study this command may replace.
MARKER = "calibration.json"


def _check_replaceable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CaresurveyError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise CaresurveyError(
            f"{out} already holds files that are not a synthetic study (no {MARKER}); "
            "refusing to overwrite them. Choose an empty or new folder for --out."
        )


def write_study(out: Path, seed: int = DEFAULT_SEED) -> Calibration:
    """Generate the synthetic study into ``out`` (replacing a previous synthetic study there).

    Parameters
    ----------
    out : Path
        The study folder, e.g. ``data/raw/synthetic``.
    seed : int
        The same seed gives byte-identical files.

    Returns
    -------
    Calibration
        The published counts the study reproduces.
    """
    out = Path(out)
    _check_replaceable(out)
    staging = out.parent / f".{out.name}.writing"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        log.info("calibrating to the published tables")
        calibration = calibrate()
        log.info("case files: 122 children in %d LAs", len(LOCAL_AUTHORITIES))
        sample = build_case_sample(seed)
        # every file goes where its manifest entry says (caresurvey.manifest)
        write_ssda903(sample, {spec.la: staging / Path(spec.path).parent for spec in SYNTHETIC_SSDA903})
        write_abstraction(sample, seed, staging / SYNTHETIC_ABSTRACTION.path)
        log.info("questionnaires: IROs, team managers, children's guardians, children's survey")
        write_iro_qualtrics(calibration, seed, staging / SYNTHETIC_IRO_QUESTIONNAIRE.path)
        write_team_manager_sav(calibration, seed, staging / SYNTHETIC_TEAM_MANAGER_QUESTIONNAIRE.path)
        write_guardian_workbook(calibration, seed, staging / SYNTHETIC_GUARDIAN_QUESTIONNAIRE.path)
        write_children_survey(calibration, seed, staging / SYNTHETIC_CHILDREN_SURVEY.path,
                              staging / SYNTHETIC_CHILDREN_SURVEY.codebook)
        log.info("interviews: transcripts, codebook and codings")
        interviews = build_interviews(sample, seed)
        write_qdpx(interviews, seed, staging / SYNTHETIC_REFI_QDA.path)
        write_coded_segments(interviews, staging / SYNTHETIC_CODED_SEGMENTS.path)
        record = {"seed": seed, "caresurvey_version": __version__, **calibration.to_json()}
        (staging / MARKER).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (staging / "README.md").write_text(readme(calibration, seed, len(interviews)), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = out.parent / f".{out.name}.previous"
    if previous.exists():
        shutil.rmtree(previous)
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)
    return calibration


def _counts_table(calibration: Calibration) -> list[str]:
    lines = ["| table | group | n | counts | n the published values allow |", "|---|---|---|---|---|"]
    for table_id, units in calibration.tables.items():
        for choice in units.values():
            counts = "; ".join(f"{item} {count}" for item, count in choice.counts.items())
            allowed = choice.feasible_n
            shown = ", ".join(map(str, allowed)) if len(allowed) <= 12 else f"{len(allowed)} values from {allowed[0]} to {allowed[-1]}"
            label = choice.label.replace("|", "\\|")  # a Markdown table cell cannot hold a bare pipe
            lines.append(f"| {table_id} | {label} | {choice.n} | {counts} | {shown} |")
    return lines


def readme(calibration: Calibration, seed: int, n_interviews: int) -> str:
    """The study folder's README: what the data is, how it was made, and with which seed."""
    sources = sorted({load_table(t).document for t in calibration.tables})
    pools = calibration.pools
    lines = [
        "# Synthetic study: care planning and the IRO role",
        "",
        "**Every record in this folder is synthetic.** No child, family, professional or local authority",
        "in it exists. It was generated by `caresurvey synth` so that the pipeline can be run, tested and",
        "shown without confidential data. Names, dates of birth, UPNs, postcodes, IP addresses, e-mail",
        "addresses, locations and free-text notes are present on purpose, in the places real files have",
        "them, so that ingestion's removal of direct identifiers is exercised; they identify no one (UPNs",
        "use the non-existent LA number 999, IP addresses the documentation ranges of RFC 5737, e-mail",
        "addresses the reserved domain example.org).",
        "",
        f"- Generated by caresurvey {__version__} with seed **{seed}**: "
        f"`caresurvey synth --out <folder> --seed {seed}`. The same seed gives byte-identical files.",
        "- Calibrated to the published tables of:",
        *(f"  - {source}" for source in sources),
        "",
        "## What is in it",
        "",
        "| path | format | holds |",
        "|---|---|---|",
        *(f"| `{f.path}` | {f.format} | {f.description} |" for f in SYNTHETIC_STUDY),
        f"| `{MARKER}` | JSON | the counts chosen to reproduce each published table, and the assumptions |",
        "",
        f"- **Case files**: {pools[CASES]} children in {len(LOCAL_AUTHORITIES)} LAs, each with SSDA903",
        "  header, episodes and reviews (DfE column names, dd/mm/yyyy dates) from the day it became looked",
        "  after to the end of the 2013-14 collection year (31 March 2014), and a row in the case-file",
        "  abstraction workbook (legal status at sampling, at file analysis and at interview; age group;",
        "  permanence plan; number of IROs; a free-text notes column that must never leave the raw zone).",
        f"  Reviews follow regulation 33, except for about {LATE_REVIEW_RATE:.0%} of children with a late one;",
        "  participation is PN0 exactly when the child is under 4 on the day of the review.",
        f"- **Questionnaires**: IROs ({pools[IRO]}, Qualtrics CSV in the current three-header",
        "  layout, plus two rows with Status `Survey Preview` that are test responses, not respondents), team",
        f"  managers ({pools[TEAM_MANAGERS]}, SPSS with value labels and user-missing codes -9",
        f"  not answered and -8 don't know), children's guardians ({pools[GUARDIANS]},",
        "  xlsx with a codebook sheet; 8 = don't know is declared missing there), and the children's survey",
        f"  ({pools[CHILDREN]}, CSV with a codebook CSV).",
        f"- **Interviews**: {n_interviews} transcripts (numbered speaker turns) on the interviewed cases,",
        "  coded with a codebook built from the seed's IRO roles for change, review process, challenge,",
        f"  independence and care-planning context; about {DOUBLE_CODED_SHARE:.0%} of the interviews are coded",
        "  by a second coder, who mostly agrees with the first. Young people interviewed were at least",
        f"  {YOUNG_PERSON_MIN_AGE} years old on the day.",
        "",
        "## How it reproduces the published tables",
        "",
        "For each published table the counts below were chosen by integer programming: every count prints",
        "as the published percentage under both half-up and half-even rounding, exclusive categories fit",
        "in their denominator, columns that add up do, and each denominator is as close as the published",
        "values allow to 95% of the group asked (the rest skipped that question). The consistency checker",
        "confirms each choice. Analysed as a real study would be, the files give exactly these counts.",
        "",
        *_counts_table(calibration),
        "",
        "Assumptions the published tables do not fix:",
        "",
        *(f"- **{a.name}**: {a.value}. {a.why}" for a in calibration.assumptions),
        "",
        "Everything else (ages, dates, placements, paths after sampling, how grouped answers split into",
        "scale points, interview text) is drawn from the seed with documented, plausible probabilities",
        "(see `caresurvey.synth`); none of it is an estimate of anything.",
        "",
    ]
    return "\n".join(lines)
