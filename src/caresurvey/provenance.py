"""What a run was made from: configuration, input file hashes, package versions, git commit.

Every command that writes outputs records this in ``reports/provenance.json`` so that any
table can be traced back to the exact inputs and code that made it.
"""

from __future__ import annotations

import hashlib
import hmac
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from caresurvey.config import Config
from caresurvey.errors import ConfigError
from caresurvey.files import sha256_file
from caresurvey.outputs import write_json
from caresurvey.pseudonym import resolve_key
from caresurvey.published.catalogue import table_file, table_ids

__all__ = ["input_inventory", "keyed_file_digest", "package_versions", "git_state", "collect_provenance", "write_provenance"]

def input_inventory(config: Config, *, released: bool = False) -> list[dict]:
    """Every raw file of the manifest with its format, size and SHA-256, in manifest order.

    Paths are given relative to the configuration's folder where they lie under it, so the
    record does not reveal where on a machine a study is kept.

    ``released`` is for a record that leaves the secure environment (``reports/provenance.json``,
    the report). Of real data it then gives neither sizes (a return's size in bytes gives its
    number of rows) nor plain hashes (anyone holding a candidate file could confirm it was used):
    each file's SHA-256 is keyed with the study's secret (``hmac_sha256``), so only the key's
    holder can match a file to it; without the key in this session the hashes are left out.
    """
    keyed = released and not config.synthetic
    key = _study_key(config) if keyed else None
    records = []
    for spec, path in config.input_files():
        try:
            shown = str(path.relative_to(config.root))
        except ValueError:
            shown = str(path)
        record = {"path": shown, "format": spec.format, "la": spec.la, "group": spec.group}
        if not keyed:
            record |= {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        elif key is not None:
            record["hmac_sha256"] = keyed_file_digest(key, sha256_file(path))
        records.append(record)
    return records


def keyed_file_digest(key: bytes, sha256: str) -> str:
    """A file's SHA-256 keyed with the study's secret: HMAC-SHA256 under a key of its own,
    derived from the study's, so it is never one of the study's pseudonyms."""
    file_key = hmac.new(key, b"caresurvey provenance: input files", hashlib.sha256).digest()
    return hmac.new(file_key, bytes.fromhex(sha256), hashlib.sha256).hexdigest()


def _study_key(config: Config) -> bytes | None:
    try:
        return resolve_key(key_file=config.key_file, synthetic=config.synthetic, origin="provenance")
    except ConfigError:
        return None


def package_versions() -> dict[str, str]:
    """Versions of caresurvey, Python and every package caresurvey requires (not extras)."""
    versions = {"python": platform.python_version(), "caresurvey": _version("caresurvey")}
    try:
        requirements = metadata.requires("caresurvey") or []
    except metadata.PackageNotFoundError:
        requirements = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is None:
            versions[requirement.name] = _version(requirement.name)
    return versions


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_state(folder: Path) -> dict:
    """The commit checked out in ``folder`` and whether the work tree has changes.

    Outside a git repository, or without git, the commit is ``None`` with the reason.
    """
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=folder, check=True, capture_output=True, text=True, timeout=30
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError) as error:
        reason = "git is not installed" if isinstance(error, FileNotFoundError) else "not a git repository with commits"
        return {"commit": None, "dirty": None, "reason": reason}
    return {"commit": commit, "dirty": dirty}


def _published_hashes() -> dict[str, str]:
    return {table_id: hashlib.sha256(table_file(table_id).read_bytes()).hexdigest() for table_id in table_ids()}


def collect_provenance(config: Config, command: list[str] | None = None) -> dict:
    """Everything needed to trace a run.

    Returns
    -------
    dict
        Keys ``generated_at`` (UTC, ISO 8601), ``command``, ``study`` (name, synthetic),
        ``config`` (path, sha256, settings as parsed), ``inputs`` (see :func:`input_inventory`;
        released: of real data, keyed hashes and no sizes),
        ``published_tables`` (id to sha256 of its file), ``packages``, ``platform`` and ``git``.
    """
    try:
        config_path = str(config.path.relative_to(config.root))
    except ValueError:
        config_path = str(config.path)
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command if command is not None else ["caresurvey", *sys.argv[1:]],
        "study": {"name": config.name, "synthetic": config.synthetic},
        "config": {"path": config_path, "sha256": sha256_file(config.path), "settings": config.raw},
        "inputs": input_inventory(config, released=True),
        "published_tables": _published_hashes(),
        "packages": package_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "python": sys.version.split()[0]},
        "git": git_state(config.root),
    }


def write_provenance(config: Config, path: Path | None = None, command: list[str] | None = None) -> Path:
    """Collect provenance and write it to ``reports/provenance.json`` (or ``path``)."""
    record = collect_provenance(config, command)
    return write_json(path or config.reports_dir / "provenance.json", record)
