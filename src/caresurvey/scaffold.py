"""``caresurvey init``: a new study's configuration, written from a folder of its raw files.

Every file is recognised by its contents (:mod:`caresurvey.ingest.detect`). SSDA903 returns take
their LA from the folders they sit in (the DfE's name where the folder names an English LA);
files of one format, folder and LA become one manifest entry. Each questionnaire is listed with
every variable, its question and its answer labels (from the codebook, the SPSS dictionary, or
answers at least two respondents gave), as commented lines ready to be mapped to item ids: which
group answered it, which variables the study analyses and on which scale are the researcher's
to say, so questionnaire entries are written commented out. Files no format takes are listed
with why. The configuration written loads as it is, and ``caresurvey check`` reads every file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from caresurvey.codes import builtin_scale_of
from caresurvey.errors import CaresurveyError, InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.detect import CODEBOOK, Detected, detect_format
from caresurvey.ingest.qualtrics import describe_qualtrics
from caresurvey.ingest.spss import describe_spss
from caresurvey.ingest.survey import Variable
from caresurvey.ingest.survey_table import describe_survey_table
from caresurvey.local_authorities import known_la
from caresurvey.manifest import DEFAULT_SEED

__all__ = ["Entry", "Scaffold", "scaffold_study", "write_scaffold"]

#: Formats whose files hold one LA's records, named by the entry's ``la``.
_ONE_LA = ("ssda903-csv", "ssda903-xml")
_QUESTIONNAIRES = ("qualtrics-csv", "spss-sav", "survey-table")
_DESCRIBE: dict[str, Callable[[Source], list[Variable]]] = {
    "qualtrics-csv": describe_qualtrics, "spss-sav": describe_spss, "survey-table": describe_survey_table}
#: The order entries are written in.
_ORDER = ("ssda903-csv", "ssda903-xml", "case-abstraction", "dfe-la", "qualtrics-csv", "spss-sav", "survey-table",
          "refi-qda", "coded-segments")
#: Names a codebook beside its table can have: ``<table>_codebook``, ``<table>-codebook``, ...
_CODEBOOK_NAMES = ("{}_codebook", "{}-codebook", "{} codebook", "{}_codes", "codebook_{}")


@dataclass(frozen=True)
class Entry:
    """One manifest entry of the scaffold: a file or a glob of files, its format, and what
    ``init`` found of it."""

    path: str  # relative to the raw folder, '/'-separated
    format: str
    files: tuple[Path, ...]
    why: str
    la: str | None = None
    la_note: str = ""
    codebook: str | None = None
    variables: tuple[Variable, ...] = ()
    unreadable: str = ""  # why a questionnaire's variables could not be listed


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` found in a raw folder: the entries, and the files no format takes."""

    raw_dir: Path
    entries: tuple[Entry, ...]
    unrecognised: tuple[Detected, ...]


def scaffold_study(raw_dir: Path, progress: Callable[[int, int, str], None] | None = None) -> Scaffold:
    """Recognise every file under ``raw_dir`` and group them into manifest entries.

    Raises
    ------
    CaresurveyError
        Where ``raw_dir`` is not a folder or holds no file.
    """
    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise CaresurveyError(f"{raw_dir}: not a folder; give the folder holding the study's raw files")
    files = sorted(p for p in raw_dir.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts))
    if not files:
        raise CaresurveyError(f"{raw_dir}: holds no file")
    detected = []
    for position, path in enumerate(files, start=1):
        found = detect_format(path, _relative(path, raw_dir))
        if progress is not None:
            progress(position, len(files), f"{_relative(path, raw_dir)}: {found.format or 'no format by its columns'}")
        detected.append(found)
    detected = _pair_codebooks(detected)
    recognised = [d for d in detected if d.format not in (None, CODEBOOK)]
    unrecognised = tuple(d for d in detected if d.format is None)
    return Scaffold(raw_dir, tuple(_entries(recognised, raw_dir)), unrecognised)


def _relative(path: Path, raw_dir: Path) -> str:
    return path.relative_to(raw_dir).as_posix()


def _pair_codebooks(detected: list[Detected]) -> list[Detected]:
    """A table no format took, beside a codebook named after it (or the folder's only codebook),
    is a survey table; the codebook goes with it (``detail`` holds the codebook's path)."""
    codebooks = [d for d in detected if d.format == CODEBOOK]
    paired = []
    for found in detected:
        if found.format is None and found.path.suffix.lower() in (".csv", ".xlsx"):
            beside = [c for c in codebooks if c.path.parent == found.path.parent]
            named = [c for c in beside if c.path.stem.casefold() in
                     {pattern.format(found.path.stem).casefold() for pattern in _CODEBOOK_NAMES}]
            match = named or (beside if len(beside) == 1 else [])
            if match:
                found = Detected(found.path, "survey-table", f"a questionnaire table with its codebook "
                                 f"{match[0].path.name}", str(match[0].path))
        paired.append(found)
    used = {Path(d.detail) for d in paired if d.format == "survey-table" and d.detail}
    # a codebook no table took is not a data file: listed with why
    return [Detected(d.path, None, "a codebook, but no questionnaire table beside it is named after it")
            if d.format == CODEBOOK and d.path not in used else d for d in paired]


def _la_of(path: Path, raw_dir: Path) -> tuple[str | None, str]:
    """The LA a return's folders name, and a note where that is uncertain: the nearest folder
    that is an English LA's name, else the nearest that is not a year (``2019``, ``2019-20``)."""
    folders = list(path.relative_to(raw_dir).parts[:-1])[::-1]
    for folder in folders:
        if known_la(folder):
            return known_la(folder), ""
    names = [folder for folder in folders if not re.fullmatch(r"\d{4}([-_/]\d{2,4})?", folder)]
    if names:
        return names[0], "the folder's name, not an English LA's as the DfE writes it: check it"
    return None, "no folder names the LA: give it"


def _entries(recognised: Sequence[Detected], raw_dir: Path) -> list[Entry]:
    groups: dict[tuple[str, Path, str | None, str], list[Detected]] = {}
    notes: dict[tuple[str, Path, str | None, str], str] = {}
    for found in recognised:
        la, note = _la_of(found.path, raw_dir) if found.format in _ONE_LA else (None, "")
        # questionnaires each get an entry: each names its own group and items
        own = found.path.name if found.format in _QUESTIONNAIRES else ""
        key = (found.format, found.path.parent, la, own)
        groups.setdefault(key, []).append(found)
        notes[key] = note
    entries = []
    for key, members in sorted(groups.items(), key=lambda pair: (_ORDER.index(pair[0][0]), str(pair[0][1]),
                                                                 pair[0][3])):
        format_name, folder, la, _ = key
        files = tuple(d.path for d in members)
        suffixes = {p.suffix for p in files}
        siblings = [p for p in folder.iterdir() if p.is_file() and p.suffix in suffixes]
        if len(files) > 1 and len(suffixes) == 1 and len(siblings) == len(files):
            path = _relative(folder / f"*{suffixes.pop()}", raw_dir)
        elif len(files) == 1:
            path = _relative(files[0], raw_dir)
        else:  # files of the folder that are not all this format's: each by name, one entry apiece
            for member in members:
                entries.append(_entry(_relative(member.path, raw_dir), format_name, (member,), la, notes[key], raw_dir))
            continue
        entries.append(_entry(path, format_name, tuple(members), la, notes[key], raw_dir))
    return entries


def _entry(path: str, format_name: str, members: tuple[Detected, ...], la: str | None, la_note: str,
           raw_dir: Path) -> Entry:
    files = tuple(d.path for d in members)
    kinds = sorted({d.detail for d in members if d.detail} if format_name == "ssda903-csv" else set())
    why = f"SSDA903 tables: {', '.join(kinds)}" if kinds else members[0].why
    codebook = members[0].detail if format_name == "survey-table" and members[0].detail else None
    variables: tuple[Variable, ...] = ()
    unreadable = ""
    if format_name in _QUESTIONNAIRES:
        source = Source(files[0], _relative(files[0], raw_dir), None, codebook=Path(codebook) if codebook else None)
        try:
            variables = tuple(_DESCRIBE[format_name](source))
        except InputError as error:
            unreadable = str(error)
    return Entry(path, format_name, files, why, la, la_note,
                 _relative(Path(codebook), raw_dir) if codebook else None, variables, unreadable)


# --------------------------------------------------------------------------- the configuration written


def write_scaffold(scaffold: Scaffold, out: Path, *, force: bool = False) -> Path:
    """Write the scaffold's configuration to ``out`` (paths relative to its folder).

    Raises
    ------
    CaresurveyError
        Where ``out`` exists (unless ``force``).
    """
    out = Path(out).resolve()
    if out.exists() and not force:
        raise CaresurveyError(f"{out} exists; give another --out, or --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_configuration(scaffold, out), encoding="utf-8")
    return out


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escaping is TOML's for these characters)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _configuration(scaffold: Scaffold, out: Path) -> str:
    raw = Path(os.path.relpath(scaffold.raw_dir, out.parent)).as_posix()
    name = scaffold.raw_dir.parent.name if scaffold.raw_dir.name.casefold() == "raw" else scaffold.raw_dir.name
    questionnaires = [e for e in scaffold.entries if e.format in _QUESTIONNAIRES]
    lines = [
        f"# caresurvey study configuration, written by `caresurvey init` from the files in {raw}/.",
        "# Paths are relative to this file's folder. Check it with `caresurvey check --config <this file>`",
        "# (reads every file, writes nothing), then build the study with `make report CONFIG=<this file>`.",
        "",
        "[study]",
        f"name = {_toml(name)}",
        "# Real data: every released table goes through disclosure control (below). The pseudonymisation",
        "# key is $CARESURVEY_KEY, or key_file = \"...\" outside the repository.",
        "synthetic = false",
        "# Seed for the Monte Carlo tests; recorded in provenance.",
        f"seed = {DEFAULT_SEED}",
        "# What the study is and how its cases and respondents were chosen: the report opens with them.",
        "# description = \"...\"",
        "# sampling = \"...\"",
        "# The published tables the study replicates (`caresurvey published list`); none by default.",
        "# replicates = []",
    ]
    if questionnaires:
        lines += ["# The respondent groups, once the questionnaires below name theirs (group = \"...\").",
                  "# groups = [\"IRO\", \"Social worker\"]"]
    lines += [
        "", "[paths]", f"raw = {_toml(raw)}", "processed = \"processed\"", "reports = \"reports\"",
        "", "[disclosure]", "# Counts below this are withheld from every released table.", "threshold = 10",
        "", "[ingest]", "# The share of a file's rows quarantine may remove before ingestion stops.",
        "max_quarantined_share = 0.05",
    ]
    if questionnaires:
        lines += [
            "", "# Scales beyond the built-in ones (frequency, agreement, yes_no, importance, employment), each",
            "# with its labels in order; an answer is placed on its scale by its label, never its code.",
            "# [scales]", "# workload = [\"Manageable\", \"Stretched\", \"Unmanageable\"]",
            "", "# The items the study analyses, each with its scale; the questionnaires map their variables to them.",
            "# [items]", "# involved_in_plan = { scale = \"frequency\", question = \"...\" }",
        ]
    for entry in scaffold.entries:
        lines += ["", *_entry_lines(entry)]
    if scaffold.unrecognised:
        lines += ["", "# Files no format takes (not in the manifest):"]
        lines += [f"#   {_relative(d.path, scaffold.raw_dir)}: {_comment(d.why)}" for d in scaffold.unrecognised]
    return "\n".join(lines) + "\n"


def _entry_lines(entry: Entry) -> list[str]:
    body = [f"path = {_toml(entry.path)}", f"format = {_toml(entry.format)}"]
    if entry.format in _ONE_LA:
        if entry.la is None:
            lines = [f"# {entry.why}: {entry.la_note}; then uncomment.", "# [[inputs]]", *(f"# {b}" for b in body),
                     "# la = \"...\""]
            return lines
        body.append(f"la = {_toml(entry.la)}" + (f"  # {entry.la_note}" if entry.la_note else ""))
    if entry.codebook:
        body.append(f"codebook = {_toml(entry.codebook)}")
    body.append(f"description = {_toml(_comment(entry.why))}")
    if entry.format not in _QUESTIONNAIRES:
        return ["[[inputs]]", *body]
    lines = [f"# A questionnaire: {_comment(entry.why)}.",
             "# To analyse it, uncomment the entry, name the group that answered it, and map each variable",
             "# the study analyses to an item declared in [items] (the variables with answer labels are listed",
             "# as mappings; the others below them).",
             "# [[inputs]]", *(f"# {b}" for b in body), "# group = \"...\"", "# [inputs.items]"]
    if entry.unreadable:
        return [*lines, f"#   its variables could not be listed: {_comment(entry.unreadable)}"]
    labelled = [variable for variable in entry.variables if variable.labels]
    others = [variable for variable in entry.variables if not variable.labels]
    lines += [f"# {_toml(variable.name)} = \"item_id\"  # {_describe(variable)}" for variable in labelled]
    lines += [f"#   {variable.name}: {_describe(variable)}" for variable in others]
    return lines


def _describe(variable: Variable) -> str:
    parts = [_comment(variable.question) if variable.question else "(no question text)"]
    if variable.labels:
        parts.append("answers: " + " | ".join(_comment(label) for label in variable.labels))
    if variable.missing:
        parts.append("no answer: " + " | ".join(_comment(label) for label in variable.missing))
    scale = builtin_scale_of(variable.labels)
    if scale is not None:
        parts.append(f"the built-in scale {scale}")
    if variable.note:
        parts.append(variable.note)
    return "; ".join(parts)
