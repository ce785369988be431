"""Read ``caresurvey.toml``: the study, its raw-file manifest, output paths and thresholds.

Relative paths in the file are taken relative to the folder that holds it, so a study folder
can be moved or run from anywhere. Unknown keys are refused, so a misspelt setting is an
error rather than a silently ignored default.
"""

from __future__ import annotations

import glob
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from caresurvey.codes import EMPLOYMENT_MEANINGS, PUBLISHED_ITEMS, SCALES, Scale, label_key
from caresurvey.errors import ConfigError
from caresurvey.local_authorities import known_la, la_key
from caresurvey.manifest import (
    DATE_FORMATS,
    INPUT_FORMATS,
    SYNTHETIC_GROUPS,
    SYNTHETIC_ITEMS,
    SYNTHETIC_REPLICATES,
    SYNTHETIC_STUDY,
    InputSpec,
    collection_year,
)
from caresurvey.published.ids import table_ids, tables_of
from caresurvey.published.rounding import Rounding

__all__ = ["Config", "InputSpec", "ItemSpec", "load_config", "INPUT_FORMATS", "QUESTIONNAIRE_FORMATS", "DEFAULT_CONFIG",
           "DEFAULT_MAX_QUARANTINED_SHARE"]

DEFAULT_CONFIG = "caresurvey.toml"

_SECTIONS = {"study", "paths", "disclosure", "consistency", "ingest", "inputs", "scales", "items"}
_STUDY_KEYS = {"name", "synthetic", "seed", "key_file", "groups", "replicates", "description", "sampling"}
_INGEST_KEYS = {"max_quarantined_share", "accept_losses"}

#: The share of a file's rows quarantine may remove before ingestion stops (``[ingest]
#: max_quarantined_share``).
DEFAULT_MAX_QUARANTINED_SHARE = 0.05
_SCALE_KEYS = {"labels", "missing", "ordered", "multiple"}
_ITEM_KEYS = {"scale", "question", "means"}

#: The formats of questionnaires: each file belongs to a respondent group, and maps the
#: variables it analyses to the study's items.
QUESTIONNAIRE_FORMATS = ("qualtrics-csv", "spss-sav", "survey-table")

#: The item whose answers say who employs a respondent (its scale says what each answer means).
EMPLOYMENT_ITEM = "employment"


@dataclass(frozen=True)
class ItemSpec:
    """A questionnaire item the study declares: its id, its scale (by name, and the scale), and
    the question as the study words it."""

    id: str
    scale_name: str
    scale: Scale
    question: str | None = None
_PATH_KEYS = {"raw", "processed", "reports", "synthetic"}
_DISCLOSURE_KEYS = {"threshold", "round_to", "protection"}
_CONSISTENCY_KEYS = {"rounding", "limit"}
_INPUT_KEYS = {"path", "format", "la", "group", "codebook", "items", "description", "date_format", "year"}


@dataclass(frozen=True)
class Config:
    """A study's configuration.

    Attributes
    ----------
    path : Path
        The configuration file itself.
    name : str
        The study's name, shown on every output.
    description : str or None
        What the study is (``[study] description``): the report opens with it.
    sampling : str or None
        How the study's cases and respondents were chosen (``[study] sampling``): the report's
        caveats say it, where a table's reading depends on it.
    synthetic : bool
        Whether the study data is synthetic; real data gets disclosure control.
    seed : int
        Random seed for everything random (synthetic data, Monte Carlo tests).
    raw_dir, processed_dir, reports_dir : Path
        Absolute folders.
    synthetic_dir : Path or None
        Where the shipped synthetic study is written (``[paths] synthetic``), when the study
        declares it: its files (:data:`caresurvey.manifest.SYNTHETIC_STUDY`) come first among
        the inputs.
    disclosure_threshold : int
        Counts below this are suppressed in outputs from real data.
    round_to : int
        Round published counts to a multiple of this (0 or 1: no rounding).
    protection : int
        The narrowest interval a withheld small count may be placed in from everything released.
    rounding : Rounding
        How the published tables were rounded, for the consistency checker.
    solution_limit : int
        How many joint solutions the consistency report lists per table.
    inputs : tuple of InputSpec
        The raw-file manifest: the synthetic study's files, if declared, then ``[[inputs]]``.
    groups : tuple of str
        The respondent groups (``[study] groups``, else those the questionnaires name).
    scales : mapping of str to Scale
        The scales items can name: the built-in ones (:data:`caresurvey.codes.SCALES`) and
        ``[scales]``.
    items : mapping of str to ItemSpec
        The questionnaire items (``[items]``): every item a questionnaire maps a variable to.
    replicates : tuple of str
        The published tables (ids of ``caresurvey published list``) the study replicates
        (``[study] replicates``): only their cells are compared with the study's.
    key_file : Path or None
        File holding the pseudonymisation key, outside the repository.
    max_quarantined_share : float
        The share of a file's rows quarantine may remove before ingestion stops (``[ingest]``).
    accept_losses : bool
        Whether ingestion goes on beyond that, and where every row of an LA or respondent group
        is quarantined (``[ingest] accept_losses``); the report then says what was lost.
    raw : dict
        The file as parsed, for provenance.
    """

    path: Path
    name: str
    synthetic: bool
    seed: int
    raw_dir: Path
    processed_dir: Path
    reports_dir: Path
    synthetic_dir: Path | None = None
    disclosure_threshold: int = 10
    round_to: int = 0
    protection: int = 1
    rounding: Rounding = Rounding.EITHER
    solution_limit: int = 100
    inputs: tuple[InputSpec, ...] = ()
    key_file: Path | None = None
    groups: tuple[str, ...] = ()
    scales: Mapping[str, Scale] = field(default_factory=dict)
    items: Mapping[str, ItemSpec] = field(default_factory=dict)
    replicates: tuple[str, ...] = ()
    description: str | None = None
    sampling: str | None = None
    max_quarantined_share: float = DEFAULT_MAX_QUARANTINED_SHARE
    accept_losses: bool = False
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        """The folder holding the configuration file; relative paths start here."""
        return self.path.parent

    def input_files(self) -> list[tuple[InputSpec, Path]]:
        """Every raw file the manifest names, with its entry, in manifest order.

        Raises
        ------
        ConfigError
            If an entry names a file that does not exist or a pattern that matches nothing.
        """
        found: list[tuple[InputSpec, Path]] = []
        for index, spec in enumerate(self.inputs, start=1):
            pattern = Path(spec.path)
            if not pattern.is_absolute():
                pattern = self.raw_dir / pattern
            matches = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
            if not matches:
                raise ConfigError(
                    f"{self.path}: [[inputs]] entry {index} ({spec.path!r}) matches no file under "
                    f"{self.raw_dir}; check the path, or run `make data` for the synthetic study"
                )
            found.extend((spec, match) for match in matches)
        return found


def _section(raw: dict, name: str, allowed: set[str], origin: Path) -> dict:
    section = raw.get(name, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{origin}: [{name}] must be a table")
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ConfigError(
            f"{origin}: [{name}] has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return section


def _typed(origin: Path, where: str, value: Any, kind: type, minimum: int | None = None) -> Any:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{origin}: {where} must be a whole number, not {value!r}")
    if kind is not int and not isinstance(value, kind):
        raise ConfigError(f"{origin}: {where} must be {kind.__name__}, not {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{origin}: {where} must be at least {minimum}, not {value!r}")
    return value


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate a configuration file.

    Parameters
    ----------
    path : str or Path
        The ``caresurvey.toml`` to read.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        With the file and the key at fault.
    """
    origin = Path(path).resolve()
    if not origin.is_file():
        raise ConfigError(f"{path}: configuration file not found; pass --config PATH to a caresurvey.toml")
    try:
        raw = tomllib.loads(origin.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{origin}: not valid TOML: {error}") from None
    unknown = sorted(set(raw) - _SECTIONS)
    if unknown:
        raise ConfigError(
            f"{origin}: unknown section(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_SECTIONS))}"
        )
    study = _section(raw, "study", _STUDY_KEYS, origin)
    for key in ("name", "synthetic", "seed"):
        if key not in study:
            raise ConfigError(f"{origin}: [study] needs {key}")
    paths = _section(raw, "paths", _PATH_KEYS, origin)
    disclosure = _section(raw, "disclosure", _DISCLOSURE_KEYS, origin)
    consistency = _section(raw, "consistency", _CONSISTENCY_KEYS, origin)
    ingest = _section(raw, "ingest", _INGEST_KEYS, origin)
    root = origin.parent

    def folder(key: str, default: str) -> Path:
        value = _typed(origin, f"[paths] {key}", paths.get(key, default), str)
        return (root / value).resolve()

    try:
        rounding = Rounding(consistency.get("rounding", Rounding.EITHER.value))
    except ValueError:
        allowed = ", ".join(r.value for r in Rounding)
        raise ConfigError(f"{origin}: [consistency] rounding must be one of {allowed}") from None

    entries = raw.get("inputs", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: inputs must be an array of tables ([[inputs]])")
    inputs = []
    for index, entry in enumerate(entries, start=1):
        where = f"[[inputs]] entry {index}"
        unknown = sorted(set(entry) - _INPUT_KEYS)
        if unknown:
            raise ConfigError(f"{origin}: {where} has unknown key(s) {', '.join(unknown)}")
        if "path" not in entry or "format" not in entry:
            raise ConfigError(f"{origin}: {where} needs path and format")
        if entry["format"] not in INPUT_FORMATS:
            raise ConfigError(
                f"{origin}: {where} format {entry['format']!r} is not one of {', '.join(INPUT_FORMATS)}"
            )
        if entry.get("date_format", DATE_FORMATS[0]) not in DATE_FORMATS:
            raise ConfigError(f"{origin}: {where} date_format {entry['date_format']!r} is not one of "
                              f"{', '.join(DATE_FORMATS)} (day first or month first)")
        items = entry.get("items", {})
        if not isinstance(items, dict) or not all(isinstance(v, str) for v in items.values()):
            raise ConfigError(f"{origin}: {where} items must be a table of variable = \"item id\"")
        if "year" in entry:
            try:
                entry = {**entry, "year": collection_year(entry["year"])}
            except ValueError as error:
                raise ConfigError(f"{origin}: {where} year: {error}") from None
        inputs.append(InputSpec(**entry))

    raw_dir = folder("raw", "data/raw")
    synthetic_dir = folder("synthetic", "") if "synthetic" in paths else None
    declared_items = _section(raw, "items", set(raw.get("items", {})), origin)
    declared_groups = study.get("groups")
    replicates = study.get("replicates", [])
    if synthetic_dir is not None:
        inputs[:0] = _synthetic_inputs(synthetic_dir, raw_dir)
        declared_items = {**SYNTHETIC_ITEMS, **declared_items}
        declared_groups = declared_groups or list(SYNTHETIC_GROUPS)
        replicates = replicates or list(tables_of(SYNTHETIC_REPLICATES))
    scales = _scales(raw.get("scales", {}), origin)
    items = _items(declared_items, scales, origin)
    groups = _groups(declared_groups, inputs, origin)
    inputs = [_checked_questionnaire(spec, number, groups, items, origin) for number, spec in enumerate(inputs, 1)]
    asked = {spec.group for spec in inputs if spec.format in QUESTIONNAIRE_FORMATS}
    unasked = [group for group in groups if group not in asked]
    if unasked:
        raise ConfigError(f"{origin}: [study] groups names {', '.join(map(repr, unasked))}, which no questionnaire of "
                          "[[inputs]] names (group = \"...\"); add its questionnaire or remove the group")
    inputs = _named_las(inputs, origin)

    key_file = study.get("key_file")
    return Config(
        path=origin,
        name=_typed(origin, "[study] name", study["name"], str),
        synthetic=_typed(origin, "[study] synthetic", study["synthetic"], bool),
        seed=_typed(origin, "[study] seed", study["seed"], int, minimum=0),
        raw_dir=raw_dir,
        processed_dir=folder("processed", "data/processed"),
        reports_dir=folder("reports", "reports"),
        synthetic_dir=synthetic_dir,
        disclosure_threshold=_typed(origin, "[disclosure] threshold", disclosure.get("threshold", 10), int, 1),
        round_to=_typed(origin, "[disclosure] round_to", disclosure.get("round_to", 0), int, 0),
        protection=_typed(origin, "[disclosure] protection", disclosure.get("protection", 1), int, 1),
        rounding=rounding,
        solution_limit=_typed(origin, "[consistency] limit", consistency.get("limit", 100), int, 0),
        inputs=tuple(inputs),
        key_file=(root / key_file).resolve() if key_file else None,
        groups=groups,
        scales=scales,
        items=items,
        replicates=_replicates(replicates, origin),
        description=_optional_text(origin, "[study] description", study.get("description")),
        sampling=_optional_text(origin, "[study] sampling", study.get("sampling")),
        max_quarantined_share=_share(origin, "[ingest] max_quarantined_share",
                                     ingest.get("max_quarantined_share", DEFAULT_MAX_QUARANTINED_SHARE)),
        accept_losses=_typed(origin, "[ingest] accept_losses", ingest.get("accept_losses", False), bool),
        raw=raw,
    )


def _optional_text(origin: Path, where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{origin}: {where} must be text")
    return " ".join(value.split())


def _share(origin: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ConfigError(f"{origin}: {where} must be a share from 0 to below 1 (0.05 is 5%), not {value!r}")
    return float(value)


def _labels(origin: Path, where: str, value: Any) -> tuple[str, ...]:
    """A list of distinct, non-empty labels (distinct whatever their case and spacing)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{origin}: {where} must be a list of labels, such as [\"Yes\", \"No\"]")
    keys = [label_key(v) for v in value]
    repeated = sorted({v for v, k in zip(value, keys) if keys.count(k) > 1})
    if repeated:
        raise ConfigError(f"{origin}: {where} repeats {', '.join(map(repr, repeated))} (labels are compared whatever "
                          "their case and spacing)")
    return tuple(value)


def _scales(declared: Any, origin: Path) -> dict[str, Scale]:
    """The built-in scales, and ``[scales]``: ``name = [labels]`` or ``name = {labels = [...],
    missing = [...], ordered = true}``, or ``multiple = true`` for a multi-select question."""
    if not isinstance(declared, dict):
        raise ConfigError(f"{origin}: [scales] must be a table of scale = [labels]")
    scales = dict(SCALES)
    for name, value in declared.items():
        where = f"[scales] {name}"
        if isinstance(value, list):
            value = {"labels": value}
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: {where} must be a list of labels, or a table with labels, missing, ordered, multiple")
        unknown = sorted(set(value) - _SCALE_KEYS)
        if unknown or "labels" not in value:
            raise ConfigError(f"{origin}: {where} needs labels, and may have missing, ordered and multiple "
                              f"{'(not ' + ', '.join(unknown) + ')' if unknown else ''}")
        labels = _labels(origin, f"{where} labels", value["labels"])
        missing = _labels(origin, f"{where} missing", value.get("missing", [])) if value.get("missing") else ()
        both = sorted({label_key(m) for m in missing} & {label_key(label) for label in labels})
        if both:
            raise ConfigError(f"{origin}: {where}: {', '.join(both)} cannot be both an answer and missing")
        multiple = _typed(origin, f"{where} multiple", value.get("multiple", False), bool)
        if multiple and value.get("ordered") is True:
            raise ConfigError(f"{origin}: {where}: a multi-select scale (multiple = true) has no order; leave out "
                              "ordered")
        # several labels chosen at once are not a place on one scale: never modelled as ordered
        scales[name] = Scale(labels, missing, not multiple and _typed(origin, f"{where} ordered",
                                                                      value.get("ordered", True), bool),
                             multiple=multiple)
    return scales


def _items(declared: dict, scales: Mapping[str, Scale], origin: Path) -> dict[str, ItemSpec]:
    """``[items]``: ``id = "scale"`` or ``id = {scale = "...", question = "...", means = {...}}``."""
    items = {}
    for item_id, value in declared.items():
        where = f"[items] {item_id}"
        if isinstance(value, str):
            value = {"scale": value}
        if not isinstance(value, dict) or "scale" not in value:
            raise ConfigError(f"{origin}: {where} must name its scale: {item_id} = \"agreement\", or "
                              f"{{ scale = \"...\", question = \"...\" }}")
        unknown = sorted(set(value) - _ITEM_KEYS)
        if unknown:
            raise ConfigError(f"{origin}: {where} has unknown key(s) {', '.join(unknown)}; allowed: "
                              f"{', '.join(sorted(_ITEM_KEYS))}")
        name = value["scale"]
        if name not in scales:
            raise ConfigError(f"{origin}: {where} names the scale {name!r}, which is neither built in nor declared in "
                              f"[scales]; scales: {', '.join(sorted(scales))}")
        scale = scales[name]
        means = value.get("means")
        if means is not None:
            scale = replace(scale, means=_meanings(origin, where, scale, means))
        if item_id == EMPLOYMENT_ITEM:
            unmapped = [label for label in scale.labels if label not in scale.means]
            if unmapped:
                raise ConfigError(f"{origin}: {where}: say what each answer means, {', '.join(map(repr, unmapped))} "
                                  f"included: means = {{ \"answer\" = \"LA-employed\" }} (one of "
                                  f"{', '.join(EMPLOYMENT_MEANINGS)})")
        # the published analyses read these items' answers by their labels (employment's by what they mean)
        published = PUBLISHED_ITEMS.get(item_id) if item_id != EMPLOYMENT_ITEM else None
        if published is not None and (scale.multiple or [label_key(x) for x in scale.labels]
                                      != [label_key(x) for x in SCALES[published].labels]):
            raise ConfigError(f"{origin}: {where} is one of the published study's items, whose analyses read its answers "
                              f"on the {published} scale ({', '.join(SCALES[published].labels)}); give it that scale, "
                              "or another id")
        question = value.get("question")
        items[item_id] = ItemSpec(item_id, name, scale,
                                  _typed(origin, f"{where} question", question, str) if question is not None else None)
    return items


def _meanings(origin: Path, where: str, scale: Scale, means: Any) -> dict[str, str]:
    if not isinstance(means, dict):
        raise ConfigError(f"{origin}: {where} means must be a table of \"answer\" = \"meaning\"")
    out = {}
    for label, meaning in means.items():
        placed = scale.place(label)
        if not isinstance(placed, tuple):
            raise ConfigError(f"{origin}: {where} means: {label!r} is not an answer of its scale "
                              f"({', '.join(scale.labels)})")
        if meaning not in EMPLOYMENT_MEANINGS:
            raise ConfigError(f"{origin}: {where} means: {meaning!r} is not one of {', '.join(EMPLOYMENT_MEANINGS)}")
        out[placed[0]] = meaning
    return out


def _groups(declared: Any, inputs: list[InputSpec], origin: Path) -> tuple[str, ...]:
    """The respondent groups: ``[study] groups``, else every group a questionnaire names."""
    if declared is None:
        declared = list(dict.fromkeys(spec.group for spec in inputs if spec.group))
    groups = _labels(origin, "[study] groups", declared) if declared else ()
    return groups


def _checked_questionnaire(spec: InputSpec, number: int, groups: tuple[str, ...], items: Mapping[str, ItemSpec],
                           origin: Path) -> InputSpec:
    """A manifest entry with its group as the study spells it; a questionnaire must name a
    declared group and map its variables to declared items."""
    where = f"[[inputs]] entry {number} ({spec.path})"
    if spec.format not in QUESTIONNAIRE_FORMATS:
        return spec
    if not spec.group:
        raise ConfigError(f"{origin}: {where}: a questionnaire needs its respondent group, group = \"...\" (one of "
                          f"{', '.join(groups) or 'the [study] groups'})")
    group = next((g for g in groups if label_key(g) == label_key(spec.group)), None)
    if group is None:
        raise ConfigError(f"{origin}: {where}: group {spec.group!r} is not one of the study's groups "
                          f"([study] groups: {', '.join(groups)})")
    if not spec.items:
        raise ConfigError(f"{origin}: {where}: map the variables the study analyses to its items, items = "
                          f"{{ Q1 = \"item_id\" }} (`caresurvey init` lists every variable with its answers)")
    unknown = sorted(item for item in set(spec.items.values()) if item not in items)
    if unknown:
        raise ConfigError(f"{origin}: {where}: item(s) {', '.join(map(repr, unknown))} are not declared in [items] "
                          f"(declared: {', '.join(sorted(items)) or 'none'}); declare each with its scale")
    return replace(spec, group=group)


def _replicates(declared: Any, origin: Path) -> tuple[str, ...]:
    """``[study] replicates``: published tables the package holds."""
    if not isinstance(declared, list) or not all(isinstance(t, str) for t in declared):
        raise ConfigError(f"{origin}: [study] replicates must be a list of published table ids")
    known = table_ids()
    unknown = [t for t in declared if t not in known]
    if unknown:
        raise ConfigError(f"{origin}: [study] replicates names {', '.join(map(repr, unknown))}, which the package does "
                          f"not hold; published tables: {', '.join(known)}")
    return tuple(declared)


def _named_las(inputs: list[InputSpec], origin: Path) -> list[InputSpec]:
    """Entries with their LAs as the DfE names them, where they are English LAs (``norfolk`` or
    ``E10000020`` is Norfolk); two names that differ only in case, spacing or punctuation, and
    are no LA's, are refused, as they would make two LAs of one."""
    spellings: dict[str, set[str]] = {}
    named = []
    for spec in inputs:
        if spec.la is not None:
            la = known_la(spec.la) or spec.la.strip()
            spellings.setdefault(la_key(la), set()).add(la)
            spec = replace(spec, la=la)
        named.append(spec)
    for written in spellings.values():
        if len(written) > 1:
            raise ConfigError(f"{origin}: the [[inputs]] name one LA as {' and '.join(map(repr, sorted(written)))}, which "
                              "differ only in case, spacing or punctuation; write it one way in every entry")
    return named


def _synthetic_inputs(folder: Path, raw_dir: Path) -> list[InputSpec]:
    """The synthetic study's manifest entries, their paths under ``folder`` (relative to the raw
    folder where it lies inside it, as an ``[[inputs]]`` entry would name them)."""
    try:
        base = folder.relative_to(raw_dir).as_posix()
    except ValueError:
        base = folder.as_posix()
    return [replace(spec, path=f"{base}/{spec.path}", codebook=spec.codebook and f"{base}/{spec.codebook}")
            for spec in SYNTHETIC_STUDY]


def make_folders(path: str | Path) -> str:
    """The study's raw, processed, reports and synthetic folders, in that order, as one line of
    words for ``make`` (``-`` for a study that declares no synthetic study), so that the Makefile
    builds the study in ``path`` into its own folders. Needs only the standard library, so make
    reads it with the system's Python before any environment is installed.

    Raises
    ------
    ConfigError
        For an invalid configuration, or a folder whose path make cannot hold (a space in it).
    """
    config = load_config(path)
    folders = [config.raw_dir, config.processed_dir, config.reports_dir, config.synthetic_dir]
    for folder in folders:
        if folder is not None and any(c.isspace() or c in "#$:%" for c in str(folder)):
            raise ConfigError(f"{config.path}: make cannot build into {folder} (a space or one of # $ : % in its "
                              "path); move the study, or run its steps with `python -m caresurvey ...`")
    return " ".join("-" if folder is None else str(folder) for folder in folders)


if __name__ == "__main__":  # the Makefile reads a study's folders: python -m caresurvey.config CONFIG
    import sys

    try:
        print(make_folders(sys.argv[1]))
    except ConfigError as error:
        print(f"caresurvey: error: {error}")
        sys.exit(2)
