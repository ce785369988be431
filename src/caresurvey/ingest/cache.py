"""Reuse what a reader made of a raw file while nothing it depends on has changed.

An entry is keyed by everything a reader's output depends on: the file's bytes (and its
codebook's), its format and manifest entry (LA, group, items, the name messages use), the
pseudonymisation key (by fingerprint, never the key), and the code that reads it (the
package's ingestion source and the versions of the libraries it uses). So changing one raw
file re-reads that file only; changing the key or the readers re-reads everything.

Entries live in ``data/processed/.cache/<key>/``: one parquet file per table and the file's
ledger (problems, row counts, notes) as JSON, written to a temporary folder and renamed into
place. Parquet, not pickle: loading an entry can never run code.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger, Problem, Reconciliation
from caresurvey.files import sha256_file

__all__ = ["IngestCache"]

#: Libraries whose behaviour shapes a reader's output.
_LIBRARIES = ("pandas", "numpy", "pyarrow", "pandera", "openpyxl", "pyreadstat", "defusedxml", "holidays")


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the package's reading code and the library versions it runs on."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted(package.glob("ingest/*.py")) + [package / name for name in
                                                     ("schemas.py", "codes.py", "pseudonym.py", "config.py", "files.py", "manifest.py",
                                                      "rules.py")]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()


class IngestCache:
    """Per-file reader outputs under ``folder``; :meth:`prune` drops entries a run did not use."""

    def __init__(self, folder: Path, key_fingerprint: str):
        self.folder = folder
        self.key_fingerprint = key_fingerprint
        self.used: set[str] = set()
        self.hits = 0

    def key(self, format_name: str, source: Source) -> str:
        parts = {
            "format": format_name,
            "file": sha256_file(source.path),
            "codebook": sha256_file(source.codebook) if source.codebook and Path(source.codebook).is_file() else None,
            "display": source.display, "la": source.la, "group": source.group, "items": sorted(source.items.items()),
            "date_format": source.date_format, "year": source.year,
            "scales": sorted((item, repr(scale)) for item, scale in source.scales.items()),
            "pseudonym key": self.key_fingerprint, "code": _code_version(),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def load(self, key: str) -> tuple[dict[str, pd.DataFrame], Ledger] | None:
        """The tables and ledger stored under ``key``, or None if there is no complete entry."""
        entry = self.folder / key
        manifest = entry / "entry.json"
        if not manifest.is_file():
            return None
        stored = json.loads(manifest.read_text(encoding="utf-8"))
        tables = {name: pd.read_parquet(entry / f"{number}.parquet") for number, name in enumerate(stored["tables"])}
        ledger = Ledger(
            problems=[Problem(**p) for p in stored["problems"]],
            reconciliations=[Reconciliation(**r) for r in stored["reconciliations"]],
            dropped_columns=stored["dropped_columns"], notes=stored["notes"],
            date_conventions=stored["date_conventions"], collection_years=stored["collection_years"],
        )
        self.used.add(key)
        self.hits += 1
        return tables, ledger

    def store(self, key: str, tables: dict[str, pd.DataFrame], ledger: Ledger) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=self.folder, prefix=".entry-"))
        try:
            for number, frame in enumerate(tables.values()):
                buffer = io.BytesIO()
                frame.to_parquet(buffer, index=False)
                (temporary / f"{number}.parquet").write_bytes(buffer.getvalue())
            stored = {
                "tables": list(tables),
                "problems": [asdict(p) for p in ledger.problems],
                "reconciliations": [asdict(r) for r in ledger.reconciliations],
                "dropped_columns": ledger.dropped_columns, "notes": ledger.notes,
                "date_conventions": ledger.date_conventions, "collection_years": ledger.collection_years,
            }
            # entry.json last: an entry without it is incomplete and never loaded
            (temporary / "entry.json").write_text(json.dumps(stored, sort_keys=True), encoding="utf-8")
            target = self.folder / key
            if target.exists():
                shutil.rmtree(target)
            temporary.rename(target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        self.used.add(key)

    def prune(self) -> None:
        """Delete entries (and unfinished ones) this run did not use: old versions of files."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
