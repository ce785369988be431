"""Benchmarks of caresurvey's stages: median wall time after a warm-up, and peak memory.

Run with `make bench` (or `python benchmarks/bench.py --config caresurvey.toml`); writes
`reports/bench.json` and `reports/bench.md`. Not part of `make test`: timings belong here,
not in unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from caresurvey.config import Config, load_config
from caresurvey.ingest.pipeline import ingest_study
from caresurvey.outputs import atomic_write_text, write_json
from caresurvey.provenance import package_versions
from caresurvey.published.catalogue import load_tables
from caresurvey.published.summary import check_published
from caresurvey.report.build import write_report
from caresurvey.synth.national import read_national_statistics, write_national
from caresurvey.synth.study import write_study

#: Targets the issue sets for the national-scale generator ("seconds per year", memory-lean).
NATIONAL_SECONDS_PER_YEAR = 10.0
NATIONAL_PEAK_MB = 500.0


def median_seconds(work, runs: int) -> float:
    """Median wall time of ``runs`` calls after one warm-up call."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _scratch_study(scratch: Path, config: Config) -> Config:
    """The configured study with its raw folder holding a fresh synthetic study, outputs in scratch."""
    raw = scratch / "raw"
    write_study(raw / "synthetic", config.seed)
    return replace(config, raw_dir=raw, processed_dir=scratch / "processed")


def national_ingest(folder: Path) -> dict:
    """Ingest one year of the national set: rows per second through the SSDA903 reader."""
    from caresurvey.ingest.common import Source
    from caresurvey.ingest.pipeline import read_sources
    from caresurvey.pseudonym import Pseudonymiser

    pseudonymise = Pseudonymiser(b"benchmark key, not a secret")
    year = sorted(p for p in folder.iterdir() if p.is_dir())[-1]
    sources = [("ssda903-csv", Source(p, str(p), pseudonymise, la=p.parent.name)) for p in sorted(year.glob("*/*.csv"))]
    start = time.perf_counter()
    ingested = read_sources(sources)
    seconds = time.perf_counter() - start
    rows = sum(len(frame) for frames in ingested.tables.values() for frame in frames)
    return {"files": len(sources), "rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def national(statistics_folder: Path | None, years: int, seed: int) -> dict:
    """One national-scale run: seconds per collection year and peak traced memory (numpy, pandas)."""
    import tracemalloc

    if statistics_folder is None or not statistics_folder.is_dir():
        return {"skipped": f"no DfE EES folder at {statistics_folder} (pass --statistics DIR)"}
    statistics = read_national_statistics(statistics_folder)
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        rows = write_national(Path(scratch) / "timed", statistics, years, seed)
        seconds = time.perf_counter() - start
        ingest = national_ingest(Path(scratch) / "timed")
        # Tracing slows allocation several-fold, so memory is measured on a separate run.
        tracemalloc.start()
        write_national(Path(scratch) / "traced", statistics, years, seed)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    per_year = seconds / years
    return {
        "las": len(statistics.las),
        "years": years,
        "rows": rows,
        "seconds_per_year": per_year,
        "peak_mb": peak,
        "meets_targets": per_year <= NATIONAL_SECONDS_PER_YEAR and peak <= NATIONAL_PEAK_MB,
        "ingest_one_year": ingest,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="caresurvey.toml")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--statistics", type=Path, help="folder of the DfE EES CSVs for the national-scale run")
    parser.add_argument("--years", type=int, default=3, help="collection years of the national-scale run")
    args = parser.parse_args()
    config = load_config(args.config)
    tables = load_tables()
    results = {
        "published_consistency_seconds": median_seconds(
            lambda: check_published(tables, config.rounding, config.solution_limit), args.runs
        ),
    }
    with tempfile.TemporaryDirectory() as scratch:
        scratch_config = replace(config, reports_dir=Path(scratch))
        results["report_build_seconds"] = median_seconds(lambda: write_report(scratch_config, ["bench"]), args.runs)
        results["synthetic_study_seconds"] = median_seconds(
            lambda: write_study(Path(scratch) / "synthetic", config.seed), args.runs
        )
        study = _scratch_study(Path(scratch), config)
        results["ingest_synthetic_study_seconds"] = median_seconds(lambda: ingest_study(study), args.runs)
    results["national"] = national(args.statistics, args.years, config.seed)
    # ru_maxrss is in KiB on Linux.
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["runs"] = args.runs
    results["machine"] = {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    write_json(config.reports_dir / "bench.json", results)
    lines = ["| stage | median seconds |", "|---|---|"]
    lines += [f"| {key.removesuffix('_seconds')} | {value:.3f} |" for key, value in results.items() if key.endswith("_seconds")]
    lines += ["", f"Peak resident memory: {results['peak_rss_mb']:.0f} MB; {args.runs} runs after a warm-up; "
              f"{results['machine']['cores']} cores, {results['machine']['memory_gb']} GiB."]
    run = results["national"]
    if "skipped" in run:
        lines += ["", f"National-scale synthetic SSDA903: skipped, {run['skipped']}."]
    else:
        lines += ["", f"National-scale synthetic SSDA903 ({run['las']} LAs, {run['years']} years, "
                  f"{run['rows']['episodes']} episode rows): {run['seconds_per_year']:.1f} s per year "
                  f"(target {NATIONAL_SECONDS_PER_YEAR:g}), peak traced memory {run['peak_mb']:.0f} MB "
                  f"(target {NATIONAL_PEAK_MB:g}): {'met' if run['meets_targets'] else 'NOT MET'}.",
                  "", f"Ingesting one year of it: {run['ingest_one_year']['rows']} rows from "
                  f"{run['ingest_one_year']['files']} files in {run['ingest_one_year']['seconds']:.1f} s "
                  f"({run['ingest_one_year']['rows_per_second']:.0f} rows/s)."]
    atomic_write_text(config.reports_dir / "bench.md", "\n".join(lines) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
