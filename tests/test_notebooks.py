"""Notebooks are jupytext percent-format scripts that import from caresurvey; each executes in a
kernel and is saved as an HTML page that opens offline."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.errors import CaresurveyError
from caresurvey.report.notebooks import NOT_RENDERED_FOR_REAL_DATA, render_notebook

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_renders_offline(notebook, ingested_study, tmp_path):
    source = notebook.read_text(encoding="utf-8")
    assert "# %%" in source and "format_name: percent" in source
    tree = ast.parse(source)
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    page = render_notebook(notebook, tmp_path, load_config(ingested_study)).read_text(encoding="utf-8")
    assert "Synthetic study" in page
    assert not re.search(r"""src\s*=\s*["'](https?:)?//""", page) and "<link" not in page, "external resource"
    assert "<script" not in page  # the basic template: no require.js or MathJax from a CDN
    assert "Traceback" not in page and 'class="output_error' not in page
    images = re.findall(r"<img [^>]*>", page)
    assert all('alt="' in tag and "No description" not in tag for tag in images)


def test_a_failing_cell_is_an_error_naming_the_notebook(ingested_study, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("# %%\nraise ValueError('no such table')\n", encoding="utf-8")
    with pytest.raises(CaresurveyError, match="broken.py: a cell failed"):
        render_notebook(broken, tmp_path / "out", load_config(ingested_study))
    assert not (tmp_path / "out" / "broken.html").exists()


def test_notebooks_are_not_executed_for_real_data(ingested_study, tmp_path):
    # they show tables before disclosure control; a cell that would run is never run
    marker = tmp_path / "ran"
    script = tmp_path / "writes.py"
    script.write_text(f"# %%\nopen({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    config = dataclasses.replace(load_config(ingested_study), synthetic=False)
    page = render_notebook(script, tmp_path / "out", config).read_text(encoding="utf-8")
    assert NOT_RENDERED_FOR_REAL_DATA in page and not marker.exists()
