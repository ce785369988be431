"""Read ``caresurvey.toml``: the study, its raw-file manifest, output paths and thresholds.

Relative paths in the file are taken relative to the folder that holds it, so a study folder
can be moved or run from anywhere. Unknown keys are refused, so a misspelt setting is an
error rather than a silently ignored default.
"""

from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from caresurvey.errors import ConfigError
from caresurvey.manifest import DATE_FORMATS, INPUT_FORMATS, SYNTHETIC_STUDY, InputSpec
from caresurvey.published.rounding import Rounding

__all__ = ["Config", "InputSpec", "load_config", "INPUT_FORMATS", "DEFAULT_CONFIG"]

DEFAULT_CONFIG = "caresurvey.toml"

_SECTIONS = {"study", "paths", "disclosure", "consistency", "inputs"}
_STUDY_KEYS = {"name", "synthetic", "seed", "key_file"}
_PATH_KEYS = {"raw", "processed", "reports", "synthetic"}
_DISCLOSURE_KEYS = {"threshold", "round_to"}
_CONSISTENCY_KEYS = {"rounding", "limit"}
_INPUT_KEYS = {"path", "format", "la", "group", "codebook", "items", "description", "date_format"}


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
    synthetic_dir : Path or None
        Where the shipped synthetic study is written (``[paths] synthetic``), when the study
        declares it: its files (:data:`caresurvey.manifest.SYNTHETIC_STUDY`) come first among
        the inputs.
    disclosure_threshold : int
        Counts below this are suppressed in outputs from real data.
    round_to : int
        Round published counts to a multiple of this (0 or 1: no rounding).
    rounding : Rounding
        How the published tables were rounded, for the consistency checker.
    solution_limit : int
        How many joint solutions the consistency report lists per table.
    inputs : tuple of InputSpec
        The raw-file manifest: the synthetic study's files, if declared, then ``[[inputs]]``.
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
    synthetic_dir: Path | None = None
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
        if entry.get("date_format", DATE_FORMATS[0]) not in DATE_FORMATS:
            raise ConfigError(f"{origin}: {where} date_format {entry['date_format']!r} is not one of "
                              f"{', '.join(DATE_FORMATS)} (day first or month first)")
        items = entry.get("items", {})
        if not isinstance(items, dict) or not all(isinstance(v, str) for v in items.values()):
            raise ConfigError(f"{origin}: {where} items must be a table of variable = \"item id\"")
        inputs.append(InputSpec(**entry))

    raw_dir = folder("raw", "data/raw")
    synthetic_dir = folder("synthetic", "") if "synthetic" in paths else None
    if synthetic_dir is not None:
        inputs[:0] = _synthetic_inputs(synthetic_dir, raw_dir)

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
        rounding=rounding,
        solution_limit=_typed(origin, "[consistency] limit", consistency.get("limit", 100), int, 0),
        inputs=tuple(inputs),
        key_file=(root / key_file).resolve() if key_file else None,
        raw=raw,
    )


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
