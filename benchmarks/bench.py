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

from caresurvey.config import load_config
from caresurvey.outputs import atomic_write_text, write_json
from caresurvey.provenance import package_versions
from caresurvey.published.catalogue import load_tables
from caresurvey.published.summary import check_published
from caresurvey.report.build import write_report


def median_seconds(work, runs: int) -> float:
    """Median wall time of ``runs`` calls after one warm-up call."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="caresurvey.toml")
    parser.add_argument("--runs", type=int, default=3)
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
    atomic_write_text(config.reports_dir / "bench.md", "\n".join(lines) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
