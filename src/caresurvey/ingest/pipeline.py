"""Run the readers over a study's raw files and write ``data/processed/``.

Outputs, all written atomically:

* ``<table>.parquet`` for every processed table (validated against :mod:`caresurvey.schemas`);
* ``quarantine.csv``: every rejected row's problems (``file,row,column,value,rule,message``);
* ``reconciliation.json``: per file and table, rows read = kept + quarantined, and the losses
  the study accepted (:mod:`caresurvey.ingest.losses`);
* ``datapackage.json``: a Frictionless data package describing the tables.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from caresurvey.config import DEFAULT_MAX_QUARANTINED_SHARE, Config
from caresurvey.errors import CaresurveyError, InputError
from caresurvey.ingest.cache import IngestCache
from caresurvey.ingest.common import Source, as_text, read_path_label
from caresurvey.ingest.dates import Convention, undecided_error
from caresurvey.ingest.datapackage import datapackage
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.linkage import link_returns
from caresurvey.ingest.losses import Loss, check_groups_answered, find_losses, losses_error
from caresurvey.local_authorities import la_key
from caresurvey.manifest import INPUT_FORMATS, PUBLISHED_FORMATS
from caresurvey.outputs import atomic_write_bytes, output_transaction, remove_output, write_frame_csv, write_json
from caresurvey.pseudonym import Pseudonymiser, resolve_key
from caresurvey.schemas import processed_schema

__all__ = ["Ingested", "READERS", "FORMAT_ALIASES", "canonical_format", "ingest_study", "check_study", "ingest_files",
           "read_sources"]

log = logging.getLogger(__name__)

#: Short names the command line accepts for the manifest's formats.
FORMAT_ALIASES = {"casefile": "case-abstraction", "qualtrics": "qualtrics-csv", "spss": "spss-sav"}


def _readers() -> dict[str, Callable]:
    from caresurvey.ingest.casefile import read_case_abstraction
    from caresurvey.ingest.coded_segments import read_coded_segments
    from caresurvey.ingest.dfe import read_dfe_statistics
    from caresurvey.ingest.qualtrics import read_qualtrics
    from caresurvey.ingest.refi_qda import read_refi_qda
    from caresurvey.ingest.spss import read_spss
    from caresurvey.ingest.ssda903 import read_ssda903_csv, read_ssda903_xml
    from caresurvey.ingest.survey_table import read_survey_table

    return {
        "ssda903-csv": read_ssda903_csv,
        "ssda903-xml": read_ssda903_xml,
        "case-abstraction": read_case_abstraction,
        "qualtrics-csv": read_qualtrics,
        "spss-sav": read_spss,
        "survey-table": read_survey_table,
        "refi-qda": read_refi_qda,
        "coded-segments": read_coded_segments,
        "dfe-la": read_dfe_statistics,
    }


#: The formats a reader exists for: the manifest's formats (``caresurvey.manifest.INPUT_FORMATS``).
READERS = tuple(INPUT_FORMATS)


def canonical_format(name: str) -> str:
    name = FORMAT_ALIASES.get(name, name)
    if name not in READERS:
        raise CaresurveyError(f"unknown format {name!r}; one of: {', '.join(READERS)} "
                              f"(or {', '.join(FORMAT_ALIASES)})")
    return name


@dataclass
class Ingested:
    """Everything read: processed tables (as lists of pieces) and the ledger of rows."""

    tables: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)

    def frame(self, table: str) -> pd.DataFrame:
        pieces = [p for p in self.tables.get(table, []) if len(p)]
        if not pieces:
            pieces = self.tables.get(table, [])[:1]
        return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


#: Files, and bytes, to read before a pool of worker processes pays for its start-up (each
#: worker imports pandas and pandera afresh: more than a second of one core).
PARALLEL_FROM_FILES = 16
PARALLEL_FROM_BYTES = 16 * 2**20

#: Most files of one format read as one batch, where the format's reader takes batches.
BATCH_FILES = 32


def _batch_readers() -> dict[str, Callable]:
    """Readers that read many files at once, each file's result as if read alone: at national
    scale (hundreds of small returns) a check's fixed cost per call outweighs the rows."""
    from caresurvey.ingest.ssda903 import read_ssda903_csv_files

    return {"ssda903-csv": read_ssda903_csv_files}


Result = tuple[dict[str, pd.DataFrame], Ledger]


def _read_batch(format_name: str, sources: list[Source]) -> list[Result]:
    """Files of one format through its reader, each with a ledger of its own (here or in a worker)."""
    batch = _batch_readers().get(format_name)
    if batch is not None:
        return batch(sources)
    results = []
    for source in sources:
        ledger = Ledger()
        results.append((_readers()[format_name](source, ledger), ledger))
    return results


def _batches(to_read: list[tuple[int, str, Source]], size: int) -> list[list[tuple[int, str, Source]]]:
    """Runs of files of one format, in order, at most ``size`` files each."""
    batches: list[list[tuple[int, str, Source]]] = []
    for item in to_read:
        if batches and batches[-1][0][1] == item[1] and len(batches[-1]) < size:
            batches[-1].append(item)
        else:
            batches.append([item])
    return batches


def _workers() -> int:
    """Worker processes for reading: ``$CARESURVEY_WORKERS``, else one per core."""
    value = os.environ.get("CARESURVEY_WORKERS", "")
    if value.strip():
        try:
            return max(1, int(value))
        except ValueError:
            raise CaresurveyError(f"CARESURVEY_WORKERS={value!r}: give a whole number of processes") from None
    return os.cpu_count() or 1


def _read_all(to_read: list[tuple[int, str, Source]]):
    """Yield ``(position, (tables, ledger))`` for each file, in order; in parallel when there are many.

    Files go in batches (:data:`BATCH_FILES`), a few per worker so that the workers finish
    together. Worker processes are spawned, not forked: a fork of a process whose libraries
    hold threads (pyarrow's pools) can deadlock.
    """
    workers = min(_workers(), len(to_read))
    parallel = (workers >= 2 and len(to_read) >= PARALLEL_FROM_FILES
                and sum(source.path.stat().st_size for _, _, source in to_read) >= PARALLEL_FROM_BYTES)
    size = max(1, min(BATCH_FILES, -(-len(to_read) // (4 * workers)))) if parallel else BATCH_FILES
    batches = _batches(to_read, size)
    if not parallel:
        for batch in batches:
            results = _read_batch(batch[0][1], [source for _, _, source in batch])
            yield from zip((position for position, _, _ in batch), results)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [(batch, pool.submit(_read_batch, batch[0][1], [source for _, _, source in batch]))
                   for batch in batches]
        for batch, future in futures:
            yield from zip((position for position, _, _ in batch), future.result())


def read_sources(
    sources: Sequence[tuple[str, Source]],
    progress: Callable[[int, int, str], None] | None = None,
    cache: IngestCache | None = None,
) -> Ingested:
    """Read every source with its format's reader, reusing ``cache`` entries of unchanged files.

    Files are read in worker processes when there are many (see :data:`PARALLEL_FROM_FILES`);
    the result is the same, in manifest order, however they were read.
    """
    results: dict[int, tuple[dict[str, pd.DataFrame], Ledger]] = {}
    keys: dict[int, str] = {}
    to_read = []
    for position, (format_name, source) in enumerate(sources, start=1):
        if cache is not None:
            keys[position] = cache.key(format_name, source)
            stored = cache.load(keys[position])
            if stored is not None:
                results[position] = stored
                if progress is not None:
                    progress(position, len(sources), f"{source.display} ({format_name}, unchanged)")
                continue
        to_read.append((position, format_name, source))
    for position, (produced, ledger) in _read_all(to_read):
        format_name, source = sources[position - 1]
        if progress is not None:
            progress(position, len(sources), f"{source.display} ({format_name})")
        if cache is not None:
            cache.store(keys[position], produced, ledger)
        results[position] = (produced, ledger)
    _settle_date_conventions(sources, results, cache)
    ingested = Ingested()
    pieces: dict[str, list[tuple[pd.DataFrame, int | None, str]]] = {}
    for position in sorted(results):
        produced, ledger = results[position]
        ingested.ledger.extend(ledger)
        display = sources[position - 1][1].display
        year = ledger.collection_years.get(display, {}).get("year")
        for table, frame in produced.items():
            pieces.setdefault(table, []).append((frame, year, display))
    for table, parts in pieces.items():
        linked, linkage = link_returns(table, parts)
        ingested.tables[table] = [linked] if linkage is not None else [frame for frame, _, _ in parts]
        if linkage is not None:
            ingested.ledger.linkage.append(linkage.as_dict())
    _check_la_spellings(ingested)
    return ingested


def _check_la_spellings(ingested: Ingested) -> None:
    """Refuse a study that writes one LA two ways (``LA1`` in the manifest, ``la 1`` in the
    case-file abstraction): read as they are, they would be two LAs.

    Raises
    ------
    CaresurveyError
        Naming the spellings and the tables they are in.
    """
    spellings: dict[str, dict[str, set[str]]] = {}
    for table, pieces in ingested.tables.items():
        for frame in pieces:
            if "la" in frame.columns:
                for la in frame["la"].dropna().unique():
                    spellings.setdefault(la_key(la), {}).setdefault(str(la), set()).add(table)
    for written in spellings.values():
        if len(written) > 1:
            where = "; ".join(f"{la!r} in {', '.join(sorted(tables))}" for la, tables in sorted(written.items()))
            raise CaresurveyError(f"one LA is written in more than one way ({where}): they differ only in case, spacing "
                                  "or punctuation; write it one way (the manifest's la, and the case files' LA column)")


def _settle_date_conventions(sources: Sequence[tuple[str, Source]],
                             results: dict[int, tuple[dict[str, pd.DataFrame], Ledger]],
                             cache: IngestCache | None) -> None:
    """Give each file whose own dates cannot tell which way round they are written the convention
    of the other files of its manifest entry (one export, written alike), reading it again where
    that is month first (it was read day first until now).

    Raises
    ------
    InputError
        For such a file when the entry's other files do not decide either (none shows a
        convention, or they disagree).
    """
    by_entry: dict[str, list[int]] = {}
    for position, (_, source) in enumerate(sources, start=1):
        by_entry.setdefault(source.entry or source.display, []).append(position)
    for positions in by_entry.values():
        recorded = {p: results[p][1].date_conventions.get(sources[p - 1][1].display) for p in positions}
        decided = {r["convention"] for r in recorded.values() if r is not None and r["decided"]}
        for position, record in recorded.items():
            if record is None or record["decided"]:
                continue
            format_name, source = sources[position - 1]
            if len(decided) != 1:
                raise undecided_error(source.display, Convention(record["convention"], False, tuple(record["examples"])),
                                      decided)
            (convention,) = decided
            if convention != record["convention"]:
                source = replace(source, date_format=convention)
                ((_, result),) = _read_all([(position, format_name, source)])
                if cache is not None:
                    cache.store(cache.key(format_name, source), *result)
                results[position] = result
            results[position][1].note(source.display, f"dates read as {convention}, as the other files of its "
                                                       "[[inputs]] entry write them (none of its own shows which)")


def write_processed(ingested: Ingested, out: Path, *, title: str, losses: dict | None = None) -> list[Path]:
    """Validate and write the processed tables, quarantine, reconciliation and data package.

    They are published together (:func:`caresurvey.outputs.output_transaction`): a run that
    fails or is killed leaves the previous processed study whole. ``losses`` (what quarantine
    removed beyond the study's limits, and that the study accepted it) goes into the
    reconciliation.
    """
    with output_transaction(out):
        return _write_processed(ingested, out, title=title, losses=losses or {"losses": []})


def _write_rejected(ingested: Ingested, out: Path) -> Path:
    """Write the quarantine and reconciliation of a run whose losses stop it to ``out``, apart
    from the processed study (which stays as the last accepted run left it)."""
    out.mkdir(parents=True, exist_ok=True)
    with output_transaction(out):
        write_frame_csv(out / "quarantine.csv", ingested.ledger.quarantine_frame())
        write_json(out / "reconciliation.json", ingested.ledger.reconciliation_json())
    return out / "quarantine.csv"


def _write_processed(ingested: Ingested, out: Path, *, title: str, losses: dict) -> list[Path]:
    written: list[Path] = []
    frames = {}
    for table in sorted(ingested.tables):
        frame = ingested.frame(table)
        # Pieces from different files can differ in optional columns (other return tables).
        frame = as_text(frame, [c for c in frame.columns if frame[c].dtype == object])
        # Dates at one unit (parquet has no seconds unit, so it stores [s] as [ms]): a table is
        # the same bytes whether its pieces were just read or come back from the cache.
        frame = frame.astype({c: "datetime64[ms]" for c in frame.columns if pd.api.types.is_datetime64_dtype(frame[c])})
        processed_schema(table, frame.columns).validate(frame)  # a failure here is a reader bug, not bad data
        frames[table] = frame
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        path = out / f"{table}.parquet"
        atomic_write_bytes(path, buffer.getvalue())
        written.append(path)
    for stale in out.glob("*.parquet"):
        if stale not in written:
            remove_output(stale)  # a table an earlier run made and this one did not
    quarantine = ingested.ledger.quarantine_frame()
    written.append(write_frame_csv(out / "quarantine.csv", quarantine))
    written.append(write_json(out / "reconciliation.json", ingested.ledger.reconciliation_json() | losses))
    written.append(write_json(out / "datapackage.json", datapackage(frames, title=title)))
    return written


def _summary(ingested: Ingested, out: Path, losses: dict) -> dict:
    totals = ingested.ledger.reconciliation_json()["totals"]
    return {
        "losses": [Loss(loss["kind"], loss["name"], loss["read"], loss["kept"]).describe() for loss in losses["losses"]],
        "out": str(out),
        "tables": {t: sum(len(piece) for piece in ingested.tables[t]) for t in sorted(ingested.tables)},
        "rows_read": totals["rows_read"],
        "rows_kept": totals["rows_kept"],
        "rows_quarantined": totals["rows_quarantined"],
        "problems": len(ingested.ledger.problems),
    }


def _study_sources(config: Config, pseudonymise: Pseudonymiser) -> list[tuple[str, Source]]:
    """Every raw file of the configuration's manifest, with what its entry says of it."""
    sources = []
    entries = {id(spec): number for number, spec in enumerate(config.inputs, start=1)}
    for spec, path in config.input_files():
        entry = f"[[inputs]] entry {entries[id(spec)]}"
        codebook = None
        if spec.codebook:
            codebook = Path(spec.codebook)
            codebook = codebook if codebook.is_absolute() else config.raw_dir / codebook
        sources.append((spec.format, Source(
            path=path, display=read_path_label(path, config.root), pseudonymise=pseudonymise,
            la=spec.la, group=spec.group, items=dict(spec.items), codebook=codebook, date_format=spec.date_format,
            year=spec.year,
            entry=entry, scales={item: config.items[item].scale for item in spec.items.values() if item in config.items},
        )))
    if not sources:
        raise CaresurveyError(f"{config.path}: the [[inputs]] manifest lists no raw files to ingest")
    return sources


def ingest_study(config: Config, progress: Callable[[int, int, str], None] | None = None,
                 accept_losses: bool = False) -> dict:
    """Read every file of the configuration's manifest into ``paths.processed``.

    Raises
    ------
    CaresurveyError
        Where quarantine removed more than the study accepts (:mod:`caresurvey.ingest.losses`)
        and neither ``accept_losses`` nor ``[ingest] accept_losses`` accepts it: the processed
        study is left as it was, the run's quarantine written to ``processed/rejected/``.
    """
    key = resolve_key(key_file=config.key_file, synthetic=config.synthetic, origin=str(config.path))
    pseudonymise = Pseudonymiser(key)
    sources = _study_sources(config, pseudonymise)
    cache = IngestCache(config.processed_dir / ".cache", pseudonymise.fingerprint())
    ingested = read_sources(sources, progress, cache)
    groups = {source.display: source.group for _, source in sources if source.group}
    check_groups_answered(config.groups, ingested.ledger.reconciliations, groups)
    losses = _judge_losses(ingested, groups, config.processed_dir, config.max_quarantined_share,
                           accept_losses or config.accept_losses, config.root)
    write_processed(ingested, config.processed_dir, title=config.name, losses=losses)
    cache.prune()
    return _summary(ingested, config.processed_dir, losses) | {"unchanged_files": cache.hits}


def check_study(config: Config, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Read every file of the configuration's manifest as ingestion would, and write nothing.

    Every check ingestion makes is made (formats, columns, labels, dates, LA spellings, groups
    with respondents, losses to quarantine); ids are pseudonymised with a key made for the run
    and forgotten, so checking needs no pseudonymisation key and leaves nothing behind.

    Returns
    -------
    dict
        ``files`` (each file's rows read, kept and quarantined, and its problems by rule),
        ``losses`` (descriptions of what quarantine would remove beyond the study's limits),
        ``accepted`` (whether the study accepts them) and ``date_conventions``.

    Raises
    ------
    CaresurveyError
        For anything that stops ingestion outright (an unknown label, an unreadable file, a
        group without respondents).
    """
    sources = _study_sources(config, Pseudonymiser(secrets.token_bytes(32)))
    ingested = read_sources(sources, progress)
    groups = {source.display: source.group for _, source in sources if source.group}
    check_groups_answered(config.groups, ingested.ledger.reconciliations, groups)
    ledger = ingested.ledger
    files: dict[str, dict] = {}
    for entry in ledger.reconciliations:
        counts = files.setdefault(entry.file, {"rows_read": 0, "rows_kept": 0, "rows_quarantined": 0, "rules": {}})
        for key in ("rows_read", "rows_kept", "rows_quarantined"):
            counts[key] += getattr(entry, key)
    for problem in ledger.problems:
        rules = files.setdefault(problem.file, {"rows_read": 0, "rows_kept": 0, "rows_quarantined": 0,
                                                "rules": {}})["rules"]
        rules[problem.rule] = rules.get(problem.rule, 0) + 1
    losses = find_losses(ledger.reconciliations, groups, config.max_quarantined_share)
    return {"files": files, "losses": [loss.describe() for loss in losses], "accepted": config.accept_losses,
            "date_conventions": ledger.reconciliation_json()["date_conventions"]}


def _judge_losses(ingested: Ingested, groups: Mapping[str, str], out: Path, max_share: float, accepted: bool,
                  root: Path | None = None) -> dict:
    """What quarantine removed beyond ``max_share`` of a file or every row of an LA or group, for
    the reconciliation; an error unless ``accepted``, with the run's quarantine written to
    ``out/rejected/`` (a rejected run's quarantine goes once a run is accepted).

    Raises
    ------
    CaresurveyError
        Listing the losses and what to do (:func:`caresurvey.ingest.losses.losses_error`).
    """
    losses = find_losses(ingested.ledger.reconciliations, groups, max_share)
    rejected = out / "rejected"
    if losses and not accepted:
        quarantine = _write_rejected(ingested, rejected)
        raise losses_error(losses, ingested.ledger.problems, max_share,
                           read_path_label(quarantine, root))
    if rejected.exists():
        shutil.rmtree(rejected)
    return {"losses": [loss.as_dict() for loss in losses], "losses_accepted": bool(losses),
            "max_quarantined_share": max_share}


def ingest_files(
    format_name: str,
    paths: Sequence[Path],
    out: Path,
    *,
    key: bytes | None,
    la: str | None = None,
    group: str | None = None,
    codebook: Path | None = None,
    date_format: str | None = None,
    year: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    accept_losses: bool = False,
) -> dict:
    """Read single sources of one format into ``out`` (no configuration needed). ``key`` may be
    None only for published statistics (:data:`caresurvey.manifest.PUBLISHED_FORMATS`), which
    hold no one's identifiers. Losses are judged as a study's are, at the default share
    (:data:`caresurvey.config.DEFAULT_MAX_QUARANTINED_SHARE`)."""
    format_name = canonical_format(format_name)
    if key is None and format_name not in PUBLISHED_FORMATS:
        raise ValueError(f"{format_name} files hold identifiers: reading them needs the pseudonymisation key")
    pseudonymise = Pseudonymiser(key) if key is not None else None
    sources = []
    for path in paths:
        if not Path(path).is_file():
            raise InputError(str(path), "no-file", "not found; check the path")
        sources.append((format_name, Source(path=Path(path), display=str(path), pseudonymise=pseudonymise,
                                            la=la, group=group, codebook=codebook, date_format=date_format, year=year,
                                            entry="the files given")))
    ingested = read_sources(sources, progress)
    groups = {source.display: source.group for _, source in sources if source.group}
    losses = _judge_losses(ingested, groups, Path(out), DEFAULT_MAX_QUARANTINED_SHARE, accept_losses)
    write_processed(ingested, out, title=f"caresurvey ingest --format {format_name}", losses=losses)
    return _summary(ingested, out, losses)
