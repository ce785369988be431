"""Read ``caresurvey.toml``: the study, its raw-file manifest, output paths and thresholds.

Relative paths in the file are taken relative to the folder that holds it, so a study folder
can be moved or run from anywhere. Unknown keys are refused, so a misspelt setting is an
error rather than a silently ignored default.
"""

from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from caresurvey.errors import ConfigError
from caresurvey.published.rounding import Rounding

__all__ = ["Config", "InputSpec", "load_config", "INPUT_FORMATS", "DEFAULT_CONFIG"]

DEFAULT_CONFIG = "caresurvey.toml"

#: The raw formats a manifest entry can declare, with what they hold.
INPUT_FORMATS = {
    "ssda903-csv": "SSDA903 return tables as CSV (header, episodes, reviews, ...)",
    "ssda903-xml": "SSDA903 return as XML",
    "case-abstraction": "case-file abstraction spreadsheet, one row per child (xlsx or csv)",
    "qualtrics-csv": "Qualtrics CSV export (three-header or legacy layout)",
    "spss-sav": "SPSS .sav questionnaire file",
    "survey-table": "questionnaire responses as CSV/xlsx with a codebook",
    "refi-qda": "REFI-QDA project (.qdpx) of coded interviews",
    "coded-segments": "coded-segment spreadsheet exported from MAXQDA, ATLAS.ti or NVivo",
    "dfe-la": "DfE local-authority statistics (SFR underlying data or EES CSV)",
}

_SECTIONS = {"study", "paths", "disclosure", "consistency", "inputs"}
_STUDY_KEYS = {"name", "synthetic", "seed", "key_file"}
_PATH_KEYS = {"raw", "processed", "reports"}
_DISCLOSURE_KEYS = {"threshold", "round_to"}
_CONSISTENCY_KEYS = {"rounding", "limit"}
_INPUT_KEYS = {"path", "format", "la", "group", "codebook", "items", "description"}


@dataclass(frozen=True)
class InputSpec:
    """One entry of the raw-file manifest.

    Attributes
    ----------
    path : str
        File or glob pattern, relative to the raw folder (or absolute).
    format : str
        One of :data:`INPUT_FORMATS`.
    la : str or None
        The local authority the file belongs to, where it holds one LA only.
    group : str or None
        The respondent group of a questionnaire file (IRO, team manager, children's guardian).
    codebook : str or None
        For a survey table in CSV, the codebook file beside it (an xlsx holds its own sheet).
    items : mapping of str to str
        A questionnaire's variable names mapped to the study's item ids, so that the same
        question asked of different groups (``Q2_1`` of the IROs, ``cg_contacts_iro`` of the
        guardians) is one item in ``responses``. ``employment`` marks the employment question.
    description : str
    """

    path: str
    format: str
    la: str | None = None
    group: str | None = None
    codebook: str | None = None
    items: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Config:
    """A study's configuration.

    Attributes
    ----------
    path : Path
        The configuration file itself.
    name : str
        The study's name, shown on every output.
    synthetic : bool
        Whether the study data is synthetic; real data gets disclosure control.
    seed : int
        Random seed for everything random (synthetic data, Monte Carlo tests).
    raw_dir, processed_dir, reports_dir : Path
        Absolute folders.
    disclosure_threshold : int
        Counts below this are suppressed in outputs from real data.
    round_to : int
        Round published counts to a multiple of this (0 or 1: no rounding).
    rounding : Rounding
        How the published tables were rounded, for the consistency checker.
    solution_limit : int
        How many joint solutions the consistency report lists per table.
    inputs : tuple of InputSpec
        The raw-file manifest.
    key_file : Path or None
        File holding the pseudonymisation key, outside the repository.
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
    disclosure_threshold: int = 10
    round_to: int = 0
    rounding: Rounding = Rounding.EITHER
    solution_limit: int = 100
    inputs: tuple[InputSpec, ...] = ()
    key_file: Path | None = None
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
        items = entry.get("items", {})
        if not isinstance(items, dict) or not all(isinstance(v, str) for v in items.values()):
            raise ConfigError(f"{origin}: {where} items must be a table of variable = \"item id\"")
        inputs.append(InputSpec(**entry))

    key_file = study.get("key_file")
    return Config(
        path=origin,
        name=_typed(origin, "[study] name", study["name"], str),
        synthetic=_typed(origin, "[study] synthetic", study["synthetic"], bool),
        seed=_typed(origin, "[study] seed", study["seed"], int, minimum=0),
        raw_dir=folder("raw", "data/raw"),
        processed_dir=folder("processed", "data/processed"),
        reports_dir=folder("reports", "reports"),
        disclosure_threshold=_typed(origin, "[disclosure] threshold", disclosure.get("threshold", 10), int, 1),
        round_to=_typed(origin, "[disclosure] round_to", disclosure.get("round_to", 0), int, 0),
        rounding=rounding,
        solution_limit=_typed(origin, "[consistency] limit", consistency.get("limit", 100), int, 0),
        inputs=tuple(inputs),
        key_file=(root / key_file).resolve() if key_file else None,
        raw=raw,
    )
