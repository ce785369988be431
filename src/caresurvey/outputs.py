"""Writing outputs so that a reader never sees a half-written file or a half-written set of files.

Every output goes through :func:`atomic_write_bytes`: a temporary file beside the target,
flushed to disk, then renamed into place. A rename is atomic, so one file is always the old
version or the new one.

A command's outputs belong together (the processed tables and the reconciliation that counts
their rows; a report and the tables and figures it shows), so commands also run inside
:func:`output_transaction`. Within it every write under the folder goes to a staging folder
(``<folder>/.staging-*``), and only when the command has finished are the files moved into
place:

1. stage: write each file into the staging folder;
2. commit: write the staging folder's ``journal.json`` (atomically): the list of files to move
   and to delete. Its appearance is the moment the new outputs exist;
3. apply: rename each staged file into place and delete what the journal says; then remove the
   staging folder.

A run killed before step 2 leaves the previous outputs as they were (its staging folder is
removed by the next run). A run killed during step 3 leaves a journal, and the next command
that writes to the folder (:func:`recover`, called by every transaction) finishes moving the
files first: renames are idempotent, so finishing twice is safe. A command that only reads a
folder never writes to it: :func:`committed_file` finds each file where the committed set has
it (in place, or still in the staging folder of a committed run). Readers therefore see the
previous complete outputs or the new complete ones, never a mix.

Concurrent commands (``make -j``) share a folder safely: each holds a shared lock on the
folder (``flock``) while it stages and applies, and recovery needs the exclusive lock,
so it only ever touches staging folders whose process has died (the kernel releases a dead
process's locks).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_bytes", "atomic_write_text", "write_json", "write_frame_csv", "neutralise_formulas",
           "remove_output", "output_transaction", "recover", "committed_file"]

log = logging.getLogger(__name__)

_STAGING_PREFIX = ".staging-"
_JOURNAL = "journal.json"


class _Transaction:
    """The staging folder of one command's outputs under ``root``."""

    def __init__(self, root: Path, stage: Path):
        self.root = root
        self.stage = stage
        self.files = stage / "files"
        self.removed: set[str] = set()

    def owns(self, path: Path) -> bool:
        return path.is_relative_to(self.root)

    def staged(self, path: Path) -> Path:
        relative = path.relative_to(self.root)
        self.removed.discard(relative.as_posix())
        return self.files / relative

    def remove(self, path: Path) -> None:
        relative = path.relative_to(self.root)
        (self.files / relative).unlink(missing_ok=True)
        self.removed.add(relative.as_posix())

    def commit(self) -> None:
        written = sorted(p.relative_to(self.files).as_posix() for p in self.files.rglob("*") if p.is_file())
        journal = {"write": written, "remove": sorted(self.removed - set(written))}
        _write_synced(self.stage / _JOURNAL, json.dumps(journal, indent=1).encode("utf-8"))
        _fsync_folder(self.stage)
        _apply(self.root, self.stage, journal)


#: The transactions this thread of work is inside, innermost last.
_ACTIVE: ContextVar[tuple[_Transaction, ...]] = ContextVar("caresurvey_output_transactions", default=())


def _write_synced(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a flushed temporary file and a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make a folder's renames durable (a crash of the machine, not only of the process)."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _apply(root: Path, stage: Path, journal: dict) -> None:
    """Move a committed staging folder's files into place; safe to repeat after an interruption."""
    for relative in journal["write"]:
        source, target = stage / "files" / relative, root / relative
        if source.exists():  # absent: moved before the interruption
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for relative in journal["remove"]:
        (root / relative).unlink(missing_ok=True)
    _fsync_folder(root)
    shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def _lock(root: Path, mode: int) -> Iterator[bool]:
    """Hold the lock on the folder ``root`` itself in ``mode`` (no lock file is left behind);
    yields False, holding nothing, where a non-blocking request finds it taken."""
    root.mkdir(parents=True, exist_ok=True)
    handle = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, mode)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)  # closing releases the lock


def recover(root: str | Path) -> list[str]:
    """Finish or discard what killed runs left in ``root``; returns what was done, one line each.

    A staging folder with a journal was committed: its files are moved into place. One without
    was not: it is deleted, and the previous outputs stand. Does nothing while another command
    is writing to ``root`` (its staging folder is alive, not left over).
    """
    root = Path(root)
    if not root.is_dir() or not any(root.glob(f"{_STAGING_PREFIX}*")):
        return []
    done = []
    with _lock(root, fcntl.LOCK_EX | fcntl.LOCK_NB) as held:
        if not held:
            return []
        for stage in sorted(root.glob(f"{_STAGING_PREFIX}*")):
            journal = stage / _JOURNAL
            if journal.is_file():
                _apply(root, stage, json.loads(journal.read_text(encoding="utf-8")))
                done.append(f"{root}: finished moving the outputs of an interrupted run into place ({stage.name})")
            else:
                shutil.rmtree(stage, ignore_errors=True)
                done.append(f"{root}: removed the unfinished outputs of an interrupted run ({stage.name})")
    for line in done:
        log.warning("%s", line)
    return done


def committed_file(root: str | Path, relative: str) -> Path | None:
    """Where a reader finds the file ``relative`` (a POSIX path under ``root``) of the newest
    committed outputs, without writing anything: in place, or, while a committed run's files are
    not all moved into place (it was killed while moving them), in its staging folder. None if
    that run removed the file. An uncommitted staging folder is ignored: its outputs never were.
    """
    root = Path(root)
    for stage in sorted(root.glob(f"{_STAGING_PREFIX}*"), reverse=True):
        try:
            journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            continue  # not committed: a live run's, or a killed run's that never was
        staged = stage / "files" / relative
        if relative in journal["write"] and staged.exists():
            return staged
        if relative in journal["remove"]:
            return None
    return root / relative


@contextlib.contextmanager
def output_transaction(root: str | Path) -> Iterator[None]:
    """Publish every output written under ``root`` inside the block together, when it ends.

    If the block raises (or the process dies), nothing under ``root`` changes. Inside a
    transaction on ``root`` or a folder above it, this joins that transaction.
    """
    root = Path(root).resolve()
    active = _ACTIVE.get()
    if any(root.is_relative_to(outer.root) for outer in active):
        yield
        return
    recover(root)
    with _lock(root, fcntl.LOCK_SH):
        transaction = _Transaction(root, Path(tempfile.mkdtemp(dir=root, prefix=_STAGING_PREFIX)))
        token = _ACTIVE.set((*active, transaction))
        try:
            yield
        except BaseException:
            shutil.rmtree(transaction.stage, ignore_errors=True)
            raise
        else:
            transaction.commit()
        finally:
            _ACTIVE.reset(token)


def _destination(path: Path) -> Path:
    """Where a write of ``path`` goes: the innermost transaction's staging folder that covers it."""
    absolute = path.resolve()
    for transaction in reversed(_ACTIVE.get()):
        if transaction.owns(absolute):
            return transaction.staged(absolute)
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    The rename is atomic on one file system, so a run killed at any moment leaves either the
    previous file or the new one. Inside :func:`output_transaction` the file is staged and moved
    into place with the rest of the command's outputs. Returns ``path``.
    """
    path = Path(path)
    destination = _destination(path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    _write_synced(destination, data)
    return path


def remove_output(path: str | Path) -> None:
    """Delete an output that is no longer made (with the transaction's other changes, if inside one)."""
    path = Path(path)
    absolute = path.resolve()
    for transaction in reversed(_ACTIVE.get()):
        if transaction.owns(absolute):
            transaction.remove(absolute)
            return
    path.unlink(missing_ok=True)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`), with ``\\n`` line ends."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, value: Any) -> Path:
    """Write JSON atomically, indented and with sorted keys so that equal content is equal bytes."""
    return atomic_write_text(path, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


#: How a cell starts when a spreadsheet would run it as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(value: object) -> bool:
    if not isinstance(value, str) or len(value) < 2 or not value.startswith(_FORMULA_STARTS):
        return False  # a sign alone is text (DfE's "-" is "zero or negligible")
    try:
        float(value)  # a signed number ("-3", "+0.5") is a number to a spreadsheet too
    except ValueError:
        return True
    return False


def neutralise_formulas(frame):
    """``frame`` with each text cell a spreadsheet would run as a formula prefixed with ``'``.

    Text in outputs can come from raw files (a quarantined value, a category label), and a raw
    file may carry ``=HYPERLINK(...)`` or worse; the apostrophe is OWASP's advice, and shows as
    nothing in a spreadsheet. Numbers, and signed numbers written as text, are left as they are.
    """
    import pandas as pd

    out = frame
    for column in frame.columns:
        if not pd.api.types.is_object_dtype(frame[column]) and not pd.api.types.is_string_dtype(frame[column]):
            continue
        runs = frame[column].map(_runs_as_formula).astype(bool)
        if runs.any():
            out = out.copy() if out is frame else out
            out[column] = out[column].astype(object).where(~runs, "'" + out[column].astype(object).where(runs, ""))
    return out


def write_frame_csv(path: str | Path, frame) -> Path:
    """Write a DataFrame as CSV atomically: no index, ``\n`` line ends, floats to nine significant
    digits (more than any count or interval needs, and the same text on every run), and no cell a
    spreadsheet would run as a formula (:func:`neutralise_formulas`)."""
    return atomic_write_text(path, neutralise_formulas(frame).to_csv(index=False, lineterminator="\n",
                                                                      float_format="%.9g"))
