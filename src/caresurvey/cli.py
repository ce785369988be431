"""The ``caresurvey`` command line; ``python -m caresurvey`` runs the same.

Each subcommand is a thin wrapper: it parses arguments, calls one library function and
reports. Errors the user can fix (:class:`~caresurvey.errors.CaresurveyError`) print one
message and exit with status 2; nothing is half-written, since outputs are written atomically.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from caresurvey import __version__
from caresurvey.config import DEFAULT_CONFIG, load_config
from caresurvey.errors import CaresurveyError
from caresurvey.manifest import DATE_FORMATS, DEFAULT_SEED, PUBLISHED_FORMATS

__all__ = ["main", "build_parser"]

log = logging.getLogger("caresurvey")

CONSISTENCY_EPILOG = """\
input: a CSV with a header naming group, item and percent (case and spacing do not matter),
and optionally n (stated denominator) and count (printed count). Percentages may carry a '%'.

JSON output (--json):
  {"consistent": bool, "n_solutions": int, "rounding": str, "per_item_n": bool,
   "groups": {GROUP: {"n": [jointly feasible n], "n_alone": [n ignoring sums], "searched": str}},
   "solutions": [{GROUP: {"n": int, "counts": {ITEM: int}}}]}
With --per-item-n each group also has "n_by_item", and in solutions "n" is null unless all
items share one n. --limit caps the listed solutions; n_solutions is always the true total.

exit status: 0 consistent, 1 inconsistent, 2 error.

examples:
  caresurvey consistency table.csv --max-n 65 --sum "Overall=LA-employed+Self-employed"
  caresurvey consistency --published formal_challenge --json
"""


def _max_n_arguments(values: Sequence[str]) -> tuple[int | None, dict[str, int]]:
    """``--max-n 65`` (every group) and ``--max-n GROUP=39`` (one group), repeatable."""
    default = None
    per_group: dict[str, int] = {}
    for value in values:
        name, sep, number = value.rpartition("=")
        try:
            bound = int(number)
        except ValueError:
            raise CaresurveyError(f"--max-n {value!r}: expected N or GROUP=N with N a whole number") from None
        if bound < 1:
            raise CaresurveyError(f"--max-n {value!r}: the bound must be at least 1")
        if sep:
            per_group[name.strip()] = bound
        else:
            default = bound
    return default, per_group


def _run_consistency(args: argparse.Namespace) -> int:
    from caresurvey.published.catalogue import load_table
    from caresurvey.published.consistency import (
        ConsistencyProblem,
        ItemStructure,
        SumConstraint,
        check_consistency,
    )
    from caresurvey.published.percent_csv import read_percent_csv
    from caresurvey.published.summary import describe_result

    if (args.table is None) == (args.published is None):
        raise CaresurveyError("give either a CSV file or --published TABLE_ID (not both)")
    default_max, per_group = _max_n_arguments(args.max_n)
    if args.published is not None:
        table = load_table(args.published)
        problem = table.consistency_problem(args.rounding)
        if default_max is not None or per_group or args.sum or args.per_item_n or args.structure:
            raise CaresurveyError(
                "--published uses the bounds, sums and structure recorded with the table; "
                "to change them, export it (`caresurvey published export`) and check the CSV"
            )
    else:
        cells = read_percent_csv(args.table)
        structure = ItemStructure(args.structure or ItemStructure.INDEPENDENT.value)
        problem = ConsistencyProblem(
            cells=cells,
            rounding=args.rounding,
            per_item_n=args.per_item_n,
            max_n=per_group,
            default_max=default_max,
            sums=[SumConstraint.parse(text) for text in args.sum],
            structure={cell.group: structure for cell in cells},
        )
    result = check_consistency(problem, limit=args.limit)
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(describe_result(result))
    return 0 if result.consistent else 1


def _run_rules(args: argparse.Namespace) -> int:
    from caresurvey.rules import RULES

    for rule in RULES.values():
        print(f"{rule.code}\n    {rule.description}\n    columns: {rule.columns}\n    formats: {', '.join(rule.formats)}")
    return 0


def _run_published(args: argparse.Namespace) -> int:
    from caresurvey.outputs import atomic_write_text
    from caresurvey.published.catalogue import load_table, load_tables

    if args.action == "list":
        for table in load_tables():
            status = "checkable" if table.checkable else ("values not printed" if not table.values_printed else "counts")
            print(f"{table.id:32} {table.kind:7} {status:18} {table.title}")
        return 0
    if not args.ids and args.action == "show":
        raise CaresurveyError("published show needs a table id; see `caresurvey published list`")
    tables = [load_table(table_id) for table_id in args.ids] if args.ids else load_tables()
    if args.action == "show":
        for table in tables:
            print(f"{table.title}\n  id: {table.id}\n  source: {table.source}, {table.location}\n  {table.document}")
            if table.notes:
                print(f"  notes: {table.notes}")
            print(table.frame().drop(columns=["table", "quote"]).to_string(index=False))
            print()
        return 0
    # export
    if args.out is None:
        raise CaresurveyError("published export needs --out DIR")
    out = Path(args.out)
    for table in tables:
        atomic_write_text(out / f"{table.id}.csv", table.frame().to_csv(index=False, lineterminator="\n"))
        if table.checkable:
            atomic_write_text(
                out / f"{table.id}.percent.csv", table.percent_table().to_csv(index=False, lineterminator="\n")
            )
    print(f"wrote {len(tables)} table(s) to {out} (<id>.csv as printed; <id>.percent.csv for `caresurvey consistency`)")
    return 0


def _run_inventory(args: argparse.Namespace) -> int:
    from caresurvey.outputs import write_json
    from caresurvey.provenance import input_inventory

    config = load_config(args.config)
    inventory = input_inventory(config)
    path = write_json(config.processed_dir / "inventory.json", {"study": config.name, "inputs": inventory})
    print(f"{len(inventory)} raw input file(s) listed in {path}")
    return 0


def _run_tables(args: argparse.Namespace) -> int:
    from caresurvey.provenance import write_provenance
    from caresurvey.report.build import write_tables

    config = load_config(args.config)
    paths = write_tables(config)
    write_provenance(config)
    print("\n".join(str(path) for path in paths))
    return 0


def _run_figures(args: argparse.Namespace) -> int:
    from caresurvey.provenance import write_provenance
    from caresurvey.report.build import write_figures

    config = load_config(args.config)
    paths = write_figures(config)
    write_provenance(config)
    print(f"wrote {len(paths)} figure files to {config.reports_dir / 'figures'}")
    return 0


def _run_report(args: argparse.Namespace) -> int:
    from caresurvey.report.build import write_report

    config = load_config(args.config)
    write_report(config)
    print(f"report: {config.reports_dir / 'report.html'}")
    return 0


def _run_notebooks(args: argparse.Namespace) -> int:
    from caresurvey.report.notebooks import notebook_scripts, render_notebooks

    config = load_config(args.config)
    scripts = [Path(p) for p in args.notebooks] or notebook_scripts(config)
    for path in scripts:
        if not path.is_file():
            raise CaresurveyError(f"{path}: no such notebook (notebooks are jupytext .py files in notebooks/)")
    written = render_notebooks(config, scripts, Path(args.out) if args.out else None)
    for path in written:
        print(f"notebook: {path}")
    return 0


def _run_pdf(args: argparse.Namespace) -> int:
    from caresurvey.report.pdf import print_pdf

    config = load_config(args.config)
    pdf = print_pdf(config.reports_dir / "report.html", config.reports_dir / "report.pdf")
    print(f"pdf: {pdf}")
    return 0


def _run_provenance(args: argparse.Namespace) -> int:
    from caresurvey.provenance import write_provenance

    config = load_config(args.config)
    print(write_provenance(config))
    return 0


def _progress(position: int, total: int, what: str) -> None:
    print(f"[{position}/{total}] {what}", file=sys.stderr, flush=True)


def _collection_year(text: str) -> int:
    from caresurvey.manifest import collection_year

    try:
        return collection_year(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _run_init(args: argparse.Namespace) -> int:
    from caresurvey.scaffold import scaffold_study, write_scaffold

    raw_dir = Path(args.raw_dir)
    out = Path(args.out) if args.out else raw_dir.resolve().parent / DEFAULT_CONFIG
    scaffold = scaffold_study(raw_dir, progress=_progress)
    written = write_scaffold(scaffold, out, force=args.force)
    formats: dict[str, int] = {}
    for entry in scaffold.entries:
        formats[entry.format] = formats.get(entry.format, 0) + len(entry.files)
    found = ", ".join(f"{count} {name}" for name, count in formats.items()) or "no file caresurvey reads"
    print(f"{sum(formats.values())} file(s) recognised ({found}); {len(scaffold.unrecognised)} not recognised "
          "(listed at the end of the configuration)")
    print(f"configuration written to {written}: name the questionnaires' groups and map their variables to items, "
          f"then run `caresurvey check --config {written}`")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from caresurvey.ingest.pipeline import check_study

    config = load_config(args.config)
    result = check_study(config, progress=_progress)
    for file, counts in result["files"].items():
        rules = ", ".join(f"{count} {rule}" for rule, count in sorted(counts["rules"].items()))
        print(f"{file}: {counts['rows_read']} rows read, {counts['rows_kept']} kept, {counts['rows_quarantined']} "
              f"quarantined{f' (problems: {rules})' if rules else ''}"
              + (f"; dates {result['date_conventions'][file]}" if file in result["date_conventions"] else ""))
    if result["losses"] and not result["accepted"]:
        print("ingestion would stop: quarantine would remove more than the study accepts "
              f"([ingest] max_quarantined_share = {config.max_quarantined_share:g}):")
        for loss in result["losses"]:
            print(f"  {loss}")
        print("fix the files (`caresurvey ingest` writes every problem to processed/rejected/quarantine.csv), or "
              "accept the losses: [ingest] accept_losses = true, or caresurvey ingest --accept-losses")
        return 1
    for loss in result["losses"]:
        print(f"accepted loss: {loss}")
    print(f"{config.path}: the configuration is valid and every file it names can be ingested")
    return 0


def _run_ingest(args: argparse.Namespace) -> int:
    from caresurvey.ingest.pipeline import canonical_format, ingest_files, ingest_study
    from caresurvey.pseudonym import resolve_key

    if args.format is None:
        if args.paths or args.out or args.la or args.group or args.codebook or args.date_format or args.year:
            raise CaresurveyError("PATH, --out, --la, --group, --codebook, --date-format and --year go with --format "
                                  "(single sources); without --format the configuration's manifest is ingested")
        summary = ingest_study(load_config(args.config), progress=_progress, accept_losses=args.accept_losses)
    else:
        if not args.paths or args.out is None:
            raise CaresurveyError("--format needs one or more PATHs and --out DIR")
        key = None if canonical_format(args.format) in PUBLISHED_FORMATS else resolve_key(
            key_file=Path(args.key_file) if args.key_file else None, synthetic=False,
            origin="caresurvey ingest --format")
        summary = ingest_files(args.format, [Path(p) for p in args.paths], Path(args.out), key=key, la=args.la,
                               group=args.group, codebook=Path(args.codebook) if args.codebook else None,
                               date_format=args.date_format, year=args.year, progress=_progress,
                               accept_losses=args.accept_losses)
    tables = ", ".join(f"{name} {rows}" for name, rows in summary["tables"].items())
    print(f"{summary['rows_read']} rows read: {summary['rows_kept']} kept, {summary['rows_quarantined']} quarantined "
          f"({summary['problems']} problems in {summary['out']}/quarantine.csv)")
    print(f"tables written to {summary['out']}: {tables}")
    for loss in summary.get("losses", []):
        print(f"accepted loss: {loss}")
    return 0


def _run_compare_las(args: argparse.Namespace) -> int:
    import pandas as pd

    from caresurvey.analysis.national import available_measures, la_funnel
    from caresurvey.outputs import write_frame_csv
    from caresurvey.report.figures import draw, write_figure
    from caresurvey.results.charts import funnel

    folder = Path(args.data) if args.data else load_config(args.config).processed_dir
    path = folder / "la_statistics.parquet"
    if not path.is_file():
        raise CaresurveyError(f"{path} not found: ingest DfE statistics first (caresurvey ingest --format dfe-la ... "
                              f"--out {folder})")
    statistics = pd.read_parquet(path)
    if args.list_measures:
        listed = available_measures(statistics, args.year)
        for row in listed.itertuples():
            indicator = f"  [--indicator {row.indicator}]" if row.indicator else ""
            print(f"{row.kind}  {row.measure}{indicator}  years: {row.years}")
        return 0
    missing = [flag for flag, value in (("--measure", args.measure), ("--denominator", args.denominator),
                                        ("--year", args.year), ("--out", args.out)) if value is None]
    if missing:
        raise CaresurveyError(f"compare-las needs {', '.join(missing)} (or --list-measures to see what there is)")
    target = args.target if args.target == "national" else _proportion(args.target)
    table = la_funnel(statistics, args.measure, args.denominator, args.year, target, args.overdispersion,
                      args.indicator)
    out = Path(args.out)
    write_frame_csv(out / "funnel.csv", table)
    chart = funnel(table, f"{args.measure} / {args.denominator}, {args.year}")
    write_figure(draw(dataclasses.replace(chart, name="funnel")), out)
    flagged = table["flag998"].value_counts().to_dict()
    print(f"{len(table)} LAs to {out}/funnel.csv, funnel.png, funnel.svg; 99.8% limits: "
          + ", ".join(f"{k} {v}" for k, v in sorted(flagged.items())))
    return 0


def _run_compare_published(args: argparse.Namespace) -> int:
    from caresurvey.analysis.compare_published import compare_with_published
    from caresurvey.ingest.local_table import read_local_table
    from caresurvey.outputs import write_frame_csv
    from caresurvey.published.catalogue import load_table

    from caresurvey.disclosure import DisclosurePolicy
    from caresurvey.results.registry import COMPARISON_ROLES

    table = load_table(args.published)
    comparison = compare_with_published(read_local_table(Path(args.table)), table, args.rounding)
    compared = comparison[comparison["status"] == "compared"]
    robust = compared[(compared["p_max"] < 0.05) | (compared["p_min"] >= 0.05)]
    # the local table is someone's own sample, which nothing here can know to be invented: its counts
    # and statistics are released under the study's policy (the defaults without a configuration)
    config_path = Path(args.config)
    if config_path.is_file():
        policy, source = DisclosurePolicy.from_config(load_config(config_path)), str(config_path)
    else:
        policy, source = DisclosurePolicy(), "the defaults, no configuration found"
    policy = dataclasses.replace(policy, synthetic=False)
    released = policy.control("comparison", comparison, COMPARISON_ROLES)
    out = Path(args.out)
    write_frame_csv(out / "comparison.csv", released.display())
    print(f"{len(compared)} cell(s) compared with {table.id} -> {out}/comparison.csv; "
          f"{len(robust)} reach the same conclusion at p < 0.05 whatever the published counts; "
          f"{len(released.suppressions)} cell(s) withheld under the disclosure policy ({source}: "
          f"threshold {policy.threshold})")
    return 0


def _proportion(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CaresurveyError(f"--target {text!r}: give 'national' or a proportion such as 0.19") from None
    return value


def _run_synth(args: argparse.Namespace) -> int:
    from caresurvey.synth.study import write_study

    seed = args.seed
    if seed is None:
        seed = load_config(args.config).seed if Path(args.config).is_file() else DEFAULT_SEED
    out = Path(args.out)
    if args.scale == "study":
        if args.years is not None or args.statistics is not None:
            raise CaresurveyError("--years and --statistics apply to --scale national only")
        calibration = write_study(out, seed)
        tables = sum(len(units) for units in calibration.tables.values())
        print(f"synthetic study (seed {seed}) written to {out}: see {out / 'README.md'}; "
              f"{tables} published groups reproduced, choices in {out / 'calibration.json'}")
        return 0
    from caresurvey.synth.national import read_national_statistics, write_national

    if args.statistics is None:
        raise CaresurveyError(
            "--scale national needs --statistics DIR: the folder of DfE Explore Education Statistics "
            "CSVs giving each LA's size and the national legal-status mix (e.g. ../shared/data/dfe/ees)"
        )
    statistics = read_national_statistics(Path(args.statistics))

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} LAs", file=sys.stderr, flush=True)

    totals = write_national(out, statistics, args.years or 1, seed, progress=progress)
    print(f"national SSDA903 data ({len(statistics.las)} LAs, {args.years or 1} year(s) to 31 March "
          f"{statistics.year}, seed {seed}) written to {out}: "
          + ", ".join(f"{count} {name} rows" for name, count in totals.items()))
    return 0


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, metavar="PATH",
        help=f"study configuration file (default: {DEFAULT_CONFIG} in the current folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="caresurvey",
        description="Reproducible studies of care planning for looked-after children in England.",
    )
    parser.add_argument("--version", action="version", version=f"caresurvey {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log each step")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    consistency = commands.add_parser(
        "consistency", parents=[common],
        help="check printed percentages for consistency with whole-number counts",
        description="Find every denominator n and count k that reproduce a table of printed "
        "percentages, with exact fractions (in the spirit of the GRIM test).",
        epilog=CONSISTENCY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    consistency.add_argument("table", nargs="?", metavar="CSV", help="long CSV: group,item,percent[,n][,count]")
    consistency.add_argument("--published", metavar="TABLE_ID", help="check a published table of the package instead")
    consistency.add_argument(
        "--rounding", choices=["half-up", "half-even", "either"], default="either",
        help="how the percentages were rounded (default: either: a tie may have gone up or down)",
    )
    consistency.add_argument(
        "--max-n", action="append", default=[], metavar="N|GROUP=N",
        help="largest n to search, for every group (N) or one group (GROUP=N); repeatable. "
        "Default: 100 for whole percentages, 1000 for one decimal (beyond that every value is possible)",
    )
    consistency.add_argument("--per-item-n", action="store_true", help="each item has its own denominator")
    consistency.add_argument(
        "--sum", action="append", default=[], metavar="TOTAL=PART+PART",
        help="a group is the sum of others: their n and each item's counts add up; repeatable",
    )
    consistency.add_argument(
        "--structure", choices=["independent", "exclusive", "complete"],
        help="how items of a group relate: independent yes/no questions (default), exclusive "
        "categories of one question (counts add to at most n), or complete (add to n)",
    )
    consistency.add_argument("--json", action="store_true", help="print the result as JSON")
    consistency.add_argument("--limit", type=int, default=100, help="joint solutions to list (default 100)")
    consistency.set_defaults(run=_run_consistency)

    published = commands.add_parser(
        "published", parents=[common],
        help="list, show or export the published tables",
        description="The tables and figures of the source documents, as printed.",
    )
    published.add_argument("action", choices=["list", "show", "export"])
    published.add_argument("ids", nargs="*", metavar="TABLE_ID", help="tables to show or export (default: all)")
    published.add_argument("--out", metavar="DIR", help="folder for export")
    published.set_defaults(run=_run_published)

    rules = commands.add_parser(
        "rules", parents=[common],
        help="list the rules a row read can be quarantined under",
        description="The catalogue of quarantine rules: the code quarantine.csv and the data-quality tables name, "
        "what it means, the columns it is checked on and the formats that check it.",
    )
    rules.set_defaults(run=_run_rules)

    init = commands.add_parser(
        "init", parents=[common],
        help="write a new study's configuration from a folder of its raw files",
        description="Recognise every file under DIR by its contents (SSDA903 tables by their columns, Qualtrics "
        "exports by their header rows, .sav, .qdpx, DfE statistics, case-file abstractions, coded segments, "
        "questionnaire tables with a codebook beside them), take each return's LA from its folders, and write a "
        "commented configuration: one [[inputs]] entry per format, folder and LA, and each questionnaire with every "
        "variable, its question and answer labels, ready to be mapped to item ids. Files no format takes are "
        "listed with why. Nothing is read into the study; check the configuration with `caresurvey check`.",
        epilog="example:\n  caresurvey init mystudy/raw            (writes mystudy/caresurvey.toml)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument("raw_dir", metavar="DIR", help="the folder of the study's raw files")
    init.add_argument("--out", metavar="PATH",
                      help="the configuration to write (default: caresurvey.toml beside DIR, in its parent folder)")
    init.add_argument("--force", action="store_true", help="replace the configuration if it exists")
    init.set_defaults(run=_run_init)

    check = commands.add_parser(
        "check", parents=[common],
        help="check a configuration and read every file it names, writing nothing",
        description="Validate the configuration, then read every file of its manifest as `caresurvey ingest` "
        "would (formats, columns, labels on their scales, dates, LA names, groups with respondents, losses to "
        "quarantine) without writing anything: ids are pseudonymised with a key made for the run and forgotten, so "
        "no key is needed. Exits 0 where ingestion would succeed, 1 where it would stop for losses the study does "
        "not accept, 2 on any other error.",
    )
    _add_config(check)
    check.set_defaults(run=_run_check)

    inventory = commands.add_parser(
        "inventory", parents=[common],
        help="list the raw input files with their SHA-256 (data/processed/inventory.json)",
        description="Check that every file of the configuration's [[inputs]] manifest exists, and "
        "record its format, size and SHA-256 in data/processed/inventory.json.",
    )
    _add_config(inventory)
    inventory.set_defaults(run=_run_inventory)

    tables = commands.add_parser(
        "tables", parents=[common], help="write the output tables (reports/tables/*.csv)",
        description="Write every output table as CSV under reports/tables/.",
    )
    _add_config(tables)
    tables.set_defaults(run=_run_tables)

    figures = commands.add_parser(
        "figures", parents=[common], help="write the figures (reports/figures/*.png, *.svg)",
        description="Write every figure as PNG and SVG under reports/figures/.",
    )
    _add_config(figures)
    figures.set_defaults(run=_run_figures)

    report = commands.add_parser(
        "report", parents=[common], help="write the HTML report with its tables, figures and provenance",
        description="Write reports/report.html (self-contained), the tables and figures it shows, "
        "and reports/provenance.json.",
    )
    _add_config(report)
    report.set_defaults(run=_run_report)

    notebooks = commands.add_parser(
        "notebooks", parents=[common], help="execute the notebooks and save them as HTML (reports/notebooks/)",
        description="Execute each notebook (jupytext .py) against the processed study and save it as an HTML "
        "page that opens offline. Synthetic studies only: notebooks show tables before disclosure control.",
    )
    _add_config(notebooks)
    notebooks.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                           help="notebooks to render (default: every notebooks/*.py beside the configuration)")
    notebooks.add_argument("--out", metavar="DIR", help="where to write the pages (default: reports/notebooks/)")
    notebooks.set_defaults(run=_run_notebooks)

    pdf = commands.add_parser(
        "pdf", parents=[common], help="print reports/report.html to reports/report.pdf (headless Chromium, offline)",
        description="Print the report to PDF with the system's Chromium (Debian package chromium), with "
        "every network name unresolvable.",
    )
    _add_config(pdf)
    pdf.set_defaults(run=_run_pdf)

    ingest = commands.add_parser(
        "ingest", parents=[common],
        help="read raw files into tidy, validated, pseudonymised tables (data/processed/)",
        description="Read every raw file of the configuration's manifest (or single files with "
        "--format) into processed tables (<table>.parquet), with quarantine.csv (every rejected "
        "row: file,row,column,value,rule,message), reconciliation.json (rows read = kept + "
        "quarantined, per file and table) and datapackage.json. Direct identifiers never reach "
        "the output; ids become keyed pseudonyms (key: $CARESURVEY_KEY, or the config's key_file).",
        epilog="formats: ssda903-csv, ssda903-xml, casefile, qualtrics, spss, survey-table, refi-qda, "
        "coded-segments, dfe-la (or the manifest's names: case-abstraction, qualtrics-csv, spss-sav).\n"
        "examples:\n  caresurvey ingest --config caresurvey.toml\n"
        "  CARESURVEY_KEY=... caresurvey ingest --format ssda903-csv header.csv episodes.csv --la LA1 --out out/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="with --format: the files to read")
    ingest.add_argument("--format", help="read single files of this format instead of the manifest")
    ingest.add_argument("--out", metavar="DIR", help="with --format: folder for the tables")
    ingest.add_argument("--la", help="with --format: the LA the files belong to (SSDA903, case files)")
    ingest.add_argument("--group", help="with --format: the respondent group of a questionnaire")
    ingest.add_argument("--codebook", metavar="PATH", help="with --format survey-table: the codebook of a CSV")
    ingest.add_argument("--year", type=_collection_year, metavar="YEAR",
                        help="with --format: the collection year of SSDA903 returns (2019 or 2018-19, which end in "
                        "March 2019), where their names do not say it")
    ingest.add_argument("--date-format", choices=DATE_FORMATS,
                        help="with --format: which way round the files write dates, where their own dates cannot "
                        "tell (no day above 12)")
    ingest.add_argument("--key-file", metavar="PATH", help="with --format: file holding the pseudonymisation key "
                        "(default: $CARESURVEY_KEY)")
    ingest.add_argument("--accept-losses", action="store_true",
                        help="go on where quarantine removes more than [ingest] max_quarantined_share of a file's rows "
                        "(5%% by default) or every row of an LA or respondent group; the report says what was lost")
    _add_config(ingest)
    ingest.set_defaults(run=_run_ingest)

    compare = commands.add_parser(
        "compare-las", parents=[common],
        help="funnel plot of one DfE measure across LAs (reports exact binomial limits)",
        description="Compare every LA on one measure as a share of another against England or a stated target, "
        "with exact binomial 95%% and 99.8%% limits (Spiegelhalter 2005). SFR files name a measure by its "
        "column (--measure CLA_S20 --denominator CLA_Mar2014); Explore Education Statistics (EES) files by "
        "their filter values (--measure \"Legal status: Voluntary agreement under S20\" --denominator "
        "\"Legal status: Total\", counts from the indicator column number unless --indicator). LAs with "
        "suppressed values are listed, marked, with no point. Writes DIR/funnel.csv and DIR/funnel.png/.svg. "
        "--list-measures lists what the statistics hold.",
    )
    compare.add_argument("--measure", help="numerator: an SFR column (CLA_S20) or an EES breakdown (\"Legal status: "
                         "Voluntary agreement under S20\")")
    compare.add_argument("--denominator", help="denominator, named as --measure (CLA_Mar2014, \"Legal status: Total\")")
    compare.add_argument("--year", type=int, help="year ending 31 March")
    compare.add_argument("--indicator", default="number", help="EES: the indicator column holding the counts "
                         "(default number)")
    compare.add_argument("--list-measures", action="store_true",
                         help="list every measure of the statistics (of --year, where given) and stop")
    compare.add_argument("--target", default="national", help="'national' (England's share, default) or a proportion")
    compare.add_argument("--overdispersion", choices=["none", "multiplicative", "additive"], default="none",
                         help="widen the limits for overdispersion across many LAs (Spiegelhalter 2005): a "
                         "multiplicative factor or an additive random-effects variance; default none")
    compare.add_argument("--data", metavar="DIR", help="folder holding la_statistics.parquet (default: the config's processed folder)")
    compare.add_argument("--out", metavar="DIR")
    _add_config(compare)
    compare.set_defaults(run=_run_compare_las)

    compare_published = commands.add_parser(
        "compare-published", parents=[common],
        help="compare a table from your own sample with a published table",
        description="Compare each cell of a table computed on a local sample (CSV: group, item, "
        "category, n, denominator; names as in `caresurvey published show TABLE_ID`) with the "
        "published cell, over every count set the consistency checker finds consistent with the "
        "printed percentage: the range of differences and of Fisher exact p-values. Writes DIR/comparison.csv.",
    )
    compare_published.add_argument("table", metavar="TABLE.csv", help="your table, in the published layout")
    compare_published.add_argument("--published", required=True, metavar="TABLE_ID", help="the published table")
    compare_published.add_argument("--rounding", choices=["half-up", "half-even", "either"], default="either",
                                   help="how the published percentages were rounded (default either)")
    compare_published.add_argument("--out", required=True, metavar="DIR")
    _add_config(compare_published)
    compare_published.set_defaults(run=_run_compare_published)

    synth = commands.add_parser(
        "synth", parents=[common],
        help="write the synthetic study (or a national-scale SSDA903 set for benchmarks)",
        description="Write the synthetic study: 122 children in four LAs (SSDA903 CSVs, a case-file "
        "abstraction workbook), the IRO, team manager and children's guardian questionnaires "
        "(Qualtrics CSV, SPSS, xlsx), the children's survey and the coded interviews (REFI-QDA, "
        "MAXQDA), calibrated to reproduce the published tables. The same seed gives identical "
        "files. With --scale national: SSDA903 CSVs for every English LA, sized from DfE statistics.",
    )
    synth.add_argument("--out", required=True, metavar="DIR", help="folder to write (replaced if it holds a synthetic study)")
    synth.add_argument("--seed", type=int, metavar="N", help=f"random seed (default: the config's [study] seed, else {DEFAULT_SEED})")
    synth.add_argument("--scale", choices=["study", "national"], default="study", help="what to write (default: study)")
    synth.add_argument("--years", type=int, metavar="N", help="national scale: collection years to write (default 1)")
    synth.add_argument("--statistics", metavar="DIR", help="national scale: folder of the DfE EES CSVs")
    _add_config(synth)
    synth.set_defaults(run=_run_synth)

    provenance = commands.add_parser(
        "provenance", parents=[common], help="write reports/provenance.json",
        description="Record the configuration, input file hashes, package versions and git commit.",
    )
    _add_config(provenance)
    provenance.set_defaults(run=_run_provenance)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO if args.verbose else logging.WARNING)
    try:
        return args.run(args)
    except CaresurveyError as error:
        print(f"caresurvey: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
