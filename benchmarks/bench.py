"""Benchmarks of caresurvey at national scale, and of `make report`: `make bench`.

For national-scale synthetic SSDA903 returns (every LA in England, 1 year and 10 years) it
times ingestion and every SSDA903-based table, stage by stage, and the peak resident memory of
the whole run; beside them, the time pyarrow takes only to read the same CSV files. It also
times `make report` on the default study from clean and with nothing changed. Each figure is
the median of --runs runs after a warm-up; each run is a fresh process, so that memory and
caches do not carry over. Results: `reports/bench.json` and `reports/bench.md`.

Not part of `make test`: timings belong here, not in unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

#: The issue's targets on a 2-core, 24 GiB machine.
TARGETS = {
    "national_1y": {"seconds": 15.0, "peak_rss_mb": 2048.0, "ratio_to_raw_read": 4.0},
    "national_10y": {"seconds": 120.0, "peak_rss_mb": 8192.0, "ratio_to_raw_read": 4.0},
    "report_cold_seconds": 20.0,
    "report_noop_seconds": 1.0,
}

#: The tables computed from SSDA903 returns (ids of caresurvey.results.registry).
SSDA903_TABLES = ("review_timeliness", "review_participation", "time_to_permanence", "study_la_heterogeneity",
                  "study_la_funnels")


def _peak_rss_mb() -> float:
    """Peak resident memory of this process plus its worker processes (KiB on Linux); workers
    run together, so their peak is counted once per worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    from caresurvey.ingest.pipeline import _workers

    return (own + _workers() * workers) / 1024


def run_once(raw: Path, out: Path) -> dict:
    """One run in this process: ingest every return under ``raw``, then every SSDA903 table."""
    from caresurvey.config import load_config
    from caresurvey.ingest.common import Source
    from caresurvey.ingest.pipeline import read_sources, write_processed
    from caresurvey.pseudonym import Pseudonymiser
    from caresurvey.results import compute
    from caresurvey.results.inputs import read_processed

    config = load_config(PROJECT / "caresurvey.toml")
    pseudonymise = Pseudonymiser(b"benchmark key, not a secret")
    files = sorted(raw.glob("*/*/*.csv"))
    sources = [("ssda903-csv", Source(p, str(p.relative_to(raw)), pseudonymise, la=p.parent.name)) for p in files]
    stages = {}
    start = time.perf_counter()
    ingested = read_sources(sources)
    stages["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    write_processed(ingested, out, title="national benchmark")
    stages["write"] = time.perf_counter() - mark
    del ingested
    # every SSDA903 table and the tables they are computed from, each timed (its inputs' preparation included)
    tables = compute(read_processed(out), SSDA903_TABLES, config, timings=stages)
    return {"seconds": time.perf_counter() - start, "stages": stages, "files": len(files),
            "rows": {name: len(tables[name]) for name in tables}, "peak_rss_mb": _peak_rss_mb()}


def raw_read_once(raw: Path) -> float:
    """Seconds pyarrow takes only to read the same CSV files into Arrow tables."""
    import pyarrow.csv as pacsv

    start = time.perf_counter()
    for path in sorted(raw.glob("*/*/*.csv")):
        pacsv.read_csv(path)
    return time.perf_counter() - start


def _child(*args: str) -> dict:
    """Run this script in a fresh process for one measurement; returns what it prints."""
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark run failed: {' '.join(args)}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def national(statistics_folder: Path, years: int, runs: int, seed: int, scratch: Path) -> dict:
    from caresurvey.synth.national import read_national_statistics, write_national

    raw = scratch / f"national_{years}y"
    start = time.perf_counter()
    rows = write_national(raw, read_national_statistics(statistics_folder), years, seed)
    generate = time.perf_counter() - start
    print(f"  {years} year(s): generated {rows} in {generate:.0f} s", file=sys.stderr, flush=True)
    measured = []
    for k in range(runs + 1):  # the first is the warm-up
        out = scratch / f"processed_{years}y_{k}"
        measured.append(_child("--run", str(raw), str(out)))
        shutil.rmtree(out, ignore_errors=True)
        print(f"  {years} year(s): run {k} {measured[-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    measured = measured[1:]
    raw_reads = [_child("--raw-read", str(raw))["seconds"] for _ in range(runs + 1)][1:]
    seconds = statistics.median(m["seconds"] for m in measured)
    raw_read = statistics.median(raw_reads)
    return {
        "years": years, "files": measured[0]["files"], "generated_rows": rows, "generate_seconds": generate,
        "seconds": seconds,
        "stages": {stage: statistics.median(m["stages"][stage] for m in measured) for stage in measured[0]["stages"]},
        "peak_rss_mb": max(m["peak_rss_mb"] for m in measured),
        "raw_read_seconds": raw_read,
        "ratio_to_raw_read": seconds / raw_read,
        "runs": runs,
    }


def make_report(runs: int, scratch: Path) -> dict:
    """`make report` in a copy of the project (sharing its .venv): from clean, then with nothing changed."""
    copy = scratch / "project"
    # the files a fresh clone has (git's list; the working tree's, where this is not a clone)
    listed = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=False)
    files = listed.stdout.splitlines() if listed.returncode == 0 else [
        str(p.relative_to(PROJECT)) for p in PROJECT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    for name in files:
        if (PROJECT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, copy / name)
    (copy / ".venv").symlink_to(PROJECT / ".venv")
    # the shared environment is never rebuilt from the copy (that would point it at the copy)
    make = ["make", "-o", ".venv/.installed"]
    cold, noop = [], []
    for k in range(runs + 1):
        subprocess.run([*make, "clean"], cwd=copy, check=True, capture_output=True)
        shutil.rmtree(copy / "data" / "raw" / "synthetic", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([*make, "report"], cwd=copy, check=True, capture_output=True)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([*make, "report"], cwd=copy, check=True, capture_output=True)
        noop.append(time.perf_counter() - start)
        print(f"  make report: cold {cold[-1]:.1f} s, no-op {noop[-1]:.2f} s", file=sys.stderr, flush=True)
    return {"report_cold_seconds": statistics.median(cold[1:]), "report_noop_seconds": statistics.median(noop[1:])}


def machine() -> dict:
    from caresurvey.provenance import package_versions

    return {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": package_versions(),
    }


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT MET"


def markdown(results: dict) -> str:
    lines = ["| run | seconds | target | peak RSS (MB) | target | pyarrow read (s) | ratio | target |",
             "|---|---|---|---|---|---|---|---|"]
    for key in ("national_1y", "national_10y"):
        run, target = results.get(key), TARGETS[key]
        if not run or "skipped" in run:
            lines.append(f"| {key} | skipped: {run.get('skipped') if run else 'not run'} |||||||")
            continue
        lines.append(f"| {key} ({run['files']} files) | {run['seconds']:.1f} | {target['seconds']:g} "
                     f"({_verdict(run['seconds'], target['seconds'])}) | {run['peak_rss_mb']:.0f} | "
                     f"{target['peak_rss_mb']:g} ({_verdict(run['peak_rss_mb'], target['peak_rss_mb'])}) | "
                     f"{run['raw_read_seconds']:.2f} | {run['ratio_to_raw_read']:.1f} | {target['ratio_to_raw_read']:g} "
                     f"({_verdict(run['ratio_to_raw_read'], target['ratio_to_raw_read'])}) |")
    lines += ["", "| `make report` | seconds | target |", "|---|---|---|"]
    for key in ("report_cold_seconds", "report_noop_seconds"):
        if key in results:
            lines.append(f"| {key.removeprefix('report_').removesuffix('_seconds')} | {results[key]:.2f} | "
                         f"{TARGETS[key]:g} ({_verdict(results[key], TARGETS[key])}) |")
    for key in ("national_1y", "national_10y"):
        run = results.get(key)
        if run and "stages" in run:
            lines += ["", f"Stages of {key} (median seconds): "
                      + ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in run["stages"].items())]
    m = results["machine"]
    lines += ["", f"Median of {results['runs']} runs after a warm-up, each in a fresh process; {m['cores']} cores, "
              f"{m['memory_gb']} GiB, Python {m['python']}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="caresurvey.toml")
    parser.add_argument("--runs", type=int, default=3, help="measured runs after the warm-up (at least 3)")
    parser.add_argument("--statistics", type=Path, help="folder of the DfE EES CSVs that size the national data")
    parser.add_argument("--years", type=int, nargs="+", default=[1, 10], help="national runs to make, in years")
    parser.add_argument("--skip-report", action="store_true", help="do not time `make report`")
    parser.add_argument("--run", nargs=2, metavar=("RAW", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--raw-read", metavar="RAW", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_once(Path(args.run[0]), Path(args.run[1]))))
        return 0
    if args.raw_read:
        print(json.dumps({"seconds": raw_read_once(Path(args.raw_read))}))
        return 0

    from caresurvey.config import load_config
    from caresurvey.outputs import atomic_write_text, write_json

    config = load_config(args.config)
    results: dict = {"runs": args.runs, "machine": machine(), "targets": TARGETS}

    def save() -> None:  # after each part, so a long run that fails keeps what it measured
        write_json(config.reports_dir / "bench.json", results)
        atomic_write_text(config.reports_dir / "bench.md", markdown(results))

    with tempfile.TemporaryDirectory(prefix="caresurvey-bench-") as folder:
        scratch = Path(folder)
        for years in args.years:
            key = f"national_{years}y"
            if args.statistics is None or not args.statistics.is_dir():
                results[key] = {"skipped": f"no DfE EES folder at {args.statistics} (pass --statistics DIR)"}
                continue
            results[key] = national(args.statistics, years, args.runs, config.seed, scratch)
            save()
        if not args.skip_report:
            results |= make_report(args.runs, scratch)
    save()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
