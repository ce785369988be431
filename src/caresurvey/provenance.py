"""What a run was made from: configuration, input file hashes, package versions, git commit.

Every command that writes outputs records this in ``reports/provenance.json`` so that any
table can be traced back to the exact inputs and code that made it.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from caresurvey.config import Config
from caresurvey.files import sha256_file
from caresurvey.outputs import write_json
from caresurvey.published.catalogue import table_file, table_ids

__all__ = ["input_inventory", "package_versions", "git_state", "collect_provenance", "write_provenance"]

def input_inventory(config: Config) -> list[dict]:
    """Every raw file of the manifest with its format, size and SHA-256, in manifest order.

    Paths are given relative to the configuration's folder where they lie under it, so the
    record does not reveal where on a machine a study is kept.
    """
    records = []
    for spec, path in config.input_files():
        try:
            shown = str(path.relative_to(config.root))
        except ValueError:
            shown = str(path)
        records.append(
            {
                "path": shown,
                "format": spec.format,
                "la": spec.la,
                "group": spec.group,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    return records


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
        ``config`` (path, sha256, settings as parsed), ``inputs`` (see :func:`input_inventory`),
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
        "inputs": input_inventory(config),
        "published_tables": _published_hashes(),
        "packages": package_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "python": sys.version.split()[0]},
        "git": git_state(config.root),
    }


def write_provenance(config: Config, path: Path | None = None, command: list[str] | None = None) -> Path:
    """Collect provenance and write it to ``reports/provenance.json`` (or ``path``)."""
    record = collect_provenance(config, command)
    return write_json(path or config.reports_dir / "provenance.json", record)
