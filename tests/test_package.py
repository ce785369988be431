"""The package's shape: its parts import each other without a cycle, each stage imports only what
comes before it, and an output table is named only where it is declared and computed."""

from __future__ import annotations

import ast
import graphlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

from caresurvey.results import REGISTRY

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "caresurvey"


def _imports() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Part -> the package's parts it imports; part -> the outside packages it imports. A part is
    a top-level module or subpackage; every import counts, those inside functions too."""
    parts: dict[str, set[str]] = defaultdict(set)
    outside: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top, _, rest = name.partition(".")
                if top != "caresurvey":
                    outside[part].add(top)
                elif rest and rest.split(".")[0] != part:
                    parts[part].add(rest.split(".")[0])
    return parts, outside


def test_the_parts_of_the_package_import_each_other_without_a_cycle():
    parts, _ = _imports()
    graphlib.TopologicalSorter(parts).prepare()  # raises CycleError naming the cycle


@pytest.mark.parametrize("part, never", [
    ("analysis", {"ingest", "report", "synth", "cli", "results", "config", "explore"}),
    ("synth", {"analysis", "results", "disclosure", "report", "ingest"}),
    ("ingest", {"analysis", "results", "disclosure", "report", "synth"}),
    ("published", {"ingest", "analysis", "results", "report", "synth", "config"}),
    ("disclosure", {"analysis", "results", "report", "ingest", "synth", "config"}),
    ("results", {"report", "ingest", "synth", "cli", "explore"}),
    ("report", {"analysis", "disclosure", "ingest", "synth"}),
])
def test_each_stage_imports_only_what_comes_before_it(part, never):
    parts, _ = _imports()
    assert not parts[part] & never, f"{part} imports {sorted(parts[part] & never)}"


def test_the_report_lays_out_and_computes_no_statistics():
    _, outside = _imports()
    assert not outside["report"] & {"scipy", "statsmodels", "krippendorff"}


def test_leaf_modules_import_nothing_of_the_package_but_errors_and_the_vocabulary():
    parts, _ = _imports()
    for leaf in ("errors", "files", "manifest", "codes", "outputs"):
        assert parts[leaf] <= {"errors", "codes"}, leaf


def _named_in(table_id: str) -> list[str]:
    """The package's files that name an output table (Python, templates), leaving aside the
    published tables' own vocabulary: their files (``published/``), the generator that reproduces
    them (``synth/``), and a published table named as one (``--published ID``). Some published
    tables share an id with the output table that reproduces them. ``published_consistency.json``
    (the checker's full output, beside the report) is another file than the table."""
    pattern = re.compile(rf"(?<![\w]){re.escape(table_id)}(?![\w]|\.json)")
    files = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if path.suffix not in (".py", ".j2") or relative.parts[0] in ("published", "synth"):
            continue
        text = re.sub(r"--published\s+\w+", "", path.read_text(encoding="utf-8"))
        if pattern.search(text):
            files.append(relative.as_posix())
    return files


@pytest.mark.parametrize("declaration", REGISTRY, ids=lambda d: d.id)
def test_an_output_table_is_named_only_where_it_is_declared_and_computed(declaration):
    named = _named_in(declaration.id)
    assert "results/registry.py" in named
    module = declaration.compute.__module__.removeprefix("caresurvey.").replace(".", "/") + ".py"
    assert set(named) <= {"results/registry.py", module}, named
