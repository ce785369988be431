"""Notebooks are jupytext percent-format scripts that import from caresurvey and run top to bottom."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.ingest.pipeline import ingest_study

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.py"))


@pytest.fixture(scope="module")
def study_config(synthetic_study, tmp_path_factory) -> Path:
    """The shipped configuration over a freshly ingested synthetic study, as `make process` leaves it."""
    folder = tmp_path_factory.mktemp("notebook_study")
    shutil.copy(PROJECT / "caresurvey.toml", folder / "caresurvey.toml")
    shutil.copytree(synthetic_study, folder / "data" / "raw" / "synthetic")
    ingest_study(load_config(folder / "caresurvey.toml"))
    return folder / "caresurvey.toml"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_runs(notebook, study_config):
    source = notebook.read_text(encoding="utf-8")
    assert "# %%" in source and "format_name: percent" in source
    tree = ast.parse(source)
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    environment = {**os.environ, "CARESURVEY_CONFIG": str(study_config)}
    result = subprocess.run([sys.executable, str(notebook)], capture_output=True, text=True, timeout=300,
                            cwd=notebook.parent, env=environment)
    assert result.returncode == 0, result.stderr
